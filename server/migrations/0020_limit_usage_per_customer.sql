-- Limit usage: one row per customer instead of one per customer and counter (docs/limits.md).
--
-- A password-free payment used to lock and rewrite four rows (day, year, lifetime, one-factor
-- day), each first by an upsert whose no-op update wrote a row version, then by the update with
-- the new figure: eight row versions per payment, half the database work of a payment. Now every
-- figure is a column of the customer's one row, locked once and written once per batch.
--
-- The day figures belong to the China day starting at day_start (midnight UTC+8), the year
-- figure to the China year starting at year_start; a row whose period has ended counts as zero
-- until the next write rolls it over. Nothing here sums history, and the table does not grow
-- with payments.
create table limit_usage_totals (
  user_id uuid primary key references users (id) on delete cascade,
  day_start timestamptz not null,
  day_all bigint not null default 0 check (day_all >= 0),
  day_one_factor bigint not null default 0 check (day_one_factor >= 0),
  day_transfer bigint not null default 0 check (day_transfer >= 0),
  day_phone_topup bigint not null default 0 check (day_phone_topup >= 0),
  year_start timestamptz not null,
  year_all bigint not null default 0 check (year_all >= 0),
  lifetime_all bigint not null default 0 check (lifetime_all >= 0)
) with (fillfactor = 50); -- room for HOT updates: every payment rewrites its payer's row

-- Carry over what the old counters hold for the current periods (China time).
with bounds as (
  select
    -- China time is UTC+8 all year (no daylight saving), as limits.ts computes it.
    (date_trunc('day', (now() at time zone 'UTC') + interval '8 hours') - interval '8 hours') at time zone 'UTC'
      as day_start,
    (date_trunc('year', (now() at time zone 'UTC') + interval '8 hours') - interval '8 hours') at time zone 'UTC'
      as year_start
)
insert into limit_usage_totals (user_id, day_start, day_all, day_one_factor, day_transfer, day_phone_topup,
  year_start, year_all, lifetime_all)
select u.user_id, b.day_start,
  coalesce(sum(u.used) filter (where u.counter = 'all:day' and u.period_start >= b.day_start), 0),
  coalesce(sum(u.used) filter (where u.counter = 'one_factor:day' and u.period_start >= b.day_start), 0),
  coalesce(sum(u.used) filter (where u.counter = 'transfer:day' and u.period_start >= b.day_start), 0),
  coalesce(sum(u.used) filter (where u.counter = 'phone_topup:day' and u.period_start >= b.day_start), 0),
  b.year_start,
  coalesce(sum(u.used) filter (where u.counter = 'all:year' and u.period_start >= b.year_start), 0),
  coalesce(sum(u.used) filter (where u.counter = 'all:lifetime'), 0)
from limit_usage u cross join bounds b
group by u.user_id, b.day_start, b.year_start;

drop table limit_usage;
alter table limit_usage_totals rename to limit_usage;
alter index limit_usage_totals_pkey rename to limit_usage_pkey;
