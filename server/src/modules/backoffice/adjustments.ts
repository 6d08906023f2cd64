// Manual ledger adjustments under maker-checker: one member of staff proposes (with a reason),
// the proposal waits in the review queue, and a different member of staff who may adjust the
// ledger approves it. Approval posts the adjustment through the ledger against the adjustments
// system account, keyed by the review item, so it moves money exactly once.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { permissionsOf } from "../../http/permissions.js";
import { maskName, maskPhone } from "../identity/mask.js";
import { getOrCreateSystemAccount, MAX_AMOUNT, postTransfer, systemAccountCode } from "../ledger/index.js";
import { createReviewItem, type ReviewItem, registerReviewHandler } from "../reviews/index.js";
import { findExplorerAccount } from "./ledger-explorer-store.js";

export const LEDGER_ADJUSTMENT_KIND = "ledger_adjustment";
export const REASON_MIN = 10;
export const REASON_MAX = 200;

export type AdjustmentDirection = "credit" | "debit";

export type AdjustmentProposal = {
  accountId: string;
  direction: AdjustmentDirection;
  amount: bigint;
  currency: string;
  reason: string;
};

const payloadSchema = z.object({
  accountId: z.uuid(),
  direction: z.enum(["credit", "debit"]),
  amount: z.string().regex(/^[1-9][0-9]{0,15}$/),
  currency: z.string().regex(/^[A-Z]{3}$/),
  reason: z.string(),
  idempotencyKey: z.string(),
  requestHash: z.string(),
  ownerName: z.string().nullable(),
  ownerPhone: z.string().nullable(),
});
type AdjustmentPayload = z.infer<typeof payloadSchema>;

function payloadOf(item: Pick<ReviewItem, "payload">): AdjustmentPayload {
  const parsed = payloadSchema.safeParse(item.payload);
  if (!parsed.success) throw new Error("ledger adjustment review item with a malformed payload");
  return parsed.data;
}

function yuan(fen: bigint, currency: string): string {
  const text = `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;
  return currency === "CNY" ? `¥${text}` : `${currency} ${text}`;
}

export type Proposer = { id: string; ip: string | null };

/**
 * Puts a proposal in the review queue. The same Idempotency-Key from the same member of staff
 * with the same body returns the first proposal; with another body it is idempotency_conflict.
 */
export async function proposeAdjustment(
  ctx: AppContext,
  p: AdjustmentProposal,
  idempotencyKey: string,
  actor: Proposer,
): Promise<{ id: string; status: "pending"; replayed: boolean }> {
  const reason = p.reason.trim();
  if ([...reason].length < REASON_MIN) {
    throw new DomainError("validation_failed", {
      detail: `Give a reason of at least ${REASON_MIN} characters`,
      field: "reason",
    });
  }
  if (p.amount < 1n || p.amount > MAX_AMOUNT) {
    throw new DomainError("validation_failed", { detail: "amount out of range", field: "amount" });
  }
  const requestHash = createHash("sha256")
    .update(JSON.stringify([p.accountId.toLowerCase(), p.direction, p.amount.toString(), p.currency, reason]))
    .digest("hex");

  return ctx.db.transaction().execute(async (tx) => {
    // Two identical requests at once: the second waits here and then finds the first.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`ledger_adjustment:${actor.id}:${idempotencyKey}`}, 0))`.execute(
      tx,
    );
    const earlier = await findProposalByKey(tx, actor.id, idempotencyKey);
    if (earlier) {
      if (earlier.requestHash !== requestHash) throw new DomainError("idempotency_conflict");
      return { id: earlier.id, status: "pending", replayed: true } as const;
    }
    const account = await findExplorerAccount(tx, p.accountId);
    if (!account) throw new DomainError("not_found", { detail: "No such ledger account" });
    if (account.kind !== "customer" || !account.owner_user_id) {
      throw new DomainError("validation_failed", {
        detail: "Manual adjustments go to customer accounts",
        field: "accountId",
      });
    }
    if (account.currency.trim() !== p.currency) throw new DomainError("currency_mismatch");
    const payload: AdjustmentPayload = {
      accountId: account.id,
      direction: p.direction,
      amount: p.amount.toString(),
      currency: p.currency,
      reason,
      idempotencyKey,
      requestHash,
      ownerName: account.owner_name ? maskName(account.owner_name) : null,
      ownerPhone: account.owner_phone ? maskPhone(account.owner_phone) : null,
    };
    const id = await createReviewItem(tx, {
      kind: LEDGER_ADJUSTMENT_KIND,
      subjectUserId: account.owner_user_id,
      payload,
      createdBy: actor.id,
    });
    await ctx.audit.record(tx, {
      actor: { id: actor.id, kind: "staff", ip: actor.ip },
      action: "ledger.adjustment_proposed",
      target: { type: "review_item", id },
      details: {
        accountId: account.id,
        subjectUserId: account.owner_user_id,
        direction: p.direction,
        amount: p.amount.toString(),
        currency: p.currency,
        reason,
      },
    });
    return { id, status: "pending", replayed: false } as const;
  });
}

async function findProposalByKey(db: Executor, staffId: string, key: string) {
  const row = await db
    .selectFrom("review_items")
    .select(["id", sql<string>`payload ->> 'requestHash'`.as("requestHash")])
    .where("kind", "=", LEDGER_ADJUSTMENT_KIND)
    .where("created_by", "=", staffId)
    .where(sql<string>`payload ->> 'idempotencyKey'`, "=", key)
    .executeTakeFirst();
  return row;
}

/** The approver must be allowed to adjust the ledger, not merely to decide reviews. */
async function requireAdjuster(db: Executor, staffId: string): Promise<void> {
  const row = await db.selectFrom("users").select("roles").where("id", "=", staffId).executeTakeFirst();
  if (!row || !permissionsOf(row.roles).has("ledger:adjust")) {
    throw new DomainError("forbidden", {
      detail: "Only staff who may adjust the ledger can approve a manual adjustment",
    });
  }
}

registerReviewHandler(LEDGER_ADJUSTMENT_KIND, {
  describe(item): { title: string; summary: Record<string, string> } {
    const parsed = payloadSchema.safeParse(item.payload);
    if (!parsed.success) return { title: "人工调账 / Manual adjustment", summary: {} };
    const p = parsed.data;
    const amount = yuan(BigInt(p.amount), p.currency);
    return {
      title: `人工调账：${p.direction === "credit" ? "调增" : "调减"} ${amount}`,
      summary: {
        account: p.accountId,
        customer: [p.ownerName, p.ownerPhone].filter(Boolean).join(" "),
        direction: p.direction === "credit" ? "调增 / credit" : "调减 / debit",
        amount,
        reason: p.reason,
      },
    };
  },
  async approve(tx, item, decision, ctx) {
    await requireAdjuster(tx, decision.reviewerId);
    const p = payloadOf(item);
    const adjustments = await getOrCreateSystemAccount(
      { db: tx },
      systemAccountCode("adjustments", p.currency),
      p.currency,
      "adjustments",
    );
    const [debitAccountId, creditAccountId] =
      p.direction === "credit" ? [adjustments.id, p.accountId] : [p.accountId, adjustments.id];
    const { transfer, replayed } = await postTransfer(
      { db: tx, clock: ctx.clock },
      {
        idempotencyKey: `ledger-adjustment:${item.id}`,
        type: "adjustment",
        debitAccountId,
        creditAccountId,
        amount: BigInt(p.amount),
        currency: p.currency,
        memo: "人工调账",
        metadata: { reviewItemId: item.id },
      },
    );
    await ctx.audit.record(tx, {
      actor: { id: decision.reviewerId, kind: "staff" },
      action: "ledger.adjustment_posted",
      target: { type: "ledger_transfer", id: transfer.id },
      details: {
        reviewItemId: item.id,
        accountId: p.accountId,
        subjectUserId: item.subjectUserId,
        direction: p.direction,
        amount: p.amount,
        currency: p.currency,
        proposedBy: item.createdBy,
        replayed,
      },
    });
  },
});
