// SQL for balance-change notices: the cursor row, the ledger entries after it, and the
// in-flight transactions the notifier waits for.
import { type RawBuilder, sql } from "kysely";
import { type Db, type Executor, pgArray, preparedStatement } from "../../db/database.js";
import type { LedgerAccountKind, LedgerTransferType, Preferences } from "../../db/schema.js";
import { uuidv7 } from "../../ids.js";
import type { InboxItem as StoredItem } from "./store.js";

// Renamed by migration 0025 (from "balance"), so that processes from before it, which would not
// skip the entries whose notice their writer wrote, find no cursor and leave the notices alone.
const CURSOR = "balance-v2";

export async function highestEntryId(db: Executor): Promise<bigint> {
  const row = await db
    .selectFrom("ledger_entries")
    .select((eb) => eb.fn.max("id").as("high"))
    .executeTakeFirst();
  return row?.high ?? 0n;
}

/** "pid:xid" of every other session in this database that holds a transaction id now. */
export async function busyTransactions(db: Db): Promise<string[]> {
  const { rows } = await sql<{ tx: string }>`
    select pid::text || ':' || backend_xid::text as tx
    from pg_stat_activity
    where datname = current_database() and backend_xid is not null and pid <> pg_backend_pid()
  `.execute(db);
  return rows.map((r) => r.tx);
}

/** Whether any of those transactions is still running (each call reads fresh activity). */
export async function stillBusy(db: Db, txs: string[]): Promise<boolean> {
  const { rows } = await sql<{ busy: boolean }>`
    select exists (
      select 1 from pg_stat_activity
      where backend_xid is not null and pid::text || ':' || backend_xid::text = any(${pgArray(txs)}::text[])
    ) as busy
  `.execute(db);
  return rows[0]?.busy ?? false;
}

/** The cursor, locked for this transaction; null when another process holds it. */
export async function lockCursor(tx: Executor): Promise<bigint | null> {
  const row = await tx
    .selectFrom("money_notification_cursor")
    .select("last_entry_id")
    .where("name", "=", CURSOR)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row?.last_entry_id ?? null;
}

export async function moveCursor(tx: Executor, to: bigint, now: Date): Promise<void> {
  await tx
    .updateTable("money_notification_cursor")
    .set({ last_entry_id: sql`greatest(last_entry_id, ${to.toString()}::bigint)`, updated_at: now })
    .where("name", "=", CURSOR)
    .execute();
}

/** The other side of an entry's transfer, as far as a notice names it. */
export type Counterparty = {
  kind: LedgerAccountKind;
  /** The owning customer's name and phone (to be masked), for a customer account. */
  name: string | null;
  phone: string | null;
  /** The merchant's name, for a merchant account. */
  merchantName: string | null;
};

export type BalanceEntry = {
  entryId: bigint;
  /** When the money moved (the entry's time), which the notice is dated by. */
  createdAt: Date;
  amount: bigint;
  balanceAfter: bigint;
  currency: string;
  type: LedgerTransferType;
  counterparty: Counterparty;
  userId: string;
  phone: string | null;
  email: string | null;
  preferences: Preferences | null;
};

/**
 * Entries on customer accounts with after < id <= upTo, oldest first, with their transfer and
 * the other side. Left out: entries whose writer wrote their notice itself (`noticed`: a
 * payment's batch, for payers who take balance notices in the app only), and the posting of a withdrawal's hold — the withdrawals module tells
 * the customer of the payout itself ("提现成功", with the balance), so it is one notice, not two.
 */
export async function unnotifiedEntries(tx: Executor, after: bigint, upTo: bigint): Promise<BalanceEntry[]> {
  // Every other row through its primary key (or the merchants' unique account_id), one per
  // entry. As plain joins, a window of a thousand entries let the planner hash the whole
  // accounts table twice and scan every transfer ever written (auto_explain under
  // bench:payments): a cost that grows with the ledger, not with the window.
  const { rows } = await sql<{
    id: bigint;
    created_at: Date;
    amount: bigint;
    balance_after: bigint;
    currency: string;
    type: LedgerTransferType;
    counterparty_kind: LedgerAccountKind;
    counterparty_name: string | null;
    counterparty_phone: string | null;
    merchant_name: string | null;
    user_id: string;
    phone: string | null;
    email: string | null;
    email_verified_at: Date | null;
    preferences: Preferences | null;
  }>`${preparedStatement}
    select e.id, e.created_at, e.amount, e.balance_after, a.currency, t.type,
      c.kind as counterparty_kind, cu.name as counterparty_name, cu.phone as counterparty_phone,
      m.name as merchant_name, u.id as user_id, u.phone, u.email, u.email_verified_at, u.preferences
    from ledger_entries e
    cross join lateral (
      select a.currency, a.kind, a.owner_user_id from ledger_accounts a where a.id = e.account_id limit 1
    ) a
    cross join lateral (
      select t.type, t.hold_id, t.metadata, t.debit_account_id, t.credit_account_id
      from ledger_transfers t where t.id = e.transfer_id limit 1
    ) t
    cross join lateral (
      select u.id, u.phone, u.email, u.email_verified_at, u.preferences
      from users u where u.id = a.owner_user_id limit 1
    ) u
    cross join lateral (
      select c.id, c.kind, c.owner_user_id from ledger_accounts c
      where c.id = case when e.amount < 0 then t.credit_account_id else t.debit_account_id end limit 1
    ) c
    left join lateral (select cu.name, cu.phone from users cu where cu.id = c.owner_user_id limit 1) cu on true
    left join lateral (select m.name from merchants m where m.account_id = c.id limit 1) m on true
    where e.id > ${after.toString()}::bigint and e.id <= ${upTo.toString()}::bigint and not e.noticed
      and a.kind = 'customer'
      and not (t.type = 'withdrawal' and t.hold_id is not null and t.metadata ? 'withdrawalId')
    order by e.id`.execute(tx);
  return rows.map((r) => ({
    entryId: r.id,
    createdAt: r.created_at,
    amount: r.amount,
    balanceAfter: r.balance_after,
    currency: r.currency.trim(),
    type: r.type,
    counterparty: {
      kind: r.counterparty_kind,
      name: r.counterparty_name,
      phone: r.counterparty_phone,
      merchantName: r.merchant_name,
    },
    userId: r.user_id,
    phone: r.phone,
    // Mail goes only to an address the customer has proved is theirs.
    email: r.email_verified_at ? r.email : null,
    preferences: r.preferences,
  }));
}

/**
 * Inbox rows for many customers in one statement (the same rows notifier.notifyUser writes). The
 * rows travel as arrays: one short statement to parse whatever their number, where a VALUES list
 * of four parameters a row had the database parse and plan hundreds of parameters a round. Ids are
 * time-ordered (UUIDv7), so they go to the right edge of the primary key, not to random pages.
 */
export async function insertInboxItems(tx: Executor, items: InboxItem[]): Promise<void> {
  const insert = inboxInsert(items);
  if (insert) await sql`${preparedStatement} ${insert}`.execute(tx);
}

/** A notice for one customer (store.ts's InboxItem; `at` defaults to the statement's time). */
export type InboxItem = { userId: string; item: StoredItem };

/**
 * insertInboxItems's statement, null for no items: on its own, or as a part of a larger
 * statement (a payment batch writes its payers' notices with its entries, ledger/batch.ts).
 */
export function inboxInsert(items: InboxItem[]): RawBuilder<unknown> | null {
  if (items.length === 0) return null;
  return sql`
    insert into notifications (id, user_id, kind, title, body, created_at)
    select id, user_id, kind, title, body, coalesce(at, now())
    from unnest(${pgArray(items.map(() => uuidv7()))}::uuid[], ${pgArray(items.map((i) => i.userId))}::uuid[],
      ${pgArray(items.map((i) => i.item.kind))}::text[], ${pgArray(items.map((i) => i.item.title))}::text[],
      ${pgArray(items.map((i) => i.item.body))}::text[], ${pgArray(items.map((i) => i.item.at ?? null))}::timestamptz[])
      as u(id, user_id, kind, title, body, at)`;
}
