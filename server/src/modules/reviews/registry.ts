// Maker-checker: modules put items in the shared queue and register what approval does.
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/database.js";

/**
 * The payload key under which a module stores the id of an uploaded `files` row that backs
 * the request (an ID-card photo, a certificate). Reviewers download it from
 * `GET /api/v1/console/reviews/:id/proof`.
 */
export const PROOF_FILE_KEY = "proofFileId";

export function proofFileIdOf(payload: Record<string, unknown>): string | null {
  const id = payload[PROOF_FILE_KEY];
  return typeof id === "string" ? id : null;
}

export type ReviewItem = {
  id: string;
  kind: string;
  subjectUserId: string | null;
  payload: Record<string, unknown>;
  createdBy: string | null;
  createdAt: Date;
};

export type ReviewDecision = { reviewerId: string; reason: string | null };

export type ReviewHandler = {
  /** Shown to reviewers; may reveal only masked data. */
  describe(item: ReviewItem): { title: string; summary: Record<string, string> };
  /** Applies the change, inside the transaction that records the approval. */
  approve(tx: Tx, item: ReviewItem, decision: ReviewDecision, ctx: AppContext): Promise<void>;
  /** Optional: tells the customer, releases holds. Inside the same transaction. */
  reject?(tx: Tx, item: ReviewItem, decision: ReviewDecision, ctx: AppContext): Promise<void>;
  /**
   * Optional: work that must wait until the approval has committed (e.g. calling an outside
   * service). Best effort: a failure here does not undo the approval, so the module needs a job
   * that finishes the work anyway.
   */
  afterApproval?(item: ReviewItem, ctx: AppContext): Promise<void>;
};

/** The most approvals an item may ask for (the column's check says the same). */
export const MAX_APPROVALS = 5;

const handlers = new Map<string, ReviewHandler>();

export function registerReviewHandler(kind: string, handler: ReviewHandler): void {
  if (handlers.has(kind)) throw new Error(`review handler for ${kind} registered twice`);
  handlers.set(kind, handler);
}

export function reviewHandler(kind: string): ReviewHandler | undefined {
  return handlers.get(kind);
}

export async function createReviewItem(
  db: Executor,
  item: {
    kind: string;
    subjectUserId: string;
    payload: Record<string, unknown>;
    createdBy: string | null;
    /** How many different members of staff must approve (default 1); one rejection ends it. */
    requiredApprovals?: number;
  },
): Promise<string> {
  if (!handlers.has(item.kind)) throw new Error(`no review handler for ${item.kind}`);
  const required = item.requiredApprovals ?? 1;
  if (!Number.isInteger(required) || required < 1 || required > MAX_APPROVALS) {
    throw new Error(`requiredApprovals must be 1-${MAX_APPROVALS}`);
  }
  const row = await db
    .insertInto("review_items")
    .values({
      kind: item.kind,
      subject_user_id: item.subjectUserId,
      payload: JSON.stringify(item.payload),
      created_by: item.createdBy,
      required_approvals: required,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Withdraws a pending item from the queue (the module settled it another way); false if it was not pending. */
export async function cancelReviewItem(
  tx: Tx,
  id: string,
  c: { reason: string; at: Date },
): Promise<boolean> {
  const row = await tx
    .updateTable("review_items")
    .set({ status: "cancelled", decided_at: c.at, decision_reason: c.reason })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}
