// Live chat over HTTP and WebSocket: customers in the portal, agents in the console.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { requireAuth } from "../../http/guard.js";
import { permissionsOf } from "../../http/permissions.js";
import { readMultipartForm, SESSION_COOKIE, storeChatImage } from "../identity/index.js";
import {
  claimConversation,
  closeConversation,
  conversationFor,
  openChat,
  type Party,
  rateBotAnswer,
  sendAgentMessage,
  sendCustomerMessage,
  setAgentStatus,
  toChatConversation,
  toChatMessage,
  transferConversation,
} from "./chat.js";
import { ChatHub, CLOSE_FORBIDDEN } from "./chat-hub.js";
import { fileIsInConversationOf, listAgents, listConversations, listMessagesAfter } from "./chat-store.js";

const conversationSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  channel: z.string(),
  status: z.enum(["bot", "queued", "assigned", "closed"]),
  team: z.string(),
  assignedAgentId: z.uuid().nullable(),
  handoverReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
const messageSchema = z.object({
  id: z.string(),
  conversationId: z.uuid(),
  author: z.object({ kind: z.enum(["customer", "agent", "bot", "system"]), id: z.uuid().nullable() }),
  clientId: z.string().nullable(),
  body: z.string(),
  attachmentId: z.uuid().nullable(),
  payload: z.unknown(),
  helpful: z.boolean().nullable(),
  createdAt: z.iso.datetime(),
});
const sendBody = z.object({
  clientId: z
    .string()
    .min(1)
    .max(64)
    .describe("the client's own id for this message: sending it again stores it once"),
  body: z.string().max(2_000).optional(),
  attachmentId: z.uuid().optional(),
});
const sendResult = z.object({
  message: messageSchema,
  created: z.boolean(),
  replies: z.array(messageSchema),
});
const idParams = z.object({ id: z.string().max(64) });
const historyQuery = z.object({
  after: z
    .string()
    .regex(/^\d{1,18}$/)
    .default("0"),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

async function partyOf(ctx: AppContext, req: FastifyRequest): Promise<Party> {
  const auth = requireAuth(req);
  const kind = permissionsOf(auth.user.roles).has("support:handle") ? "agent" : "customer";
  const row = await ctx.db
    .selectFrom("users")
    .select("preferences")
    .where("id", "=", auth.user.id)
    .executeTakeFirst();
  const language = (row?.preferences as { language?: unknown } | undefined)?.language;
  return { id: auth.user.id, kind, name: auth.user.name, lang: language === "en" ? "en" : "zh-CN" };
}

/** Browsers send Origin on a WebSocket upgrade; one from another site is a hijacking attempt. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function chatRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const hub = new ChatHub(ctx);
  await hub.start();
  fastify.addHook("onClose", async () => hub.stop());
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/support/socket",
    {
      websocket: true,
      config: { permission: "self" },
      schema: { tags: ["support"], summary: "Live chat socket (customers and agents); see docs/support.md" },
    },
    async (socket, req) => {
      if (!sameOrigin(req)) return socket.close(CLOSE_FORBIDDEN, "cross-site socket refused");
      const party = await partyOf(ctx, req);
      const token = req.cookies[SESSION_COOKIE];
      if (!token) return socket.close(CLOSE_FORBIDDEN, "no session");
      hub.attach(socket, party, token);
    },
  );

  // --- customers ---

  app.post(
    "/api/v1/support/conversations",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Open the chat (or return the open one); the bot greets a new one",
        response: { 200: conversationSchema },
      },
    },
    async (req) => toChatConversation(await openChat(ctx, await partyOf(ctx, req))),
  );

  app.get(
    "/api/v1/support/conversations",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "The customer's conversations, newest first",
        response: { 200: z.object({ items: z.array(conversationSchema) }) },
      },
    },
    async (req) => {
      const rows = await listConversations(
        ctx.db,
        { kind: "customer", customerId: requireAuth(req).user.id },
        { limit: 50 },
      );
      return { items: rows.map(toChatConversation) };
    },
  );

  app.get(
    "/api/v1/support/conversations/:id/messages",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Messages after a message id, oldest first (resume with the last id you have)",
        params: idParams,
        querystring: historyQuery,
        response: { 200: z.object({ items: z.array(messageSchema) }) },
      },
    },
    async (req) => {
      const c = await conversationFor(ctx.db, await partyOf(ctx, req), req.params.id);
      const rows = await listMessagesAfter(ctx.db, c.id, BigInt(req.query.after), req.query.limit);
      return { items: rows.map(toChatMessage) };
    },
  );

  app.post(
    "/api/v1/support/conversations/:id/messages",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Send a message (the socket does the same); the bot's answers come back too",
        params: idParams,
        body: sendBody,
        response: { 201: sendResult, 200: sendResult },
      },
    },
    async (req, reply) => {
      const result = await sendCustomerMessage(ctx, await partyOf(ctx, req), req.params.id, req.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.post(
    "/api/v1/support/messages/:id/feedback",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Was the bot's answer helpful? The second 'no' brings in a person",
        params: idParams,
        body: z.object({ helpful: z.boolean() }),
        response: { 200: z.object({ replies: z.array(messageSchema) }) },
      },
    },
    async (req) => rateBotAnswer(ctx, await partyOf(ctx, req), req.params.id, req.body.helpful),
  );

  app.post(
    "/api/v1/support/conversations/:id/close",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "End the chat",
        params: idParams,
        response: { 200: conversationSchema },
      },
    },
    async (req) => toChatConversation(await closeConversation(ctx, await partyOf(ctx, req), req.params.id)),
  );

  app.post(
    "/api/v1/support/attachments",
    {
      config: { permission: "self" },
      schema: {
        tags: ["support"],
        summary: "Upload an image for a chat message (PNG, JPEG or WebP, at most 5 MB)",
        consumes: ["multipart/form-data"],
        response: { 201: z.object({ id: z.uuid(), contentType: z.string() }) },
      },
    },
    async (req, reply) => {
      const auth = requireAuth(req);
      const form = await readMultipartForm(req);
      if (!form.file)
        throw new DomainError("validation_failed", { detail: "Attach an image", field: "file" });
      const stored = await storeChatImage(ctx.db, auth.user.id, form.file.data, ctx.clock.now());
      return reply.code(201).send(stored);
    },
  );

  app.get(
    "/api/v1/support/attachments/:id",
    {
      config: { permission: "self" },
      schema: {
        tags: ["support"],
        summary: "An image sent in a conversation you are part of",
        params: idParams,
      },
    },
    async (req, reply) => {
      const party = await partyOf(ctx, req);
      const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      const file = UUID.test(req.params.id)
        ? await ctx.db
            .selectFrom("files")
            .select(["owner_user_id", "content_type", "data"])
            .where("id", "=", req.params.id)
            .executeTakeFirst()
        : undefined;
      const where = file ? await fileIsInConversationOf(ctx.db, req.params.id) : undefined;
      const mayRead =
        file?.content_type.startsWith("image/") &&
        (file.owner_user_id === party.id ||
          (where && (party.kind === "agent" || where.customerId === party.id)));
      if (!file || !mayRead) throw new DomainError("not_found", { detail: "No such image" });
      return reply
        .header("content-type", file.content_type)
        .header("cache-control", "private, max-age=3600")
        .header("x-content-type-options", "nosniff")
        .send(file.data);
    },
  );

  // --- agents ---

  app.get(
    "/api/v1/console/support/conversations",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "The agent's inbox: waiting, mine, or all by status",
        querystring: z.object({
          view: z.enum(["queue", "mine", "all"]).default("mine"),
          status: z.enum(["bot", "queued", "assigned", "closed"]).optional(),
        }),
        response: { 200: z.object({ items: z.array(conversationSchema) }) },
      },
    },
    async (req) => {
      const me = requireAuth(req).user.id;
      const filter =
        req.query.view === "queue"
          ? ({ kind: "queue" } as const)
          : req.query.view === "mine"
            ? ({ kind: "agent", agentId: me } as const)
            : ({ kind: "all", status: req.query.status } as const);
      const rows = await listConversations(ctx.db, filter, { limit: 100 });
      return { items: rows.map(toChatConversation) };
    },
  );

  app.get(
    "/api/v1/console/support/conversations/:id/messages",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "A conversation's messages (the conversation only: account data needs the customer's consent)",
        params: idParams,
        querystring: historyQuery,
        response: { 200: z.object({ conversation: conversationSchema, items: z.array(messageSchema) }) },
      },
    },
    async (req) => {
      const c = await conversationFor(ctx.db, await partyOf(ctx, req), req.params.id);
      const rows = await listMessagesAfter(ctx.db, c.id, BigInt(req.query.after), req.query.limit);
      return { conversation: toChatConversation(c), items: rows.map(toChatMessage) };
    },
  );

  app.post(
    "/api/v1/console/support/conversations/:id/messages",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Answer in a conversation you have",
        params: idParams,
        body: sendBody,
        response: { 201: sendResult, 200: sendResult },
      },
    },
    async (req, reply) => {
      const result = await sendAgentMessage(ctx, await partyOf(ctx, req), req.params.id, req.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.post(
    "/api/v1/console/support/conversations/:id/claim",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Take a waiting conversation",
        params: idParams,
        response: { 200: conversationSchema },
      },
    },
    async (req) => toChatConversation(await claimConversation(ctx, await partyOf(ctx, req), req.params.id)),
  );

  app.post(
    "/api/v1/console/support/conversations/:id/transfer",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Pass a conversation to another online agent, or back to the queue",
        params: idParams,
        body: z.union([z.object({ agentId: z.uuid() }), z.object({ queue: z.literal(true) })]),
        response: { 200: conversationSchema },
      },
    },
    async (req) =>
      toChatConversation(await transferConversation(ctx, await partyOf(ctx, req), req.params.id, req.body)),
  );

  app.post(
    "/api/v1/console/support/conversations/:id/close",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "End a conversation you have",
        params: idParams,
        response: { 200: conversationSchema },
      },
    },
    async (req) => toChatConversation(await closeConversation(ctx, await partyOf(ctx, req), req.params.id)),
  );

  app.put(
    "/api/v1/console/support/me",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Set your availability (online agents get new chats, least loaded first)",
        body: z.object({
          status: z.enum(["online", "away", "offline"]).optional(),
          teams: z
            .array(z.string().regex(/^[a-z][a-z0-9_-]{0,30}$/))
            .min(1)
            .max(10)
            .optional(),
          maxChats: z.number().int().min(1).max(50).optional(),
        }),
        response: {
          200: z.object({
            status: z.enum(["online", "away", "offline"]),
            teams: z.array(z.string()),
            maxChats: z.number().int(),
          }),
        },
      },
    },
    async (req) => {
      const row = await setAgentStatus(ctx, requireAuth(req).user.id, req.body);
      return { status: row.status, teams: row.teams, maxChats: row.max_chats };
    },
  );

  app.get(
    "/api/v1/console/support/agents",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Agents with their status and current load",
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                name: z.string().nullable(),
                status: z.enum(["online", "away", "offline"]),
                teams: z.array(z.string()),
                maxChats: z.number().int(),
                load: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: (await listAgents(ctx.db)).map((a) => ({
        id: a.agent_id,
        name: a.name,
        status: a.status,
        teams: a.teams,
        maxChats: a.max_chats,
        load: a.load,
      })),
    }),
  );
}
