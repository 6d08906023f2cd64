// Reads for exports and statements: how many rows an export would hold, and who the holder is.
// The rows themselves come from the wallet's own history query (store.ts), never from here.
import type { Executor } from "../../db/database.js";
import type { LedgerTransferType, Preferences } from "../../db/schema.js";

export type EntryCountFilter = {
  types?: LedgerTransferType[];
  from?: Date;
  to?: Date;
  direction?: "in" | "out";
};

/**
 * How many entries on `accountIds` match the filter: the same conditions as
 * listTransactionRows, so an export can refuse an oversized range before it writes a byte.
 */
export async function countTransactionEntries(
  db: Executor,
  accountIds: string[],
  f: EntryCountFilter,
): Promise<number> {
  if (accountIds.length === 0) return 0;
  let q = db
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_transfers as t", "t.id", "e.transfer_id")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("e.account_id", "in", accountIds);
  if (f.types) q = q.where("t.type", "in", f.types);
  if (f.from) q = q.where("e.created_at", ">=", f.from);
  if (f.to) q = q.where("e.created_at", "<", f.to);
  if (f.direction === "in") q = q.where("e.amount", ">", 0n);
  if (f.direction === "out") q = q.where("e.amount", "<", 0n);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export type StatementHolderRow = {
  id: string;
  name: string | null;
  phone: string | null;
  preferences: Preferences;
  created_at: Date;
};

export function findStatementHolder(db: Executor, userId: string): Promise<StatementHolderRow | undefined> {
  return db
    .selectFrom("users")
    .select(["id", "name", "phone", "preferences", "created_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
}
