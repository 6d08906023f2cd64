-- Payment limits (PBOC 2015 No. 43 classes, per business, customer-set) and small password-free
-- payments (小额免密). See docs/limits.md.

-- One row per customer per counter: the counter's current period and what was used in it. The
-- money transaction locks the rows it needs (in a fixed order), rolls a row over to zero when
-- its period has ended, checks and adds; no sum over history, and the table does not grow with
-- payments. counter is '<what>:<period>', e.g. 'all:day', 'all:year', 'all:lifetime',
-- 'transfer:day', 'phone_topup:day', 'one_factor:day'.
create table limit_usage (
  user_id uuid not null references users (id) on delete cascade,
  counter text not null check (counter ~ '^[a-z_]+:(day|year|lifetime)$'),
  -- Start of the period the figure belongs to: midnight in China (UTC+8) for a day, 1 January
  -- in China for a year, the epoch for lifetime counters.
  period_start timestamptz not null,
  used bigint not null default 0 check (used >= 0),
  primary key (user_id, counter)
) with (fillfactor = 70); -- room for HOT updates: every payment rewrites its rows

-- What the customer chose: a lower daily transfer cap, and 小额免密 with its caps.
create table limit_settings (
  user_id uuid primary key references users (id) on delete cascade,
  -- null: the class's daily cap applies alone.
  transfer_daily_limit bigint check (transfer_daily_limit >= 0),
  password_free_enabled boolean not null default false,
  password_free_per_payment bigint not null check (password_free_per_payment > 0),
  password_free_daily bigint not null check (password_free_daily > 0),
  updated_at timestamptz not null,
  check (password_free_per_payment <= password_free_daily)
);
