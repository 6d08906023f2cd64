-- Consent before account access: an agent in a conversation asks to see some of the customer's
-- account (profile, balance, transactions) for at most 30 minutes; the customer grants in the
-- portal or by reading out a code sent to the bound phone; access ends at expires_at, on
-- revocation, or when the agent no longer has the conversation (checked at every read).

create table support_consents (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references support_conversations (id),
  customer_id uuid not null references users (id),
  -- The only agent who may use the grant.
  agent_id uuid not null references users (id),
  scopes text[] not null check (
    cardinality(scopes) between 1 and 3
    and scopes <@ array['profile', 'balance', 'transactions']::text[]
  ),
  minutes smallint not null check (minutes between 1 and 30),
  -- requested → granted | refused | cancelled (a newer request replaced it, or it was not
  -- answered in time); granted → revoked. Expiry is read from expires_at, not written.
  status text not null default 'requested'
    check (status in ('requested', 'granted', 'refused', 'revoked', 'cancelled')),
  requested_at timestamptz not null,
  decided_at timestamptz,
  granted_via text check (granted_via in ('portal', 'phone_code')),
  expires_at timestamptz,
  revoked_at timestamptz,
  -- The one-time code sent to the customer's bound phone (hash only).
  code_hash text,
  code_sent_at timestamptz,
  code_expires_at timestamptz,
  code_attempts smallint not null default 0,
  check ((status in ('granted', 'revoked')) = (expires_at is not null)),
  check (expires_at is null or expires_at <= decided_at + interval '30 minutes')
);
create index support_consents_conversation on support_consents (conversation_id, requested_at desc);
-- At most one open request per conversation.
create unique index support_consents_one_request on support_consents (conversation_id)
  where status = 'requested';

-- After a chat: the customer's rating (1–5 and an optional comment), once per conversation.
create table support_chat_ratings (
  conversation_id uuid primary key references support_conversations (id),
  customer_id uuid not null references users (id),
  rating smallint not null check (rating between 1 and 5),
  comment text check (comment is null or length(comment) <= 500),
  created_at timestamptz not null
);
