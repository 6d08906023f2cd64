-- Wallet top-ups through payment gateways, and the sandbox gateway's own tables (a stand-in
-- for an outside provider: it keeps its own records and only talks to us by signed messages).

create table topups (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  amount bigint not null check (amount > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  method text not null check (method in ('sandbox')),
  gateway_payment_id text,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  -- The client's Idempotency-Key, unique per customer: a replay returns the first top-up.
  idempotency_key text not null,
  ledger_transfer_id uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (user_id, idempotency_key)
);
-- The pending-query job scans only what is still open.
create index topups_pending on topups (created_at) where status = 'pending';

create table sandbox_gateway_payments (
  id uuid primary key default gen_random_uuid(),
  -- Our top-up id: one payment per order, as real gateways key on out_trade_no.
  merchant_order_id text not null unique,
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  status text not null default 'created' check (status in ('created', 'paid', 'failed')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  paid_at timestamptz
);
create index sandbox_gateway_payments_paid on sandbox_gateway_payments (paid_at) where status = 'paid';

-- Notifications waiting to be sent to the merchant's callback (an outbox with retries).
create table sandbox_gateway_notifications (
  id uuid primary key default gen_random_uuid(),
  payment_id uuid not null references sandbox_gateway_payments (id),
  body text not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  delivered_at timestamptz,
  last_error text,
  created_at timestamptz not null
);
create index sandbox_gateway_notifications_due on sandbox_gateway_notifications (next_attempt_at)
  where delivered_at is null;
