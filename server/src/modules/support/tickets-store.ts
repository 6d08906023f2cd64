// SQL for tickets, their messages, links, canned responses and surveys.
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { Executor } from "../../db/database.js";
import type {
  SupportChannel,
  SupportSlaTarget,
  SupportTicketCategory,
  SupportTicketMessagesTable,
  SupportTicketPriority,
  SupportTicketStatus,
  SupportTicketsTable,
} from "../../db/schema.js";

export type TicketRow = Selectable<SupportTicketsTable>;
export type TicketMessageRow = Selectable<SupportTicketMessagesTable>;

export const OPEN_STATUSES: readonly SupportTicketStatus[] = ["new", "open", "pending"];

export async function findTicket(
  db: Executor,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<TicketRow | undefined> {
  let q = db.selectFrom("support_tickets").selectAll().where("id", "=", id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findTicketByNumber(db: Executor, number: bigint): Promise<TicketRow | undefined> {
  return db.selectFrom("support_tickets").selectAll().where("number", "=", number).executeTakeFirst();
}

/** The requester's open ticket on the same problem, if any ("one problem, one ticket"). */
export async function findOpenTicketOf(
  db: Executor,
  who: { customerId: string | null; requesterEmail: string | null },
  category: SupportTicketCategory,
): Promise<TicketRow | undefined> {
  let q = db
    .selectFrom("support_tickets")
    .selectAll()
    .where("category", "=", category)
    .where("status", "in", OPEN_STATUSES)
    .where("merged_into_id", "is", null);
  if (who.customerId) q = q.where("customer_id", "=", who.customerId);
  else if (who.requesterEmail)
    q = q.where("customer_id", "is", null).where("requester_email", "=", who.requesterEmail);
  else return undefined;
  return q.orderBy("created_at", "desc").limit(1).forUpdate().executeTakeFirst();
}

export async function insertTicket(
  db: Executor,
  values: Insertable<SupportTicketsTable>,
): Promise<TicketRow> {
  return db.insertInto("support_tickets").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateTicket(
  db: Executor,
  id: string,
  change: Updateable<SupportTicketsTable> & { updated_at: Date },
): Promise<TicketRow> {
  return db
    .updateTable("support_tickets")
    .set(change)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertTicketMessage(
  db: Executor,
  values: Insertable<SupportTicketMessagesTable>,
): Promise<TicketMessageRow> {
  return db.insertInto("support_ticket_messages").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function listTicketMessages(
  db: Executor,
  ticketId: string,
  opts: { includeNotes: boolean },
): Promise<TicketMessageRow[]> {
  let q = db.selectFrom("support_ticket_messages").selectAll().where("ticket_id", "=", ticketId);
  if (!opts.includeNotes) q = q.where("kind", "<>", "note");
  return q.orderBy("id", "asc").execute();
}

/** The ticket an email belongs to: the one holding any message it replies to or references. */
export async function findTicketByEmailIds(
  db: Executor,
  ids: readonly string[],
): Promise<TicketRow | undefined> {
  if (ids.length === 0) return undefined;
  const hit = await db
    .selectFrom("support_ticket_messages")
    .select("ticket_id")
    .where("email_message_id", "in", ids)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return hit ? findTicket(db, hit.ticket_id) : undefined;
}

export async function emailAlreadyStored(
  db: Executor,
  messageId: string,
): Promise<TicketMessageRow | undefined> {
  return db
    .selectFrom("support_ticket_messages")
    .selectAll()
    .where("email_message_id", "=", messageId)
    .executeTakeFirst();
}

/** The email thread of a ticket, oldest first: what a reply's References header lists. */
export async function emailThreadIds(db: Executor, ticketId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("support_ticket_messages")
    .select("email_message_id")
    .where("ticket_id", "=", ticketId)
    .where("email_message_id", "is not", null)
    .orderBy("id", "asc")
    .execute();
  return rows.flatMap((r) => (r.email_message_id ? [r.email_message_id] : []));
}

export async function latestInboundEmail(
  db: Executor,
  ticketId: string,
): Promise<TicketMessageRow | undefined> {
  return db
    .selectFrom("support_ticket_messages")
    .selectAll()
    .where("ticket_id", "=", ticketId)
    .where("kind", "=", "customer")
    .where("email_message_id", "is not", null)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}

export type TicketListFilter = {
  status?: SupportTicketStatus;
  open?: boolean;
  assigneeId?: string;
  /** Only tickets nobody has taken. */
  unassigned?: boolean;
  customerId?: string;
  category?: SupportTicketCategory;
  priority?: SupportTicketPriority;
  channel?: SupportChannel;
  team?: string;
  /** A ticket number, a customer's exact phone, or words of the subject, requester name or address. */
  search?: string;
  /** The last ticket of the previous page (newest activity first). */
  after?: { updatedAt: Date; id: string };
};

export async function listTickets(db: Executor, f: TicketListFilter, limit: number): Promise<TicketRow[]> {
  let q = db.selectFrom("support_tickets").selectAll();
  if (f.status) q = q.where("status", "=", f.status);
  if (f.open) q = q.where("status", "in", OPEN_STATUSES);
  if (f.assigneeId) q = q.where("assignee_id", "=", f.assigneeId);
  if (f.unassigned) q = q.where("assignee_id", "is", null);
  if (f.customerId) q = q.where("customer_id", "=", f.customerId);
  if (f.category) q = q.where("category", "=", f.category);
  if (f.priority) q = q.where("priority", "=", f.priority);
  if (f.channel) q = q.where("channel", "=", f.channel);
  if (f.team) q = q.where("team", "=", f.team);
  const search = f.search?.trim();
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const number = /^#?\d{1,18}$/.test(search) ? BigInt(search.replace("#", "")) : null;
    q = q.where((eb) =>
      eb.or([
        eb("subject", "ilike", like),
        eb("requester_name", "ilike", like),
        eb("requester_email", "ilike", like),
        eb(
          "customer_id",
          "in",
          eb.selectFrom("users").select("id").where("kind", "=", "customer").where("phone", "=", search),
        ),
        ...(number !== null ? [eb("number", "=", number)] : []),
      ]),
    );
  }
  if (f.after) {
    const { updatedAt, id } = f.after;
    q = q.where((eb) =>
      eb.or([
        eb("updated_at", "<", updatedAt),
        eb.and([eb("updated_at", "=", updatedAt), eb("id", "<", id)]),
      ]),
    );
  }
  return q.orderBy("updated_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

export type RunningTimerRow = {
  ticket_id: string;
  target: SupportSlaTarget;
  warn_at: Date;
  due_at: Date;
  breached_at: Date | null;
};

/** The SLA clocks still running on these tickets, soonest due first. */
export async function runningTimersOf(
  db: Executor,
  ticketIds: readonly string[],
): Promise<RunningTimerRow[]> {
  if (ticketIds.length === 0) return [];
  return db
    .selectFrom("support_sla_timers")
    .select(["ticket_id", "target", "warn_at", "due_at", "breached_at"])
    .where("ticket_id", "in", ticketIds)
    .where("stopped_at", "is", null)
    .orderBy("due_at", "asc")
    .execute();
}

/** Active staff holding any of these roles (those who may handle tickets), by name. */
export async function staffWithAnyRole(
  db: Executor,
  roles: readonly string[],
): Promise<Array<{ id: string; name: string | null; email: string | null }>> {
  return db
    .selectFrom("users")
    .select(["id", "name", "email"])
    .where("kind", "=", "staff")
    .where("status", "=", "active")
    .where(sql<boolean>`roles && ${sql.val([...roles])}::text[]`)
    .orderBy("name")
    .orderBy("id")
    .execute();
}

export async function linkedTicketIds(db: Executor, ticketId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("support_ticket_links")
    .select(["ticket_a", "ticket_b"])
    .where((eb) => eb.or([eb("ticket_a", "=", ticketId), eb("ticket_b", "=", ticketId)]))
    .execute();
  return rows.map((r) => (r.ticket_a === ticketId ? r.ticket_b : r.ticket_a));
}

/** Staff holding a role, for escalations and @mentions. */
export async function staffWithRole(
  db: Executor,
  role: string,
): Promise<Array<{ id: string; name: string | null }>> {
  return db
    .selectFrom("users")
    .select(["id", "name"])
    .where("kind", "=", "staff")
    .where("status", "=", "active")
    .where(sql<boolean>`${role} = any(roles)`)
    .execute();
}
