// SQL for top-ups. Money itself moves only through the ledger; these rows track the order.
import type { Selectable } from "kysely";
import type { Executor } from "../../db/database.js";
import type { TopupMethod, TopupStatus, TopupsTable } from "../../db/schema.js";

export type TopupRow = Selectable<TopupsTable>;

/** The new top-up, or undefined when this customer already used the key. */
export function insertTopup(
  db: Executor,
  t: {
    userId: string;
    amount: bigint;
    currency: string;
    method: TopupMethod;
    idempotencyKey: string;
    now: Date;
  },
): Promise<TopupRow | undefined> {
  return db
    .insertInto("topups")
    .values({
      user_id: t.userId,
      amount: t.amount,
      currency: t.currency,
      method: t.method,
      idempotency_key: t.idempotencyKey,
      created_at: t.now,
      updated_at: t.now,
    })
    .onConflict((oc) => oc.columns(["user_id", "idempotency_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findTopupByKey(db: Executor, userId: string, key: string): Promise<TopupRow | undefined> {
  return db
    .selectFrom("topups")
    .selectAll()
    .where("user_id", "=", userId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

export function findTopup(
  db: Executor,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<TopupRow | undefined> {
  const q = db.selectFrom("topups").selectAll().where("id", "=", id);
  return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function attachPayment(db: Executor, id: string, paymentId: string, now: Date): Promise<void> {
  await db
    .updateTable("topups")
    .set({ gateway_payment_id: paymentId, updated_at: now })
    .where("id", "=", id)
    .where("gateway_payment_id", "is", null)
    .execute();
}

export async function finishTopup(
  db: Executor,
  id: string,
  status: Exclude<TopupStatus, "pending">,
  ledgerTransferId: string | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable("topups")
    .set({ status, ledger_transfer_id: ledgerTransferId, updated_at: now })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute();
}

export function listPendingBefore(db: Executor, before: Date, limit: number): Promise<TopupRow[]> {
  return db
    .selectFrom("topups")
    .selectAll()
    .where("status", "=", "pending")
    .where("created_at", "<=", before)
    .where("gateway_payment_id", "is not", null)
    .orderBy("created_at")
    .limit(limit)
    .execute();
}

/** Where a notice to the top-up's owner may go: the phone, and the e-mail only once verified. */
export async function findTopupOwner(
  db: Executor,
  userId: string,
): Promise<{ id: string; phone: string | null; email: string | null } | undefined> {
  const row = await db
    .selectFrom("users")
    .select(["id", "phone", "email", "email_verified_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return row && { id: row.id, phone: row.phone, email: row.email_verified_at ? row.email : null };
}
