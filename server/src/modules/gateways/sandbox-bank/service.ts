// The sandbox bank: a development stand-in for the bank that pays withdrawals out to cards.
// It accepts a payout at once and settles it a little later on its own clock — as real
// interbank transfers do — succeeding, or failing for the recognisable test amounts below.
// The wallet learns the outcome by asking (queryPayout); it never reads these tables.
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import { findPayout, insertPayoutOnce, listDuePayoutIds, type PayoutRow, settlePayout } from "./store.js";

type Deps = Pick<AppContext, "db" | "clock">;

/** How long the sandbox bank takes to settle a payout it accepted. */
export const SETTLE_AFTER_MS = 30_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Test amounts that fail, by their fen part, so a tester can pick the outcome:
 * x.44 → the receiving card is frozen, x.45 → the card number does not exist at the bank.
 * Every other amount succeeds.
 */
export const FAILING_FEN: Readonly<Record<string, string>> = {
  "44": "收款卡状态异常（已冻结），银行退回",
  "45": "收款卡号在收款银行不存在，银行退回",
};

export function failureFor(amount: bigint): string | null {
  return FAILING_FEN[String(amount % 100n).padStart(2, "0")] ?? null;
}

export type PayoutStatus = "accepted" | "succeeded" | "failed";

/** What the bank says about one payout. */
export type PayoutReport = {
  payoutId: string;
  /** Our withdrawal id, as we gave it to the bank. */
  merchantOrderId: string;
  amount: bigint;
  currency: string;
  status: PayoutStatus;
  failureReason: string | null;
};

function reportOf(p: PayoutRow): PayoutReport {
  return {
    payoutId: p.id,
    merchantOrderId: p.merchant_order_id,
    amount: p.amount,
    currency: p.currency.trim(),
    status: p.status,
    failureReason: p.failure_reason,
  };
}

/** Accepts a payout; the same order again returns the first payout (banks key on the serial number). */
export async function submitSandboxPayout(
  deps: Deps,
  order: { merchantOrderId: string; amount: bigint; currency: string; cardNumber: string },
): Promise<PayoutReport> {
  if (!/^\d{12,19}$/.test(order.cardNumber)) {
    throw new DomainError("validation_failed", { detail: "the bank needs a card number" });
  }
  const now = deps.clock.now();
  const row = await insertPayoutOnce(deps.db, {
    merchantOrderId: order.merchantOrderId,
    amount: order.amount,
    currency: order.currency,
    // The bank keeps only what a statement shows; the number itself is not stored here.
    cardLast4: order.cardNumber.slice(-4),
    settleAfter: new Date(now.getTime() + SETTLE_AFTER_MS),
    now,
  });
  if (row.amount !== order.amount || row.currency.trim() !== order.currency) {
    throw new DomainError("conflict", { detail: "this order was submitted with another amount" });
  }
  return reportOf(row);
}

export async function querySandboxPayout(
  deps: Pick<Deps, "db">,
  payoutId: string,
): Promise<PayoutReport | null> {
  const row = UUID.test(payoutId) ? await findPayout(deps.db, payoutId) : undefined;
  return row ? reportOf(row) : null;
}

/** Settles every accepted payout whose time has come; returns how many. Safe to run twice at once. */
export async function settleDueSandboxPayouts(deps: Deps, limit = 200): Promise<number> {
  const now = deps.clock.now();
  let settled = 0;
  for (const id of await listDuePayoutIds(deps.db, now, limit)) {
    const row = await findPayout(deps.db, id);
    if (!row) continue;
    const failure = failureFor(row.amount);
    const done = await settlePayout(deps.db, id, {
      status: failure ? "failed" : "succeeded",
      failureReason: failure,
      now,
    });
    if (done) settled += 1;
  }
  return settled;
}
