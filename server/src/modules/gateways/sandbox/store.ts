// SQL for the sandbox gateway's own records: payments and the notification outbox.
import type { Selectable } from "kysely";
import type { Executor } from "../../../db/database.js";
import type { SandboxGatewayPaymentsTable, SandboxPaymentStatus } from "../../../db/schema.js";

export type SandboxPaymentRow = Selectable<SandboxGatewayPaymentsTable>;

export async function insertPaymentOnce(
  db: Executor,
  p: { merchantOrderId: string; amount: bigint; currency: string; now: Date },
): Promise<SandboxPaymentRow> {
  await db
    .insertInto("sandbox_gateway_payments")
    .values({
      merchant_order_id: p.merchantOrderId,
      amount: p.amount,
      currency: p.currency,
      created_at: p.now,
      updated_at: p.now,
    })
    .onConflict((oc) => oc.column("merchant_order_id").doNothing())
    .execute();
  return db
    .selectFrom("sandbox_gateway_payments")
    .selectAll()
    .where("merchant_order_id", "=", p.merchantOrderId)
    .executeTakeFirstOrThrow();
}

export function findPayment(db: Executor, id: string): Promise<SandboxPaymentRow | undefined> {
  return db.selectFrom("sandbox_gateway_payments").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Moves a payment out of `created`; undefined when it had already been paid or failed. */
export function finishPayment(
  db: Executor,
  id: string,
  status: Exclude<SandboxPaymentStatus, "created">,
  now: Date,
): Promise<SandboxPaymentRow | undefined> {
  return db
    .updateTable("sandbox_gateway_payments")
    .set({ status, updated_at: now, paid_at: status === "paid" ? now : null })
    .where("id", "=", id)
    .where("status", "=", "created")
    .returningAll()
    .executeTakeFirst();
}

export function listPaidBetween(db: Executor, from: Date, to: Date): Promise<SandboxPaymentRow[]> {
  return db
    .selectFrom("sandbox_gateway_payments")
    .selectAll()
    .where("status", "=", "paid")
    .where("paid_at", ">=", from)
    .where("paid_at", "<", to)
    .orderBy("paid_at")
    .orderBy("id")
    .execute();
}

export async function enqueueNotification(
  db: Executor,
  n: { paymentId: string; body: string; dueAt: Date; now: Date },
): Promise<void> {
  await db
    .insertInto("sandbox_gateway_notifications")
    .values({ payment_id: n.paymentId, body: n.body, next_attempt_at: n.dueAt, created_at: n.now })
    .execute();
}

export function listDueNotifications(db: Executor, now: Date, limit: number) {
  return db
    .selectFrom("sandbox_gateway_notifications")
    .select(["id", "body", "attempts"])
    .where("delivered_at", "is", null)
    .where("next_attempt_at", "<=", now)
    .orderBy("next_attempt_at")
    .limit(limit)
    .execute();
}

export async function markDelivered(db: Executor, id: string, now: Date): Promise<void> {
  await db
    .updateTable("sandbox_gateway_notifications")
    .set((eb) => ({ delivered_at: now, attempts: eb("attempts", "+", 1), last_error: null }))
    .where("id", "=", id)
    .execute();
}

export async function markFailedAttempt(
  db: Executor,
  id: string,
  retryAt: Date,
  error: string,
): Promise<void> {
  await db
    .updateTable("sandbox_gateway_notifications")
    .set((eb) => ({
      next_attempt_at: retryAt,
      attempts: eb("attempts", "+", 1),
      last_error: error.slice(0, 200),
    }))
    .where("id", "=", id)
    .execute();
}
