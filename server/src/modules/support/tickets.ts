// Ticket use cases: chat, email and phone requests in one inbox. A ticket's category is
// suggested from the text, its priority from the category and the customer's state; the same
// customer's open ticket on the same problem takes a new request instead of a second ticket.
// Every state change runs in one transaction with its SLA clocks, notifications and audit.
import { sql } from "kysely";
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/database.js";
import type {
  SupportChannel,
  SupportTicketCategory,
  SupportTicketMessageChannel,
  SupportTicketPriority,
  SupportTicketStatus,
} from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { consumeOtp, issueOtp } from "../identity/index.js";
import { takeFromWindow } from "../identity/rate-window.js";
import { reprioritiseSlaTimers, startSlaTimer, stopSlaTimers } from "./sla.js";
import { needsVerification, priorityFor, suggestCategory } from "./tickets-classify.js";
import {
  emailThreadIds,
  findOpenTicketOf,
  findTicket,
  insertTicket,
  insertTicketMessage,
  latestInboundEmail,
  OPEN_STATUSES,
  staffWithRole,
  type TicketMessageRow,
  type TicketRow,
  updateTicket,
} from "./tickets-store.js";

export type Staff = { id: string; name?: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TICKET_BODY_MAX = 20_000;

// --- what goes over the wire ---

export type Ticket = {
  id: string;
  number: string;
  customerId: string | null;
  requesterEmail: string | null;
  requesterName: string | null;
  channel: SupportChannel;
  subject: string;
  category: SupportTicketCategory;
  suggestedCategory: SupportTicketCategory | null;
  priority: SupportTicketPriority;
  status: SupportTicketStatus;
  team: string;
  assigneeId: string | null;
  conversationId: string | null;
  mergedIntoId: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
  escalatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
};

export type TicketMessage = {
  id: string;
  ticketId: string;
  kind: TicketMessageRow["kind"];
  authorId: string | null;
  channel: SupportTicketMessageChannel;
  body: string;
  mentions: string[];
  emailMessageId: string | null;
  emailStatus: TicketMessageRow["email_status"];
  createdAt: string;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTicket(t: TicketRow): Ticket {
  return {
    id: t.id,
    number: String(t.number),
    customerId: t.customer_id,
    requesterEmail: t.requester_email,
    requesterName: t.requester_name,
    channel: t.channel,
    subject: t.subject,
    category: t.category,
    suggestedCategory: t.suggested_category,
    priority: t.priority,
    status: t.status,
    team: t.team,
    assigneeId: t.assignee_id,
    conversationId: t.conversation_id,
    mergedIntoId: t.merged_into_id,
    verifiedAt: iso(t.verified_at),
    verifiedBy: t.verified_by,
    escalatedAt: iso(t.escalated_at),
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
    firstResponseAt: iso(t.first_response_at),
    resolvedAt: iso(t.resolved_at),
    closedAt: iso(t.closed_at),
  };
}

export function toTicketMessage(m: TicketMessageRow): TicketMessage {
  return {
    id: String(m.id),
    ticketId: m.ticket_id,
    kind: m.kind,
    authorId: m.author_id,
    channel: m.channel,
    body: m.body,
    mentions: m.mentions,
    emailMessageId: m.email_message_id,
    emailStatus: m.email_status,
    createdAt: m.created_at.toISOString(),
  };
}

// --- access ---

/** The ticket, for staff; a customer sees only their own (another's is as absent as none). */
export async function ticketFor(
  db: Executor,
  party: { kind: "customer" | "agent"; id: string },
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<TicketRow> {
  const t = UUID.test(id) ? await findTicket(db, id, opts) : undefined;
  if (!t || (party.kind === "customer" && t.customer_id !== party.id)) {
    throw new DomainError("not_found", { detail: "No such ticket" });
  }
  return t;
}

function checkBody(body: string, field = "body"): string {
  const trimmed = body.trim();
  if (!trimmed) throw new DomainError("validation_failed", { detail: "Write something", field });
  if (trimmed.length > TICKET_BODY_MAX) {
    throw new DomainError("validation_failed", { detail: `At most ${TICKET_BODY_MAX} characters`, field });
  }
  return trimmed;
}

// --- opening ---

export type NewTicket = {
  channel: SupportChannel;
  customerId: string | null;
  requesterEmail?: string | null;
  requesterName?: string | null;
  subject: string;
  body: string;
  /** Who wrote the first message: the customer (email, portal, chat) or an agent logging a call. */
  author: { kind: "customer" } | { kind: "agent"; id: string };
  messageChannel: SupportTicketMessageChannel;
  category?: SupportTicketCategory;
  conversationId?: string | null;
  assigneeId?: string | null;
  email?: { messageId: string } | null;
};

export type OpenedTicket = { ticket: TicketRow; message: TicketMessageRow; joined: boolean };

/**
 * Opens a ticket, or adds the request to the requester's open ticket of the same category:
 * one problem, one ticket.
 */
export async function openTicket(ctx: AppContext, tx: Tx, input: NewTicket): Promise<OpenedTicket> {
  const now = ctx.clock.now();
  const subject = input.subject.trim().slice(0, 200) || input.body.trim().slice(0, 40) || "(无主题)";
  const body = checkBody(input.body);
  const suggestion = suggestCategory(`${subject}\n${body}`);
  const category = input.category ?? suggestion.category;
  const requesterEmail = input.requesterEmail?.toLowerCase() ?? null;
  // Two requests on one problem arriving at once must still make one ticket: serialise the
  // look-up-or-open per requester and category.
  const requester = input.customerId ?? requesterEmail ?? "";
  await sql`select pg_advisory_xact_lock(hashtext(${`support-ticket:${requester}:${category}`}))`.execute(tx);
  const existing = await findOpenTicketOf(tx, { customerId: input.customerId, requesterEmail }, category);
  if (existing) {
    const message = await addRequesterMessage(ctx, tx, existing, {
      body: input.author.kind === "agent" ? `（${channelLabel(input.channel)}）${body}` : body,
      // A logged call is the agent's note of it, as on a new ticket; the customer never sees notes.
      authorKind: input.author.kind === "agent" ? "note" : "customer",
      authorId: input.author.kind === "agent" ? input.author.id : input.customerId,
      channel: input.messageChannel,
      emailMessageId: input.email?.messageId ?? null,
    });
    await insertTicketMessage(tx, {
      ticket_id: existing.id,
      kind: "system",
      channel: "console",
      body: `同一问题的新请求（${channelLabel(input.channel)}）已并入本工单。`,
      created_at: now,
    });
    const after = await updateTicket(tx, existing.id, {
      updated_at: now,
      ...(input.conversationId && !existing.conversation_id ? { conversation_id: input.conversationId } : {}),
    });
    return { ticket: after, message, joined: true };
  }
  const customer = input.customerId
    ? await tx.selectFrom("users").select(["status"]).where("id", "=", input.customerId).executeTakeFirst()
    : undefined;
  const priority = priorityFor(category, customer ?? null);
  const ticket = await insertTicket(tx, {
    customer_id: input.customerId,
    requester_email: requesterEmail,
    requester_name: input.requesterName ?? null,
    channel: input.channel,
    subject,
    category,
    suggested_category: suggestion.score > 0 ? suggestion.category : null,
    priority,
    status: input.assigneeId ? "open" : "new",
    assignee_id: input.assigneeId ?? null,
    conversation_id: input.conversationId ?? null,
    team: category === "system_fault" ? "technical" : "general",
    created_at: now,
    updated_at: now,
    // An agent logging a call has already spoken to the customer: that was the first response.
    first_response_at: input.author.kind === "agent" ? now : null,
  });
  const message = await insertTicketMessage(tx, {
    ticket_id: ticket.id,
    kind: input.author.kind === "agent" ? "note" : "customer",
    author_id: input.author.kind === "agent" ? input.author.id : input.customerId,
    channel: input.messageChannel,
    body,
    email_message_id: input.email?.messageId ?? null,
    created_at: now,
  });
  if (!ticket.first_response_at) await startSlaTimer(tx, ticket, "first_response", now);
  await startSlaTimer(tx, ticket, "resolution", now);
  await ctx.audit.record(tx, {
    actor:
      input.author.kind === "agent"
        ? { id: input.author.id, kind: "staff", ip: null }
        : { id: input.customerId, kind: input.customerId ? "customer" : "anonymous", ip: null },
    action: "support.ticket_opened",
    target: { type: "support_ticket", id: ticket.id },
    details: { channel: input.channel, category, priority, suggested: suggestion.matched },
  });
  return { ticket, message, joined: false };
}

function channelLabel(channel: SupportChannel): string {
  switch (channel) {
    case "chat":
      return "在线聊天";
    case "email":
      return "邮件";
    case "phone":
      return "电话";
    default: {
      const never: never = channel;
      throw new Error(`unknown channel ${String(never)}`);
    }
  }
}

/**
 * The requester wrote again: the message joins the ticket, a resolved ticket reopens, and
 * once someone has answered, the next answer is owed (next-response clock).
 */
export async function addRequesterMessage(
  ctx: AppContext,
  tx: Tx,
  ticket: TicketRow,
  m: {
    body: string;
    authorKind: "customer" | "note";
    authorId: string | null;
    channel: SupportTicketMessageChannel;
    emailMessageId?: string | null;
  },
): Promise<TicketMessageRow> {
  const now = ctx.clock.now();
  const message = await insertTicketMessage(tx, {
    ticket_id: ticket.id,
    kind: m.authorKind,
    author_id: m.authorId,
    channel: m.channel,
    body: checkBody(m.body),
    email_message_id: m.emailMessageId ?? null,
    created_at: now,
  });
  let status = ticket.status;
  if (status === "resolved" || status === "closed") {
    status = "open";
    await startSlaTimer(tx, ticket, "resolution", now);
    await insertTicketMessage(tx, {
      ticket_id: ticket.id,
      kind: "system",
      channel: "console",
      body: "客户再次来信，工单已重新打开。",
      created_at: now,
    });
  } else if (status === "pending") status = "open";
  if (ticket.first_response_at && m.authorKind === "customer") {
    await startSlaTimer(tx, ticket, "next_response", now);
  }
  await updateTicket(tx, ticket.id, {
    status,
    updated_at: now,
    ...(status === "open" && ticket.status !== "open" ? { resolved_at: null, closed_at: null } : {}),
  });
  return message;
}

/** Requests a customer may leave in the portal per hour: enough for a person, not for a script. */
export const CUSTOMER_TICKETS_PER_HOUR = 10;

/** A customer leaves a request in the portal (it may join their open ticket on the problem). */
export async function customerOpensTicket(
  ctx: AppContext,
  customer: { id: string },
  input: { subject: string; body: string },
): Promise<OpenedTicket> {
  return ctx.db.transaction().execute(async (tx) => {
    await takeFromWindow(tx, ctx.clock, {
      key: `support-ticket:${customer.id}`,
      max: CUSTOMER_TICKETS_PER_HOUR,
      windowMs: 60 * 60 * 1000,
    });
    return openTicket(ctx, tx, {
      channel: "chat",
      customerId: customer.id,
      subject: input.subject,
      body: input.body,
      author: { kind: "customer" },
      messageChannel: "portal",
    });
  });
}

/** A customer writes on their ticket from the portal. */
export async function customerWrites(
  ctx: AppContext,
  customer: { id: string },
  ticketId: string,
  body: string,
): Promise<TicketMessageRow> {
  return ctx.db.transaction().execute(async (tx) => {
    const t = await ticketFor(tx, { kind: "customer", id: customer.id }, ticketId, { forUpdate: true });
    if (t.merged_into_id)
      throw new DomainError("conflict", { detail: "This ticket was merged into another" });
    return addRequesterMessage(ctx, tx, t, {
      body,
      authorKind: "customer",
      authorId: customer.id,
      channel: "portal",
    });
  });
}

/** Turns a chat into a ticket: the customer's words so far become its first message. */
export async function openTicketFromConversation(
  ctx: AppContext,
  tx: Tx,
  conversationId: string,
  by: { kind: "bot" } | { kind: "agent"; id: string },
): Promise<OpenedTicket> {
  const already = await tx
    .selectFrom("support_tickets")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .where("status", "in", OPEN_STATUSES)
    .executeTakeFirst();
  const c = await tx
    .selectFrom("support_conversations")
    .select(["id", "customer_id"])
    .where("id", "=", conversationId)
    .executeTakeFirst();
  if (!c) throw new DomainError("not_found", { detail: "No such conversation" });
  if (already) {
    const message = await tx
      .selectFrom("support_ticket_messages")
      .selectAll()
      .where("ticket_id", "=", already.id)
      .orderBy("id")
      .limit(1)
      .executeTakeFirstOrThrow();
    return { ticket: already, message, joined: true };
  }
  const said = await tx
    .selectFrom("support_messages")
    .select(["body"])
    .where("conversation_id", "=", conversationId)
    .where("author_kind", "=", "customer")
    .where("body", "<>", "")
    .orderBy("id", "desc")
    .limit(20)
    .execute();
  const lines = said.map((m) => m.body).reverse();
  const body = lines.join("\n") || "（客户在在线聊天中留言，内容见会话记录）";
  const subject = lines.find((l) => l.length >= 4) ?? lines[0] ?? "在线聊天留言";
  return openTicket(ctx, tx, {
    channel: "chat",
    customerId: c.customer_id,
    subject: subject.slice(0, 60),
    body,
    author: { kind: "customer" },
    messageChannel: "chat",
    conversationId,
    assigneeId: by.kind === "agent" ? by.id : null,
  });
}

// --- agents ---

async function requireVerifiedIfNeeded(t: TicketRow): Promise<void> {
  if ((t.channel === "email" || t.channel === "phone") && t.customer_id && needsVerification(t.category)) {
    if (!t.verified_at) {
      throw new DomainError("customer_not_verified", {
        detail: "Verify the customer with a code to the bound phone before acting on this request",
      });
    }
  }
}

async function renderCanned(db: Executor, t: TicketRow, cannedId: string): Promise<string> {
  const canned = UUID.test(cannedId)
    ? await db
        .selectFrom("support_canned_responses")
        .select("body")
        .where("id", "=", cannedId)
        .executeTakeFirst()
    : undefined;
  if (!canned)
    throw new DomainError("validation_failed", {
      detail: "No such canned response",
      field: "cannedResponseId",
    });
  const customer = t.customer_id
    ? await db.selectFrom("users").select("name").where("id", "=", t.customer_id).executeTakeFirst()
    : undefined;
  const name = customer?.name ?? t.requester_name ?? "客户";
  return canned.body.replaceAll("{customerName}", name).replaceAll("{ticketNumber}", String(t.number));
}

/**
 * An agent answers the requester. By email the answer is queued for SMTP with the thread's
 * headers (email-outbound.ts sends it after commit).
 */
export async function replyToTicket(
  ctx: AppContext,
  agent: Staff,
  ticketId: string,
  input: { body?: string; cannedResponseId?: string },
): Promise<{ ticket: TicketRow; message: TicketMessageRow }> {
  return ctx.db.transaction().execute(async (tx) => {
    const t = await ticketFor(tx, { kind: "agent", id: agent.id }, ticketId, { forUpdate: true });
    if (t.status === "closed") throw new DomainError("conflict", { detail: "This ticket is closed" });
    // Answering is allowed before verification (the answer may be "read us the code");
    // resolving an account or money request is not (statusChange).
    const canned = input.cannedResponseId ? await renderCanned(tx, t, input.cannedResponseId) : "";
    const body = checkBody([canned, input.body ?? ""].filter(Boolean).join("\n\n"));
    const now = ctx.clock.now();
    const byEmail = t.channel === "email" && !!(t.requester_email ?? (await customerEmail(tx, t)));
    const message = await insertTicketMessage(tx, {
      ticket_id: t.id,
      kind: "agent",
      author_id: agent.id,
      channel: byEmail ? "email" : "console",
      body,
      created_at: now,
      ...(byEmail ? await emailHeadersFor(ctx, tx, t) : {}),
    });
    await stopSlaTimers(tx, t.id, ["first_response", "next_response"], now);
    const after = await updateTicket(tx, t.id, {
      updated_at: now,
      status: t.status === "new" || t.status === "resolved" ? "open" : t.status,
      first_response_at: t.first_response_at ?? now,
      assignee_id: t.assignee_id ?? agent.id,
    });
    if (t.customer_id && t.channel !== "email") {
      await ctx.notifier.notifyUser(
        tx,
        { id: t.customer_id },
        {
          kind: "support_ticket_reply",
          title: `工单 #${t.number} 有新回复`,
          body: body.slice(0, 200),
        },
      );
    }
    return { ticket: after, message };
  });
}

async function customerEmail(db: Executor, t: TicketRow): Promise<string | null> {
  if (!t.customer_id) return null;
  const u = await db
    .selectFrom("users")
    .select(["email", "email_verified_at"])
    .where("id", "=", t.customer_id)
    .executeTakeFirst();
  return u?.email && u.email_verified_at ? u.email : null;
}

/** Message-ID for an outgoing reply, and the thread it answers. */
async function emailHeadersFor(ctx: AppContext, db: Executor, t: TicketRow) {
  const thread = await emailThreadIds(db, t.id);
  const last = await latestInboundEmail(db, t.id);
  const domain = ctx.config.supportEmail.address.split("@")[1] ?? "opencounter.local";
  return {
    email_message_id: `<ticket-${t.number}.${crypto.randomUUID()}@${domain}>`,
    email_in_reply_to: last?.email_message_id ?? thread.at(-1) ?? null,
    email_references: thread.slice(-20).join(" ") || null,
    email_to: t.requester_email ?? (await customerEmail(db, t)),
    email_status: "queued" as const,
  };
}

const MENTION = /@([\p{L}\p{N}._-]{1,40})/gu;

/**
 * Whether "@handle" names this staff member: their email's local part, or their name — also
 * when Chinese text runs on without a space ("@李主管请看" names 李主管).
 */
function mentionMatches(handle: string, s: { name: string | null; email: string | null }): boolean {
  const local = s.email?.split("@")[0]?.toLowerCase();
  const name = s.name?.toLowerCase();
  if (handle === local || handle === name) return true;
  return !!name && [...name].length >= 2 && /^\p{Script=Han}/u.test(name) && handle.startsWith(name);
}

/**
 * A note only staff see. "@name" (a staff member's name, or the part of their email before
 * the @) tells that person in their in-app inbox.
 */
export async function addInternalNote(
  ctx: AppContext,
  agent: Staff,
  ticketId: string,
  input: { body: string; mentions?: string[] },
): Promise<TicketMessageRow> {
  return ctx.db.transaction().execute(async (tx) => {
    const t = await ticketFor(tx, { kind: "agent", id: agent.id }, ticketId, { forUpdate: true });
    const body = checkBody(input.body);
    const handles = [...body.matchAll(MENTION)].map((m) => (m[1] ?? "").toLowerCase());
    const staff = await tx
      .selectFrom("users")
      .select(["id", "name", "email"])
      .where("kind", "=", "staff")
      .where("status", "=", "active")
      .execute();
    const mentioned = new Set(
      staff
        .filter((s) => input.mentions?.includes(s.id) || handles.some((h) => mentionMatches(h, s)))
        .map((s) => s.id),
    );
    mentioned.delete(agent.id);
    const now = ctx.clock.now();
    const note = await insertTicketMessage(tx, {
      ticket_id: t.id,
      kind: "note",
      author_id: agent.id,
      channel: "console",
      body,
      mentions: [...mentioned],
      created_at: now,
    });
    for (const id of mentioned) {
      await ctx.notifier.notifyUser(
        tx,
        { id },
        {
          kind: "support_mention",
          title: `${agent.name ?? "同事"} 在工单 #${t.number} 中提到了你`,
          body: body.slice(0, 200),
        },
      );
    }
    await updateTicket(tx, t.id, { updated_at: now });
    return note;
  });
}

export type TicketChange = {
  status?: SupportTicketStatus;
  category?: SupportTicketCategory;
  priority?: SupportTicketPriority;
  assigneeId?: string | null;
  team?: string;
  /** Matches an email sender to a customer (only while the ticket has none). */
  customerId?: string;
};

export const FOLLOW_UP_TEXT =
  "您好，您的问题已处理。如果仍未解决，直接回复本消息即可，工单会重新打开；稍后我们会请您为本次服务打分。";

export async function changeTicket(
  ctx: AppContext,
  agent: Staff,
  ticketId: string,
  change: TicketChange,
): Promise<TicketRow> {
  return ctx.db.transaction().execute(async (tx) => {
    const t = await ticketFor(tx, { kind: "agent", id: agent.id }, ticketId, { forUpdate: true });
    if (t.merged_into_id)
      throw new DomainError("conflict", { detail: "This ticket was merged into another" });
    const now = ctx.clock.now();
    const set: Parameters<typeof updateTicket>[2] = { updated_at: now };
    if (change.customerId !== undefined) {
      if (t.customer_id && t.customer_id !== change.customerId) {
        throw new DomainError("conflict", { detail: "This ticket already belongs to a customer" });
      }
      const c = await tx
        .selectFrom("users")
        .select("id")
        .where("id", "=", change.customerId)
        .where("kind", "=", "customer")
        .executeTakeFirst();
      if (!c) throw new DomainError("validation_failed", { detail: "No such customer", field: "customerId" });
      set.customer_id = c.id;
    }
    if (change.category && change.category !== t.category) set.category = change.category;
    const priority =
      change.priority ??
      (change.category && change.category !== t.category
        ? priorityFor(change.category, await customerState(tx, t.customer_id))
        : undefined);
    if (priority && priority !== t.priority) {
      set.priority = priority;
      await reprioritiseSlaTimers(tx, t.id, priority);
    }
    if (change.assigneeId !== undefined) {
      if (change.assigneeId) {
        const a = await tx
          .selectFrom("users")
          .select("roles")
          .where("id", "=", change.assigneeId)
          .where("kind", "=", "staff")
          .executeTakeFirst();
        if (!a)
          throw new DomainError("validation_failed", { detail: "No such staff member", field: "assigneeId" });
      }
      set.assignee_id = change.assigneeId;
    }
    if (change.team) set.team = change.team;
    if (change.status && change.status !== t.status) {
      Object.assign(set, await statusChange(ctx, tx, { ...t, ...set } as TicketRow, change.status, agent));
    }
    const after = await updateTicket(tx, t.id, set);
    await ctx.audit.record(tx, {
      actor: { id: agent.id, kind: "staff", ip: null },
      action: "support.ticket_changed",
      target: { type: "support_ticket", id: t.id },
      details: { ...change },
    });
    return after;
  });
}

async function customerState(db: Executor, customerId: string | null) {
  if (!customerId) return null;
  return (
    (await db.selectFrom("users").select("status").where("id", "=", customerId).executeTakeFirst()) ?? null
  );
}

async function statusChange(
  ctx: AppContext,
  tx: Tx,
  t: TicketRow,
  to: SupportTicketStatus,
  agent: Staff,
): Promise<Omit<Parameters<typeof updateTicket>[2], "updated_at">> {
  const now = ctx.clock.now();
  switch (to) {
    case "resolved": {
      await requireVerifiedIfNeeded(t);
      await stopSlaTimers(tx, t.id, ["first_response", "next_response", "resolution"], now);
      // The follow-up: what the customer hears at once; the survey comes later (sendDueSurveys).
      await insertTicketMessage(tx, {
        ticket_id: t.id,
        kind: "agent",
        author_id: agent.id,
        channel: "console",
        body: FOLLOW_UP_TEXT,
        created_at: now,
        ...(t.channel === "email" && (t.requester_email || t.customer_id)
          ? await emailHeadersFor(ctx, tx, t)
          : {}),
      });
      if (t.customer_id) {
        await ctx.notifier.notifyUser(
          tx,
          { id: t.customer_id },
          {
            kind: "support_ticket_resolved",
            title: `工单 #${t.number} 已处理`,
            body: FOLLOW_UP_TEXT,
          },
        );
      }
      return { status: to, resolved_at: now };
    }
    case "closed":
      await stopSlaTimers(tx, t.id, ["first_response", "next_response", "resolution"], now);
      return { status: to, closed_at: now };
    case "pending":
      // Waiting for the customer: no answer is owed meanwhile.
      await stopSlaTimers(tx, t.id, ["next_response"], now);
      return { status: to };
    case "open":
    case "new":
      if (t.status === "resolved" || t.status === "closed") {
        await startSlaTimer(tx, t, "resolution", now);
        return { status: "open", resolved_at: null, closed_at: null };
      }
      return { status: to };
    default: {
      const never: never = to;
      throw new Error(`unknown status ${String(never)}`);
    }
  }
}

/** Moves one ticket's messages into another; the merged one closes, pointing at the other. */
export async function mergeTickets(
  ctx: AppContext,
  agent: Staff,
  sourceId: string,
  targetId: string,
): Promise<{ source: TicketRow; target: TicketRow }> {
  if (sourceId === targetId)
    throw new DomainError("validation_failed", { detail: "A ticket cannot merge into itself" });
  return ctx.db.transaction().execute(async (tx) => {
    // Lock in a fixed order so two opposite merges cannot deadlock.
    const [first, second] = [sourceId, targetId].sort();
    await ticketFor(tx, { kind: "agent", id: agent.id }, first ?? "", { forUpdate: true });
    await ticketFor(tx, { kind: "agent", id: agent.id }, second ?? "", { forUpdate: true });
    const source = await ticketFor(tx, { kind: "agent", id: agent.id }, sourceId);
    const target = await ticketFor(tx, { kind: "agent", id: agent.id }, targetId);
    if (source.merged_into_id || target.merged_into_id || target.status === "closed") {
      throw new DomainError("conflict", { detail: "Only open tickets can be merged" });
    }
    if (source.customer_id && target.customer_id && source.customer_id !== target.customer_id) {
      throw new DomainError("conflict", { detail: "The tickets belong to different customers" });
    }
    const now = ctx.clock.now();
    await tx
      .updateTable("support_ticket_messages")
      .set((eb) => ({
        ticket_id: target.id,
        original_ticket_id: eb.fn.coalesce("original_ticket_id", eb.val(source.id)),
      }))
      .where("ticket_id", "=", source.id)
      .execute();
    await stopSlaTimers(tx, source.id, ["first_response", "next_response", "resolution"], now);
    await insertTicketMessage(tx, {
      ticket_id: target.id,
      kind: "system",
      channel: "console",
      body: `工单 #${source.number} 已并入本工单。`,
      created_at: now,
    });
    await insertTicketMessage(tx, {
      ticket_id: source.id,
      kind: "system",
      channel: "console",
      body: `本工单已并入工单 #${target.number}。`,
      created_at: now,
    });
    const closed = await updateTicket(tx, source.id, {
      status: "closed",
      closed_at: now,
      merged_into_id: target.id,
      updated_at: now,
    });
    const after = await updateTicket(tx, target.id, {
      updated_at: now,
      customer_id: target.customer_id ?? source.customer_id,
    });
    await ctx.audit.record(tx, {
      actor: { id: agent.id, kind: "staff", ip: null },
      action: "support.ticket_merged",
      target: { type: "support_ticket", id: source.id },
      details: { into: target.id },
    });
    return { source: closed, target: after };
  });
}

/** Marks two tickets as related (both stay as they are). */
export async function linkTickets(ctx: AppContext, agent: Staff, aId: string, bId: string): Promise<void> {
  if (aId === bId) throw new DomainError("validation_failed", { detail: "A ticket cannot link to itself" });
  await ctx.db.transaction().execute(async (tx) => {
    const a = await ticketFor(tx, { kind: "agent", id: agent.id }, aId);
    const b = await ticketFor(tx, { kind: "agent", id: agent.id }, bId);
    const [x, y] = [a.id, b.id].sort();
    await tx
      .insertInto("support_ticket_links")
      .values({ ticket_a: x ?? a.id, ticket_b: y ?? b.id, created_by: agent.id, created_at: ctx.clock.now() })
      .onConflict((oc) => oc.columns(["ticket_a", "ticket_b"]).doNothing())
      .execute();
  });
}

// --- verifying the caller or sender ---

export async function sendVerificationCode(ctx: AppContext, agent: Staff, ticketId: string) {
  const t = await ticketFor(ctx.db, { kind: "agent", id: agent.id }, ticketId);
  const phone = await boundPhone(ctx.db, t);
  return ctx.db.transaction().execute(async (tx) => {
    const sent = await issueOtp(tx, ctx.clock, ctx.notifier, {
      channel: "sms",
      destination: phone,
      purpose: "support_verify",
    });
    await ctx.audit.record(tx, {
      actor: { id: agent.id, kind: "staff", ip: null },
      action: "support.verification_sent",
      target: { type: "support_ticket", id: t.id },
    });
    return sent;
  });
}

export async function confirmVerification(
  ctx: AppContext,
  agent: Staff,
  ticketId: string,
  code: string,
): Promise<TicketRow> {
  const t = await ticketFor(ctx.db, { kind: "agent", id: agent.id }, ticketId);
  const phone = await boundPhone(ctx.db, t);
  await consumeOtp(ctx.db, ctx.clock, { destination: phone, purpose: "support_verify", code });
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const after = await updateTicket(tx, t.id, { verified_at: now, verified_by: agent.id, updated_at: now });
    await insertTicketMessage(tx, {
      ticket_id: t.id,
      kind: "system",
      channel: "console",
      body: "已通过绑定手机验证码核实客户身份。",
      created_at: now,
    });
    await ctx.audit.record(tx, {
      actor: { id: agent.id, kind: "staff", ip: null },
      action: "support.customer_verified",
      target: { type: "support_ticket", id: t.id },
    });
    return after;
  });
}

async function boundPhone(db: Executor, t: TicketRow): Promise<string> {
  if (!t.customer_id) {
    throw new DomainError("no_verified_destination", { detail: "Match the ticket to a customer first" });
  }
  const u = await db.selectFrom("users").select("phone").where("id", "=", t.customer_id).executeTakeFirst();
  if (!u?.phone) throw new DomainError("no_verified_destination");
  return u.phone;
}

// --- after resolution: survey ---

/** How long after resolution the customer is asked to rate the service. */
export const SURVEY_DELAY_MS = 24 * 60 * 60 * 1000;
/** A resolved ticket nobody reopens closes by itself after this long. */
export const AUTO_CLOSE_MS = 7 * 24 * 60 * 60 * 1000;

/** Sends surveys for tickets resolved a day ago, and closes week-old resolved tickets. */
export async function sendDueSurveys(
  ctx: AppContext,
  limit = 200,
): Promise<{ surveyed: number; closed: number }> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom("support_tickets")
      .selectAll()
      .where("status", "=", "resolved")
      .where("survey_sent_at", "is", null)
      .where("customer_id", "is not", null)
      .where("resolved_at", "<=", new Date(now.getTime() - SURVEY_DELAY_MS))
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const t of due) {
      if (!t.customer_id) continue;
      await tx
        .insertInto("support_surveys")
        .values({ ticket_id: t.id, customer_id: t.customer_id, sent_at: now })
        .onConflict((oc) => oc.column("ticket_id").doNothing())
        .execute();
      await updateTicket(tx, t.id, { survey_sent_at: now, updated_at: now });
      await ctx.notifier.notifyUser(
        tx,
        { id: t.customer_id },
        {
          kind: "support_survey",
          title: `请为工单 #${t.number} 的服务打分`,
          body: "1–5 分，可附上意见；不满意时主管会重新跟进。",
        },
      );
    }
    const closed = await tx
      .updateTable("support_tickets")
      .set({ status: "closed", closed_at: now, updated_at: now })
      .where("status", "=", "resolved")
      .where("resolved_at", "<=", new Date(now.getTime() - AUTO_CLOSE_MS))
      .executeTakeFirst();
    return { surveyed: due.length, closed: Number(closed.numUpdatedRows) };
  });
}

/** The customer's rating; 1 or 2 reopens the ticket for a supervisor. */
export async function answerSurvey(
  ctx: AppContext,
  customer: { id: string },
  ticketId: string,
  answer: { rating: number; comment?: string },
): Promise<{ reopened: boolean }> {
  return ctx.db.transaction().execute(async (tx) => {
    const t = await ticketFor(tx, { kind: "customer", id: customer.id }, ticketId, { forUpdate: true });
    const now = ctx.clock.now();
    const r = await tx
      .updateTable("support_surveys")
      .set({ rating: answer.rating, comment: answer.comment?.trim() || null, answered_at: now })
      .where("ticket_id", "=", t.id)
      .where("answered_at", "is", null)
      .executeTakeFirst();
    if (r.numUpdatedRows === 0n)
      throw new DomainError("conflict", { detail: "No survey to answer on this ticket" });
    if (answer.rating > 2) return { reopened: false };
    await insertTicketMessage(tx, {
      ticket_id: t.id,
      kind: "system",
      channel: "console",
      body: `客户评分 ${answer.rating} 分${answer.comment ? `：「${answer.comment.trim().slice(0, 500)}」` : ""}，工单已重新打开并转交主管。`,
      created_at: now,
    });
    await startSlaTimer(tx, t, "resolution", now);
    await updateTicket(tx, t.id, {
      status: "open",
      team: "supervisors",
      assignee_id: null,
      resolved_at: null,
      closed_at: null,
      escalated_at: now,
      updated_at: now,
    });
    for (const s of await staffWithRole(tx, "supervisor")) {
      await ctx.notifier.notifyUser(
        tx,
        { id: s.id },
        {
          kind: "support_dissatisfied",
          title: `工单 #${t.number} 客户不满意（${answer.rating} 分）`,
          body: answer.comment?.slice(0, 200) ?? "客户未留言。",
        },
      );
    }
    return { reopened: true };
  });
}
