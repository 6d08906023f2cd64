// The SQL behind verifyLedger: each query returns only rows that break an invariant.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import type { HoldEventRow, TransferRow } from "./store.js";

// Enough to name what is wrong; a broken ledger is investigated, not listed in full.
const SHOW = 20;

export async function currencyTotals(db: Executor) {
  const r = await sql<{ currency: string; total: bigint; accounts: bigint }>`
    select currency, coalesce(sum(balance), 0)::bigint as total, count(*)::bigint as accounts
    from ledger_accounts group by currency order by currency`.execute(db);
  return r.rows;
}

export async function balancesNotMatchingEntries(db: Executor) {
  const r = await sql<{ id: string; code: string | null; balance: bigint; entries_total: bigint }>`
    select a.id, a.code, a.balance, coalesce(e.total, 0)::bigint as entries_total
    from ledger_accounts a
    left join (select account_id, sum(amount) as total from ledger_entries group by account_id) e
      on e.account_id = a.id
    where a.balance <> coalesce(e.total, 0)
    order by a.id limit ${SHOW}`.execute(db);
  return r.rows;
}

export async function runningBalancesBroken(db: Executor) {
  const r = await sql<{ id: bigint; account_id: string; balance_after: bigint; running: bigint }>`
    select id, account_id, balance_after, running from (
      select id, account_id, balance_after,
        (sum(amount) over (partition by account_id order by id))::bigint as running
      from ledger_entries
    ) w
    where balance_after <> running
    order by id limit ${SHOW}`.execute(db);
  return r.rows;
}

export async function pendingNotMatchingHolds(db: Executor) {
  const r = await sql<{
    id: string;
    code: string | null;
    pending_debits: bigint;
    pending_credits: bigint;
    held_debits: bigint;
    held_credits: bigint;
  }>`
    with open_holds as (
      select t.debit_account_id, t.credit_account_id, t.amount
      from ledger_transfers t
      where t.status = 'pending'
        and not exists (select 1 from ledger_hold_events h where h.hold_id = t.id)
    )
    select a.id, a.code, a.pending_debits, a.pending_credits,
      coalesce((select sum(amount) from open_holds where debit_account_id = a.id), 0)::bigint as held_debits,
      coalesce((select sum(amount) from open_holds where credit_account_id = a.id), 0)::bigint as held_credits
    from ledger_accounts a
    where a.pending_debits <> coalesce((select sum(amount) from open_holds where debit_account_id = a.id), 0)
       or a.pending_credits <> coalesce((select sum(amount) from open_holds where credit_account_id = a.id), 0)
    order by a.id limit ${SHOW}`.execute(db);
  return r.rows;
}

export async function countOpenHolds(db: Executor): Promise<bigint> {
  const r = await sql<{ n: bigint }>`
    select count(*)::bigint as n from ledger_transfers t
    where t.status = 'pending' and not exists (select 1 from ledger_hold_events h where h.hold_id = t.id)`.execute(
    db,
  );
  return r.rows[0]?.n ?? 0n;
}

/** Holds whose outcome is contradictory: two outcomes, posted and voided, or a posting that does not fit. */
export async function holdsInconsistent(db: Executor) {
  const r = await sql<{ hold_id: string; problem: string }>`
    select hold_id, 'has ' || count(*) || ' outcomes' as problem
      from ledger_hold_events group by hold_id having count(*) > 1
    union all
    select h.hold_id, 'outcome recorded for something that is not a hold'
      from ledger_hold_events h left join ledger_transfers t on t.id = h.hold_id
      where t.id is null or t.status <> 'pending'
    union all
    select t.hold_id, 'posted ' || count(*) || ' times'
      from ledger_transfers t where t.hold_id is not null group by t.hold_id having count(*) > 1
    union all
    select p.hold_id, 'both posted and ' || coalesce(h.outcome, 'still pending')
      from ledger_transfers p left join ledger_hold_events h on h.hold_id = p.hold_id
      where p.hold_id is not null and (h.hold_id is null or h.outcome <> 'posted')
    union all
    select h.hold_id, 'marked posted but its posting transfer does not match'
      from ledger_hold_events h left join ledger_transfers p on p.id = h.posting_transfer_id
      where h.outcome = 'posted'
        and (p.id is null or p.hold_id is distinct from h.hold_id or p.amount <> h.posted_amount)
    union all
    select p.hold_id, 'posted more than was held'
      from ledger_transfers p join ledger_transfers hold on hold.id = p.hold_id
      where p.amount > hold.amount
        or p.debit_account_id <> hold.debit_account_id or p.credit_account_id <> hold.credit_account_id
    limit ${SHOW}`.execute(db);
  return r.rows;
}

/** Transfers whose entries do not balance: a posted one needs -amount on its debit account and +amount on its credit account, a hold none. */
export async function transfersWithBadEntries(db: Executor) {
  const r = await sql<{ id: string; status: string; amount: bigint; entries: bigint; total: bigint }>`
    select t.id, t.status, t.amount, count(e.id)::bigint as entries, coalesce(sum(e.amount), 0)::bigint as total
    from ledger_transfers t left join ledger_entries e on e.transfer_id = t.id
    group by t.id
    having not (
      (t.status = 'pending' and count(e.id) = 0)
      or (t.status = 'posted' and count(e.id) = 2 and coalesce(sum(e.amount), 0) = 0
        and sum(e.amount) filter (where e.account_id = t.debit_account_id) = -t.amount
        and sum(e.amount) filter (where e.account_id = t.credit_account_id) = t.amount)
    )
    order by t.id limit ${SHOW}`.execute(db);
  return r.rows;
}

/**
 * Rows that refer to a ledger row that does not exist (the reference triggers of migration 0023
 * stop such writes; this finds any made with the triggers switched off).
 */
export async function danglingReferences(db: Executor) {
  const r = await sql<{ what: string }>`
    select 'transfer ' || t.id || ' names a missing account' as what from ledger_transfers t
      where not exists (select 1 from ledger_accounts a where a.id = t.debit_account_id)
         or not exists (select 1 from ledger_accounts a where a.id = t.credit_account_id)
    union all
    select 'transfer ' || t.id || ' names a missing hold or reversed transfer' from ledger_transfers t
      where (t.hold_id is not null and not exists (select 1 from ledger_transfers h where h.id = t.hold_id))
         or (t.reverses_transfer_id is not null
             and not exists (select 1 from ledger_transfers r where r.id = t.reverses_transfer_id))
    union all
    select 'entry ' || e.id || ' names a missing account or transfer' from ledger_entries e
      where not exists (select 1 from ledger_accounts a where a.id = e.account_id)
         or not exists (select 1 from ledger_transfers t where t.id = e.transfer_id)
    limit ${SHOW}`.execute(db);
  return r.rows;
}

/** Transfers or entries that touch an account of another currency. */
export async function currencyCrossings(db: Executor) {
  const r = await sql<{ transfer_id: string }>`
    select t.id as transfer_id from ledger_transfers t
      join ledger_accounts d on d.id = t.debit_account_id
      join ledger_accounts c on c.id = t.credit_account_id
      where d.currency <> t.currency or c.currency <> t.currency
    union
    select e.transfer_id from ledger_entries e
      join ledger_transfers t on t.id = e.transfer_id
      join ledger_accounts a on a.id = e.account_id
      where a.currency <> t.currency
    limit ${SHOW}`.execute(db);
  return r.rows;
}

export async function* streamTransfers(db: Executor, batch = 2000): AsyncGenerator<TransferRow> {
  let after = 0n;
  for (;;) {
    const rows = await db
      .selectFrom("ledger_transfers")
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(batch)
      .execute();
    for (const row of rows) yield row;
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    after = last.seq;
  }
}

export async function* streamHoldEvents(
  db: Executor,
  batch = 2000,
): AsyncGenerator<HoldEventRow & { hold_hash: string | null }> {
  let after = "";
  for (;;) {
    const rows = await db
      .selectFrom("ledger_hold_events as h")
      .leftJoin("ledger_transfers as t", "t.id", "h.hold_id")
      .selectAll("h")
      .select("t.hash as hold_hash")
      .where(sql<string>`h.hold_id::text`, ">", after)
      .orderBy(sql`h.hold_id::text`)
      .limit(batch)
      .execute();
    for (const row of rows) yield row;
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    after = last.hold_id;
  }
}

export async function accountHeads(db: Executor) {
  return db.selectFrom("ledger_accounts").select(["id", "code", "head_hash"]).orderBy("id").execute();
}
