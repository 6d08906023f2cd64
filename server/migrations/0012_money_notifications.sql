-- Balance-change notices: how far the notifier has read the ledger's entries. One row; the job
-- locks it (skip locked) so two server processes never notify the same entry twice, and moves it
-- in the same transaction as the notices it wrote. See docs/back-office.md.
create table money_notification_cursor (
  name text primary key,
  last_entry_id bigint not null check (last_entry_id >= 0),
  updated_at timestamptz not null default now()
);
-- Start after the history that exists now: customers are not sent notices for old movements.
insert into money_notification_cursor (name, last_entry_id)
select 'balance', coalesce(max(id), 0) from ledger_entries;
