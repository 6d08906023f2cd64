// Live chat use cases: a customer talks to the bot, the bot hands over, an agent answers.
// Every change is written, then announced on the event bus at commit, so every server process
// (and every socket on it) hears it once, in order. A conversation's row is locked while a
// message is added, so message ids of one conversation grow in commit order and a client
// that resumes "after id N" misses nothing.
import { sql } from "kysely";
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/database.js";
import type { SupportAgentStatus, SupportAuthorKind } from "../../db/schema.js";
import { eventFits } from "../../events.js";
import { DomainError } from "../../http/errors.js";
import { takeFromWindow } from "../identity/rate-window.js";
import { type BotReply, replyToCustomer, replyToFeedback } from "./bot.js";
import { DEFAULT_CALENDAR, isOpen } from "./business-hours.js";
import {
  advanceReadMark,
  agentIsOnline,
  type ConversationRow,
  claimQueued,
  findConversation,
  findMessage,
  insertChatIfNone,
  insertMessage,
  type MessageRow,
  pickAgent,
  setHelpful,
  updateConversation,
  upsertAgent,
} from "./chat-store.js";
import type { HelpLanguage } from "./service.js";
import { openTicketFromConversation } from "./tickets.js";

/** The bus channel every chat event travels on. */
export const CHAT_CHANNEL = "oc_support";
export const MESSAGE_MAX_CHARS = 2_000;
/** Messages a customer may send per minute: a person types slower, a script does not. */
export const CUSTOMER_MESSAGES_PER_MINUTE = 30;
export const STAFFED_HOURS_LABEL = "08:00–22:00";

export type Party = { id: string; kind: "customer" | "agent"; name?: string | null; lang?: HelpLanguage };

// --- what goes over the wire ---

export type ChatMessage = {
  id: string;
  conversationId: string;
  author: { kind: SupportAuthorKind; id: string | null };
  clientId: string | null;
  body: string;
  attachmentId: string | null;
  /** Bot answers: the articles offered; system notes: what happened. */
  payload: unknown;
  helpful: boolean | null;
  createdAt: string;
};

export type ChatConversation = {
  id: string;
  customerId: string;
  channel: string;
  status: ConversationRow["status"];
  team: string;
  assignedAgentId: string | null;
  handoverReason: string | null;
  createdAt: string;
  updatedAt: string;
};

export function toChatMessage(m: MessageRow): ChatMessage {
  return {
    id: String(m.id),
    conversationId: m.conversation_id,
    author: { kind: m.author_kind, id: m.author_id },
    clientId: m.client_id,
    body: m.body,
    attachmentId: m.attachment_file_id,
    payload: m.payload ?? null,
    helpful: m.helpful,
    createdAt: m.created_at.toISOString(),
  };
}

export function toChatConversation(c: ConversationRow): ChatConversation {
  return {
    id: c.id,
    customerId: c.customer_id,
    channel: c.channel,
    status: c.status,
    team: c.team,
    assignedAgentId: c.assigned_agent_id,
    handoverReason: c.handover_reason,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

/** Events on the bus. Short keys: NOTIFY payloads are limited to 8 kB. */
export type ChatEvent =
  | { t: "m"; c: string; m?: ChatMessage; id: string }
  | { t: "cv"; c: string; conv: ChatConversation }
  | { t: "ty"; c: string; k: "customer" | "agent"; u: string }
  | { t: "rc"; c: string; k: "customer" | "agent"; u: string; d: string; r: string }
  | { t: "vw"; c: string; u: string; on: boolean };

async function announce(ctx: AppContext, db: Executor, event: ChatEvent): Promise<void> {
  await ctx.events.publish(db, CHAT_CHANNEL, event);
}

async function announceMessage(ctx: AppContext, db: Executor, m: MessageRow): Promise<void> {
  const dto = toChatMessage(m);
  const full: ChatEvent = { t: "m", c: m.conversation_id, id: dto.id, m: dto };
  // A message too large for NOTIFY goes by id; each process reads it from the database.
  await announce(ctx, db, eventFits(full) ? full : { t: "m", c: m.conversation_id, id: dto.id });
}

async function announceConversation(ctx: AppContext, db: Executor, c: ConversationRow): Promise<void> {
  await announce(ctx, db, { t: "cv", c: c.id, conv: toChatConversation(c) });
}

// --- access ---

/** The conversation, if this party may see it: its customer, or any agent. */
export async function conversationFor(
  db: Executor,
  party: Party,
  id: string,
  opts: { lockAt?: Date; forUpdate?: boolean } = {},
): Promise<ConversationRow> {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  // Locking also marks the conversation active; a refused caller's transaction rolls that back.
  const c = UUID.test(id)
    ? await findConversation(db, id, { touch: opts.lockAt, forUpdate: opts.forUpdate })
    : undefined;
  // Another customer's conversation is as absent as one that does not exist.
  if (!c || (party.kind === "customer" && c.customer_id !== party.id)) {
    throw new DomainError("not_found", { detail: "No such conversation" });
  }
  return c;
}

// --- opening ---

/** The customer's open chat, opened (with the bot's greeting) if there is none. */
export async function openChat(ctx: AppContext, customer: Party): Promise<ConversationRow> {
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const before = await tx
      .selectFrom("support_conversations")
      .select("id")
      .where("customer_id", "=", customer.id)
      .where("channel", "=", "chat")
      .where("status", "<>", "closed")
      .executeTakeFirst();
    const c = await insertChatIfNone(tx, customer.id, now);
    if (!before) {
      const greeting = await replyToCustomer(tx, {
        text: "你好",
        lang: customer.lang ?? "zh-CN",
        unhelpfulAnswers: 0,
        staffed: true,
        staffedHours: STAFFED_HOURS_LABEL,
      });
      await addMessage(
        ctx,
        tx,
        c,
        { kind: "bot", id: null },
        { body: greeting.text, payload: { reply: "greeting" } },
      );
    }
    return c;
  });
}

// --- messages ---

type Author = { kind: SupportAuthorKind; id: string | null };
type MessageInput = {
  clientId?: string | null;
  body?: string;
  attachmentId?: string | null;
  payload?: unknown;
};

/** Adds a message to a conversation whose row the caller has locked, and announces it. */
async function addMessage(
  ctx: AppContext,
  tx: Tx,
  c: ConversationRow,
  author: Author,
  input: MessageInput,
): Promise<{ message: MessageRow; created: boolean }> {
  const now = ctx.clock.now();
  const result = await insertMessage(tx, {
    conversationId: c.id,
    authorKind: author.kind,
    authorId: author.id,
    clientId: input.clientId ?? null,
    body: input.body ?? "",
    attachmentFileId: input.attachmentId ?? null,
    payload: input.payload ?? null,
    now,
  });
  // The caller locked the conversation, which also marked it active.
  if (result.created) await announceMessage(ctx, tx, result.message);
  return result;
}

function checkContent(input: MessageInput): void {
  const body = input.body?.trim() ?? "";
  if (!body && !input.attachmentId) {
    throw new DomainError("validation_failed", { detail: "A message needs text or an image", field: "body" });
  }
  if (body.length > MESSAGE_MAX_CHARS) {
    throw new DomainError("validation_failed", {
      detail: `A message may be at most ${MESSAGE_MAX_CHARS} characters`,
      field: "body",
    });
  }
}

async function checkAttachment(db: Executor, party: Party, fileId: string | null | undefined) {
  if (!fileId) return;
  const file = await db
    .selectFrom("files")
    .select(["owner_user_id", "content_type"])
    .where("id", "=", fileId)
    .executeTakeFirst();
  // Only a picture the sender uploaded: never someone else's file, never a stored ID proof.
  if (!file || file.owner_user_id !== party.id || !file.content_type.startsWith("image/")) {
    throw new DomainError("validation_failed", { detail: "No such image", field: "attachmentId" });
  }
}

export type SendResult = { message: ChatMessage; created: boolean; replies: ChatMessage[] };

/** A customer's message; while the bot has the conversation, the bot answers it. */
export async function sendCustomerMessage(
  ctx: AppContext,
  customer: Party,
  conversationId: string,
  input: MessageInput,
): Promise<SendResult> {
  checkContent(input);
  const sent = await ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, customer, conversationId, { lockAt: ctx.clock.now() });
    if (c.status === "closed") throw new DomainError("conversation_closed");
    await checkAttachment(tx, customer, input.attachmentId);
    const result = await addMessage(
      ctx,
      tx,
      c,
      { kind: "customer", id: customer.id },
      {
        ...input,
        body: input.body?.trim() ?? "",
      },
    );
    if (result.created) {
      await takeFromWindow(tx, ctx.clock, {
        key: `chat:${customer.id}`,
        max: CUSTOMER_MESSAGES_PER_MINUTE,
        windowMs: 60_000,
      });
    }
    return { c, result };
  });
  const replies: ChatMessage[] = [];
  // The bot answers new text only, and only while no person has the conversation.
  if (sent.result.created && sent.c.status === "bot" && sent.result.message.body) {
    replies.push(...(await botAnswers(ctx, customer, conversationId, sent.result.message.body)));
  }
  return { message: toChatMessage(sent.result.message), created: sent.result.created, replies };
}

/**
 * Whether a person will take a chat for `team` soon: an agent of the team is online (whatever
 * the hour), or it is within staffed hours (the customer waits in the queue for the next free
 * agent). Only outside staffed hours with nobody online does the bot take a message instead.
 */
export async function staffedNow(db: Executor, now: Date, team: string): Promise<boolean> {
  return isOpen(DEFAULT_CALENDAR, now) || (await agentIsOnline(db, team));
}

async function botAnswers(ctx: AppContext, customer: Party, conversationId: string, text: string) {
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, customer, conversationId, { lockAt: ctx.clock.now() });
    if (c.status !== "bot") return [];
    const reply = await replyToCustomer(tx, {
      text,
      lang: customer.lang ?? "zh-CN",
      unhelpfulAnswers: c.bot_unhelpful,
      staffed: await staffedNow(tx, ctx.clock.now(), c.team),
      staffedHours: STAFFED_HOURS_LABEL,
    });
    return applyBotReply(ctx, tx, c, reply);
  });
}

async function applyBotReply(
  ctx: AppContext,
  tx: Tx,
  c: ConversationRow,
  reply: BotReply,
): Promise<ChatMessage[]> {
  const payload = {
    reply: reply.kind,
    ...("articles" in reply ? { articles: reply.articles } : {}),
    ...("reason" in reply ? { reason: reply.reason } : {}),
    ...("confidence" in reply ? { confidence: reply.confidence } : {}),
  };
  const { message } = await addMessage(ctx, tx, c, { kind: "bot", id: null }, { body: reply.text, payload });
  const out = [toChatMessage(message)];
  if (reply.kind === "handover" || reply.kind === "take_message") {
    const queued = await queueForPerson(
      ctx,
      tx,
      c,
      reply.kind === "take_message" ? "after_hours" : reply.reason,
    );
    if (queued.status === "assigned") out.push(...(await welcomeFromAgent(ctx, tx, queued)));
    // Out of hours the bot promised a ticket: open it now (support/tickets.ts), so its SLA
    // clock starts and the morning shift finds it in the inbox.
    if (reply.kind === "take_message") await openTicketFromConversation(ctx, tx, c.id, { kind: "bot" });
  }
  return out;
}

/** The customer's verdict on a bot answer; the second "no" brings in a person. */
export async function rateBotAnswer(
  ctx: AppContext,
  customer: Party,
  messageId: string,
  helpful: boolean,
): Promise<{ replies: ChatMessage[] }> {
  if (!/^\d{1,18}$/.test(messageId)) throw new DomainError("not_found", { detail: "No such message" });
  const m = await findMessage(ctx.db, BigInt(messageId));
  if (m?.author_kind !== "bot") throw new DomainError("not_found", { detail: "No such message" });
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, customer, m.conversation_id, { lockAt: ctx.clock.now() });
    if (!(await setHelpful(tx, m.id, helpful)))
      throw new DomainError("conflict", { detail: "Already rated" });
    if (helpful || c.status !== "bot") return { replies: [] };
    const count = c.bot_unhelpful + 1;
    const updated = await updateConversation(tx, c.id, { bot_unhelpful: count, updated_at: ctx.clock.now() });
    const reply = replyToFeedback({
      helpful,
      unhelpfulAnswers: count,
      lang: customer.lang ?? "zh-CN",
      staffed: await staffedNow(tx, ctx.clock.now(), c.team),
      staffedHours: STAFFED_HOURS_LABEL,
    });
    return { replies: reply ? await applyBotReply(ctx, tx, updated, reply) : [] };
  });
}

// --- hand-over and assignment ---

async function queueForPerson(
  ctx: AppContext,
  tx: Tx,
  c: ConversationRow,
  reason: string,
): Promise<ConversationRow> {
  const now = ctx.clock.now();
  const queued = await updateConversation(tx, c.id, {
    status: "queued",
    handover_reason: reason,
    queued_at: now,
    updated_at: now,
  });
  const assigned = await assignConversation(ctx, tx, queued);
  if (assigned.status === "queued") await announceConversation(ctx, tx, assigned);
  return assigned;
}

/**
 * Gives a queued conversation to the least-loaded online agent of its team, if any has room.
 * Assignments in one team are serialised (advisory lock), so two processes never overfill one
 * agent.
 */
async function assignConversation(
  ctx: AppContext,
  tx: Tx,
  c: ConversationRow,
  except?: string,
): Promise<ConversationRow> {
  await sql`select pg_advisory_xact_lock(hashtext(${`support-assign:${c.team}`}))`.execute(tx);
  const agentId = await pickAgent(tx, c.team, except);
  if (!agentId) return c;
  const now = ctx.clock.now();
  const assigned = await updateConversation(tx, c.id, {
    status: "assigned",
    assigned_agent_id: agentId,
    assigned_at: now,
    updated_at: now,
  });
  await announceConversation(ctx, tx, assigned);
  return assigned;
}

async function welcomeFromAgent(ctx: AppContext, tx: Tx, c: ConversationRow): Promise<ChatMessage[]> {
  const { message } = await addMessage(
    ctx,
    tx,
    c,
    { kind: "system", id: null },
    {
      body: "人工客服已接入，请描述您的问题。",
      payload: { event: "assigned", agentId: c.assigned_agent_id },
    },
  );
  return [toChatMessage(message)];
}

/** Hands queued conversations to agents with room; called when an agent comes online or frees up. */
export async function assignWaiting(ctx: AppContext, limit = 50): Promise<number> {
  return ctx.db.transaction().execute(async (tx) => {
    let assigned = 0;
    for (const c of await claimQueued(tx, limit)) {
      const after = await assignConversation(ctx, tx, c);
      if (after.status !== "assigned") break; // nobody has room
      await welcomeFromAgent(ctx, tx, after);
      assigned += 1;
    }
    return assigned;
  });
}

export async function setAgentStatus(
  ctx: AppContext,
  agentId: string,
  change: { status?: SupportAgentStatus; teams?: string[]; maxChats?: number },
) {
  const row = await upsertAgent(ctx.db, { agentId, ...change, now: ctx.clock.now() });
  if (row.status === "online") await assignWaiting(ctx);
  return row;
}

/** An agent takes a waiting (or bot) conversation themselves. */
export async function claimConversation(ctx: AppContext, agent: Party, conversationId: string) {
  const c = await ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, agent, conversationId, { lockAt: ctx.clock.now() });
    if (c.status === "closed") throw new DomainError("conversation_closed");
    if (c.status === "assigned") {
      if (c.assigned_agent_id === agent.id) return c;
      throw new DomainError("conflict", { detail: "Another agent has this conversation" });
    }
    const now = ctx.clock.now();
    const assigned = await updateConversation(tx, c.id, {
      status: "assigned",
      assigned_agent_id: agent.id,
      assigned_at: now,
      queued_at: c.queued_at ?? now,
      handover_reason: c.handover_reason ?? "claimed",
      updated_at: now,
    });
    await announceConversation(ctx, tx, assigned);
    await welcomeFromAgent(ctx, tx, assigned);
    return assigned;
  });
  return c;
}

/** Passes a conversation to another agent (who must be online), or back to the queue. */
export async function transferConversation(
  ctx: AppContext,
  agent: Party,
  conversationId: string,
  to: { agentId: string } | { queue: true },
) {
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, agent, conversationId, { lockAt: ctx.clock.now() });
    if (c.status !== "assigned" || c.assigned_agent_id !== agent.id) {
      throw new DomainError("conflict", { detail: "Only the agent who has the conversation can pass it on" });
    }
    const now = ctx.clock.now();
    if ("queue" in to) {
      const back = await updateConversation(tx, c.id, {
        status: "queued",
        assigned_agent_id: null,
        queued_at: now,
        updated_at: now,
      });
      const after = await assignConversation(ctx, tx, back, agent.id);
      if (after.status === "queued") await announceConversation(ctx, tx, after);
      return after;
    }
    const target = await tx
      .selectFrom("support_agents")
      .select(["agent_id", "status"])
      .where("agent_id", "=", to.agentId)
      .executeTakeFirst();
    if (target?.status !== "online") {
      throw new DomainError("conflict", { detail: "That agent is not online" });
    }
    const moved = await updateConversation(tx, c.id, {
      assigned_agent_id: to.agentId,
      assigned_at: now,
      updated_at: now,
    });
    await addMessage(
      ctx,
      tx,
      moved,
      { kind: "system", id: null },
      {
        body: "已为您转接另一位客服。",
        payload: { event: "transferred", from: agent.id, to: to.agentId },
      },
    );
    await ctx.audit.record(tx, {
      actor: { id: agent.id, kind: "staff", ip: null },
      action: "support.conversation_transferred",
      target: { type: "support_conversation", id: c.id },
      details: { to: to.agentId },
    });
    await announceConversation(ctx, tx, moved);
    return moved;
  });
}

/** An agent's message; the agent must have the conversation. */
export async function sendAgentMessage(
  ctx: AppContext,
  agent: Party,
  conversationId: string,
  input: MessageInput,
): Promise<SendResult> {
  checkContent(input);
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, agent, conversationId, { lockAt: ctx.clock.now() });
    if (c.status === "closed") throw new DomainError("conversation_closed");
    if (c.status !== "assigned" || c.assigned_agent_id !== agent.id) {
      throw new DomainError("conflict", { detail: "Take the conversation before answering it" });
    }
    await checkAttachment(tx, agent, input.attachmentId);
    const result = await addMessage(
      ctx,
      tx,
      c,
      { kind: "agent", id: agent.id },
      {
        ...input,
        body: input.body?.trim() ?? "",
      },
    );
    if (result.created && !c.first_agent_reply_at) {
      await updateConversation(tx, c.id, {
        first_agent_reply_at: ctx.clock.now(),
        updated_at: ctx.clock.now(),
      });
    }
    return { message: toChatMessage(result.message), created: result.created, replies: [] };
  });
}

export async function closeConversation(ctx: AppContext, party: Party, conversationId: string) {
  const closed = await ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, party, conversationId, { lockAt: ctx.clock.now() });
    if (c.status === "closed") return c;
    if (party.kind === "agent" && c.assigned_agent_id !== party.id) {
      throw new DomainError("conflict", { detail: "Only the agent who has the conversation can close it" });
    }
    const now = ctx.clock.now();
    await addMessage(
      ctx,
      tx,
      c,
      { kind: "system", id: null },
      {
        body: party.kind === "customer" ? "您已结束本次会话。" : "客服已结束本次会话，感谢您的耐心。",
        payload: { event: "closed", by: party.kind },
      },
    );
    const after = await updateConversation(tx, c.id, {
      status: "closed",
      assigned_agent_id: null,
      closed_at: now,
      updated_at: now,
    });
    await announceConversation(ctx, tx, after);
    return after;
  });
  // A freed agent can take the next waiting customer.
  await assignWaiting(ctx);
  return closed;
}

// --- ephemeral signals ---

export async function announceTyping(ctx: AppContext, party: Party, conversationId: string) {
  await ctx.events.publish(ctx.db, CHAT_CHANNEL, {
    t: "ty",
    c: conversationId,
    k: party.kind,
    u: party.id,
  } satisfies ChatEvent);
}

export async function announceViewing(ctx: AppContext, agent: Party, conversationId: string, on: boolean) {
  await ctx.events.publish(ctx.db, CHAT_CHANNEL, {
    t: "vw",
    c: conversationId,
    u: agent.id,
    on,
  } satisfies ChatEvent);
}

export async function markReceived(
  ctx: AppContext,
  party: Party,
  conversationId: string,
  marks: { delivered?: bigint; read?: bigint },
) {
  const row = await advanceReadMark(ctx.db, {
    conversationId,
    readerId: party.id,
    delivered: marks.delivered ?? marks.read ?? 0n,
    read: marks.read ?? 0n,
  });
  await announce(ctx, ctx.db, {
    t: "rc",
    c: conversationId,
    k: party.kind,
    u: party.id,
    d: String(row.delivered_up_to),
    r: String(row.read_up_to),
  });
  return row;
}
