-- Tickets on the event bus: the console's ticket inbox and ticket pages follow every change as it
-- commits, instead of asking again once a minute. Triggers, so that every writer is covered —
-- the API, the inbound-mail listener, the outbound-mail and SLA jobs, a person in psql — and the
-- event goes out only if the change commits (NOTIFY is delivered at commit). The payload names
-- the ticket and nothing else: a client that hears of a change reads it through the API, under
-- its own permissions. NOTIFY drops identical payloads within a transaction, so a statement that
-- touches a ticket's row and its messages sends one event for it.
create function support_ticket_event() returns trigger language plpgsql as $$
begin
  perform pg_notify('oc_ticket_events', json_build_object('ticketId', new.id)::text);
  return null;
end $$;

create function support_ticket_message_event() returns trigger language plpgsql as $$
begin
  perform pg_notify('oc_ticket_events', json_build_object('ticketId', new.ticket_id)::text);
  -- A message moved by a merge: the ticket it left changes too.
  if tg_op = 'UPDATE' and old.ticket_id is distinct from new.ticket_id then
    perform pg_notify('oc_ticket_events', json_build_object('ticketId', old.ticket_id)::text);
  end if;
  return null;
end $$;

create trigger support_tickets_event after insert or update on support_tickets
  for each row execute function support_ticket_event();
create trigger support_ticket_messages_event after insert or update on support_ticket_messages
  for each row execute function support_ticket_message_event();
