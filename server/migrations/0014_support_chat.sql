-- Live chat between customers, the bot and agents. Messages are append-only; a client's own
-- id for a message (client_id) makes sending twice store it once.

create table support_conversations (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references users (id),
  channel text not null default 'chat' check (channel in ('chat', 'email', 'phone')),
  -- bot: the bot answers; queued: waiting for a person; assigned: a person has it; closed.
  status text not null default 'bot' check (status in ('bot', 'queued', 'assigned', 'closed')),
  team text not null default 'general',
  assigned_agent_id uuid references users (id),
  -- Bot answers the customer marked unhelpful; the second brings in a person.
  bot_unhelpful smallint not null default 0,
  handover_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  queued_at timestamptz,
  assigned_at timestamptz,
  first_agent_reply_at timestamptz,
  closed_at timestamptz,
  check ((status = 'assigned') = (assigned_agent_id is not null))
);
create index support_conversations_customer on support_conversations (customer_id, created_at desc);
create index support_conversations_queue on support_conversations (team, queued_at) where status = 'queued';
create index support_conversations_agent on support_conversations (assigned_agent_id) where status = 'assigned';
-- One open chat per customer: opening the chat again resumes it.
create unique index support_conversations_one_open_chat on support_conversations (customer_id)
  where status <> 'closed' and channel = 'chat';

create table support_messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references support_conversations (id),
  author_kind text not null check (author_kind in ('customer', 'agent', 'bot', 'system')),
  author_id uuid references users (id),
  client_id text check (client_id is null or length(client_id) between 1 and 64),
  body text not null default '' check (length(body) <= 2000),
  attachment_file_id uuid references files (id),
  -- The bot's articles, a system event's details.
  payload jsonb,
  -- For bot answers: the customer's verdict, given once.
  helpful boolean,
  created_at timestamptz not null default now()
);
create index support_messages_conversation on support_messages (conversation_id, id);
create unique index support_messages_client_id on support_messages (conversation_id, author_id, client_id)
  where client_id is not null;

-- How far each participant has received and read a conversation.
create table support_read_marks (
  conversation_id uuid not null references support_conversations (id),
  reader_id uuid not null references users (id),
  delivered_up_to bigint not null default 0,
  read_up_to bigint not null default 0,
  primary key (conversation_id, reader_id)
);

-- Agents' availability for assignment.
create table support_agents (
  agent_id uuid primary key references users (id),
  status text not null default 'offline' check (status in ('online', 'away', 'offline')),
  teams text[] not null default '{general}',
  max_chats smallint not null default 5 check (max_chats between 1 and 50),
  updated_at timestamptz not null default now()
);

-- Append-only, like the other histories: only the customer's verdict on a bot answer is set later.
create function support_messages_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.helpful is null
     and (new.id, new.conversation_id, new.author_kind, new.author_id, new.client_id, new.body,
          new.attachment_file_id, new.payload::text, new.created_at)
         is not distinct from
         (old.id, old.conversation_id, old.author_kind, old.author_id, old.client_id, old.body,
          old.attachment_file_id, old.payload::text, old.created_at) then
    return new;
  end if;
  raise exception 'support_messages is append-only' using errcode = 'raise_exception';
end $$;
create trigger support_messages_append_only before update or delete on support_messages
  for each row execute function support_messages_append_only();
