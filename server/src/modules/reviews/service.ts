// Reviewer use cases: read the queue, open a proof, approve or reject under maker-checker rules.
import type { AppContext } from "../../context.js";
import type { ReviewStatus } from "../../db/schema.js";
import { decodeTimeCursor, encodeTimeCursor } from "../../http/cursor.js";
import { DomainError } from "../../http/errors.js";
import type { AuditActor } from "../audit/index.js";
import { maskName, maskPhone } from "../identity/mask.js";
import { proofFileIdOf, type ReviewItem, reviewHandler } from "./registry.js";
import {
  type ApprovalRow,
  findFile,
  findReviewRow,
  insertApproval,
  listApprovalRows,
  listReviewRows,
  lockReviewRow,
  type ReviewOrder,
  type ReviewRow,
  recordDecision,
} from "./store.js";

export type ReviewView = {
  id: string;
  kind: string;
  title: string;
  summary: Record<string, string>;
  subject: { id: string; name: string | null; phone: string | null } | null;
  status: ReviewStatus;
  createdAt: string;
  decidedBy: { id: string; name: string | null } | null;
  decidedAt: string | null;
  reason: string | null;
  proofUrl: string | null;
  /** "1/2 approvals": who has approved so far and how many different people must. */
  approvals: {
    required: number;
    count: number;
    by: { id: string; name: string | null; at: string; reason: string | null }[];
  };
};

export type Reviewer = { id: string; ip: string | null };

function toItem(row: ReviewRow): ReviewItem {
  return {
    id: row.id,
    kind: row.kind,
    subjectUserId: row.subject_user_id,
    payload: row.payload,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toView(row: ReviewRow, approvals: ApprovalRow[]): ReviewView {
  const handler = reviewHandler(row.kind);
  // A kind whose module is gone still lists, so the queue never hides an item.
  const described = handler?.describe(toItem(row)) ?? { title: row.kind, summary: {} };
  return {
    id: row.id,
    kind: row.kind,
    title: described.title,
    summary: described.summary,
    subject: row.subject_user_id
      ? {
          id: row.subject_user_id,
          name: row.subject_name ? maskName(row.subject_name) : null,
          phone: row.subject_phone ? maskPhone(row.subject_phone) : null,
        }
      : null,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    decidedBy: row.decided_by ? { id: row.decided_by, name: row.decider_name } : null,
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.decision_reason,
    proofUrl: proofFileIdOf(row.payload) ? `/api/v1/console/reviews/${row.id}/proof` : null,
    approvals: {
      required: row.required_approvals,
      count: approvals.length,
      by: approvals.map((a) => ({
        id: a.approver_id,
        name: a.approver_name,
        at: a.created_at.toISOString(),
        reason: a.reason,
      })),
    },
  };
}

async function withApprovals(db: AppContext["db"], rows: ReviewRow[]): Promise<ReviewView[]> {
  const approvals = await listApprovalRows(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) =>
    toView(
      r,
      approvals.filter((a) => a.review_item_id === r.id),
    ),
  );
}

export async function listReviews(
  ctx: AppContext,
  q: { status?: ReviewStatus; kind?: string; order?: ReviewOrder; cursor?: string; limit: number },
): Promise<{ items: ReviewView[]; nextCursor: string | null }> {
  // Reviewers work a pending queue first-come first-served; history reads newest first.
  const order = q.order ?? (q.status === "pending" ? "oldest" : "newest");
  const rows = await listReviewRows(ctx.db, {
    status: q.status,
    kind: q.kind,
    order,
    after: q.cursor ? decodeTimeCursor(q.cursor) : undefined,
    limit: q.limit,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: await withApprovals(ctx.db, page),
    nextCursor: rows.length > q.limit && last ? encodeTimeCursor(last.created_at, last.id) : null,
  };
}

export async function viewReview(ctx: AppContext, id: string, reviewer: Reviewer): Promise<ReviewView> {
  const row = await findReviewRow(ctx.db, id);
  if (!row) throw new DomainError("not_found", { detail: "No such review item" });
  await ctx.audit.record(ctx.db, {
    actor: { id: reviewer.id, kind: "staff", ip: reviewer.ip },
    action: "review.viewed",
    target: { type: "review_item", id: row.id },
    details: { kind: row.kind, subjectUserId: row.subject_user_id },
  });
  const [view] = await withApprovals(ctx.db, [row]);
  if (!view) throw new Error("review view vanished");
  return view;
}

export async function openReviewProof(
  ctx: AppContext,
  id: string,
  reviewer: Reviewer,
): Promise<{ contentType: string; data: Buffer }> {
  const row = await findReviewRow(ctx.db, id);
  if (!row) throw new DomainError("not_found", { detail: "No such review item" });
  const fileId = proofFileIdOf(row.payload);
  const file = fileId ? await findFile(ctx.db, fileId) : undefined;
  if (!file) throw new DomainError("not_found", { detail: "This review item has no proof file" });
  // A proof is the customer's own document: reading it is a staff read of customer data.
  await ctx.audit.record(ctx.db, {
    actor: { id: reviewer.id, kind: "staff", ip: reviewer.ip },
    action: "review.proof_viewed",
    target: { type: "review_item", id: row.id },
    details: { kind: row.kind, subjectUserId: row.subject_user_id, fileId: file.id },
  });
  return { contentType: file.content_type, data: file.data };
}

export type Verdict = "approve" | "reject";

export async function decideReview(
  ctx: AppContext,
  input: { id: string; verdict: Verdict; reason: string | null; reviewer: Reviewer },
): Promise<ReviewView> {
  const { id, verdict, reason, reviewer } = input;
  const applied = await ctx.db.transaction().execute(async (tx): Promise<ReviewItem | null> => {
    if (!(await lockReviewRow(tx, id))) throw new DomainError("not_found", { detail: "No such review item" });
    const row = await findReviewRow(tx, id);
    if (!row) throw new DomainError("not_found", { detail: "No such review item" });
    if (row.status !== "pending") {
      throw new DomainError("review_already_decided", { decision: row.status });
    }
    // Maker-checker: the second pair of eyes must belong to someone else.
    if (row.subject_user_id === reviewer.id || row.created_by === reviewer.id) {
      throw new DomainError("forbidden", {
        detail: "You cannot decide a request about yourself or one you made",
      });
    }
    const handler = reviewHandler(row.kind);
    if (!handler) {
      throw new DomainError("conflict", { detail: `No module handles review items of kind ${row.kind}` });
    }
    const item = toItem(row);
    const decision = { reviewerId: reviewer.id, reason };
    const actor: AuditActor = { id: reviewer.id, kind: "staff", ip: reviewer.ip };
    const now = ctx.clock.now();
    if (verdict === "approve") {
      // Each approval is one person's: the primary key refuses a second from the same reviewer.
      if (!(await insertApproval(tx, { itemId: id, approverId: reviewer.id, reason, at: now }))) {
        throw new DomainError("forbidden", {
          detail: "You have already approved this item; another member of staff must give the next approval",
          reason: "already_approved",
        });
      }
      const given = (await listApprovalRows(tx, [id])).length;
      if (given < row.required_approvals) {
        // Not enough eyes yet: the item stays pending and nothing is applied.
        await ctx.audit.record(tx, {
          actor,
          action: "review.approval_recorded",
          target: { type: "review_item", id },
          details: {
            kind: row.kind,
            subjectUserId: row.subject_user_id,
            reason,
            approvals: given,
            required: row.required_approvals,
          },
        });
        return null;
      }
      await handler.approve(tx, item, decision, ctx);
    } else {
      await handler.reject?.(tx, item, decision, ctx);
    }
    await recordDecision(tx, id, {
      status: verdict === "approve" ? "approved" : "rejected",
      decidedBy: reviewer.id,
      decidedAt: now,
      reason,
    });
    await ctx.audit.record(tx, {
      actor,
      action: verdict === "approve" ? "review.approved" : "review.rejected",
      target: { type: "review_item", id },
      details: {
        kind: row.kind,
        subjectUserId: row.subject_user_id,
        reason,
        ...(row.required_approvals > 1 ? { required: row.required_approvals } : {}),
      },
    });
    return verdict === "approve" ? item : null;
  });
  if (applied) {
    // Committed: the follow-up is best effort, and the module's own job retries what fails.
    await reviewHandler(applied.kind)
      ?.afterApproval?.(applied, ctx)
      .catch(() => undefined);
  }
  const after = await findReviewRow(ctx.db, id);
  if (!after) throw new DomainError("not_found", { detail: "No such review item" });
  const [view] = await withApprovals(ctx.db, [after]);
  if (!view) throw new Error("review view vanished");
  return view;
}
