// Read-only SQL over the ledger's tables for the console's explorer. Only the ledger writes them.
import type { Executor } from "../../db/database.js";
import type { LedgerAccountKind, LedgerHoldOutcome, LedgerTransferType } from "../../db/schema.js";

export type AccountCriterion =
  | { by: "phone"; phone: string }
  | { by: "code"; prefix: string }
  | { by: "id"; id: string }
  | { by: "all" };

export type ExplorerAccountRow = {
  id: string;
  code: string | null;
  kind: LedgerAccountKind;
  currency: string;
  allow_negative: boolean;
  balance: bigint;
  pending_debits: bigint;
  pending_credits: bigint;
  created_at: Date;
  owner_user_id: string | null;
  owner_name: string | null;
  owner_phone: string | null;
};

function accounts(db: Executor) {
  return db
    .selectFrom("ledger_accounts as a")
    .leftJoin("users as u", "u.id", "a.owner_user_id")
    .select([
      "a.id",
      "a.code",
      "a.kind",
      "a.currency",
      "a.allow_negative",
      "a.balance",
      "a.pending_debits",
      "a.pending_credits",
      "a.created_at",
      "a.owner_user_id",
      "u.name as owner_name",
      "u.phone as owner_phone",
    ]);
}

/** Accounts ordered by id; `after` is the last id of the previous page. */
export function findAccounts(
  db: Executor,
  q: {
    criterion: AccountCriterion;
    kind?: LedgerAccountKind;
    currency?: string;
    after?: string;
    limit: number;
  },
): Promise<ExplorerAccountRow[]> {
  let query = accounts(db).orderBy("a.id").limit(q.limit);
  const c = q.criterion;
  switch (c.by) {
    case "phone":
      query = query.where("u.phone", "=", c.phone);
      break;
    case "code":
      query = query.where("a.code", "like", `${c.prefix.replace(/[\\%_]/g, "\\$&")}%`);
      break;
    case "id":
      query = query.where("a.id", "=", c.id);
      break;
    case "all":
      break;
    default: {
      const never: never = c;
      throw new Error(`unknown criterion ${JSON.stringify(never)}`);
    }
  }
  if (q.kind) query = query.where("a.kind", "=", q.kind);
  if (q.currency) query = query.where("a.currency", "=", q.currency);
  if (q.after) query = query.where("a.id", ">", q.after);
  return query.execute();
}

export function findExplorerAccount(db: Executor, id: string): Promise<ExplorerAccountRow | undefined> {
  return accounts(db).where("a.id", "=", id).executeTakeFirst();
}

export type ExplorerTransferRow = {
  id: string;
  seq: bigint;
  type: LedgerTransferType;
  currency: string;
  amount: bigint;
  debit_account_id: string;
  credit_account_id: string;
  status: "posted" | "pending";
  expires_at: Date | null;
  hold_id: string | null;
  reverses_transfer_id: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  hash: string;
  created_at: Date;
};

const transferColumns = [
  "t.id",
  "t.seq",
  "t.type",
  "t.currency",
  "t.amount",
  "t.debit_account_id",
  "t.credit_account_id",
  "t.status",
  "t.expires_at",
  "t.hold_id",
  "t.reverses_transfer_id",
  "t.memo",
  "t.metadata",
  "t.hash",
  "t.created_at",
] as const;

export function findExplorerTransfer(db: Executor, id: string): Promise<ExplorerTransferRow | undefined> {
  return db
    .selectFrom("ledger_transfers as t")
    .select(transferColumns)
    .where("t.id", "=", id)
    .executeTakeFirst();
}

export function findReversalId(db: Executor, transferId: string) {
  return db
    .selectFrom("ledger_transfers")
    .select("id")
    .where("reverses_transfer_id", "=", transferId)
    .executeTakeFirst();
}

export function listTransferEntries(db: Executor, transferId: string) {
  return db
    .selectFrom("ledger_entries")
    .select(["id", "account_id", "amount", "balance_after", "created_at"])
    .where("transfer_id", "=", transferId)
    .orderBy("id")
    .execute();
}

export function findHoldEventRow(db: Executor, holdId: string) {
  return db
    .selectFrom("ledger_hold_events")
    .select(["outcome", "posted_amount", "posting_transfer_id", "reason", "created_at"])
    .where("hold_id", "=", holdId)
    .executeTakeFirst();
}

export type HoldRow = ExplorerTransferRow & {
  outcome: LedgerHoldOutcome | null;
  posted_amount: bigint | null;
  posting_transfer_id: string | null;
};

/** Holds newest first (by seq); `status` pending means no outcome yet. `beforeSeq` pages. */
export function listHoldRows(
  db: Executor,
  q: { status?: "pending" | LedgerHoldOutcome; accountId?: string; beforeSeq?: bigint; limit: number },
): Promise<HoldRow[]> {
  let query = db
    .selectFrom("ledger_transfers as t")
    .leftJoin("ledger_hold_events as h", "h.hold_id", "t.id")
    .select([...transferColumns, "h.outcome", "h.posted_amount", "h.posting_transfer_id"])
    .where("t.status", "=", "pending")
    .orderBy("t.seq", "desc")
    .limit(q.limit);
  if (q.status === "pending") query = query.where("h.outcome", "is", null);
  else if (q.status) query = query.where("h.outcome", "=", q.status);
  if (q.accountId) {
    const id = q.accountId;
    query = query.where((eb) =>
      eb.or([eb("t.debit_account_id", "=", id), eb("t.credit_account_id", "=", id)]),
    );
  }
  if (q.beforeSeq !== undefined) query = query.where("t.seq", "<", q.beforeSeq);
  return query.execute();
}

/** Owners (customer user ids) of the given accounts, for the audit trail. */
export async function ownersOf(db: Executor, accountIds: string[]): Promise<Map<string, string | null>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("ledger_accounts")
    .select(["id", "owner_user_id"])
    .where("id", "in", accountIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.owner_user_id]));
}
