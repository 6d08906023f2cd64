// Top-ups: a customer pays a gateway, the gateway tells us, and the wallet is credited exactly
// once. "Exactly once" rests on two things: the top-up row is locked while it is settled (so
// duplicate notifications queue and then find it finished), and the ledger transfer carries
// the idempotency key topup:<id> (so even a settlement that slipped past would move nothing).
import type { AppContext } from "../../context.js";
import type { TopupMethod } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { type GatewayPaymentReport, gatewayFor } from "../gateways/index.js";
import { getOrCreateSystemAccount, openAccount, postTransfer, systemAccountCode } from "../ledger/index.js";
import { channelsFor } from "../notify/index.js";
import {
  attachPayment,
  findTopup,
  findTopupByKey,
  findTopupOwner,
  finishTopup,
  insertTopup,
  listPendingBefore,
  type TopupRow,
} from "./topups-store.js";

type Deps = Pick<AppContext, "db" | "clock" | "crypto" | "config" | "notifier">;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^[\x21-\x7e]{1,100}$/;

function yuan(fen: bigint): string {
  return `¥${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;
}

export type Topup = {
  id: string;
  status: TopupRow["status"];
  amount: number;
  currency: string;
  method: TopupMethod;
  createdAt: string;
  updatedAt: string;
};

export function toTopup(r: TopupRow): Topup {
  return {
    id: r.id,
    status: r.status,
    amount: Number(r.amount),
    currency: r.currency.trim(),
    method: r.method,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function checkIdempotencyKey(key: unknown): string {
  if (typeof key !== "string" || !KEY.test(key)) {
    throw new DomainError("validation_failed", {
      detail: "the Idempotency-Key header is required: 1-100 visible ASCII characters",
      field: "Idempotency-Key",
    });
  }
  return key;
}

/** Opens a top-up and its gateway payment; the same key again returns the same top-up. */
export async function createTopup(
  ctx: Deps,
  userId: string,
  idempotencyKey: string,
  req: { amount: number; currency: string; method: TopupMethod },
): Promise<{ topup: Topup; payUrl: string }> {
  const gateway = gatewayFor(ctx, req.method);
  const amount = BigInt(req.amount);
  let row =
    (await insertTopup(ctx.db, {
      userId,
      amount,
      currency: req.currency,
      method: req.method,
      idempotencyKey,
      now: ctx.clock.now(),
    })) ?? (await findTopupByKey(ctx.db, userId, idempotencyKey));
  if (!row) throw new Error("top-up vanished after insert");
  if (row.amount !== amount || row.currency.trim() !== req.currency || row.method !== req.method) {
    throw new DomainError("idempotency_conflict", {
      detail: "this Idempotency-Key was used for another top-up",
    });
  }
  // The gateway keys payments on our top-up id, so a retry finds the same payment again.
  const payment = await gateway.createPayment({ id: row.id, amount, currency: req.currency });
  if (row.gateway_payment_id === null) {
    await attachPayment(ctx.db, row.id, payment.paymentId, ctx.clock.now());
    row = (await findTopup(ctx.db, row.id)) ?? row;
  }
  return { topup: toTopup(row), payUrl: payment.payUrl };
}

export async function getTopup(ctx: Pick<Deps, "db">, userId: string, id: string): Promise<Topup> {
  const row = UUID.test(id) ? await findTopup(ctx.db, id) : undefined;
  if (!row || row.user_id !== userId) throw new DomainError("not_found", { detail: "no such top-up" });
  return toTopup(row);
}

export type SettleOutcome = "credited" | "failed" | "unchanged";

/**
 * Applies what a gateway reported (a verified notification or a query answer). Only a pending
 * top-up changes; a finished one ignores every later report, whatever its order or content.
 */
export async function settleTopup(ctx: Deps, report: GatewayPaymentReport): Promise<SettleOutcome> {
  if (!UUID.test(report.merchantOrderId)) throw new DomainError("not_found", { detail: "no such top-up" });
  const before = await findTopup(ctx.db, report.merchantOrderId);
  if (!before) throw new DomainError("not_found", { detail: "no such top-up" });
  if (before.status !== "pending" || report.status === "pending") return "unchanged";
  const currency = before.currency.trim();
  // Opened outside the transaction: both are idempotent and must not hold it up.
  const clearing = await getOrCreateSystemAccount(
    ctx,
    systemAccountCode("gateway_clearing", currency, before.method),
    currency,
    "gateway_clearing",
  );
  const customer = await openAccount(ctx, { ownerUserId: before.user_id, currency });

  return ctx.db.transaction().execute(async (tx) => {
    const topup = await findTopup(tx, before.id, { forUpdate: true });
    if (topup?.status !== "pending") return "unchanged";
    if (
      report.amount !== topup.amount ||
      report.currency !== currency ||
      (topup.gateway_payment_id !== null && topup.gateway_payment_id !== report.paymentId)
    ) {
      throw new DomainError("conflict", { detail: "the gateway's report does not match the top-up" });
    }
    const now = ctx.clock.now();
    if (report.status === "failed") {
      await finishTopup(tx, topup.id, "failed", null, now);
      // Not a balance change, so no balance notice tells of it: this one does, on the channels
      // the customer chose for money notices.
      const owner = await findTopupOwner(tx, topup.user_id);
      if (owner) {
        await ctx.notifier.notifyUser(tx, owner, {
          kind: "wallet.topup_failed",
          title: "充值未成功",
          body: `您的 ${yuan(topup.amount)} 充值未成功，余额没有变化。`,
          ...(await channelsFor(tx, owner.id, "balance")),
        });
      }
      return "failed";
    }
    const { transfer } = await postTransfer(
      { db: tx, clock: ctx.clock },
      {
        idempotencyKey: `topup:${topup.id}`,
        type: "topup",
        debitAccountId: clearing.id,
        creditAccountId: customer.id,
        amount: topup.amount,
        currency,
        memo: "Top-up",
        metadata: { topupId: topup.id, method: topup.method, paymentId: report.paymentId },
      },
    );
    await finishTopup(tx, topup.id, "succeeded", transfer.id, now);
    // The customer hears of the credit once, from its balance-change notice ("充值成功：充值 ¥…，
    // 余额 ¥…", notify/money-notifications.ts), on the channels they chose.
    return "credited";
  });
}

export const PENDING_QUERY_AFTER_MS = 10 * 60_000;
/** How long a customer has to pay a top-up; then the gateway's payment is closed and the top-up fails. */
export const TOPUP_PAY_WINDOW_MS = 2 * 60 * 60_000;

/** Asks the gateway about top-ups still pending after a while: the notification may never come. */
export async function settleStalePendingTopups(
  ctx: Deps,
  opts: { olderThanMs?: number; limit?: number } = {},
): Promise<Record<SettleOutcome | "refused", number>> {
  const before = new Date(ctx.clock.now().getTime() - (opts.olderThanMs ?? PENDING_QUERY_AFTER_MS));
  const counts: Record<SettleOutcome | "refused", number> = {
    credited: 0,
    failed: 0,
    unchanged: 0,
    refused: 0,
  };
  for (const topup of await listPendingBefore(ctx.db, before, opts.limit ?? 200)) {
    if (!topup.gateway_payment_id) continue;
    try {
      const gateway = gatewayFor(ctx, topup.method);
      let report = await gateway.queryPayment(topup.gateway_payment_id);
      // Never paid within the window: close it at the gateway first, so it cannot be paid after
      // we give up on it; the gateway's final word (perhaps "paid" after all) settles the top-up.
      const expired = ctx.clock.now().getTime() - topup.created_at.getTime() > TOPUP_PAY_WINDOW_MS;
      if (report?.status === "pending" && expired && gateway.closePayment) {
        report = await gateway.closePayment(topup.gateway_payment_id);
      }
      const outcome =
        report && report.merchantOrderId === topup.id ? await settleTopup(ctx, report) : "unchanged";
      counts[outcome] += 1;
    } catch (err) {
      // One top-up the gateway contradicts (another amount) must not stop the others settling.
      if (!(err instanceof DomainError)) throw err;
      counts.refused += 1;
    }
  }
  return counts;
}
