// SQL for conversations, messages, read marks and agents' availability.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import type { SupportAgentStatus, SupportAuthorKind, SupportConversationStatus } from "../../db/schema.js";

export type ConversationRow = {
  id: string;
  customer_id: string;
  channel: string;
  status: SupportConversationStatus;
  team: string;
  assigned_agent_id: string | null;
  bot_unhelpful: number;
  handover_reason: string | null;
  created_at: Date;
  updated_at: Date;
  queued_at: Date | null;
  assigned_at: Date | null;
  first_agent_reply_at: Date | null;
  closed_at: Date | null;
};

const conversationColumns = [
  "id",
  "customer_id",
  "channel",
  "status",
  "team",
  "assigned_agent_id",
  "bot_unhelpful",
  "handover_reason",
  "created_at",
  "updated_at",
  "queued_at",
  "assigned_at",
  "first_agent_reply_at",
  "closed_at",
] as const;

/**
 * The conversation; with `touch`, also locks its row and marks it active at that moment, in one
 * statement (a message, a claim: anything done under the lock is activity).
 */
export async function findConversation(
  db: Executor,
  id: string,
  opts: { touch?: Date; forUpdate?: boolean } = {},
): Promise<ConversationRow | undefined> {
  if (opts.touch) {
    return db
      .updateTable("support_conversations")
      .set({ updated_at: sql<Date>`greatest(updated_at, ${opts.touch})` })
      .where("id", "=", id)
      .returning(conversationColumns)
      .executeTakeFirst();
  }
  let q = db.selectFrom("support_conversations").select(conversationColumns).where("id", "=", id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findOpenChat(db: Executor, customerId: string): Promise<ConversationRow | undefined> {
  return db
    .selectFrom("support_conversations")
    .select(conversationColumns)
    .where("customer_id", "=", customerId)
    .where("channel", "=", "chat")
    .where("status", "<>", "closed")
    .executeTakeFirst();
}

/** Opens a chat, or returns the open one (one open chat per customer, by a unique index). */
export async function insertChatIfNone(
  db: Executor,
  customerId: string,
  now: Date,
): Promise<ConversationRow> {
  const inserted = await db
    .insertInto("support_conversations")
    .values({ customer_id: customerId, channel: "chat", created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.column("customer_id").where("status", "<>", "closed").where("channel", "=", "chat").doNothing(),
    )
    .returning(conversationColumns)
    .executeTakeFirst();
  if (inserted) return inserted;
  const open = await findOpenChat(db, customerId);
  if (!open) throw new Error("open chat vanished");
  return open;
}

export async function updateConversation(
  db: Executor,
  id: string,
  change: Partial<
    Pick<
      ConversationRow,
      | "status"
      | "assigned_agent_id"
      | "bot_unhelpful"
      | "handover_reason"
      | "queued_at"
      | "assigned_at"
      | "first_agent_reply_at"
      | "closed_at"
      | "team"
    >
  > & { updated_at: Date },
): Promise<ConversationRow> {
  return db
    .updateTable("support_conversations")
    .set(change)
    .where("id", "=", id)
    .returning(conversationColumns)
    .executeTakeFirstOrThrow();
}

export type ConversationListFilter =
  | { kind: "customer"; customerId: string }
  | { kind: "queue"; team?: string }
  | { kind: "agent"; agentId: string }
  | { kind: "all"; status?: SupportConversationStatus };

export async function listConversations(
  db: Executor,
  filter: ConversationListFilter,
  page: { before?: Date; limit: number },
): Promise<ConversationRow[]> {
  let q = db.selectFrom("support_conversations").select(conversationColumns);
  switch (filter.kind) {
    case "customer":
      q = q.where("customer_id", "=", filter.customerId);
      break;
    case "queue":
      q = q.where("status", "=", "queued");
      if (filter.team) q = q.where("team", "=", filter.team);
      break;
    case "agent":
      q = q.where("assigned_agent_id", "=", filter.agentId).where("status", "=", "assigned");
      break;
    case "all":
      if (filter.status) q = q.where("status", "=", filter.status);
      break;
    default: {
      const unexpected: never = filter;
      throw new Error(`unknown filter ${JSON.stringify(unexpected)}`);
    }
  }
  if (page.before) q = q.where("updated_at", "<", page.before);
  return q.orderBy("updated_at", "desc").limit(page.limit).execute();
}

// --- messages ---

export type MessageRow = {
  id: bigint;
  conversation_id: string;
  author_kind: SupportAuthorKind;
  author_id: string | null;
  client_id: string | null;
  body: string;
  attachment_file_id: string | null;
  payload: unknown;
  helpful: boolean | null;
  created_at: Date;
};

const messageColumns = [
  "id",
  "conversation_id",
  "author_kind",
  "author_id",
  "client_id",
  "body",
  "attachment_file_id",
  "payload",
  "helpful",
  "created_at",
] as const;

/**
 * Stores a message once: a second insert with the same author and client id returns the
 * first (`created: false`) and stores nothing.
 */
export async function insertMessage(
  db: Executor,
  m: {
    conversationId: string;
    authorKind: SupportAuthorKind;
    authorId: string | null;
    clientId: string | null;
    body: string;
    attachmentFileId: string | null;
    payload: unknown;
    now: Date;
  },
): Promise<{ message: MessageRow; created: boolean }> {
  const values = {
    conversation_id: m.conversationId,
    author_kind: m.authorKind,
    author_id: m.authorId,
    client_id: m.clientId,
    body: m.body,
    attachment_file_id: m.attachmentFileId,
    payload: m.payload === null || m.payload === undefined ? null : JSON.stringify(m.payload),
    created_at: m.now,
  };
  const inserted = await db
    .insertInto("support_messages")
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(["conversation_id", "author_id", "client_id"])
        .where("client_id", "is not", null)
        .doNothing(),
    )
    .returning(messageColumns)
    .executeTakeFirst();
  if (inserted) return { message: inserted, created: true };
  const first = await db
    .selectFrom("support_messages")
    .select(messageColumns)
    .where("conversation_id", "=", m.conversationId)
    .where("author_id", "=", m.authorId)
    .where("client_id", "=", m.clientId)
    .executeTakeFirstOrThrow();
  return { message: first, created: false };
}

export async function findMessage(db: Executor, id: bigint): Promise<MessageRow | undefined> {
  return db.selectFrom("support_messages").select(messageColumns).where("id", "=", id).executeTakeFirst();
}

/** Messages after `after`, oldest first. */
export async function listMessagesAfter(
  db: Executor,
  conversationId: string,
  after: bigint,
  limit: number,
): Promise<MessageRow[]> {
  return db
    .selectFrom("support_messages")
    .select(messageColumns)
    .where("conversation_id", "=", conversationId)
    .where("id", ">", after)
    .orderBy("id", "asc")
    .limit(limit)
    .execute();
}

export async function setHelpful(db: Executor, id: bigint, helpful: boolean): Promise<boolean> {
  const r = await db
    .updateTable("support_messages")
    .set({ helpful })
    .where("id", "=", id)
    .where("helpful", "is", null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function fileIsInConversationOf(
  db: Executor,
  fileId: string,
): Promise<{ customerId: string } | undefined> {
  return db
    .selectFrom("support_messages as m")
    .innerJoin("support_conversations as c", "c.id", "m.conversation_id")
    .select("c.customer_id as customerId")
    .where("m.attachment_file_id", "=", fileId)
    .executeTakeFirst();
}

// --- read marks ---

export async function advanceReadMark(
  db: Executor,
  mark: { conversationId: string; readerId: string; delivered: bigint; read: bigint },
): Promise<{ delivered_up_to: bigint; read_up_to: bigint }> {
  return db
    .insertInto("support_read_marks")
    .values({
      conversation_id: mark.conversationId,
      reader_id: mark.readerId,
      delivered_up_to: mark.delivered > mark.read ? mark.delivered : mark.read,
      read_up_to: mark.read,
    })
    .onConflict((oc) =>
      oc.columns(["conversation_id", "reader_id"]).doUpdateSet({
        delivered_up_to: sql<bigint>`greatest(support_read_marks.delivered_up_to, excluded.delivered_up_to)`,
        read_up_to: sql<bigint>`greatest(support_read_marks.read_up_to, excluded.read_up_to)`,
      }),
    )
    .returning(["delivered_up_to", "read_up_to"])
    .executeTakeFirstOrThrow();
}

export async function readMarksOf(db: Executor, conversationId: string) {
  return db
    .selectFrom("support_read_marks")
    .select(["reader_id", "delivered_up_to", "read_up_to"])
    .where("conversation_id", "=", conversationId)
    .execute();
}

// --- agents ---

export async function upsertAgent(
  db: Executor,
  a: { agentId: string; status?: SupportAgentStatus; teams?: string[]; maxChats?: number; now: Date },
) {
  return db
    .insertInto("support_agents")
    .values({
      agent_id: a.agentId,
      status: a.status ?? "offline",
      teams: a.teams ?? ["general"],
      max_chats: a.maxChats ?? 5,
      updated_at: a.now,
    })
    .onConflict((oc) =>
      oc.column("agent_id").doUpdateSet({
        ...(a.status ? { status: a.status } : {}),
        ...(a.teams ? { teams: a.teams } : {}),
        ...(a.maxChats ? { max_chats: a.maxChats } : {}),
        updated_at: a.now,
      }),
    )
    .returning(["agent_id", "status", "teams", "max_chats", "updated_at"])
    .executeTakeFirstOrThrow();
}

export async function listAgents(db: Executor) {
  return db
    .selectFrom("support_agents as a")
    .innerJoin("users as u", "u.id", "a.agent_id")
    .select([
      "a.agent_id",
      "u.name",
      "a.status",
      "a.teams",
      "a.max_chats",
      sql<number>`(select count(*)::int from support_conversations c
                   where c.assigned_agent_id = a.agent_id and c.status = 'assigned')`.as("load"),
    ])
    .orderBy("u.name")
    .execute();
}

export async function agentIsOnline(db: Executor, team: string): Promise<boolean> {
  const row = await db
    .selectFrom("support_agents")
    .select("agent_id")
    .where("status", "=", "online")
    .where(sql<boolean>`${team} = any(teams)`)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The online agent of `team` with the fewest open chats below their cap, locked so that two
 * processes assigning at once see each other's choice. `except` skips an agent (a transfer).
 */
export async function pickAgent(db: Executor, team: string, except?: string): Promise<string | undefined> {
  const row = await sql<{ agent_id: string }>`
    select a.agent_id
    from support_agents a
    cross join lateral (
      select count(*) as load from support_conversations c
      where c.assigned_agent_id = a.agent_id and c.status = 'assigned'
    ) l
    where a.status = 'online' and ${team} = any(a.teams) and l.load < a.max_chats
      and a.agent_id is distinct from ${except ?? null}::uuid
    order by l.load, a.updated_at
    limit 1
    for update of a`.execute(db);
  return row.rows[0]?.agent_id;
}

/** Queued conversations, oldest first, skipping any another process is assigning right now. */
export async function claimQueued(db: Executor, limit: number): Promise<ConversationRow[]> {
  return db
    .selectFrom("support_conversations")
    .select(conversationColumns)
    .where("status", "=", "queued")
    .orderBy("queued_at", "asc")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}
