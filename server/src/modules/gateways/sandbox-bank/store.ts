// SQL for the sandbox bank's own payout records.
import type { Executor } from "../../../db/database.js";
import type { SandboxBankPayoutStatus } from "../../../db/schema.js";

export type PayoutRow = {
  id: string;
  merchant_order_id: string;
  amount: bigint;
  currency: string;
  card_last4: string;
  status: SandboxBankPayoutStatus;
  failure_reason: string | null;
  settle_after: Date;
  created_at: Date;
  settled_at: Date | null;
};

/** Inserts the payout unless one exists for the order, and returns the order's payout either way. */
export async function insertPayoutOnce(
  db: Executor,
  p: {
    merchantOrderId: string;
    amount: bigint;
    currency: string;
    cardLast4: string;
    settleAfter: Date;
    now: Date;
  },
): Promise<PayoutRow> {
  await db
    .insertInto("sandbox_bank_payouts")
    .values({
      merchant_order_id: p.merchantOrderId,
      amount: p.amount,
      currency: p.currency,
      card_last4: p.cardLast4,
      settle_after: p.settleAfter,
      created_at: p.now,
    })
    .onConflict((oc) => oc.column("merchant_order_id").doNothing())
    .execute();
  return db
    .selectFrom("sandbox_bank_payouts")
    .selectAll()
    .where("merchant_order_id", "=", p.merchantOrderId)
    .executeTakeFirstOrThrow();
}

export function findPayout(db: Executor, id: string): Promise<PayoutRow | undefined> {
  return db.selectFrom("sandbox_bank_payouts").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listDuePayoutIds(db: Executor, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("sandbox_bank_payouts")
    .select("id")
    .where("status", "=", "accepted")
    .where("settle_after", "<=", now)
    .orderBy("settle_after")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Settles an accepted payout; undefined when it was settled already (by another run). */
export function settlePayout(
  db: Executor,
  id: string,
  outcome: { status: "succeeded" | "failed"; failureReason: string | null; now: Date },
): Promise<PayoutRow | undefined> {
  return db
    .updateTable("sandbox_bank_payouts")
    .set({ status: outcome.status, failure_reason: outcome.failureReason, settled_at: outcome.now })
    .where("id", "=", id)
    .where("status", "=", "accepted")
    .returningAll()
    .executeTakeFirst();
}
