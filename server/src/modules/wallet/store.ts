// Wallet reads: customers by phone, and the customer's ledger entries with their transfers.
// The ledger's tables are read here, never written: money moves only through ledger/index.ts.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import type { LedgerTransferType, UserStatus } from "../../db/schema.js";

export type PartyRow = {
  id: string;
  kind: "customer" | "staff";
  phone: string | null;
  email: string | null;
  name: string | null;
  status: UserStatus;
  verification_level: number;
};

const partyColumns = ["id", "kind", "phone", "email", "name", "status", "verification_level"] as const;

export function findUserByPhone(db: Executor, phone: string): Promise<PartyRow | undefined> {
  return db.selectFrom("users").select(partyColumns).where("phone", "=", phone).executeTakeFirst();
}

export function findUser(db: Executor, id: string): Promise<PartyRow | undefined> {
  return db.selectFrom("users").select(partyColumns).where("id", "=", id).executeTakeFirst();
}

export type OwnedAccountRow = {
  id: string;
  currency: string;
  balance: bigint;
  pending_debits: bigint;
  pending_credits: bigint;
};

export function listCustomerAccounts(db: Executor, userId: string): Promise<OwnedAccountRow[]> {
  return db
    .selectFrom("ledger_accounts")
    .select(["id", "currency", "balance", "pending_debits", "pending_credits"])
    .where("owner_user_id", "=", userId)
    .where("kind", "=", "customer")
    .orderBy("currency")
    .execute();
}

export type TransactionRow = {
  entry_id: bigint;
  transfer_id: string;
  account_id: string;
  amount: bigint;
  created_at: Date;
  type: LedgerTransferType;
  currency: string;
  memo: string | null;
  counterparty_account_id: string;
  counterparty_kind: string;
  counterparty_user_id: string | null;
  counterparty_name: string | null;
  counterparty_phone: string | null;
  counterparty_code: string | null;
  counterparty_merchant_name: string | null;
};

export type TransactionFilter = {
  types?: LedgerTransferType[];
  from?: Date;
  to?: Date;
  direction?: "in" | "out";
  beforeEntryId?: bigint;
  transferId?: string;
  limit: number;
};

/** The entries on `accountIds`, newest first, each with its transfer and the other side's owner. */
export function listTransactionRows(
  db: Executor,
  accountIds: string[],
  f: TransactionFilter,
): Promise<TransactionRow[]> {
  if (accountIds.length === 0) return Promise.resolve([]);
  let q = db
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_transfers as t", "t.id", "e.transfer_id")
    .innerJoin("ledger_accounts as c", (join) =>
      join.on(
        sql<boolean>`c.id = case when e.amount < 0 then t.credit_account_id else t.debit_account_id end`,
      ),
    )
    .leftJoin("users as u", "u.id", "c.owner_user_id")
    .leftJoin("merchants as m", "m.account_id", "c.id")
    .select([
      "e.id as entry_id",
      "e.transfer_id",
      "e.account_id",
      "e.amount",
      "e.created_at",
      "t.type",
      "t.currency",
      "t.memo",
      "c.id as counterparty_account_id",
      "c.kind as counterparty_kind",
      "c.owner_user_id as counterparty_user_id",
      "u.name as counterparty_name",
      "u.phone as counterparty_phone",
      "c.code as counterparty_code",
      "m.name as counterparty_merchant_name",
    ])
    .where("e.account_id", "in", accountIds)
    .orderBy("e.id", "desc")
    .limit(f.limit);
  if (f.types) q = q.where("t.type", "in", f.types);
  if (f.from) q = q.where("e.created_at", ">=", f.from);
  if (f.to) q = q.where("e.created_at", "<", f.to);
  if (f.direction === "in") q = q.where("e.amount", ">", 0n);
  if (f.direction === "out") q = q.where("e.amount", "<", 0n);
  if (f.beforeEntryId !== undefined) q = q.where("e.id", "<", f.beforeEntryId);
  if (f.transferId) q = q.where("e.transfer_id", "=", f.transferId);
  return q.execute();
}
