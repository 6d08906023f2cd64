-- Tickets: chat, email and phone requests in one inbox, with SLA clocks in business hours,
-- email threading by Message-ID, canned responses, merge and link, and satisfaction surveys.

create table support_tickets (
  id uuid primary key default gen_random_uuid(),
  -- What people say on the phone and put in subjects: "工单 #1042".
  number bigint generated always as identity unique,
  -- Null while the ticket came from an email address no customer has bound yet.
  customer_id uuid references users (id),
  requester_email text check (requester_email is null or length(requester_email) <= 254),
  requester_name text check (requester_name is null or length(requester_name) <= 100),
  channel text not null check (channel in ('chat', 'email', 'phone')),
  subject text not null check (length(subject) between 1 and 200),
  category text not null check (category in (
    'account_locked', 'account_login', 'account_password', 'dispute_failed', 'dispute_duplicate',
    'question', 'system_fault', 'security_alert')),
  -- What the rules suggested from the text (the agent may change `category`).
  suggested_category text,
  priority text not null check (priority in ('low', 'normal', 'high', 'urgent')),
  status text not null default 'new' check (status in ('new', 'open', 'pending', 'resolved', 'closed')),
  team text not null default 'general',
  assignee_id uuid references users (id),
  conversation_id uuid references support_conversations (id),
  merged_into_id uuid references support_tickets (id),
  -- Identity confirmed by a code to the bound phone, before acting on an email or phone request.
  verified_at timestamptz,
  verified_by uuid references users (id),
  escalated_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  first_response_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  survey_sent_at timestamptz,
  check (customer_id is not null or requester_email is not null),
  check ((merged_into_id is null) or status = 'closed')
);
create index support_tickets_customer on support_tickets (customer_id, category) where status in ('new', 'open', 'pending');
create index support_tickets_requester on support_tickets (requester_email) where customer_id is null;
create index support_tickets_inbox on support_tickets (status, updated_at desc);
create index support_tickets_assignee on support_tickets (assignee_id) where status in ('new', 'open', 'pending');
create index support_tickets_created on support_tickets (created_at);
create index support_tickets_conversation on support_tickets (conversation_id) where conversation_id is not null;

create table support_ticket_messages (
  id bigint generated always as identity primary key,
  ticket_id uuid not null references support_tickets (id),
  -- The ticket it was written on, when a merge moved it.
  original_ticket_id uuid references support_tickets (id),
  -- customer / agent: seen by both; note: staff only; system: what happened.
  kind text not null check (kind in ('customer', 'agent', 'note', 'system')),
  author_id uuid references users (id),
  channel text not null check (channel in ('chat', 'email', 'phone', 'portal', 'console')),
  body text not null check (length(body) <= 20000),
  mentions uuid[] not null default '{}',
  -- Email threading: this message's Message-ID (ours for replies, theirs for inbound mail),
  -- and the headers of an outgoing reply.
  email_message_id text,
  email_in_reply_to text,
  email_references text,
  email_to text,
  -- Outgoing email: queued → sent or failed (retried by the job until it goes).
  email_status text check (email_status in ('queued', 'sent', 'failed')),
  email_attempts smallint not null default 0,
  email_error text,
  created_at timestamptz not null
);
create index support_ticket_messages_ticket on support_ticket_messages (ticket_id, id);
create unique index support_ticket_messages_email_id on support_ticket_messages (email_message_id)
  where email_message_id is not null;
create index support_ticket_messages_outbox on support_ticket_messages (id) where email_status = 'queued';

-- Related tickets, stored once per pair (smaller id first).
create table support_ticket_links (
  ticket_a uuid not null references support_tickets (id),
  ticket_b uuid not null references support_tickets (id),
  created_by uuid not null references users (id),
  created_at timestamptz not null,
  primary key (ticket_a, ticket_b),
  check (ticket_a < ticket_b)
);

create table support_canned_responses (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 1 and 100),
  body text not null check (length(body) between 1 and 5000),
  created_by uuid not null references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index support_canned_responses_title on support_canned_responses (lower(title));

-- Targets per priority, in business minutes of the support calendar.
create table support_sla_policies (
  priority text primary key check (priority in ('low', 'normal', 'high', 'urgent')),
  first_response_minutes integer not null check (first_response_minutes > 0),
  next_response_minutes integer not null check (next_response_minutes > 0),
  resolution_minutes integer not null check (resolution_minutes > 0),
  -- A warning goes out when this share of the target has passed.
  warn_at_percent smallint not null default 75 check (warn_at_percent between 1 and 99)
);
insert into support_sla_policies (priority, first_response_minutes, next_response_minutes, resolution_minutes) values
  ('urgent', 15, 30, 240),
  ('high', 60, 120, 480),
  ('normal', 240, 480, 1440),
  ('low', 480, 960, 2880);

-- One row per clock: started when something is owed, stopped when it is given (or no longer
-- owed). Warnings and breaches are recorded on the row, so each happens once.
create table support_sla_timers (
  id bigint generated always as identity primary key,
  ticket_id uuid not null references support_tickets (id),
  target text not null check (target in ('first_response', 'next_response', 'resolution')),
  priority text not null,
  started_at timestamptz not null,
  warn_at timestamptz not null,
  due_at timestamptz not null,
  stopped_at timestamptz,
  warned_at timestamptz,
  breached_at timestamptz,
  -- Who heard of the breach: 'supervisor' or 'technical'.
  escalated_to text
);
create unique index support_sla_timers_running on support_sla_timers (ticket_id, target) where stopped_at is null;
create index support_sla_timers_warn on support_sla_timers (warn_at) where stopped_at is null and warned_at is null;
create index support_sla_timers_due on support_sla_timers (due_at) where stopped_at is null and breached_at is null;

create table support_surveys (
  ticket_id uuid primary key references support_tickets (id),
  customer_id uuid not null references users (id),
  sent_at timestamptz not null,
  rating smallint check (rating between 1 and 5),
  comment text check (comment is null or length(comment) <= 1000),
  answered_at timestamptz
);
