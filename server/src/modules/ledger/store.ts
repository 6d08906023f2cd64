// The ledger's SQL. Only the ledger module writes these tables.
import { type RawBuilder, sql } from "kysely";
import { type Executor, pgArray, preparedStatement } from "../../db/database.js";
import type {
  LedgerAccountKind,
  LedgerHoldOutcome,
  LedgerTransferStatus,
  LedgerTransferType,
  UserStatus,
} from "../../db/schema.js";

export type AccountRow = {
  id: string;
  code: string | null;
  owner_user_id: string | null;
  currency: string;
  kind: LedgerAccountKind;
  allow_negative: boolean;
  balance: bigint;
  pending_debits: bigint;
  pending_credits: bigint;
  head_hash: string;
  version: bigint;
  created_at: Date;
};

export type LockedAccountRow = AccountRow & { owner_status: UserStatus | null };

export type TransferRow = {
  id: string;
  seq: bigint;
  idempotency_key: string | null;
  request_hash: string | null;
  type: LedgerTransferType;
  currency: string;
  amount: bigint;
  debit_account_id: string;
  credit_account_id: string;
  status: LedgerTransferStatus;
  expires_at: Date | null;
  hold_id: string | null;
  reverses_transfer_id: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  debit_prev_hash: string;
  credit_prev_hash: string;
  hash: string;
  created_at: Date;
};

export type HoldEventRow = {
  hold_id: string;
  outcome: LedgerHoldOutcome;
  posted_amount: bigint;
  posting_transfer_id: string | null;
  reason: string | null;
  hash: string;
  created_at: Date;
};

// --- accounts ---

export async function insertCustomerAccount(
  db: Executor,
  a: { ownerUserId: string; currency: string; kind: LedgerAccountKind; allowNegative: boolean },
): Promise<void> {
  await db
    .insertInto("ledger_accounts")
    .values({
      owner_user_id: a.ownerUserId,
      currency: a.currency,
      kind: a.kind,
      allow_negative: a.allowNegative,
    })
    .onConflict((oc) =>
      oc.columns(["owner_user_id", "currency", "kind"]).where("owner_user_id", "is not", null).doNothing(),
    )
    .execute();
}

export function findOwnedAccount(
  db: Executor,
  ownerUserId: string,
  currency: string,
  kind: LedgerAccountKind,
): Promise<AccountRow | undefined> {
  return db
    .selectFrom("ledger_accounts")
    .selectAll()
    .where("owner_user_id", "=", ownerUserId)
    .where("currency", "=", currency)
    .where("kind", "=", kind)
    .executeTakeFirst();
}

export async function insertSystemAccount(
  db: Executor,
  a: { code: string; currency: string; kind: LedgerAccountKind; allowNegative: boolean },
): Promise<void> {
  await db
    .insertInto("ledger_accounts")
    .values({ code: a.code, currency: a.currency, kind: a.kind, allow_negative: a.allowNegative })
    .onConflict((oc) => oc.column("code").doNothing())
    .execute();
}

export function findAccountByCode(db: Executor, code: string): Promise<AccountRow | undefined> {
  return db.selectFrom("ledger_accounts").selectAll().where("code", "=", code).executeTakeFirst();
}

export function findAccount(db: Executor, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom("ledger_accounts").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Locks the given accounts for the rest of the transaction, always in id order, so two
 * transfers over the same pair (in either direction) queue instead of deadlocking.
 */
export async function lockAccounts(db: Executor, ids: string[]): Promise<LockedAccountRow[]> {
  const result = await lockAccountsStatement(ids).execute(db);
  return result.rows;
}

/** lockAccounts's statement, to send in a pipeline (db/database.ts) with others. */
export function lockAccountsStatement(ids: string[]): RawBuilder<LockedAccountRow> {
  const sorted = [...new Set(ids)].sort();
  // The owner's status per row through the users primary key: a join let the planner hash the
  // whole users table on every batch (perf caught it taking a tenth of the database's CPU).
  // Columns named, not `a.*`: a prepared statement whose result columns change (a migration
  // adding one) fails until the connection is replaced.
  return sql<LockedAccountRow>`${preparedStatement}
    select a.id, a.code, a.owner_user_id, a.currency, a.kind, a.allow_negative, a.balance,
      a.pending_debits, a.pending_credits, a.head_hash, a.version, a.created_at,
      (select u.status from users u where u.id = a.owner_user_id) as owner_status
    from ledger_accounts a
    where a.id = any(${pgArray(sorted)}::uuid[])
    order by a.id
    for update of a`;
}

export async function updateAccountTotals(
  db: Executor,
  id: string,
  totals: { balance: bigint; pendingDebits: bigint; pendingCredits: bigint; headHash: string },
): Promise<void> {
  await db
    .updateTable("ledger_accounts")
    .set((eb) => ({
      balance: totals.balance,
      pending_debits: totals.pendingDebits,
      pending_credits: totals.pendingCredits,
      head_hash: totals.headHash,
      version: eb("version", "+", 1n),
    }))
    .where("id", "=", id)
    .execute();
}

// --- idempotency ---

export type IdempotencyRow = { request_hash: string; result_id: string | null };

/** Claims (scope, key) for this transaction; a concurrent claimant waits here until we commit or roll back. */
export async function claimIdempotencyKey(
  db: Executor,
  k: { scope: string; key: string; requestHash: string; resultId: string; now: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({
      scope: k.scope,
      key: k.key,
      request_hash: k.requestHash,
      result_id: k.resultId,
      created_at: k.now,
    })
    .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  return inserted !== undefined;
}

export function findIdempotencyKey(
  db: Executor,
  scope: string,
  key: string,
): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom("idempotency_keys")
    .select(["request_hash", "result_id"])
    .where("scope", "=", scope)
    .where("key", "=", key)
    .executeTakeFirst();
}

// --- transfers, entries, hold events ---

export type NewTransfer = Omit<TransferRow, "seq">;

export async function insertTransfer(db: Executor, t: NewTransfer): Promise<TransferRow> {
  return db
    .insertInto("ledger_transfers")
    .values({ ...t, metadata: JSON.stringify(t.metadata) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertEntries(
  db: Executor,
  entries: { transferId: string; accountId: string; amount: bigint; balanceAfter: bigint; createdAt: Date }[],
): Promise<void> {
  await db
    .insertInto("ledger_entries")
    .values(
      entries.map((e) => ({
        transfer_id: e.transferId,
        account_id: e.accountId,
        amount: e.amount,
        balance_after: e.balanceAfter,
        created_at: e.createdAt,
      })),
    )
    .execute();
}

export function findTransfer(db: Executor, id: string): Promise<TransferRow | undefined> {
  return db.selectFrom("ledger_transfers").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findReversalOf(db: Executor, transferId: string): Promise<TransferRow | undefined> {
  return db
    .selectFrom("ledger_transfers")
    .selectAll()
    .where("reverses_transfer_id", "=", transferId)
    .executeTakeFirst();
}

export function findHoldEvent(db: Executor, holdId: string): Promise<HoldEventRow | undefined> {
  return db.selectFrom("ledger_hold_events").selectAll().where("hold_id", "=", holdId).executeTakeFirst();
}

export async function insertHoldEvent(db: Executor, e: HoldEventRow): Promise<void> {
  await db.insertInto("ledger_hold_events").values(e).execute();
}

/** Open holds whose expiry has passed, oldest first. */
export async function findExpiredHoldIds(db: Executor, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("ledger_transfers as t")
    .leftJoin("ledger_hold_events as h", "h.hold_id", "t.id")
    .select("t.id")
    .where("t.status", "=", "pending")
    .where("t.expires_at", "<=", now)
    .where("h.hold_id", "is", null)
    .orderBy("t.expires_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

// --- history ---

export type EntryRow = {
  id: bigint;
  transfer_id: string;
  account_id: string;
  amount: bigint;
  balance_after: bigint;
  created_at: Date;
  type: LedgerTransferType;
  currency: string;
  memo: string | null;
  counterparty_account_id: string;
};

export function listEntryRows(
  db: Executor,
  accountId: string,
  page: { beforeId?: bigint; limit: number },
): Promise<EntryRow[]> {
  let query = db
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_transfers as t", "t.id", "e.transfer_id")
    .select([
      "e.id",
      "e.transfer_id",
      "e.account_id",
      "e.amount",
      "e.balance_after",
      "e.created_at",
      "t.type",
      "t.currency",
      "t.memo",
    ])
    .select(
      sql<string>`case when e.amount < 0 then t.credit_account_id else t.debit_account_id end`.as(
        "counterparty_account_id",
      ),
    )
    .where("e.account_id", "=", accountId)
    .orderBy("e.id", "desc")
    .limit(page.limit);
  if (page.beforeId !== undefined) query = query.where("e.id", "<", page.beforeId);
  return query.execute();
}

/** The account's posted balance just after its last entry at or before `at`. */
export async function balanceAfterLastEntry(db: Executor, accountId: string, at: Date): Promise<bigint> {
  const row = await db
    .selectFrom("ledger_entries")
    .select("balance_after")
    .where("account_id", "=", accountId)
    .where("created_at", "<=", at)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.balance_after ?? 0n;
}
