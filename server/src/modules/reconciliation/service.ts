// Daily reconciliation: each gateway's statement for a day (China time) against the ledger.
//
// - A payment the gateway took for a top-up that is still pending is credited now (补充值)
//   through settleTopup, the same exactly-once path notifications use, and reported as
//   "auto_credited". A run repeated, or two runs at once, credit nothing more.
// - A payment the ledger already credited for the same amount is "matched".
// - Anything else becomes an exception for finance: a credit the gateway's statement does not
//   show (ledger_only), amounts or currencies that differ, a payment for no top-up of ours
//   (unknown_payment), a payment for a top-up we marked failed (status_mismatch), or a refund
//   in the gateway's bill (gateway_refund: we never refund through a gateway, so the payer got
//   money back that the wallet still holds).
import type { AppContext } from "../../context.js";
import type { ReconciliationExceptionKind, TopupMethod } from "../../db/schema.js";
import { decodeTimeCursor, encodeTimeCursor } from "../../http/cursor.js";
import { DomainError } from "../../http/errors.js";
import type { AuditActor } from "../audit/index.js";
import { alipayGateway } from "../gateways/alipay/adapter.js";
import { billTradesAsReports } from "../gateways/alipay/bill.js";
import type { GatewayPaymentReport } from "../gateways/index.js";
import { sandboxStatement } from "../gateways/sandbox/service.js";
import { settleTopup } from "../wallet/topups.js";
import {
  type ExceptionRow,
  findException,
  findRun,
  findTopupWithCredit,
  finishRun,
  insertException,
  insertMatch,
  insertRun,
  listCreditedBetween,
  listExceptions,
  listMatches,
  listRuns,
  type MatchRow,
  type RunRow,
  resolveException,
} from "./store.js";

type Deps = Pick<AppContext, "db" | "clock" | "crypto" | "config" | "notifier" | "audit">;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3_600_000;

/** The gateways a run covers: the sandbox outside production, Alipay when it is set up. */
export function reconciledGateways(ctx: Pick<AppContext, "config">): TopupMethod[] {
  const out: TopupMethod[] = [];
  if (ctx.config.env !== "production") out.push("sandbox");
  if (ctx.config.alipay) out.push("alipay");
  return out;
}

/** A refund the gateway's bill of the day shows. */
type GatewayRefund = { paymentId: string; merchantOrderId: string; refundNo: string | null; amount: bigint };

/** A gateway's day, China time: its successful payments, and the refunds its bill shows. */
async function statementOf(
  ctx: Deps,
  gateway: TopupMethod,
  date: string,
): Promise<{ payments: GatewayPaymentReport[]; refunds: GatewayRefund[] }> {
  switch (gateway) {
    case "sandbox": {
      // The sandbox gateway takes payments only; it makes no refunds.
      const s = await sandboxStatement(ctx, date);
      return {
        payments: s.payments.map((p) => ({
          paymentId: p.paymentId,
          merchantOrderId: p.merchantOrderId,
          amount: BigInt(p.amount),
          currency: p.currency,
          status: p.status === "paid" ? "paid" : p.status === "failed" ? "failed" : "pending",
        })),
        refunds: [],
      };
    }
    case "alipay": {
      const bill = await alipayGateway(ctx).dailyBill(date);
      return {
        payments: billTradesAsReports(bill),
        refunds: bill.refunds.map((r) => ({
          paymentId: r.tradeNo,
          merchantOrderId: r.outTradeNo,
          refundNo: r.refundNo,
          amount: r.amount,
        })),
      };
    }
    default: {
      const unexpected: never = gateway;
      throw new Error(`no statement for ${String(unexpected)}`);
    }
  }
}

/** The China-time calendar day an instant falls on. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function dayStart(date: string): Date {
  const d = new Date(`${date}T00:00:00+08:00`);
  if (!DATE.test(date) || Number.isNaN(d.getTime()) || chinaDate(d) !== date)
    throw new DomainError("validation_failed", { detail: "date reads YYYY-MM-DD", field: "date" });
  return d;
}

export type Run = {
  id: string;
  date: string;
  status: RunRow["status"];
  gateways: string[];
  matched: number;
  autoCredited: number;
  exceptions: number;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
};

export type Match = {
  id: string;
  gateway: string;
  paymentId: string;
  topupId: string;
  amount: number;
  currency: string;
  outcome: MatchRow["outcome"];
  ledgerTransferId: string | null;
};

export type ReconciliationException = {
  id: string;
  runId: string;
  gateway: string;
  kind: ReconciliationExceptionKind;
  paymentId: string | null;
  topupId: string | null;
  gatewayAmount: number | null;
  ledgerAmount: number | null;
  detail: string;
  status: "open" | "resolved";
  resolvedBy: string | null;
  resolvedAt: string | null;
  note: string | null;
  createdAt: string;
};

export function toRun(r: RunRow): Run {
  return {
    id: r.id,
    date: r.statement_date,
    status: r.status,
    gateways: r.gateways,
    matched: Number(r.matched),
    autoCredited: Number(r.auto_credited),
    exceptions: Number(r.exceptions),
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    error: r.error,
  };
}

function toMatch(m: MatchRow): Match {
  return {
    id: m.id,
    gateway: m.gateway,
    paymentId: m.payment_id,
    topupId: m.topup_id,
    amount: Number(m.amount),
    currency: m.currency.trim(),
    outcome: m.outcome,
    ledgerTransferId: m.ledger_transfer_id,
  };
}

function toException(x: ExceptionRow): ReconciliationException {
  return {
    id: x.id,
    runId: x.run_id,
    gateway: x.gateway,
    kind: x.kind,
    paymentId: x.payment_id,
    topupId: x.topup_id,
    gatewayAmount: x.gateway_amount === null ? null : Number(x.gateway_amount),
    ledgerAmount: x.ledger_amount === null ? null : Number(x.ledger_amount),
    detail: x.detail,
    status: x.status,
    resolvedBy: x.resolved_by,
    resolvedAt: x.resolved_at ? x.resolved_at.toISOString() : null,
    note: x.note,
    createdAt: x.created_at.toISOString(),
  };
}

type RunScope = { runId: string; gateway: TopupMethod };

async function exception(
  ctx: Deps,
  s: RunScope,
  x: {
    kind: ReconciliationExceptionKind;
    paymentId: string | null;
    topupId: string | null;
    gatewayAmount: bigint | null;
    ledgerAmount: bigint | null;
    detail: string;
  },
): Promise<void> {
  await insertException(ctx.db, { ...x, runId: s.runId, gateway: s.gateway, now: ctx.clock.now() });
}

/** One line of the gateway's statement against our top-up and the ledger. */
async function reconcileLine(ctx: Deps, s: RunScope, line: GatewayPaymentReport): Promise<void> {
  const base = { paymentId: line.paymentId, gatewayAmount: line.amount };
  const topup = UUID.test(line.merchantOrderId)
    ? await findTopupWithCredit(ctx.db, line.merchantOrderId)
    : undefined;
  if (!topup || topup.method !== s.gateway) {
    return exception(ctx, s, {
      ...base,
      kind: "unknown_payment",
      topupId: null,
      ledgerAmount: null,
      detail: `the gateway took payment ${line.paymentId} for order ${line.merchantOrderId}, which is no top-up of ours`,
    });
  }
  const currency = topup.currency.trim();
  const ids = { ...base, topupId: topup.id };
  if (line.currency !== currency) {
    return exception(ctx, s, {
      ...ids,
      kind: "currency_mismatch",
      ledgerAmount: topup.amount,
      detail: `the gateway took ${line.currency}, the top-up is in ${currency}`,
    });
  }
  const match = (outcome: "matched" | "auto_credited", ledgerTransferId: string | null) =>
    insertMatch(ctx.db, {
      runId: s.runId,
      gateway: s.gateway,
      paymentId: line.paymentId,
      topupId: topup.id,
      amount: line.amount,
      currency,
      outcome,
      ledgerTransferId,
      now: ctx.clock.now(),
    });

  if (topup.status === "failed") {
    return exception(ctx, s, {
      ...ids,
      kind: "status_mismatch",
      ledgerAmount: null,
      detail: "the gateway took this payment but the top-up was marked failed; nothing was credited",
    });
  }
  if (topup.status === "succeeded") {
    if (topup.credited_amount !== line.amount) {
      return exception(ctx, s, {
        ...ids,
        kind: "amount_mismatch",
        ledgerAmount: topup.credited_amount,
        detail: "the ledger credited another amount than the gateway took",
      });
    }
    return match("matched", topup.ledger_transfer_id);
  }
  // Pending: the notification never came (or was refused) and the query job has not settled it.
  if (line.amount !== topup.amount) {
    return exception(ctx, s, {
      ...ids,
      kind: "amount_mismatch",
      ledgerAmount: null,
      detail: `the gateway took another amount than the top-up asked (${topup.amount} fen); nothing was credited`,
    });
  }
  let outcome: Awaited<ReturnType<typeof settleTopup>>;
  try {
    outcome = await settleTopup(ctx, { ...line, status: "paid" });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return exception(ctx, s, {
      ...ids,
      kind: "status_mismatch",
      ledgerAmount: null,
      detail: `the payment could not be credited: ${err.message}`,
    });
  }
  const after = await findTopupWithCredit(ctx.db, topup.id);
  if (after?.status !== "succeeded") {
    return exception(ctx, s, {
      ...ids,
      kind: "status_mismatch",
      ledgerAmount: null,
      detail: `the payment could not be credited: the top-up is ${after?.status ?? "gone"}`,
    });
  }
  if (outcome === "credited") {
    await ctx.audit.record(ctx.db, {
      actor: { id: null, kind: "system" },
      action: "reconciliation.auto_credited",
      target: { type: "topup", id: topup.id },
      details: { runId: s.runId, gateway: s.gateway, paymentId: line.paymentId, amount: String(line.amount) },
    });
    return match("auto_credited", after.ledger_transfer_id);
  }
  // Credited meanwhile by a notification or another run: the ledger agrees now.
  return match("matched", after.ledger_transfer_id);
}

/**
 * Reconciles one day for every gateway and records the run. A gateway whose statement cannot be
 * fetched fails the run (recorded with its error); whatever was credited before stays credited.
 */
export async function runReconciliation(
  ctx: Deps,
  req: { date: string; startedBy: AuditActor | null },
): Promise<Run> {
  const from = dayStart(req.date);
  if (from.getTime() >= ctx.clock.now().getTime())
    throw new DomainError("validation_failed", { detail: "that day has not begun yet", field: "date" });
  const to = new Date(from.getTime() + DAY_MS);
  const previous = chinaDate(new Date(from.getTime() - DAY_MS));
  const gateways = reconciledGateways(ctx);
  const run = await insertRun(ctx.db, {
    date: req.date,
    startedBy: req.startedBy?.id ?? null,
    gateways,
    now: ctx.clock.now(),
  });
  if (req.startedBy) {
    await ctx.audit.record(ctx.db, {
      actor: req.startedBy,
      action: "reconciliation.run_started",
      target: { type: "reconciliation_run", id: run.id },
      details: { date: req.date },
    });
  }
  try {
    for (const gateway of gateways) {
      const scope = { runId: run.id, gateway };
      const day = await statementOf(ctx, gateway, req.date);
      const statement = day.payments.filter((l) => l.status === "paid");
      for (const line of statement) await reconcileLine(ctx, scope, line);
      // A credit made on this day may be for a payment taken just before midnight.
      const shown = new Set(statement.map((l) => l.merchantOrderId));
      for (const l of (await statementOf(ctx, gateway, previous)).payments) shown.add(l.merchantOrderId);
      for (const refund of day.refunds) {
        const topup = UUID.test(refund.merchantOrderId)
          ? await findTopupWithCredit(ctx.db, refund.merchantOrderId)
          : undefined;
        await exception(ctx, scope, {
          kind: "gateway_refund",
          paymentId: refund.paymentId,
          topupId: topup?.id ?? null,
          gatewayAmount: refund.amount,
          ledgerAmount: topup?.credited_amount ?? null,
          detail:
            `the gateway refunded ${refund.amount} fen of this payment to the payer` +
            `${refund.refundNo ? ` (refund ${refund.refundNo})` : ""}; the wallet still holds the credit`,
        });
      }
      for (const credit of await listCreditedBetween(ctx.db, gateway, from, to)) {
        if (shown.has(credit.id)) continue;
        await exception(ctx, scope, {
          kind: "ledger_only",
          paymentId: credit.gateway_payment_id,
          topupId: credit.id,
          gatewayAmount: null,
          ledgerAmount: credit.credited_amount,
          detail: "the ledger credited this top-up but the gateway's statement does not show the payment",
        });
      }
    }
    return toRun(await finishRun(ctx.db, run.id, { status: "completed", error: null, now: ctx.clock.now() }));
  } catch (err) {
    const message = err instanceof Error ? err.message.slice(0, 500) : "failed";
    await finishRun(ctx.db, run.id, { status: "failed", error: message, now: ctx.clock.now() });
    throw err;
  }
}

/** The daily job: yesterday, China time. */
export function reconcileYesterday(ctx: Deps): Promise<Run> {
  const yesterday = chinaDate(new Date(ctx.clock.now().getTime() - DAY_MS));
  return runReconciliation(ctx, { date: yesterday, startedBy: null });
}

export async function listReconciliationRuns(
  ctx: Pick<Deps, "db">,
  q: { cursor?: string; limit: number },
): Promise<{ items: Run[]; nextCursor: string | null }> {
  const rows = await listRuns(ctx.db, {
    before: q.cursor ? decodeTimeCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(toRun),
    nextCursor: rows.length > q.limit && last ? encodeTimeCursor(last.started_at, last.id) : null,
  };
}

export async function getReconciliationRun(
  ctx: Pick<Deps, "db">,
  id: string,
): Promise<Run & { matches: Match[]; exceptionItems: ReconciliationException[] }> {
  const run = UUID.test(id) ? await findRun(ctx.db, id) : undefined;
  if (!run) throw new DomainError("not_found", { detail: "no such reconciliation run" });
  const [matches, exceptions] = await Promise.all([
    listMatches(ctx.db, id),
    listExceptions(ctx.db, { runId: id, limit: 10_000 }),
  ]);
  return { ...toRun(run), matches: matches.map(toMatch), exceptionItems: exceptions.map(toException) };
}

export async function listOpenExceptions(ctx: Pick<Deps, "db">): Promise<ReconciliationException[]> {
  return (await listExceptions(ctx.db, { status: "open", limit: 500 })).map(toException);
}

/** Finance closes an exception with a note saying what was done; recorded in the audit trail. */
export async function resolveReconciliationException(
  ctx: Deps,
  req: { id: string; note: string; staff: { id: string; ip: string | null } },
): Promise<ReconciliationException> {
  if (!UUID.test(req.id)) throw new DomainError("not_found", { detail: "no such exception" });
  return ctx.db.transaction().execute(async (tx) => {
    const x = await findException(tx, req.id, { forUpdate: true });
    if (!x) throw new DomainError("not_found", { detail: "no such exception" });
    if (x.status !== "open")
      throw new DomainError("conflict", { detail: "this exception is already resolved" });
    const resolved = await resolveException(tx, x.id, {
      by: req.staff.id,
      note: req.note,
      now: ctx.clock.now(),
    });
    await ctx.audit.record(tx, {
      actor: { id: req.staff.id, kind: "staff", ip: req.staff.ip },
      action: "reconciliation.exception_resolved",
      target: { type: "reconciliation_exception", id: x.id },
      details: { runId: x.run_id, kind: x.kind, note: req.note },
    });
    return toException(resolved);
  });
}
