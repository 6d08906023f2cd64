// Withdrawals to a bound bank card. The customer proves it is them (payment password, then an
// SMS code); amount + fee are held in the ledger (customer → withdrawal clearing); small amounts
// go to the bank at once, larger ones wait for one or two reviewers. The bank's answer posts the
// hold (and moves the amount out to settlement and the fee to the fees account) or voids it.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/database.js";
import type { WithdrawalStatus } from "../../db/schema.js";
import { decodeTimeCursor, encodeTimeCursor } from "../../http/cursor.js";
import { DomainError } from "../../http/errors.js";
import { type PayoutReport, payoutBank } from "../gateways/sandbox-bank/index.js";
import { maskCard, maskName, verifyPaymentPassword } from "../identity/index.js";
import {
  createHold,
  getBalance,
  getOrCreateSystemAccount,
  MAX_AMOUNT,
  openAccount,
  postHold,
  postTransfer,
  systemAccountCode,
  voidHold,
} from "../ledger/index.js";
import { channelsFor } from "../notify/index.js";
import { cancelReviewItem, createReviewItem } from "../reviews/index.js";
import { formatYuan, toJsonAmount, type WalletCurrency } from "./service.js";
import {
  attachPayout,
  checkWithdrawalCode,
  findCardById,
  findLiveCard,
  findWithdrawal,
  findWithdrawalByKey,
  findWithdrawalWithCard,
  findWithdrawer,
  insertWithdrawal,
  listProcessingWithdrawals,
  listUnderReviewBefore,
  listWithdrawalRows,
  setWithdrawalStatus,
  spendWithdrawalCode,
  type WithdrawalRow,
  type WithdrawalWithCard,
} from "./withdrawals-store.js";

export const WITHDRAWAL_REVIEW_KIND = "withdrawal";

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * A withdrawal still under review this long after it was asked for is rejected by a job
 * ("review timed out"), which voids its hold and tells the customer.
 */
export const REVIEW_TIMEOUT_MS = 30 * DAY_MS;
/**
 * The ledger hold's own expiry: only a backstop. It lies well past the review timeout, so the
 * hold never expires under a withdrawal that is legitimately waiting for review, and leaves
 * more than two weeks for the bank after even the latest approval (the sandbox bank settles in
 * 30 seconds; real interbank payouts within a day or two).
 */
export const HOLD_TTL_MS = 45 * DAY_MS;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Deps = AppContext;
export type Actor = { ip: string | null };

export type Withdrawal = {
  id: string;
  amount: bigint;
  fee: bigint;
  currency: string;
  bankCard: { id: string; masked: string; bankName: string | null };
  status: WithdrawalStatus;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

function toWithdrawal(r: WithdrawalWithCard): Withdrawal {
  return {
    id: r.id,
    amount: r.amount,
    fee: r.fee,
    currency: r.currency.trim(),
    bankCard: { id: r.bank_card_id, masked: maskCard(r.card_last4), bankName: r.card_bank_name },
    status: r.status,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// --- fee and quote ---

/** The fee in fen: the rate (basis points) of the amount rounded up to the fen, at least the minimum. */
export function withdrawalFee(cfg: AppContext["config"]["withdrawals"], amount: bigint): bigint {
  const proportional = (amount * BigInt(cfg.feeRateBp) + 9_999n) / 10_000n;
  return proportional > cfg.feeMin ? proportional : cfg.feeMin;
}

/**
 * The largest withdrawal `available` pays for with its fee (amount + fee ≤ available), or 0 when
 * it cannot even pay the minimum fee. The fee only grows with the amount, so the largest such
 * amount is found by halving the range: exact, whatever the rate and the minimum.
 */
export function largestWithdrawal(cfg: AppContext["config"]["withdrawals"], available: bigint): bigint {
  let fits = 0n;
  let tooMuch = available + 1n;
  while (tooMuch - fits > 1n) {
    const mid = (fits + tooMuch) / 2n;
    if (mid + withdrawalFee(cfg, mid) <= available) fits = mid;
    else tooMuch = mid;
  }
  return fits;
}

/** How many different reviewers a withdrawal of this amount needs: 0 (none), 1 or 2. */
export function approvalsRequired(cfg: AppContext["config"]["withdrawals"], amount: bigint): 0 | 1 | 2 {
  if (amount <= cfg.autoApproveMax) return 0;
  return amount >= cfg.dualApprovalMin ? 2 : 1;
}

export type WithdrawalQuote = {
  amount: bigint;
  fee: bigint;
  total: bigint;
  currency: WalletCurrency;
  reviewRequired: boolean;
  approvalsRequired: 0 | 1 | 2;
};

export function quoteWithdrawal(
  ctx: Pick<Deps, "config">,
  amount: bigint,
  currency: WalletCurrency,
): WithdrawalQuote {
  const cfg = ctx.config.withdrawals;
  const fee = withdrawalFee(cfg, amount);
  const total = amount + fee;
  if (total > MAX_AMOUNT) {
    throw new DomainError("validation_failed", { detail: "amount is too large", field: "amount" });
  }
  const approvals = approvalsRequired(cfg, amount);
  return { amount, fee, total, currency, reviewRequired: approvals > 0, approvalsRequired: approvals };
}

// --- asking for a withdrawal ---

export type WithdrawalInput = {
  amount: bigint;
  currency: WalletCurrency;
  bankCardId: string;
};

export type PlacedWithdrawal = { withdrawal: Withdrawal; replayed: boolean };

function sameRequest(row: WithdrawalRow, input: WithdrawalInput): boolean {
  return (
    row.amount === input.amount &&
    row.currency.trim() === input.currency &&
    row.bank_card_id.toLowerCase() === input.bankCardId.toLowerCase()
  );
}

async function replayOf(ctx: Deps, row: WithdrawalRow, input: WithdrawalInput): Promise<PlacedWithdrawal> {
  if (!sameRequest(row, input)) {
    throw new DomainError("idempotency_conflict", {
      detail: "this Idempotency-Key was used for another withdrawal",
    });
  }
  const full = await findWithdrawalWithCard(ctx.db, row.id);
  if (!full) throw new Error("withdrawal vanished");
  return { withdrawal: toWithdrawal(full), replayed: true };
}

const normaliseName = (name: string) => name.trim().replace(/\s+/g, " ");

/**
 * The whole request: a replay of an Idempotency-Key answers first (its code was used up by the
 * first request); otherwise the payment password (with its lock), then the SMS code, then the
 * money. A wrong password or code moves nothing and stays counted. The code is only checked
 * here; it is spent in the money transaction, so a refusal or a crash before the commit leaves
 * it usable, and of two requests carrying one code only one can spend it.
 */
export async function requestWithdrawal(
  ctx: Deps,
  userId: string,
  input: WithdrawalInput & { paymentPassword: string; otp: string },
  idempotencyKey: string,
  actor: Actor,
): Promise<PlacedWithdrawal> {
  const { paymentPassword, otp, ...money } = input;
  const earlier = await findWithdrawalByKey(ctx.db, userId, idempotencyKey);
  if (earlier) return replayOf(ctx, earlier, money);
  const user = await findWithdrawer(ctx.db, userId);
  if (user?.kind !== "customer") throw new DomainError("forbidden");
  await verifyPaymentPassword(ctx.db, ctx, userId, paymentPassword, actor);
  const phone = user.phone;
  if (!phone) throw new DomainError("conflict", { detail: "Bind a phone number first" });
  // In a transaction of its own: a wrong guess stays counted whatever happens next.
  const check = await ctx.db
    .transaction()
    .execute((tx) => checkWithdrawalCode(tx, phone, otp, ctx.clock.now()));
  if (!check.ok) {
    if (check.live) throw new DomainError("invalid_otp", { attemptsLeft: check.attemptsLeft });
    // No live code: perhaps an identical request spent it and committed a moment ago.
    const committed = await findWithdrawalByKey(ctx.db, userId, idempotencyKey);
    if (committed) return replayOf(ctx, committed, money);
    throw new DomainError("invalid_otp");
  }
  return placeWithdrawal(ctx, userId, money, idempotencyKey, actor, { phone, code: otp });
}

/**
 * The money part, after the customer has proved who they are: checks the card, spends the SMS
 * code (when given), holds amount + fee, and either sends the withdrawal on (processing) or
 * queues it for review — all in one transaction, so a refusal (insufficient_funds, a frozen
 * account) or a crash leaves nothing behind, the code included.
 */
export async function placeWithdrawal(
  ctx: Deps,
  userId: string,
  input: WithdrawalInput,
  idempotencyKey: string,
  actor: Actor,
  smsCode?: { phone: string; code: string },
): Promise<PlacedWithdrawal> {
  const quote = quoteWithdrawal(ctx, input.amount, input.currency);
  const card = UUID.test(input.bankCardId) ? await findLiveCard(ctx.db, userId, input.bankCardId) : undefined;
  // Another customer's card is as absent as one that does not exist.
  if (!card) throw new DomainError("not_found", { detail: "No such bank card", field: "bankCardId" });
  const user = await findWithdrawer(ctx.db, userId);
  if (!user) throw new DomainError("unauthenticated");
  // Once the owner's name is verified (an approved ID number), money leaves only to a card in that name.
  if (user.id_number_hash && user.name && normaliseName(user.name) !== normaliseName(card.holder_name)) {
    throw new DomainError("holder_name_mismatch");
  }
  const currency = input.currency;
  // Opened outside the transaction: idempotent, and must not hold it up.
  const clearing = await getOrCreateSystemAccount(
    ctx,
    systemAccountCode("withdrawal_clearing", currency),
    currency,
    "withdrawal_clearing",
  );

  const placed = await ctx.db.transaction().execute(async (tx): Promise<PlacedWithdrawal> => {
    // Two requests with one key queue here; the second then finds the first's withdrawal.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`withdrawal:${userId}:${idempotencyKey}`}, 0))`.execute(
      tx,
    );
    const earlier = await findWithdrawalByKey(tx, userId, idempotencyKey);
    if (earlier) return replayOf(ctx, earlier, input);

    const now = ctx.clock.now();
    // After the replay check (a replay needs no code), before the money: the code's row lock
    // queues a second request carrying the same code, which then finds it spent.
    if (smsCode && !(await spendWithdrawalCode(tx, smsCode.phone, smsCode.code, now))) {
      throw new DomainError("invalid_otp");
    }
    const deps = { db: tx, clock: ctx.clock };
    const customer = await openAccount(deps, { ownerUserId: userId, currency });
    const id = randomUUID();
    const { transfer: hold } = await createHold(deps, {
      idempotencyKey: `wallet:${userId}:withdrawal:${idempotencyKey}`,
      type: "withdrawal",
      debitAccountId: customer.id,
      creditAccountId: clearing.id,
      amount: quote.total,
      currency,
      expiresAt: new Date(now.getTime() + HOLD_TTL_MS),
      memo: `提现至尾号${card.last4}`,
      metadata: { withdrawalId: id, amount: quote.amount.toString(), fee: quote.fee.toString() },
    });
    const status: WithdrawalStatus = quote.reviewRequired ? "under_review" : "processing";
    const row = await insertWithdrawal(tx, {
      id,
      userId,
      bankCardId: card.id,
      amount: quote.amount,
      fee: quote.fee,
      currency,
      status,
      idempotencyKey,
      holdId: hold.id,
      now,
    });
    if (!row) throw new Error("withdrawal key taken under the advisory lock");
    if (quote.reviewRequired) {
      const reviewItemId = await createReviewItem(tx, {
        kind: WITHDRAWAL_REVIEW_KIND,
        subjectUserId: userId,
        payload: {
          withdrawalId: id,
          amount: quote.amount.toString(),
          fee: quote.fee.toString(),
          currency,
          cardLast4: card.last4,
          bankName: card.bank_name,
          holderName: maskName(card.holder_name),
        },
        // The customer is the maker: staff who file on a customer's behalf can never approve it.
        createdBy: userId,
        requiredApprovals: quote.approvalsRequired,
      });
      await setWithdrawalStatus(tx, id, { status, reviewItemId, now });
    }
    await ctx.audit.record(tx, {
      actor: { id: userId, kind: "customer", ip: actor.ip },
      action: "withdrawal.requested",
      target: { type: "withdrawal", id },
      details: {
        amount: quote.amount.toString(),
        fee: quote.fee.toString(),
        currency,
        cardLast4: card.last4,
        status,
        approvalsRequired: quote.approvalsRequired,
      },
    });
    await tellCustomer(tx, ctx, userId, {
      kind: "wallet.withdrawal_requested",
      title: quote.reviewRequired ? "提现申请已提交审核" : "提现处理中",
      body: quote.reviewRequired
        ? `您提现 ${formatYuan(quote.amount)} 至尾号 ${card.last4} 的申请已提交审核，手续费 ${formatYuan(quote.fee)}，资金已冻结。`
        : `您提现 ${formatYuan(quote.amount)} 至尾号 ${card.last4} 正在处理，手续费 ${formatYuan(quote.fee)}。`,
    });
    const full = await findWithdrawalWithCard(tx, id);
    if (!full) throw new Error("withdrawal vanished");
    return { withdrawal: toWithdrawal(full), replayed: false };
  });

  if (!placed.replayed && placed.withdrawal.status === "processing") {
    // At once; should this fail (the bank is down), the withdrawals job sends it later.
    await submitToBank(ctx, placed.withdrawal.id).catch(() => undefined);
  }
  return placed;
}

/**
 * In-app always; SMS and email as the customer's `withdrawal` subscription says (and, for the
 * payout, which is also a balance change, their `balance` one). E-mail only to a verified address.
 */
async function tellCustomer(
  tx: Tx,
  ctx: Deps,
  userId: string,
  item: { kind: string; title: string; body: string },
  opts: { alsoBalance?: boolean } = {},
): Promise<void> {
  const user = await findWithdrawer(tx, userId);
  if (!user) return;
  const progress = await channelsFor(tx, userId, "withdrawal");
  const money = opts.alsoBalance ? await channelsFor(tx, userId, "balance") : { sms: false, email: false };
  await ctx.notifier.notifyUser(
    tx,
    { id: user.id, phone: user.phone, email: user.email_verified_at ? user.email : null },
    { ...item, sms: progress.sms || money.sms, email: progress.email || money.email },
  );
}

// --- reading ---

export async function getWithdrawal(ctx: Pick<Deps, "db">, userId: string, id: string): Promise<Withdrawal> {
  const row = UUID.test(id) ? await findWithdrawalWithCard(ctx.db, id) : undefined;
  if (!row || row.user_id !== userId) throw new DomainError("not_found", { detail: "No such withdrawal" });
  return toWithdrawal(row);
}

export async function listWithdrawals(
  ctx: Pick<Deps, "db">,
  userId: string,
  q: { cursor?: string; limit: number },
): Promise<{ items: Withdrawal[]; nextCursor: string | null }> {
  const rows = await listWithdrawalRows(ctx.db, userId, {
    after: q.cursor ? decodeTimeCursor(q.cursor) : undefined,
    limit: q.limit,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(toWithdrawal),
    nextCursor: rows.length > q.limit && last ? encodeTimeCursor(last.created_at, last.id) : null,
  };
}

export function withdrawalJson(w: Withdrawal) {
  return {
    id: w.id,
    amount: toJsonAmount(w.amount),
    fee: toJsonAmount(w.fee),
    currency: w.currency,
    bankCard: w.bankCard,
    status: w.status,
    failureReason: w.failureReason,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

// --- review outcomes (called by the review handler inside the deciding transaction) ---

async function lockUnderReview(tx: Tx, withdrawalId: string): Promise<WithdrawalRow> {
  const w = UUID.test(withdrawalId) ? await findWithdrawal(tx, withdrawalId, { forUpdate: true }) : undefined;
  if (!w) throw new DomainError("not_found", { detail: "No such withdrawal" });
  if (w.status !== "under_review") {
    throw new DomainError("conflict", { detail: `The withdrawal is already ${w.status}`, status: w.status });
  }
  return w;
}

/** Every approval is in: the withdrawal goes to the bank (the withdrawals job sends it). */
export async function approveWithdrawal(
  tx: Tx,
  ctx: Deps,
  withdrawalId: string,
  reviewer: { id: string },
): Promise<void> {
  const w = await lockUnderReview(tx, withdrawalId);
  const now = ctx.clock.now();
  await setWithdrawalStatus(tx, w.id, { status: "processing", now });
  await ctx.audit.record(tx, {
    actor: { id: reviewer.id, kind: "staff" },
    action: "withdrawal.approved",
    target: { type: "withdrawal", id: w.id },
    details: { userId: w.user_id, amount: w.amount.toString(), currency: w.currency.trim() },
  });
  await tellCustomer(tx, ctx, w.user_id, {
    kind: "wallet.withdrawal_approved",
    title: "提现审核通过",
    body: `您提现 ${formatYuan(w.amount)} 的申请已审核通过，正在转入您的银行卡。`,
  });
}

/** A reviewer said no (or the review timed out): the held money is released. */
export async function rejectWithdrawal(
  tx: Tx,
  ctx: Deps,
  withdrawalId: string,
  decision: { actor: { id: string | null; kind: "staff" | "system" }; reason: string },
): Promise<void> {
  const w = await lockUnderReview(tx, withdrawalId);
  const now = ctx.clock.now();
  await voidHold({ db: tx, clock: ctx.clock }, w.hold_id, { reason: "withdrawal rejected" });
  await setWithdrawalStatus(tx, w.id, { status: "rejected", failureReason: decision.reason, now });
  await ctx.audit.record(tx, {
    actor: decision.actor,
    action: "withdrawal.rejected",
    target: { type: "withdrawal", id: w.id },
    details: { userId: w.user_id, amount: w.amount.toString(), reason: decision.reason },
  });
  await tellCustomer(tx, ctx, w.user_id, {
    kind: "wallet.withdrawal_rejected",
    title: "提现未通过审核",
    body: `您提现 ${formatYuan(w.amount)} 的申请未通过审核：${decision.reason}。冻结的 ${formatYuan(w.amount + w.fee)} 已退回余额。`,
  });
}

// --- the bank ---

/** Sends a processing withdrawal to the bank once; a second call finds the same payout. */
export async function submitToBank(ctx: Deps, withdrawalId: string): Promise<void> {
  const w = await findWithdrawal(ctx.db, withdrawalId);
  if (w?.status !== "processing" || w.bank_payout_id) return;
  const card = await findCardById(ctx.db, w.bank_card_id);
  if (!card) throw new Error("withdrawal card vanished");
  // The bank keys payouts on our withdrawal id, so a retry after a crash finds the same payout.
  const payout = await payoutBank(ctx).submitPayout({
    merchantOrderId: w.id,
    amount: w.amount,
    currency: w.currency.trim(),
    cardNumber: ctx.crypto.decrypt(card.card_enc),
  });
  const now = ctx.clock.now();
  if (await attachPayout(ctx.db, w.id, payout.payoutId, now)) {
    await ctx.audit.record(ctx.db, {
      actor: { id: null, kind: "system" },
      action: "withdrawal.submitted",
      target: { type: "withdrawal", id: w.id },
      details: { payoutId: payout.payoutId },
    });
  }
}

export type BankOutcome = "succeeded" | "failed" | "unchanged";

/**
 * Applies the bank's word on a payout. Only a processing withdrawal changes, under its row lock,
 * so two runs (or two processes) settle it once; the ledger keys make even a slip move nothing twice.
 */
export async function settleFromBank(ctx: Deps, report: PayoutReport): Promise<BankOutcome> {
  if (report.status === "accepted" || !UUID.test(report.merchantOrderId)) return "unchanged";
  const before = await findWithdrawal(ctx.db, report.merchantOrderId);
  if (before?.status !== "processing") return "unchanged";
  const currency = before.currency.trim();
  const clearing = await getOrCreateSystemAccount(
    ctx,
    systemAccountCode("withdrawal_clearing", currency),
    currency,
    "withdrawal_clearing",
  );
  const settlement = await getOrCreateSystemAccount(
    ctx,
    systemAccountCode("settlement", currency, "sandbox_bank"),
    currency,
    "settlement",
  );
  const fees = await getOrCreateSystemAccount(ctx, systemAccountCode("fees", currency), currency, "fees");

  return ctx.db.transaction().execute(async (tx): Promise<BankOutcome> => {
    const w = await findWithdrawal(tx, before.id, { forUpdate: true });
    if (w?.status !== "processing") return "unchanged";
    if (report.amount !== w.amount || report.currency !== currency || report.payoutId !== w.bank_payout_id) {
      throw new DomainError("conflict", { detail: "the bank's report does not match the withdrawal" });
    }
    const now = ctx.clock.now();
    const deps = { db: tx, clock: ctx.clock };
    const system = { id: null, kind: "system" as const };
    if (report.status === "failed") {
      const reason = report.failureReason ?? "银行退回";
      await voidHold(deps, w.hold_id, { reason: "bank payout failed" });
      await setWithdrawalStatus(tx, w.id, { status: "failed", failureReason: reason, now });
      await ctx.audit.record(tx, {
        actor: system,
        action: "withdrawal.failed",
        target: { type: "withdrawal", id: w.id },
        details: { userId: w.user_id, payoutId: report.payoutId, reason },
      });
      await tellCustomer(tx, ctx, w.user_id, {
        kind: "wallet.withdrawal_failed",
        title: "提现失败",
        body: `您提现 ${formatYuan(w.amount)} 未成功：${reason}。冻结的 ${formatYuan(w.amount + w.fee)} 已退回余额。`,
      });
      return "failed";
    }
    // The customer pays amount + fee into withdrawal clearing (one posting, as held), and
    // clearing passes the amount out to the bank's settlement account and the fee to fees.
    const posting = await postHold(deps, w.hold_id, {
      metadata: { withdrawalId: w.id, payoutId: report.payoutId },
    });
    const { balance } = await getBalance(deps, posting.debitAccountId);
    await postTransfer(deps, {
      idempotencyKey: `withdrawal:${w.id}:payout`,
      type: "withdrawal",
      debitAccountId: clearing.id,
      creditAccountId: settlement.id,
      amount: w.amount,
      currency,
      memo: "Withdrawal paid out",
      metadata: { withdrawalId: w.id, payoutId: report.payoutId },
    });
    if (w.fee > 0n) {
      await postTransfer(deps, {
        idempotencyKey: `withdrawal:${w.id}:fee`,
        type: "fee",
        debitAccountId: clearing.id,
        creditAccountId: fees.id,
        amount: w.fee,
        currency,
        memo: "Withdrawal fee",
        metadata: { withdrawalId: w.id },
      });
    }
    await setWithdrawalStatus(tx, w.id, { status: "succeeded", now });
    await ctx.audit.record(tx, {
      actor: system,
      action: "withdrawal.succeeded",
      target: { type: "withdrawal", id: w.id },
      details: {
        userId: w.user_id,
        payoutId: report.payoutId,
        amount: w.amount.toString(),
        fee: w.fee.toString(),
      },
    });
    // The one notice of this balance change (the balance notices leave the posting out), so it
    // also goes where the customer wants balance changes told.
    await tellCustomer(
      tx,
      ctx,
      w.user_id,
      {
        kind: "wallet.withdrawal_succeeded",
        title: "提现成功",
        body: `您提现的 ${formatYuan(w.amount)} 已转入银行卡，手续费 ${formatYuan(w.fee)}，余额 ${formatYuan(balance)}。`,
      },
      { alsoBalance: true },
    );
    return "succeeded";
  });
}

/**
 * The withdrawals job: sends processing withdrawals the bank has not seen yet, and asks the bank
 * about those it has. One withdrawal the bank contradicts does not stop the others.
 */
export async function advanceWithdrawals(
  ctx: Deps,
  opts: { limit?: number } = {},
): Promise<Record<BankOutcome | "submitted" | "refused", number>> {
  const counts = { submitted: 0, succeeded: 0, failed: 0, unchanged: 0, refused: 0 };
  const bank = payoutBank(ctx);
  for (const w of await listProcessingWithdrawals(ctx.db, opts.limit ?? 200)) {
    try {
      if (!w.bank_payout_id) {
        await submitToBank(ctx, w.id);
        counts.submitted += 1;
        continue;
      }
      const report = await bank.queryPayout(w.bank_payout_id);
      const outcome =
        report && report.merchantOrderId === w.id ? await settleFromBank(ctx, report) : "unchanged";
      counts[outcome] += 1;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      counts.refused += 1;
    }
  }
  return counts;
}

/** Rejects withdrawals nobody reviewed within REVIEW_TIMEOUT_MS, long before their holds expire. */
export async function rejectStaleWithdrawals(ctx: Deps, opts: { limit?: number } = {}): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - REVIEW_TIMEOUT_MS);
  let rejected = 0;
  for (const w of await listUnderReviewBefore(ctx.db, before, opts.limit ?? 200)) {
    const done = await ctx.db.transaction().execute(async (tx) => {
      // The review item first, then the withdrawal: the order a reviewer's decision locks them
      // in, so the job and a late reviewer queue rather than deadlock. Whoever comes second
      // finds the item decided.
      const now = ctx.clock.now();
      if (
        w.review_item_id &&
        !(await cancelReviewItem(tx, w.review_item_id, { reason: "review timed out", at: now }))
      ) {
        return false;
      }
      const locked = await findWithdrawal(tx, w.id, { forUpdate: true });
      if (locked?.status !== "under_review") {
        throw new Error(`withdrawal ${w.id} is ${locked?.status} while its review was pending`);
      }
      await rejectWithdrawal(tx, ctx, w.id, { actor: { id: null, kind: "system" }, reason: "审核超时" });
      return true;
    });
    if (done) rejected += 1;
  }
  return rejected;
}
