// The sandbox gateway's behaviour: a provider that takes payments, tells the merchant
// asynchronously (signed, retried, sometimes twice, sometimes late), answers queries and
// publishes a daily statement. It never touches the wallet's tables.
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import { signMessage } from "./signature.js";
import type { SandboxPaymentRow } from "./store.js";
import {
  enqueueNotification,
  findPayment,
  finishPayment,
  insertPaymentOnce,
  listDueNotifications,
  listPaidBetween,
  markDelivered,
  markFailedAttempt,
} from "./store.js";

type Deps = Pick<AppContext, "db" | "clock" | "crypto">;

export const NOTIFY_PATH = "/api/v1/gateways/sandbox/notify";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MINUTE = 60_000;

/** What the sandbox says about a payment, in notifications and query answers alike. */
export type SandboxPaymentView = {
  paymentId: string;
  merchantOrderId: string;
  amount: number;
  currency: string;
  status: "created" | "paid" | "failed";
  paidAt: string | null;
};

export function viewOf(p: SandboxPaymentRow): SandboxPaymentView {
  return {
    paymentId: p.id,
    merchantOrderId: p.merchant_order_id,
    amount: Number(p.amount),
    currency: p.currency.trim(),
    status: p.status,
    paidAt: p.paid_at ? p.paid_at.toISOString() : null,
  };
}

export async function createSandboxPayment(
  deps: Deps,
  order: { merchantOrderId: string; amount: bigint; currency: string },
): Promise<SandboxPaymentRow> {
  return insertPaymentOnce(deps.db, { ...order, now: deps.clock.now() });
}

export async function getSandboxPayment(deps: Pick<Deps, "db">, id: string): Promise<SandboxPaymentRow> {
  const p = UUID.test(id) ? await findPayment(deps.db, id) : undefined;
  if (!p) throw new DomainError("not_found", { detail: "no such payment" });
  return p;
}

export type DuplicateChance = () => boolean;
// Real gateways repeat themselves; about one notification in three is sent again later.
const sometimes: DuplicateChance = () => Math.random() < 0.3;

/**
 * Pays or fails a payment that is still open, and queues the notification (perhaps twice, the
 * copy up to ten minutes late). Finishing an already finished payment changes nothing.
 */
export async function finishSandboxPayment(
  deps: Deps,
  id: string,
  outcome: "paid" | "failed",
  duplicate: DuplicateChance = sometimes,
): Promise<SandboxPaymentRow> {
  await getSandboxPayment(deps, id);
  return deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    const done = await finishPayment(tx, id, outcome, now);
    if (!done) {
      const current = await getSandboxPayment({ db: tx }, id);
      if (current.status === outcome) return current;
      throw new DomainError("conflict", {
        detail: `the payment is already ${current.status}`,
        status: current.status,
      });
    }
    const body = JSON.stringify({ ...viewOf(done), notifiedAt: now.toISOString() });
    await enqueueNotification(tx, { paymentId: id, body, dueAt: now, now });
    if (duplicate()) {
      const late = new Date(now.getTime() + Math.ceil(Math.random() * 10) * MINUTE);
      await enqueueNotification(tx, { paymentId: id, body, dueAt: late, now });
    }
    return done;
  });
}

/** Sends one signed notification; resolves to the HTTP status the merchant answered. */
export type NotificationSender = (body: string, signature: string) => Promise<number>;

export function httpSender(publicUrl: string): NotificationSender {
  return async (body, signature) => {
    const res = await fetch(new URL(NOTIFY_PATH, publicUrl), {
      method: "POST",
      headers: { "content-type": "application/json", "x-sandbox-signature": signature },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return res.status;
  };
}

// 1, 2, 4 … minutes between attempts, at most an hour, as providers back off.
function backoff(attempts: number): number {
  return Math.min(60, 2 ** Math.min(attempts, 6)) * MINUTE;
}

/**
 * Sends every notification that is due. A 2xx answer ends it; anything else (or no answer) is
 * retried later. Two runs at once may both send one: the merchant must cope, as with real ones.
 */
export async function deliverDueNotifications(
  deps: Deps,
  send: NotificationSender,
  limit = 100,
): Promise<{ delivered: number; failed: number }> {
  const due = await listDueNotifications(deps.db, deps.clock.now(), limit);
  let delivered = 0;
  let failed = 0;
  for (const n of due) {
    const now = deps.clock.now();
    let outcome: string;
    try {
      const status = await send(n.body, signMessage(deps.crypto, n.body, now));
      outcome = status >= 200 && status < 300 ? "ok" : `HTTP ${status}`;
    } catch (err) {
      outcome = err instanceof Error ? err.message : "send failed";
    }
    if (outcome === "ok") {
      await markDelivered(deps.db, n.id, now);
      delivered += 1;
    } else {
      await markFailedAttempt(deps.db, n.id, new Date(now.getTime() + backoff(n.attempts)), outcome);
      failed += 1;
    }
  }
  return { delivered, failed };
}

/** Paid payments of one day in China Standard Time, for reconciliation. */
export async function sandboxStatement(deps: Pick<Deps, "db">, date: string) {
  const from = new Date(`${date}T00:00:00+08:00`);
  if (Number.isNaN(from.getTime()))
    throw new DomainError("validation_failed", { detail: "date reads YYYY-MM-DD" });
  const to = new Date(from.getTime() + 24 * 60 * MINUTE);
  const rows = await listPaidBetween(deps.db, from, to);
  return {
    date,
    count: rows.length,
    total: rows.reduce((sum, r) => sum + Number(r.amount), 0),
    payments: rows.map(viewOf),
  };
}
