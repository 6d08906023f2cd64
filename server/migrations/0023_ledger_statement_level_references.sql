-- The ledger's references to its own rows, checked once per statement instead of once per row.
--
-- A foreign key looks up the referenced row for every inserted row: one query each (with a KEY
-- SHARE lock on what it finds). A payment writes a transfer (two account references) and two
-- entries (a transfer and an account each), so six lookups: 68 µs of the database's CPU per
-- payment, 45 % of the batch's write statement, measured under bench:payments (docs/ledger.md).
--
-- The rules stay, enforced by the database for every writer:
--   * every transfer's debit and credit account exists, and the hold it posts and the transfer
--     it reverses when it names one; every entry's transfer and account exist — checked after
--     each statement that inserts, over all the rows it inserted (a transition table), each
--     through the primary key;
--   * nothing referred to can go away or change: transfers and entries are append-only already,
--     and ledger accounts now refuse DELETE, TRUNCATE and a change of id.
-- A foreign key's KEY SHARE lock is there to stop a concurrent delete of the referenced row;
-- with deletes refused outright there is none to stop.

alter table ledger_transfers
  drop constraint ledger_transfers_debit_account_id_fkey,
  drop constraint ledger_transfers_credit_account_id_fkey,
  drop constraint ledger_transfers_hold_id_fkey,
  drop constraint ledger_transfers_reverses_transfer_id_fkey;
alter table ledger_entries
  drop constraint ledger_entries_transfer_id_fkey,
  drop constraint ledger_entries_account_id_fkey;

-- Each lookup is a correlated scalar subquery: the planner runs it per row through the primary
-- key and never turns it into a join that could read a whole table.
create function ledger_transfers_check_references() returns trigger language plpgsql as $$
declare
  bad uuid;
begin
  select n.id into bad from ledger_new_transfers n
  where (select true from ledger_accounts a where a.id = n.debit_account_id) is null
     or (select true from ledger_accounts a where a.id = n.credit_account_id) is null
     or (n.hold_id is not null
         and (select true from ledger_transfers t where t.id = n.hold_id) is null)
     or (n.reverses_transfer_id is not null
         and (select true from ledger_transfers t where t.id = n.reverses_transfer_id) is null)
  limit 1;
  if bad is not null then
    raise foreign_key_violation using
      message = format('ledger transfer %s refers to an account or transfer that does not exist', bad);
  end if;
  return null;
end $$;
create trigger ledger_transfers_references after insert on ledger_transfers
  referencing new table as ledger_new_transfers
  for each statement execute function ledger_transfers_check_references();

create function ledger_entries_check_references() returns trigger language plpgsql as $$
declare
  bad bigint;
begin
  select n.id into bad from ledger_new_entries n
  where (select true from ledger_accounts a where a.id = n.account_id) is null
     or (select true from ledger_transfers t where t.id = n.transfer_id) is null
  limit 1;
  if bad is not null then
    raise foreign_key_violation using
      message = format('ledger entry %s refers to an account or transfer that does not exist', bad);
  end if;
  return null;
end $$;
create trigger ledger_entries_references after insert on ledger_entries
  referencing new table as ledger_new_entries
  for each statement execute function ledger_entries_check_references();

create function ledger_accounts_kept() returns trigger language plpgsql as $$
begin
  raise exception 'ledger accounts are never deleted and never change id: transfers and entries refer to them'
    using errcode = 'restrict_violation';
end $$;
create trigger ledger_accounts_no_delete before delete on ledger_accounts
  for each row execute function ledger_accounts_kept();
create trigger ledger_accounts_no_truncate before truncate on ledger_accounts
  for each statement execute function ledger_accounts_kept();
create trigger ledger_accounts_id_fixed before update of id on ledger_accounts
  for each row when (old.id is distinct from new.id) execute function ledger_accounts_kept();
