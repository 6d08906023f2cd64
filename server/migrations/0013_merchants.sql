-- Merchants and billers customers pay from the wallet (POST /api/v1/wallet/payments). Each has
-- a ledger account of kind 'merchant' that receives the payments. See docs/benchmarks.md for
-- the batched write path payments take.
create table merchants (
  id uuid primary key default gen_random_uuid(),
  -- Stable name for seeding and operations, e.g. 'demo-phone-topup'.
  code text not null unique check (code ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text not null check (char_length(name) between 1 and 100),
  -- 'phone_topup' payments count against the phone top-up business limits.
  category text not null check (category in ('shop', 'phone_topup', 'utility')),
  status text not null default 'active' check (status in ('active', 'disabled')),
  account_id uuid not null unique references ledger_accounts (id),
  created_at timestamptz not null default now()
);
create index merchants_active on merchants (name) where status = 'active';

-- Session cache invalidation (server/src/http/session-cache.ts): every process that caches
-- sessions LISTENs on this channel. Whatever ends or changes a session or its user — logout,
-- revocation, freeze, role change, from any process or by hand in SQL — notifies it in the
-- same transaction, so a cached session is dropped the moment the change commits.
create function session_cache_invalidate() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'sessions' then
    -- Not on the once-a-minute last_seen_at touch: the cache itself goes back to the
    -- database whenever a touch is due.
    if tg_op = 'DELETE'
       or old.revoked_at is distinct from new.revoked_at
       or old.stage is distinct from new.stage
       or old.expires_at is distinct from new.expires_at
       or old.user_id is distinct from new.user_id then
      perform pg_notify('oc_session_invalidate', json_build_object('session', old.id)::text);
    end if;
  elsif tg_op = 'DELETE'
     or old.status is distinct from new.status
     or old.roles is distinct from new.roles
     or old.kind is distinct from new.kind
     or old.name is distinct from new.name
     or old.phone is distinct from new.phone
     or old.email is distinct from new.email then
    perform pg_notify('oc_session_invalidate', json_build_object('user', old.id)::text);
  end if;
  return null;
end $$;
create trigger sessions_cache_invalidate after update or delete on sessions
  for each row execute function session_cache_invalidate();
create trigger users_cache_invalidate after update or delete on users
  for each row execute function session_cache_invalidate();
