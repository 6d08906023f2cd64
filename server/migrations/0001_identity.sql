-- Customers and staff, credentials, sessions, one-time codes, throttles.
create table users (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('customer', 'staff')),
  phone text unique,
  email text unique,
  email_verified_at timestamptz,
  name text,
  id_number_enc bytea,
  id_number_masked text,
  id_number_hash text unique,
  password_hash text not null,
  payment_password_hash text,
  payment_failed_count integer not null default 0,
  payment_lock_level integer not null default 0,
  payment_locked_until timestamptz,
  totp_secret_enc bytea,
  totp_enabled_at timestamptz,
  roles text[] not null default '{customer}',
  status text not null default 'active' check (status in ('active', 'frozen', 'disabled')),
  frozen_at timestamptz,
  verification_level smallint not null default 1,
  preferences jsonb not null default '{}'::jsonb,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (phone is not null or email is not null),
  check (email is null or email = lower(email))
);

create table totp_backup_codes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz
);
create index totp_backup_codes_user on totp_backup_codes (user_id);

-- id is the SHA-256 of the cookie token: a leaked table does not yield live sessions.
create table sessions (
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  stage text not null default 'full' check (stage in ('full', 'mfa_enroll')),
  ip text,
  user_agent text,
  device text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_user_live on sessions (user_id) where revoked_at is null;

create table one_time_codes (
  id uuid primary key default gen_random_uuid(),
  channel text not null check (channel in ('sms', 'email')),
  destination text not null,
  purpose text not null,
  code_hash text not null,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  consumed_at timestamptz
);
create index one_time_codes_lookup on one_time_codes (destination, purpose, created_at desc);

create table captchas (
  id uuid primary key default gen_random_uuid(),
  answer_hash text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

-- Failed-login state per login key (an HMAC of the normalised login), kept the same way
-- whether or not an account exists, so responses cannot tell the two apart.
create table login_throttle (
  key text primary key,
  failures integer not null default 0,
  lock_level integer not null default 0,
  locked_until timestamptz,
  updated_at timestamptz not null default now()
);

create table login_events (
  id bigint generated always as identity primary key,
  user_id uuid references users (id) on delete cascade,
  ip text,
  user_agent text,
  device text,
  result text not null,
  created_at timestamptz not null default now()
);
create index login_events_user on login_events (user_id, id desc);
create index login_events_ip on login_events (ip, created_at desc);

-- Fixed-window counters shared by every server process (OTP sends, IP limits).
create table rate_counters (
  key text not null,
  window_start timestamptz not null,
  count integer not null default 0,
  primary key (key, window_start)
);

create table bank_cards (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  card_enc bytea not null,
  card_hash text not null,
  last4 text not null,
  holder_name text not null,
  bank_name text,
  created_at timestamptz not null default now(),
  removed_at timestamptz
);
create unique index bank_cards_live on bank_cards (user_id, card_hash) where removed_at is null;

create table files (
  id uuid primary key default gen_random_uuid(),
  owner_user_id uuid references users (id) on delete set null,
  content_type text not null,
  size integer not null,
  sha256 text not null,
  data bytea not null,
  created_at timestamptz not null default now()
);

-- Maker-checker queue shared by every module: each kind has one handler that applies it.
create table review_items (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  subject_user_id uuid references users (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'cancelled')),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  decided_by uuid references users (id),
  decided_at timestamptz,
  decision_reason text
);
create index review_items_queue on review_items (status, created_at);
create index review_items_subject on review_items (subject_user_id, created_at desc);

create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  kind text not null,
  title text not null,
  body text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index notifications_user on notifications (user_id, created_at desc);

-- Every SMS and email that would leave the building; the dev mailbox reads it.
create table outbound_messages (
  id uuid primary key default gen_random_uuid(),
  channel text not null check (channel in ('sms', 'email')),
  destination text not null,
  subject text,
  body text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  error text
);
create index outbound_messages_to on outbound_messages (destination, created_at desc);
create index outbound_messages_recent on outbound_messages (created_at desc);

-- Append-only, hash-chained audit trail.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id uuid,
  actor_kind text not null,
  action text not null,
  target_type text,
  target_id text,
  ip text,
  details jsonb not null default '{}'::jsonb,
  prev_hash text not null,
  hash text not null unique
);
create index audit_log_actor on audit_log (actor_id, id desc);
create index audit_log_action on audit_log (action, id desc);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();
