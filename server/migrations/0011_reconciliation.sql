-- Alipay as a top-up method, and daily reconciliation of each gateway's statement against the
-- ledger: runs, what matched (or was credited late, 补充值), and exceptions finance resolves.

alter table topups drop constraint topups_method_check;
alter table topups add constraint topups_method_check check (method in ('sandbox', 'alipay'));

create table reconciliation_runs (
  id uuid primary key default gen_random_uuid(),
  -- The statement day, China Standard Time, as YYYY-MM-DD.
  statement_date text not null check (statement_date ~ '^\d{4}-\d{2}-\d{2}$'),
  status text not null default 'running' check (status in ('running', 'completed', 'failed')),
  -- Null when the daily job started it.
  started_by uuid references users (id),
  gateways text[] not null default '{}',
  matched integer not null default 0,
  auto_credited integer not null default 0,
  exceptions integer not null default 0,
  error text,
  started_at timestamptz not null,
  finished_at timestamptz
);
create index reconciliation_runs_recent on reconciliation_runs (started_at desc);

-- Gateway payments the ledger agrees with, including those this run credited.
create table reconciliation_matches (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references reconciliation_runs (id),
  gateway text not null,
  payment_id text not null,
  topup_id uuid not null references topups (id),
  amount bigint not null,
  currency char(3) not null,
  outcome text not null check (outcome in ('matched', 'auto_credited')),
  ledger_transfer_id uuid,
  created_at timestamptz not null
);
create index reconciliation_matches_run on reconciliation_matches (run_id, created_at);

-- Differences a person must look at; resolved with a note (audited), never silently.
create table reconciliation_exceptions (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references reconciliation_runs (id),
  gateway text not null,
  kind text not null check (
    kind in ('ledger_only', 'amount_mismatch', 'currency_mismatch', 'unknown_payment', 'status_mismatch')
  ),
  payment_id text,
  topup_id uuid references topups (id),
  gateway_amount bigint,
  ledger_amount bigint,
  detail text not null,
  status text not null default 'open' check (status in ('open', 'resolved')),
  resolved_by uuid references users (id),
  resolved_at timestamptz,
  note text,
  created_at timestamptz not null,
  check ((status = 'resolved') = (resolved_at is not null and resolved_by is not null and note is not null))
);
create index reconciliation_exceptions_run on reconciliation_exceptions (run_id, created_at);
create index reconciliation_exceptions_open on reconciliation_exceptions (created_at) where status = 'open';
