-- Withdrawals to a bound bank card, the sandbox bank that pays them out, and reviews that need
-- more than one approval (two different members of staff for large withdrawals).

-- Reviews: how many different staff must approve, and who already has.
alter table review_items
  add column required_approvals smallint not null default 1 check (required_approvals between 1 and 5);

create table review_approvals (
  review_item_id uuid not null references review_items (id) on delete cascade,
  approver_id uuid not null references users (id),
  reason text,
  created_at timestamptz not null,
  -- One approval per person per item: the second approval must come from someone else.
  primary key (review_item_id, approver_id)
);

create table withdrawals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  bank_card_id uuid not null references bank_cards (id),
  amount bigint not null check (amount > 0),
  fee bigint not null check (fee >= 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  status text not null check (status in ('under_review', 'processing', 'succeeded', 'failed', 'rejected')),
  failure_reason text,
  -- The client's Idempotency-Key, unique per customer: a replay returns the first withdrawal.
  idempotency_key text not null,
  -- The ledger hold of amount + fee (customer -> withdrawal clearing).
  hold_id uuid not null,
  review_item_id uuid references review_items (id),
  bank_payout_id text,
  submitted_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (user_id, idempotency_key)
);
create index withdrawals_user on withdrawals (user_id, created_at desc, id desc);
-- The bank job scans only what is still with the bank.
create index withdrawals_processing on withdrawals (updated_at) where status = 'processing';
create index withdrawals_under_review on withdrawals (created_at) where status = 'under_review';

-- The sandbox bank's own records (a stand-in for an outside bank: it only talks to us through
-- its adapter and never reads the wallet's tables).
create table sandbox_bank_payouts (
  id uuid primary key default gen_random_uuid(),
  -- Our withdrawal id: one payout per order, as banks key on the merchant's serial number.
  merchant_order_id text not null unique,
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  card_last4 text not null,
  status text not null default 'accepted' check (status in ('accepted', 'succeeded', 'failed')),
  failure_reason text,
  settle_after timestamptz not null,
  created_at timestamptz not null,
  settled_at timestamptz
);
create index sandbox_bank_payouts_due on sandbox_bank_payouts (settle_after) where status = 'accepted';
