// The only code that moves money: transfers, reversals, balances and history.
import { sql, Transaction } from "kysely";
import type { Clock } from "../../clock.js";
import type { Executor, Tx } from "../../db/database.js";
import type { LedgerTransferStatus, LedgerTransferType } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { uuidv7 } from "../../ids.js";
import { requestHash, transferHash } from "./chain.js";
import {
  type AccountRow,
  balanceAfterLastEntry,
  claimIdempotencyKey,
  type EntryRow,
  findAccount,
  findIdempotencyKey,
  findReversalOf,
  findTransfer,
  insertEntries,
  insertTransfer,
  type LockedAccountRow,
  listEntryRows,
  lockAccounts,
  type TransferRow,
  updateAccountTotals,
} from "./store.js";

/** What the ledger needs: a database handle (the root or the caller's transaction) and the time. */
export type LedgerDeps = { db: Executor; clock: Clock };

// JSON carries amounts as numbers, so nothing above what a number holds exactly is accepted.
export const MAX_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_MEMO = 200;
const MAX_KEY = 200;

export type Transfer = {
  id: string;
  seq: bigint;
  type: LedgerTransferType;
  currency: string;
  amount: bigint;
  debitAccountId: string;
  creditAccountId: string;
  status: LedgerTransferStatus;
  expiresAt: Date | null;
  holdId: string | null;
  reversesTransferId: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  hash: string;
  createdAt: Date;
};

/** `replayed` is true when an earlier request with the same idempotency key produced `transfer`. */
export type TransferResult = { transfer: Transfer; replayed: boolean };

export type TransferRequest = {
  /** Unique per request within the caller's namespace; callers prefix it with who is asking. */
  idempotencyKey: string;
  type: Exclude<LedgerTransferType, "reversal">;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  memo?: string;
  metadata?: Record<string, unknown>;
};

export function toTransfer(r: TransferRow): Transfer {
  return {
    id: r.id,
    seq: r.seq,
    type: r.type,
    currency: r.currency.trim(),
    amount: r.amount,
    debitAccountId: r.debit_account_id,
    creditAccountId: r.credit_account_id,
    status: r.status,
    expiresAt: r.expires_at,
    holdId: r.hold_id,
    reversesTransferId: r.reverses_transfer_id,
    memo: r.memo,
    metadata: r.metadata,
    hash: r.hash,
    createdAt: r.created_at,
  };
}

/**
 * Runs `work` in a new transaction, or inside the caller's under a savepoint: a refused
 * request then leaves nothing behind (not even its idempotency key) even if the caller
 * catches the error and commits the rest of its work.
 */
export async function withTransaction<T>(db: Executor, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!(db instanceof Transaction)) return db.transaction().execute(work);
  await sql`savepoint ledger_operation`.execute(db);
  try {
    const result = await work(db);
    await sql`release savepoint ledger_operation`.execute(db);
    return result;
  } catch (err) {
    await sql`rollback to savepoint ledger_operation`.execute(db);
    throw err;
  }
}

// --- validation ---

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(detail: string, field: string): DomainError {
  return new DomainError("validation_failed", { detail, field });
}

export function checkAmount(amount: bigint, field = "amount"): void {
  if (typeof amount !== "bigint") throw invalid("amount must be a bigint of minor units", field);
  if (amount <= 0n) throw invalid("amount must be positive", field);
  if (amount > MAX_AMOUNT) throw invalid("amount is too large", field);
}

export function checkCurrency(currency: string): void {
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) {
    throw invalid("currency must be three capital letters (ISO 4217)", "currency");
  }
}

export function checkAccountId(id: string, field: string): void {
  if (typeof id !== "string" || !UUID.test(id)) throw invalid("not an account id", field);
}

export function checkKey(key: string): void {
  if (typeof key !== "string" || key.length < 1 || key.length > MAX_KEY) {
    throw invalid(`idempotency key must be 1-${MAX_KEY} characters`, "idempotencyKey");
  }
}

function checkMemo(memo: string | undefined): void {
  if (memo !== undefined && (typeof memo !== "string" || memo.length > MAX_MEMO)) {
    throw invalid(`memo must be at most ${MAX_MEMO} characters`, "memo");
  }
}

export function checkTransferShape(r: {
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  memo?: string;
}): void {
  checkAccountId(r.debitAccountId, "debitAccountId");
  checkAccountId(r.creditAccountId, "creditAccountId");
  if (r.debitAccountId.toLowerCase() === r.creditAccountId.toLowerCase()) {
    throw invalid("debit and credit accounts must differ", "creditAccountId");
  }
  checkAmount(r.amount);
  checkCurrency(r.currency);
  checkMemo(r.memo);
}

// --- the core: lock, check, write ---

export type LockedPair = { debit: LockedAccountRow; credit: LockedAccountRow };

export async function lockPair(tx: Tx, debitAccountId: string, creditAccountId: string): Promise<LockedPair> {
  const rows = await lockAccounts(tx, [debitAccountId, creditAccountId]);
  const debit = rows.find((r) => r.id === debitAccountId.toLowerCase());
  const credit = rows.find((r) => r.id === creditAccountId.toLowerCase());
  if (!debit)
    throw new DomainError("not_found", { detail: "debit account not found", field: "debitAccountId" });
  if (!credit) {
    throw new DomainError("not_found", { detail: "credit account not found", field: "creditAccountId" });
  }
  return { debit, credit };
}

export function checkPairCurrency(pair: LockedPair, currency: string): void {
  for (const side of ["debit", "credit"] as const) {
    const accountCurrency = pair[side].currency.trim();
    if (accountCurrency !== currency) throw new DomainError("currency_mismatch", { side, accountCurrency });
  }
}

// Errors name the side, not the account id: they may reach the customer as problem+json.
function refuseInactiveOwner(pair: LockedPair, side: "debit" | "credit"): void {
  const status = pair[side].owner_status;
  switch (status) {
    case null:
    case "active":
      return;
    case "frozen":
      throw new DomainError("account_frozen", { side });
    case "disabled":
      throw new DomainError("account_disabled", { side });
    default: {
      const unexpected: never = status;
      throw new Error(`unknown user status ${String(unexpected)}`);
    }
  }
}

/**
 * Whose owner must be active for a transfer of this type. Money leaving a customer needs an
 * active customer; money arriving is accepted even when frozen (a gateway that took the money,
 * a refund), except a customer-to-customer transfer, which a frozen payee may not receive.
 * Reversals and adjustments are staff corrections and must work on any account.
 */
export function checkOwners(type: LedgerTransferType, pair: LockedPair): void {
  switch (type) {
    case "reversal":
    case "adjustment":
      return;
    case "transfer":
      refuseInactiveOwner(pair, "debit");
      refuseInactiveOwner(pair, "credit");
      return;
    case "topup":
    case "payment":
    case "withdrawal":
    case "refund":
    case "fee":
      refuseInactiveOwner(pair, "debit");
      return;
    default: {
      const unexpected: never = type;
      throw new Error(`unknown transfer type ${String(unexpected)}`);
    }
  }
}

export type TransferWrite = {
  id: string;
  type: LedgerTransferType;
  currency: string;
  amount: bigint;
  status: LedgerTransferStatus;
  expiresAt: Date | null;
  holdId: string | null;
  reversesTransferId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  /** When posting a hold: the held amount to release from both accounts' pending columns. */
  releaseHeld: bigint;
  now: Date;
};

function available(a: AccountRow): bigint {
  return a.balance - a.pending_debits;
}

/**
 * Writes one transfer on a locked pair: the transfer row, and for a posted transfer its two
 * entries (debit negative, credit positive), then both accounts' totals and chain heads.
 */
export async function writeTransfer(tx: Tx, pair: LockedPair, w: TransferWrite): Promise<TransferRow> {
  const { debit, credit } = pair;
  const posted = w.status === "posted";
  const debitBalance = posted ? debit.balance - w.amount : debit.balance;
  const creditBalance = posted ? credit.balance + w.amount : credit.balance;
  const debitPending = debit.pending_debits - w.releaseHeld + (posted ? 0n : w.amount);
  const creditPending = credit.pending_credits - w.releaseHeld + (posted ? 0n : w.amount);
  if (!debit.allow_negative && debitBalance - debitPending < 0n) {
    throw new DomainError("insufficient_funds", { available: Number(available(debit)) });
  }
  const hash = transferHash(debit.head_hash, credit.head_hash, {
    id: w.id,
    type: w.type,
    currency: w.currency,
    amount: w.amount,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    status: w.status,
    expiresAt: w.expiresAt,
    holdId: w.holdId,
    reversesTransferId: w.reversesTransferId,
    idempotencyKey: w.idempotencyKey,
    memo: w.memo,
    metadata: w.metadata,
    createdAt: w.now,
  });
  const row = await insertTransfer(tx, {
    id: w.id,
    idempotency_key: w.idempotencyKey,
    request_hash: w.requestHash,
    type: w.type,
    currency: w.currency,
    amount: w.amount,
    debit_account_id: debit.id,
    credit_account_id: credit.id,
    status: w.status,
    expires_at: w.expiresAt,
    hold_id: w.holdId,
    reverses_transfer_id: w.reversesTransferId,
    memo: w.memo,
    metadata: w.metadata,
    debit_prev_hash: debit.head_hash,
    credit_prev_hash: credit.head_hash,
    hash,
    created_at: w.now,
  });
  if (posted) {
    await insertEntries(tx, [
      {
        transferId: w.id,
        accountId: debit.id,
        amount: -w.amount,
        balanceAfter: debitBalance,
        createdAt: w.now,
      },
      {
        transferId: w.id,
        accountId: credit.id,
        amount: w.amount,
        balanceAfter: creditBalance,
        createdAt: w.now,
      },
    ]);
  }
  await updateAccountTotals(tx, debit.id, {
    balance: debitBalance,
    pendingDebits: debitPending,
    pendingCredits: debit.pending_credits,
    headHash: hash,
  });
  await updateAccountTotals(tx, credit.id, {
    balance: creditBalance,
    pendingDebits: credit.pending_debits,
    pendingCredits: creditPending,
    headHash: hash,
  });
  return row;
}

/**
 * Claims an idempotency key, or settles the request from the key's first use: the same
 * request gets the first result back, another request under the same key is refused.
 */
export async function claimOrReplay(
  tx: Tx,
  k: { scope: string; key: string; requestHash: string; resultId: string; now: Date },
): Promise<TransferRow | undefined> {
  if (await claimIdempotencyKey(tx, k)) return undefined;
  const existing = await findIdempotencyKey(tx, k.scope, k.key);
  // A claimant that rolled back leaves no row; claiming again now succeeds.
  if (!existing) {
    if (await claimIdempotencyKey(tx, k)) return undefined;
    throw new DomainError("conflict", { detail: "the idempotency key is being used; try again" });
  }
  if (existing.request_hash !== k.requestHash) throw new DomainError("idempotency_conflict");
  const first = existing.result_id ? await findTransfer(tx, existing.result_id) : undefined;
  if (!first) throw new Error(`idempotency key ${k.scope} has no stored transfer`);
  return first;
}

// --- use cases ---

/** Moves `amount` from the debit account to the credit account, once per idempotency key. */
export async function postTransfer(deps: LedgerDeps, req: TransferRequest): Promise<TransferResult> {
  checkKey(req.idempotencyKey);
  checkTransferShape(req);
  const fingerprint = requestHash("transfer", {
    type: req.type,
    debitAccountId: req.debitAccountId.toLowerCase(),
    creditAccountId: req.creditAccountId.toLowerCase(),
    amount: req.amount.toString(),
    currency: req.currency,
    memo: req.memo ?? null,
    metadata: req.metadata ?? {},
  });
  return withTransaction(deps.db, (tx) =>
    writeKeyedTransfer(tx, {
      scope: "ledger:transfer",
      request: req,
      requestHash: fingerprint,
      status: "posted",
      expiresAt: null,
      now: deps.clock.now(),
    }),
  );
}

/**
 * The one path of a new transfer or hold under an idempotency key: claim the key (or replay the
 * first result), lock both accounts in id order, check currency and owners, write.
 */
export async function writeKeyedTransfer(
  tx: Tx,
  w: {
    scope: "ledger:transfer" | "ledger:hold";
    request: TransferRequest;
    requestHash: string;
    status: "posted" | "pending";
    expiresAt: Date | null;
    now: Date;
  },
): Promise<TransferResult> {
  const req = w.request;
  const id = uuidv7();
  const first = await claimOrReplay(tx, {
    scope: w.scope,
    key: req.idempotencyKey,
    requestHash: w.requestHash,
    resultId: id,
    now: w.now,
  });
  if (first) return { transfer: toTransfer(first), replayed: true };
  const pair = await lockPair(tx, req.debitAccountId, req.creditAccountId);
  checkPairCurrency(pair, req.currency);
  checkOwners(req.type, pair);
  const row = await writeTransfer(tx, pair, {
    id,
    type: req.type,
    currency: req.currency,
    amount: req.amount,
    status: w.status,
    expiresAt: w.expiresAt,
    holdId: null,
    reversesTransferId: null,
    idempotencyKey: req.idempotencyKey,
    requestHash: w.requestHash,
    memo: req.memo ?? null,
    metadata: req.metadata ?? {},
    releaseHeld: 0n,
    now: w.now,
  });
  return { transfer: toTransfer(row), replayed: false };
}

/**
 * Undoes a posted transfer with a new one in the opposite direction; the original stays.
 * A transfer is reversed at most once, and a reversal is not itself reversed.
 */
export async function reverseTransfer(
  deps: LedgerDeps,
  transferId: string,
  opts: { reason: string; metadata?: Record<string, unknown> },
): Promise<Transfer> {
  checkAccountId(transferId, "transferId");
  if (typeof opts.reason !== "string" || opts.reason.trim() === "" || opts.reason.length > MAX_MEMO) {
    throw invalid(`a reason of 1-${MAX_MEMO} characters is required`, "reason");
  }
  return withTransaction(deps.db, async (tx) => {
    const original = await findTransfer(tx, transferId);
    if (!original) throw new DomainError("not_found", { detail: "transfer not found" });
    if (original.status !== "posted") {
      throw new DomainError("conflict", { detail: "a hold is voided, not reversed", transferId });
    }
    if (original.type === "reversal") {
      throw new DomainError("conflict", { detail: "a reversal cannot be reversed", transferId });
    }
    const pair = await lockPair(tx, original.credit_account_id, original.debit_account_id);
    // Checked under the locks, so of two concurrent reversals the second sees the first.
    const earlier = await findReversalOf(tx, original.id);
    if (earlier) {
      throw new DomainError("conflict", { detail: "already reversed", transferId, reversalId: earlier.id });
    }
    const row = await writeTransfer(tx, pair, {
      id: uuidv7(),
      type: "reversal",
      currency: original.currency.trim(),
      amount: original.amount,
      status: "posted",
      expiresAt: null,
      holdId: null,
      reversesTransferId: original.id,
      idempotencyKey: null,
      requestHash: null,
      memo: opts.reason,
      metadata: opts.metadata ?? {},
      releaseHeld: 0n,
      now: deps.clock.now(),
    });
    return toTransfer(row);
  });
}

export type AccountBalance = {
  accountId: string;
  currency: string;
  balance: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
  /** What may still be debited: posted balance less open holds on it. */
  available: bigint;
};

/** Whether a transfer was posted under this idempotency key (its claim is looked up by key). */
export async function transferPosted(deps: Pick<LedgerDeps, "db">, idempotencyKey: string): Promise<boolean> {
  return (await findIdempotencyKey(deps.db, "ledger:transfer", idempotencyKey)) !== undefined;
}

export async function getBalance(deps: Pick<LedgerDeps, "db">, accountId: string): Promise<AccountBalance> {
  checkAccountId(accountId, "accountId");
  const a = await findAccount(deps.db, accountId);
  if (!a) throw new DomainError("not_found", { detail: "account not found" });
  return {
    accountId: a.id,
    currency: a.currency.trim(),
    balance: a.balance,
    pendingDebits: a.pending_debits,
    pendingCredits: a.pending_credits,
    available: available(a),
  };
}

/** The posted balance now, or just after the last entry at or before `at`. */
export async function balanceOf(
  deps: Pick<LedgerDeps, "db">,
  accountId: string,
  opts: { at?: Date } = {},
): Promise<bigint> {
  if (opts.at === undefined) return (await getBalance(deps, accountId)).balance;
  checkAccountId(accountId, "accountId");
  if (Number.isNaN(opts.at.getTime())) throw invalid("not a moment", "at");
  if (!(await findAccount(deps.db, accountId)))
    throw new DomainError("not_found", { detail: "account not found" });
  return balanceAfterLastEntry(deps.db, accountId, opts.at);
}

export type Entry = {
  id: string;
  transferId: string;
  accountId: string;
  /** Negative when money left the account, positive when it arrived. */
  amount: bigint;
  balanceAfter: bigint;
  type: LedgerTransferType;
  currency: string;
  memo: string | null;
  counterpartyAccountId: string;
  createdAt: Date;
};

function toEntry(r: EntryRow): Entry {
  return {
    id: String(r.id),
    transferId: r.transfer_id,
    accountId: r.account_id,
    amount: r.amount,
    balanceAfter: r.balance_after,
    type: r.type,
    currency: r.currency.trim(),
    memo: r.memo,
    counterpartyAccountId: r.counterparty_account_id,
    createdAt: r.created_at,
  };
}

export const MAX_PAGE = 200;

/**
 * An account's entries, newest first. The cursor is the last id seen, so each page is an
 * index range scan whatever the history's length (no OFFSET).
 */
export async function listEntries(
  deps: Pick<LedgerDeps, "db">,
  accountId: string,
  page: { cursor?: string | null; limit?: number } = {},
): Promise<{ items: Entry[]; nextCursor: string | null }> {
  checkAccountId(accountId, "accountId");
  const limit = page.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw invalid(`limit must be 1-${MAX_PAGE}`, "limit");
  let beforeId: bigint | undefined;
  if (page.cursor) {
    if (!/^[1-9][0-9]{0,18}$/.test(page.cursor)) throw invalid("not a cursor", "cursor");
    beforeId = BigInt(page.cursor);
  }
  const rows = await listEntryRows(deps.db, accountId, { beforeId, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toEntry);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}
