// SQL for the review queue: items joined with the customer they are about.
import type { Executor, Tx } from "../../db/database.js";
import type { ReviewStatus } from "../../db/schema.js";
import type { TimeCursor } from "../../http/cursor.js";

export type ReviewRow = {
  id: string;
  kind: string;
  subject_user_id: string | null;
  payload: Record<string, unknown>;
  status: ReviewStatus;
  created_by: string | null;
  created_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  required_approvals: number;
  subject_name: string | null;
  subject_phone: string | null;
  decider_name: string | null;
};

export type ReviewOrder = "oldest" | "newest";

export type ReviewListQuery = {
  status?: ReviewStatus;
  kind?: string;
  order: ReviewOrder;
  after?: TimeCursor;
  limit: number;
};

function selectReviews(db: Executor) {
  return db
    .selectFrom("review_items as r")
    .leftJoin("users as s", "s.id", "r.subject_user_id")
    .leftJoin("users as d", "d.id", "r.decided_by")
    .select([
      "r.id",
      "r.kind",
      "r.subject_user_id",
      "r.payload",
      "r.status",
      "r.created_by",
      "r.created_at",
      "r.decided_by",
      "r.decided_at",
      "r.decision_reason",
      "r.required_approvals",
      "s.name as subject_name",
      "s.phone as subject_phone",
      "d.name as decider_name",
    ]);
}

/** One page plus one row, so the caller knows whether another page follows. */
export function listReviewRows(db: Executor, q: ReviewListQuery): Promise<ReviewRow[]> {
  const dir = q.order === "oldest" ? "asc" : "desc";
  let query = selectReviews(db)
    .orderBy("r.created_at", dir)
    .orderBy("r.id", dir)
    .limit(q.limit + 1);
  if (q.status) query = query.where("r.status", "=", q.status);
  if (q.kind) query = query.where("r.kind", "=", q.kind);
  const after = q.after;
  if (after) {
    const cmp = q.order === "oldest" ? ">" : "<";
    query = query.where((eb) =>
      eb.or([
        eb("r.created_at", cmp, after.at),
        eb.and([eb("r.created_at", "=", after.at), eb("r.id", cmp, after.id)]),
      ]),
    );
  }
  return query.execute();
}

export function findReviewRow(db: Executor, id: string): Promise<ReviewRow | undefined> {
  return selectReviews(db).where("r.id", "=", id).executeTakeFirst();
}

/** Takes the row lock that makes two reviewers deciding at once see each other. */
export async function lockReviewRow(tx: Tx, id: string): Promise<boolean> {
  const row = await tx
    .selectFrom("review_items")
    .select("id")
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordDecision(
  tx: Tx,
  id: string,
  decision: { status: "approved" | "rejected"; decidedBy: string; decidedAt: Date; reason: string | null },
): Promise<void> {
  await tx
    .updateTable("review_items")
    .set({
      status: decision.status,
      decided_by: decision.decidedBy,
      decided_at: decision.decidedAt,
      decision_reason: decision.reason,
    })
    .where("id", "=", id)
    .execute();
}

export function findFile(db: Executor, id: string) {
  return db
    .selectFrom("files")
    .select(["id", "content_type", "size", "data", "owner_user_id"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export type ApprovalRow = {
  review_item_id: string;
  approver_id: string;
  approver_name: string | null;
  reason: string | null;
  created_at: Date;
};

/** The approvals given so far on these items, oldest first. */
export function listApprovalRows(db: Executor, itemIds: string[]): Promise<ApprovalRow[]> {
  if (itemIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("review_approvals as a")
    .leftJoin("users as u", "u.id", "a.approver_id")
    .select(["a.review_item_id", "a.approver_id", "u.name as approver_name", "a.reason", "a.created_at"])
    .where("a.review_item_id", "in", itemIds)
    .orderBy("a.created_at")
    .orderBy("a.approver_id")
    .execute();
}

/** Records one person's approval; false when that person had already approved the item. */
export async function insertApproval(
  tx: Tx,
  a: { itemId: string; approverId: string; reason: string | null; at: Date },
): Promise<boolean> {
  const row = await tx
    .insertInto("review_approvals")
    .values({ review_item_id: a.itemId, approver_id: a.approverId, reason: a.reason, created_at: a.at })
    .onConflict((oc) => oc.doNothing())
    .returning("approver_id")
    .executeTakeFirst();
  return row !== undefined;
}
