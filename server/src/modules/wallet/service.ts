// The wallet's use cases for a customer: balance, history, payee lookup and transfers.
// Money moves only through the ledger; this module decides who may move what, and when.
import type { AppContext } from "../../context.js";
import type { LedgerAccountKind, LedgerTransferType } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { maskName, maskPhone, verifyPaymentPassword } from "../identity/index.js";
import { takeFromWindow } from "../identity/rate-window.js";
import { openAccount, postTransfer, systemAccountName } from "../ledger/index.js";
import { consumeLimits } from "./limits.js";
import {
  findUser,
  findUserByPhone,
  listCustomerAccounts,
  listTransactionRows,
  type PartyRow,
  type TransactionRow,
} from "./store.js";

export const SUPPORTED_CURRENCIES = ["CNY"] as const;
export type WalletCurrency = (typeof SUPPORTED_CURRENCIES)[number];

/** Transaction types as the public API names them; the ledger's `reversal` shows as `adjustment`. */
export const TRANSACTION_TYPES = [
  "topup",
  "payment",
  "transfer",
  "withdrawal",
  "refund",
  "fee",
  "adjustment",
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/** Lookups of who owns a phone number, per customer per hour: enough to pay people, too few to enumerate. */
export const PAYEE_LOOKUPS_PER_HOUR = 20;

/**
 * Amounts leave as JSON numbers. The ledger caps each amount at 2^53 − 1, but a sum (a
 * balance) could in principle pass it; rather than send a rounded number, the request fails.
 */
export function toJsonAmount(amount: bigint): number {
  if (amount > BigInt(Number.MAX_SAFE_INTEGER) || amount < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error("amount beyond what JSON numbers carry exactly");
  }
  return Number(amount);
}

export function formatYuan(fen: bigint): string {
  const sign = fen < 0n ? "-" : "";
  const abs = fen < 0n ? -fen : fen;
  return `${sign}¥${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

// --- balance ---

export type WalletAccount = { currency: string; available: bigint; pending: bigint };

/** The customer's accounts; the CNY account is opened on first use. */
export async function getWallet(ctx: AppContext, userId: string): Promise<WalletAccount[]> {
  await openAccount(ctx, { ownerUserId: userId, currency: "CNY" });
  const accounts = await listCustomerAccounts(ctx.db, userId);
  return accounts.map((a) => ({
    currency: a.currency.trim(),
    // Held money (a withdrawal under way) is still in the balance but may not be spent.
    available: a.balance - a.pending_debits,
    pending: a.pending_debits,
  }));
}

// --- history ---

export type WalletTransaction = {
  id: string;
  type: TransactionType;
  amount: bigint;
  currency: string;
  direction: "in" | "out";
  counterparty: string;
  status: "succeeded";
  memo: string | null;
  createdAt: Date;
};

function publicType(type: LedgerTransferType): TransactionType {
  switch (type) {
    case "reversal":
      return "adjustment";
    case "topup":
    case "payment":
    case "transfer":
    case "withdrawal":
    case "refund":
    case "fee":
    case "adjustment":
      return type;
    default: {
      const unexpected: never = type;
      throw new Error(`unknown transfer type ${String(unexpected)}`);
    }
  }
}

/** The ledger's transfer types behind a public type (exports count rows with the same filter). */
export function ledgerTypes(type: TransactionType): LedgerTransferType[] {
  return type === "adjustment" ? ["adjustment", "reversal"] : [type];
}

/** The payment channels a top-up came through, by the name in their clearing account's code. */
const GATEWAY_LABELS: Record<string, string> = { alipay: "支付宝", sandbox: "沙箱支付" };

/**
 * What the customer sees as the other side: a masked person, the merchant's name, the channel a
 * top-up came through, or what another system account stands for.
 */
function counterpartyLabel(
  kind: LedgerAccountKind,
  who: { name: string | null; phone: string | null; code: string | null; merchantName: string | null },
) {
  switch (kind) {
    case "customer":
      if (who.name) return maskName(who.name);
      return who.phone ? maskPhone(who.phone) : "用户";
    case "gateway_clearing": {
      const gateway = who.code ? systemAccountName(who.code) : null;
      return (gateway && GATEWAY_LABELS[gateway]) || "充值";
    }
    case "withdrawal_clearing":
    case "settlement":
      return "提现";
    case "fees":
      return "手续费";
    case "merchant":
      return who.merchantName ?? "商户";
    case "adjustments":
      return "系统调整";
    default: {
      const unexpected: never = kind;
      throw new Error(`unknown account kind ${String(unexpected)}`);
    }
  }
}

function toTransaction(r: TransactionRow): WalletTransaction {
  return {
    id: r.transfer_id,
    type: publicType(r.type),
    amount: r.amount < 0n ? -r.amount : r.amount,
    currency: r.currency.trim(),
    direction: r.amount < 0n ? "out" : "in",
    counterparty: counterpartyLabel(r.counterparty_kind as LedgerAccountKind, {
      name: r.counterparty_name,
      phone: r.counterparty_phone,
      code: r.counterparty_code,
      merchantName: r.counterparty_merchant_name,
    }),
    // Only posted transfers have entries; holds show in the balance as `pending`.
    status: "succeeded",
    memo: r.memo,
    createdAt: r.created_at,
  };
}

export type TransactionQuery = {
  type?: TransactionType;
  from?: Date;
  to?: Date;
  direction?: "in" | "out";
  cursor?: string;
  limit: number;
};

/** The customer's history, newest first; the cursor is the last entry's id (keyset, no OFFSET). */
export async function listTransactions(
  ctx: AppContext,
  userId: string,
  q: TransactionQuery,
): Promise<{ items: WalletTransaction[]; nextCursor: string | null }> {
  if (q.from && q.to && q.from > q.to) {
    throw new DomainError("validation_failed", { detail: "from must not be after to", field: "from" });
  }
  const accountIds = (await listCustomerAccounts(ctx.db, userId)).map((a) => a.id);
  const rows = await listTransactionRows(ctx.db, accountIds, {
    types: q.type ? ledgerTypes(q.type) : undefined,
    from: q.from,
    to: q.to,
    direction: q.direction,
    beforeEntryId: q.cursor ? BigInt(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTransaction),
    nextCursor: rows.length > q.limit && last ? String(last.entry_id) : null,
  };
}

export async function getTransaction(
  ctx: AppContext,
  userId: string,
  transferId: string,
): Promise<WalletTransaction> {
  const accountIds = (await listCustomerAccounts(ctx.db, userId)).map((a) => a.id);
  const [row] = await listTransactionRows(ctx.db, accountIds, { transferId, limit: 1 });
  // Another customer's transfer is as absent as one that does not exist.
  if (!row) throw new DomainError("not_found", { detail: "transaction not found" });
  return toTransaction(row);
}

// --- payees ---

async function activeCustomerByPhone(ctx: AppContext, phone: string): Promise<PartyRow> {
  const payee = await findUserByPhone(ctx.db, phone);
  if (payee?.kind !== "customer" || payee.status !== "active") {
    throw new DomainError("not_found", { detail: "no customer can be paid at this number", field: "to" });
  }
  return payee;
}

function refuseSelf(payerId: string, payee: PartyRow): void {
  if (payee.id === payerId) {
    throw new DomainError("validation_failed", {
      detail: "you cannot transfer to yourself",
      field: "to",
      reason: "self",
    });
  }
}

function takeLookup(ctx: AppContext, userId: string): Promise<void> {
  return takeFromWindow(ctx.db, ctx.clock, {
    key: `wallet:payee-lookup:${userId}`,
    max: PAYEE_LOOKUPS_PER_HOUR,
    windowMs: 60 * 60 * 1000,
  });
}

/** Who a phone number pays, masked, so the payer can check before paying. Rate-limited per customer. */
export async function lookupPayee(
  ctx: AppContext,
  userId: string,
  phone: string,
): Promise<{ maskedName: string | null; maskedPhone: string }> {
  await takeLookup(ctx, userId);
  const payee = await activeCustomerByPhone(ctx, phone);
  refuseSelf(userId, payee);
  return {
    maskedName: payee.name ? maskName(payee.name) : null,
    maskedPhone: maskPhone(phone),
  };
}

// --- transfers ---

export type TransferInput = {
  to: string;
  amount: bigint;
  currency: WalletCurrency;
  paymentPassword: string;
  memo?: string;
};

/**
 * Pays another customer by phone number. The payment password is checked first (its lock
 * applies); the limits, the ledger transfer and the notifications share one transaction,
 * so a refusal leaves nothing behind. The same Idempotency-Key and body return the first result.
 */
export async function transferToCustomer(
  ctx: AppContext,
  payerId: string,
  input: TransferInput,
  idempotencyKey: string,
  actor: { ip: string | null },
): Promise<{ id: string; status: "succeeded"; replayed: boolean }> {
  const payer = await findUser(ctx.db, payerId);
  if (!payer) throw new DomainError("unauthenticated");
  // The password first: its lock then also bounds probing phone numbers through this route.
  await verifyPaymentPassword(ctx.db, ctx, payerId, input.paymentPassword, actor);
  const payee = await findUserByPhone(ctx.db, input.to);
  if (payee?.kind !== "customer") {
    // A miss counts like a payee lookup, so transfers cannot enumerate who is a customer.
    await takeLookup(ctx, payerId);
    throw new DomainError("not_found", { detail: "no customer can be paid at this number", field: "to" });
  }
  refuseSelf(payerId, payee);

  const work = ctx.db.transaction().execute(async (tx) => {
    const deps = { db: tx, clock: ctx.clock };
    // Limits first: their counter locks come before the ledger's account locks in every money
    // transaction (limits.ts), and holding the payer's counters serialises the payer's payments.
    const [verdict] = await consumeLimits(
      tx,
      [{ userId: payerId, business: "transfer", amount: input.amount, passwordFree: false }],
      ctx.clock.now(),
    );
    // Opened inside the transaction, so a refused transfer leaves not even an empty account.
    const from = await openAccount(deps, { ownerUserId: payerId, currency: input.currency });
    const to = await openAccount(deps, { ownerUserId: payee.id, currency: input.currency });
    const { transfer, replayed } = await postTransfer(deps, {
      idempotencyKey: `wallet:${payerId}:${idempotencyKey}`,
      type: "transfer",
      debitAccountId: from.id,
      creditAccountId: to.id,
      amount: input.amount,
      currency: input.currency,
      ...(input.memo ? { memo: input.memo } : {}),
    });
    if (replayed) {
      const first = { id: transfer.id, status: "succeeded" as const, replayed };
      // A replay moves nothing, so it must count nothing: when the limits just counted it,
      // roll the transaction back and answer the first result all the same.
      if (!verdict) throw new ReplayAnswer(first);
      return first;
    }
    // Refused by a limit: the transfer written above rolls back with everything else.
    if (verdict) throw verdict;

    // Payer and payee hear of it from the balance-change notices (notify/money-notifications.ts).
    return { id: transfer.id, status: "succeeded" as const, replayed };
  });
  try {
    return await work;
  } catch (err) {
    if (err instanceof ReplayAnswer) return err.result;
    throw err;
  }
}

/** Thrown to roll back a transaction that found a replay, carrying the first result out. */
class ReplayAnswer extends Error {
  constructor(readonly result: { id: string; status: "succeeded"; replayed: boolean }) {
    super("idempotent replay");
  }
}
