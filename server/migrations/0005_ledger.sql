-- The double-entry ledger: accounts, transfers, entries, hold outcomes, idempotency keys.
-- Money is bigint minor units (fen for CNY). Sign convention: an entry's amount is negative
-- on the debited account and positive on the credited one, and an account's balance is the
-- sum of its entries, so the balances of one currency always sum to zero. See docs/ledger.md.

create table ledger_accounts (
  id uuid primary key default gen_random_uuid(),
  -- Names system accounts, e.g. 'system:gateway_clearing:CNY'; customer accounts have none.
  code text unique,
  owner_user_id uuid references users (id),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  kind text not null check (
    kind in ('customer', 'gateway_clearing', 'withdrawal_clearing', 'fees', 'merchant', 'adjustments', 'settlement')
  ),
  allow_negative boolean not null default false,
  -- Posted balance: the sum of this account's entries.
  balance bigint not null default 0,
  -- Open holds on this account (as debtor / creditor); available = balance - pending_debits.
  pending_debits bigint not null default 0 check (pending_debits >= 0),
  pending_credits bigint not null default 0 check (pending_credits >= 0),
  -- The hash of the last transfer that touched this account: the head of its chain.
  head_hash text not null default repeat('0', 64),
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  check (allow_negative or balance - pending_debits >= 0),
  check (code is not null or owner_user_id is not null)
);
create unique index ledger_accounts_owner on ledger_accounts (owner_user_id, currency, kind)
  where owner_user_id is not null;

create sequence ledger_transfer_seq as bigint;

create table ledger_transfers (
  id uuid primary key,
  -- Global order of appends; per account it is also the order of its hash chain, because
  -- both accounts are locked before the transfer takes its number.
  seq bigint not null unique default nextval('ledger_transfer_seq'),
  idempotency_key text,
  request_hash text,
  type text not null check (
    type in ('topup', 'payment', 'transfer', 'withdrawal', 'refund', 'fee', 'adjustment', 'reversal')
  ),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  amount bigint not null check (amount > 0),
  debit_account_id uuid not null references ledger_accounts (id),
  credit_account_id uuid not null references ledger_accounts (id),
  -- 'posted' moved money when written; 'pending' is a hold, whose outcome is a row in
  -- ledger_hold_events, never an update of this row.
  status text not null check (status in ('posted', 'pending')),
  expires_at timestamptz,
  -- Set on the transfer that posts (all or part of) a hold.
  hold_id uuid references ledger_transfers (id),
  reverses_transfer_id uuid references ledger_transfers (id),
  memo text check (char_length(memo) <= 200),
  metadata jsonb not null default '{}'::jsonb,
  debit_prev_hash text not null,
  credit_prev_hash text not null,
  hash text not null unique,
  created_at timestamptz not null,
  check (debit_account_id <> credit_account_id),
  check ((status = 'pending') = (expires_at is not null)),
  check (status = 'posted' or (hold_id is null and reverses_transfer_id is null))
);
create unique index ledger_transfers_posting_of_hold on ledger_transfers (hold_id) where hold_id is not null;
create unique index ledger_transfers_reversal_of on ledger_transfers (reverses_transfer_id)
  where reverses_transfer_id is not null;
create index ledger_transfers_debit on ledger_transfers (debit_account_id, seq);
create index ledger_transfers_credit on ledger_transfers (credit_account_id, seq);
create index ledger_transfers_open_holds on ledger_transfers (expires_at) where status = 'pending';

create table ledger_entries (
  id bigint generated always as identity primary key,
  transfer_id uuid not null references ledger_transfers (id),
  account_id uuid not null references ledger_accounts (id),
  -- Negative on the debited account, positive on the credited one.
  amount bigint not null check (amount <> 0),
  balance_after bigint not null,
  created_at timestamptz not null
);
create index ledger_entries_transfer on ledger_entries (transfer_id);
-- Keyset pagination of history (newest first) and balance at a past moment.
create index ledger_entries_account_id on ledger_entries (account_id, id);
create index ledger_entries_account_time on ledger_entries (account_id, created_at, id);

-- A hold's one outcome. Why a separate row rather than updating ledger_transfers.status:
-- transfers stay strictly append-only (no trigger exception to reason about), and the
-- primary key on hold_id makes "both posted and voided" impossible rather than unlikely.
create table ledger_hold_events (
  hold_id uuid primary key references ledger_transfers (id),
  outcome text not null check (outcome in ('posted', 'voided', 'expired')),
  posted_amount bigint not null check (posted_amount >= 0),
  posting_transfer_id uuid references ledger_transfers (id),
  reason text check (char_length(reason) <= 200),
  -- Chained to the hold's own hash, so a changed or invented outcome shows.
  hash text not null unique,
  created_at timestamptz not null,
  check ((outcome = 'posted') = (posting_transfer_id is not null and posted_amount > 0)),
  check (outcome = 'posted' or posted_amount = 0)
);

-- One row per (scope, key): the hash of the first request and what it produced.
create table idempotency_keys (
  scope text not null,
  key text not null check (char_length(key) between 1 and 200),
  request_hash text not null,
  result_id uuid,
  response jsonb,
  created_at timestamptz not null,
  primary key (scope, key)
);

create function ledger_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name;
end $$;
create trigger ledger_transfers_append_only before update or delete on ledger_transfers
  for each row execute function ledger_append_only();
create trigger ledger_transfers_no_truncate before truncate on ledger_transfers
  for each statement execute function ledger_append_only();
create trigger ledger_entries_append_only before update or delete on ledger_entries
  for each row execute function ledger_append_only();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
  for each statement execute function ledger_append_only();
create trigger ledger_hold_events_append_only before update or delete on ledger_hold_events
  for each row execute function ledger_append_only();
create trigger ledger_hold_events_no_truncate before truncate on ledger_hold_events
  for each statement execute function ledger_append_only();
