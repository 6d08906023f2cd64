// Tickets over HTTP: agents in the console (support:handle), customers in the portal
// (their own tickets and surveys), and the signed inbound-email webhook.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { requireAuth } from "../../http/guard.js";
import { roleGrants, staffRoles } from "../../http/permissions.js";
import { SESSION_COOKIE } from "../identity/sessions.js";
import { ingestEmail, parseInboundEmail, verifyInboundSignature } from "./email-inbound.js";
import { closeTicketMailer, deliverTicketEmails } from "./email-outbound.js";
import { slaPolicies } from "./sla.js";
import { TicketEventStreams } from "./ticket-events.js";
import {
  addInternalNote,
  answerSurvey,
  changeTicket,
  confirmVerification,
  customerOpensTicket,
  customerWrites,
  linkTickets,
  mergeTickets,
  openTicket,
  openTicketFromConversation,
  replyToTicket,
  type Staff,
  sendVerificationCode,
  ticketFor,
  toTicket,
  toTicketMessage,
} from "./tickets.js";
import {
  createCannedResponse,
  deleteCannedResponse,
  listCannedResponses,
  updateCannedResponse,
} from "./tickets-canned.js";
import { priorityFor, suggestCategory, ticketCategories, ticketPriorities } from "./tickets-classify.js";
import { reportCsv, supportReport, supportReportSchema } from "./tickets-reports.js";
import {
  linkedTicketIds,
  listTicketMessages,
  listTickets,
  runningTimersOf,
  staffWithAnyRole,
} from "./tickets-store.js";

const statuses = ["new", "open", "pending", "resolved", "closed"] as const;
const channels = ["chat", "email", "phone"] as const;

const ticketSchema = z.object({
  id: z.uuid(),
  number: z.string(),
  customerId: z.uuid().nullable(),
  requesterEmail: z.string().nullable(),
  requesterName: z.string().nullable(),
  channel: z.enum(channels),
  subject: z.string(),
  category: z.enum(ticketCategories),
  suggestedCategory: z.enum(ticketCategories).nullable(),
  priority: z.enum(ticketPriorities),
  status: z.enum(statuses),
  team: z.string(),
  assigneeId: z.uuid().nullable(),
  conversationId: z.uuid().nullable(),
  mergedIntoId: z.uuid().nullable(),
  verifiedAt: z.iso.datetime().nullable(),
  verifiedBy: z.uuid().nullable(),
  escalatedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  firstResponseAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
});
const messageSchema = z.object({
  id: z.string(),
  ticketId: z.uuid(),
  kind: z.enum(["customer", "agent", "note", "system"]),
  authorId: z.uuid().nullable(),
  channel: z.enum(["chat", "email", "phone", "portal", "console"]),
  body: z.string(),
  mentions: z.array(z.uuid()),
  emailMessageId: z.string().nullable(),
  emailStatus: z.enum(["queued", "sent", "failed"]).nullable(),
  createdAt: z.iso.datetime(),
});
const timerSchema = z.object({
  target: z.enum(["first_response", "next_response", "resolution"]),
  startedAt: z.iso.datetime(),
  warnAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  stoppedAt: z.iso.datetime().nullable(),
  warnedAt: z.iso.datetime().nullable(),
  breachedAt: z.iso.datetime().nullable(),
  escalatedTo: z.enum(["supervisor", "technical"]).nullable(),
});
const surveySchema = z
  .object({
    sentAt: z.iso.datetime(),
    rating: z.number().int().nullable(),
    comment: z.string().nullable(),
    answeredAt: z.iso.datetime().nullable(),
  })
  .nullable();
const cannedSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  updatedAt: z.iso.datetime(),
});
const runningTimerSchema = z.object({
  target: z.enum(["first_response", "next_response", "resolution"]),
  warnAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  breachedAt: z.iso.datetime().nullable(),
});
const idParams = z.object({ id: z.string().max(64) });
const bodyText = z.string().min(1).max(20_000);

/** A page boundary: the last ticket's activity time and id, opaque to the client. */
function encodeTicketCursor(t: { updated_at: Date; id: string }): string {
  return Buffer.from(`${t.updated_at.toISOString()}|${t.id}`).toString("base64url");
}

function decodeTicketCursor(cursor: string): { updatedAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const updatedAt = new Date(at ?? "");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(updatedAt.getTime())) {
    throw new DomainError("validation_failed", { detail: "Not a cursor this list gave", field: "cursor" });
  }
  return { updatedAt, id };
}

function staffOf(req: FastifyRequest): Staff {
  const auth = requireAuth(req);
  return { id: auth.user.id, name: auth.user.name };
}

async function surveyOf(ctx: AppContext, ticketId: string) {
  const s = await ctx.db
    .selectFrom("support_surveys")
    .selectAll()
    .where("ticket_id", "=", ticketId)
    .executeTakeFirst();
  return s
    ? {
        sentAt: s.sent_at.toISOString(),
        rating: s.rating,
        comment: s.comment,
        answeredAt: s.answered_at?.toISOString() ?? null,
      }
    : null;
}

/** Sends queued replies now; what fails stays queued for the job. Never fails the request. */
async function sendQueuedEmails(ctx: AppContext, req: FastifyRequest) {
  try {
    await deliverTicketEmails(ctx);
  } catch (err) {
    req.log.warn({ err }, "ticket email delivery deferred");
  }
}

export async function ticketRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  fastify.addHook("onClose", async () => closeTicketMailer());

  // The SMTP listener is started by main.ts, in one process per database (email-inbound.ts).

  // --- agents ---

  const streams = new TicketEventStreams(ctx);
  fastify.addHook("preClose", async () => streams.stop());
  app.get(
    "/api/v1/console/support/tickets/events",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "Ticket changes as they commit (text/event-stream): `event: ticket` with `{ticketId}` for each " +
          "ticket that changed, `event: resync` when changes may have been missed (read everything " +
          "again). Ids only: read the ticket through the API. The stream ends with the session. " +
          "Needs Accept: text/event-stream (else 406 not_acceptable).",
      },
    },
    async (req, reply) => {
      // A stream only for a client that asks for one (EventSource always does); anything else
      // would wait on an answer that never ends.
      if (!String(req.headers.accept ?? "").includes("text/event-stream")) {
        throw new DomainError("not_acceptable", { detail: "ask with Accept: text/event-stream" });
      }
      reply.hijack();
      await streams.open(
        reply.raw,
        reply.getHeaders() as Record<string, string | string[] | number>,
        req.cookies[SESSION_COOKIE] ?? "",
      );
    },
  );

  app.get(
    "/api/v1/console/support/tickets",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "The ticket inbox: chat, email and phone, newest activity first, with each ticket's running SLA clocks. " +
          "q finds a ticket number, a customer's exact phone, or words of the subject or requester",
        querystring: z.object({
          view: z.enum(["open", "mine", "unassigned", "all"]).default("open"),
          status: z.enum(statuses).optional(),
          category: z.enum(ticketCategories).optional(),
          priority: z.enum(ticketPriorities).optional(),
          channel: z.enum(channels).optional(),
          team: z.string().max(40).optional(),
          assigneeId: z.uuid().optional(),
          q: z.string().trim().max(100).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            items: z.array(ticketSchema.extend({ sla: z.array(runningTimerSchema) })),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const me = staffOf(req);
      const q = req.query;
      const rows = await listTickets(
        ctx.db,
        {
          open: q.view !== "all" && !q.status,
          ...(q.view === "mine" ? { assigneeId: me.id } : q.assigneeId ? { assigneeId: q.assigneeId } : {}),
          ...(q.view === "unassigned" ? { unassigned: true } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.category ? { category: q.category } : {}),
          ...(q.priority ? { priority: q.priority } : {}),
          ...(q.channel ? { channel: q.channel } : {}),
          ...(q.team ? { team: q.team } : {}),
          ...(q.q ? { search: q.q } : {}),
          ...(q.cursor ? { after: decodeTicketCursor(q.cursor) } : {}),
        },
        q.limit + 1,
      );
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      const timers = await runningTimersOf(
        ctx.db,
        page.map((r) => r.id),
      );
      return {
        items: page.map((r) => ({
          ...toTicket(r),
          sla: timers
            .filter((s) => s.ticket_id === r.id)
            .map((s) => ({
              target: s.target,
              warnAt: s.warn_at.toISOString(),
              dueAt: s.due_at.toISOString(),
              breachedAt: s.breached_at?.toISOString() ?? null,
            })),
        })),
        nextCursor: rows.length > q.limit && last ? encodeTicketCursor(last) : null,
      };
    },
  );

  app.post(
    "/api/v1/console/support/tickets/category-suggestion",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "The category (and the priority it brings) a ticket with this text would get, and the words that decided it",
        body: z.strictObject({ text: z.string().max(20_000) }),
        response: {
          200: z.object({
            category: z.enum(ticketCategories),
            priority: z.enum(ticketPriorities),
            matched: z.array(z.string()),
          }),
        },
      },
    },
    async (req) => {
      const s = suggestCategory(req.body.text);
      return { category: s.category, priority: priorityFor(s.category, null), matched: s.matched };
    },
  );

  app.get(
    "/api/v1/console/support/colleagues",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Active staff who handle tickets (agents and supervisors): whom to assign or @mention",
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                name: z.string().nullable(),
                handle: z.string().nullable().describe("the part of the email before @, for @mentions"),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const ticketRoles = staffRoles.filter((r) => roleGrants(r, "support:handle"));
      const rows = await staffWithAnyRole(ctx.db, ticketRoles);
      return {
        items: rows.map((r) => ({ id: r.id, name: r.name, handle: r.email?.split("@")[0] ?? null })),
      };
    },
  );

  app.post(
    "/api/v1/console/support/tickets",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "Log a phone call (or an email taken by hand) as a ticket; the category is suggested if not given",
        body: z.strictObject({
          channel: z.enum(["phone", "email"]),
          customerId: z.uuid().optional(),
          phone: z
            .string()
            .regex(/^1[3-9]\d{9}$/)
            .optional(),
          requesterEmail: z.email().optional(),
          requesterName: z.string().max(100).optional(),
          subject: z.string().min(1).max(200),
          body: bodyText,
          category: z.enum(ticketCategories).optional(),
        }),
        response: { 201: z.object({ ticket: ticketSchema, joined: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const me = staffOf(req);
      const b = req.body;
      const customerId =
        b.customerId ??
        (b.phone
          ? (
              await ctx.db
                .selectFrom("users")
                .select("id")
                .where("kind", "=", "customer")
                .where("phone", "=", b.phone)
                .executeTakeFirst()
            )?.id
          : undefined) ??
        null;
      // A ticket answers to someone: a customer, or an address to write back to.
      if (!customerId && !b.requesterEmail) {
        throw new DomainError("validation_failed", {
          detail: b.phone
            ? "No customer has this phone number; give the caller's email instead"
            : "Name the customer (customerId or phone) or the requester's email",
          field: b.phone ? "phone" : "customerId",
        });
      }
      const opened = await ctx.db.transaction().execute((tx) =>
        openTicket(ctx, tx, {
          channel: b.channel,
          customerId,
          requesterEmail: b.requesterEmail ?? null,
          requesterName: b.requesterName ?? null,
          subject: b.subject,
          body: b.body,
          author: { kind: "agent", id: me.id },
          messageChannel: b.channel,
          ...(b.category ? { category: b.category } : {}),
          assigneeId: me.id,
        }),
      );
      return reply.code(201).send({ ticket: toTicket(opened.ticket), joined: opened.joined });
    },
  );

  app.get(
    "/api/v1/console/support/tickets/:id",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "A ticket with its messages and internal notes, linked tickets, SLA clocks and survey",
        params: idParams,
        response: {
          200: z.object({
            ticket: ticketSchema,
            messages: z.array(messageSchema),
            links: z.array(ticketSchema),
            timers: z.array(timerSchema),
            survey: surveySchema,
          }),
        },
      },
    },
    async (req) => {
      const t = await ticketFor(ctx.db, { kind: "agent", id: staffOf(req).id }, req.params.id);
      const linkIds = await linkedTicketIds(ctx.db, t.id);
      const links = linkIds.length
        ? await ctx.db.selectFrom("support_tickets").selectAll().where("id", "in", linkIds).execute()
        : [];
      const timers = await ctx.db
        .selectFrom("support_sla_timers")
        .selectAll()
        .where("ticket_id", "=", t.id)
        .orderBy("id")
        .execute();
      return {
        ticket: toTicket(t),
        messages: (await listTicketMessages(ctx.db, t.id, { includeNotes: true })).map(toTicketMessage),
        links: links.map(toTicket),
        timers: timers.map((s) => ({
          target: s.target,
          startedAt: s.started_at.toISOString(),
          warnAt: s.warn_at.toISOString(),
          dueAt: s.due_at.toISOString(),
          stoppedAt: s.stopped_at?.toISOString() ?? null,
          warnedAt: s.warned_at?.toISOString() ?? null,
          breachedAt: s.breached_at?.toISOString() ?? null,
          escalatedTo: s.escalated_to,
        })),
        survey: await surveyOf(ctx, t.id),
      };
    },
  );

  app.patch(
    "/api/v1/console/support/tickets/:id",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "Change status, category, priority, assignee or team; match an email sender to a customer. " +
          "Resolving sends the follow-up; account and money requests by email or phone need the customer verified first (403 customer_not_verified)",
        params: idParams,
        body: z.strictObject({
          status: z.enum(statuses).optional(),
          category: z.enum(ticketCategories).optional(),
          priority: z.enum(ticketPriorities).optional(),
          assigneeId: z.uuid().nullable().optional(),
          team: z.string().min(1).max(40).optional(),
          customerId: z.uuid().optional(),
        }),
        response: { 200: ticketSchema },
      },
    },
    async (req) => {
      const t = await changeTicket(ctx, staffOf(req), req.params.id, req.body);
      await sendQueuedEmails(ctx, req);
      return toTicket(t);
    },
  );

  app.post(
    "/api/v1/console/support/tickets/:id/replies",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "Answer the requester (by email for email tickets, threaded); a canned response may start the text",
        params: idParams,
        body: z
          .strictObject({ body: z.string().max(20_000).optional(), cannedResponseId: z.uuid().optional() })
          .refine((b) => b.body || b.cannedResponseId, "body or cannedResponseId"),
        response: { 201: messageSchema },
      },
    },
    async (req, reply) => {
      const { message } = await replyToTicket(ctx, staffOf(req), req.params.id, req.body);
      await sendQueuedEmails(ctx, req);
      const fresh = await ctx.db
        .selectFrom("support_ticket_messages")
        .selectAll()
        .where("id", "=", message.id)
        .executeTakeFirstOrThrow();
      return reply.code(201).send(toTicketMessage(fresh));
    },
  );

  app.post(
    "/api/v1/console/support/tickets/:id/notes",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "An internal note (staff only); @name tells that colleague in their inbox",
        params: idParams,
        body: z.strictObject({ body: bodyText, mentions: z.array(z.uuid()).max(20).optional() }),
        response: { 201: messageSchema },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(toTicketMessage(await addInternalNote(ctx, staffOf(req), req.params.id, req.body))),
  );

  app.post(
    "/api/v1/console/support/tickets/:id/merge",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Merge this ticket into another: its messages move there, this one closes pointing at it",
        params: idParams,
        body: z.strictObject({ intoId: z.uuid() }),
        response: { 200: z.object({ source: ticketSchema, target: ticketSchema }) },
      },
    },
    async (req) => {
      const r = await mergeTickets(ctx, staffOf(req), req.params.id, req.body.intoId);
      return { source: toTicket(r.source), target: toTicket(r.target) };
    },
  );

  app.post(
    "/api/v1/console/support/tickets/:id/links",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Mark another ticket as related",
        params: idParams,
        body: z.strictObject({ ticketId: z.uuid() }),
      },
    },
    async (req, reply) => {
      await linkTickets(ctx, staffOf(req), req.params.id, req.body.ticketId);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/v1/console/support/tickets/:id/verification",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Send the customer a one-time code to the bound phone, to read back to the agent",
        params: idParams,
        response: { 202: z.object({ expiresIn: z.number().int(), resendIn: z.number().int() }) },
      },
    },
    async (req, reply) => reply.code(202).send(await sendVerificationCode(ctx, staffOf(req), req.params.id)),
  );

  app.post(
    "/api/v1/console/support/tickets/:id/verification/confirm",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Check the code the customer read out; the ticket records when and by whom",
        params: idParams,
        body: z.strictObject({ code: z.string().regex(/^\d{6}$/) }),
        response: { 200: ticketSchema },
      },
    },
    async (req) => toTicket(await confirmVerification(ctx, staffOf(req), req.params.id, req.body.code)),
  );

  app.post(
    "/api/v1/console/support/conversations/:id/ticket",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Turn a chat into a ticket (or return the chat's open ticket)",
        params: idParams,
        response: { 201: z.object({ ticket: ticketSchema, joined: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const me = staffOf(req);
      if (!/^[0-9a-f-]{36}$/i.test(req.params.id)) throw new DomainError("not_found");
      const opened = await ctx.db
        .transaction()
        .execute((tx) => openTicketFromConversation(ctx, tx, req.params.id, { kind: "agent", id: me.id }));
      return reply.code(201).send({ ticket: toTicket(opened.ticket), joined: opened.joined });
    },
  );

  app.get(
    "/api/v1/console/support/canned-responses",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Canned responses ({customerName} and {ticketNumber} are filled in on use)",
        response: { 200: z.object({ items: z.array(cannedSchema) }) },
      },
    },
    async () => ({ items: await listCannedResponses(ctx) }),
  );

  app.post(
    "/api/v1/console/support/canned-responses",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Add a canned response",
        body: z.strictObject({
          title: z.string().trim().min(1).max(100),
          body: z.string().trim().min(1).max(5000),
        }),
        response: { 201: cannedSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await createCannedResponse(ctx, staffOf(req).id, req.body)),
  );

  app.put(
    "/api/v1/console/support/canned-responses/:id",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Change a canned response",
        params: idParams,
        body: z.strictObject({
          title: z.string().trim().min(1).max(100).optional(),
          body: z.string().trim().min(1).max(5000).optional(),
        }),
        response: { 200: cannedSchema },
      },
    },
    async (req) => updateCannedResponse(ctx, req.params.id, req.body),
  );

  app.delete(
    "/api/v1/console/support/canned-responses/:id",
    {
      config: { permission: "support:handle" },
      schema: { tags: ["support"], summary: "Delete a canned response", params: idParams },
    },
    async (req, reply) => {
      await deleteCannedResponse(ctx, req.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/console/support/sla-policies",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "SLA targets per priority, in business minutes",
        response: {
          200: z.object({
            items: z.array(
              z.object({
                priority: z.enum(ticketPriorities),
                firstResponseMinutes: z.number().int(),
                nextResponseMinutes: z.number().int(),
                resolutionMinutes: z.number().int(),
                warnAtPercent: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: (await slaPolicies(ctx.db)).map((p) => ({
        priority: p.priority,
        firstResponseMinutes: p.first_response_minutes,
        nextResponseMinutes: p.next_response_minutes,
        resolutionMinutes: p.resolution_minutes,
        warnAtPercent: p.warn_at_percent,
      })),
    }),
  );

  app.get(
    "/api/v1/console/support/reports",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "Volume by category and channel, first-response and resolution times (business minutes, median/p90), " +
          "SLA breaches, satisfaction, agent load; format=csv for the same as a spreadsheet",
        querystring: z.object({
          from: z.iso.datetime({ offset: true }).or(z.iso.date()),
          to: z.iso.datetime({ offset: true }).or(z.iso.date()),
          format: z.enum(["json", "csv"]).default("json"),
        }),
        produces: ["application/json", "text/csv"],
        response: {
          200: supportReportSchema.or(z.string().describe("format=csv: section,key,value rows as text/csv")),
        },
      },
    },
    async (req, reply) => {
      const from = new Date(req.query.from);
      const to = new Date(req.query.to);
      if (!(from < to) || to.getTime() - from.getTime() > 366 * 24 * 3600 * 1000) {
        throw new DomainError("validation_failed", {
          detail: "from must be before to, at most a year apart",
          field: "to",
        });
      }
      const report = await supportReport(ctx.db, from, to);
      if (req.query.format === "csv") {
        const name = `support-report-${req.query.from.slice(0, 10)}-${req.query.to.slice(0, 10)}.csv`;
        return reply
          .header("content-type", "text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="${name}"`)
          .send(reportCsv(report));
      }
      return report;
    },
  );

  // --- customers ---

  app.get(
    "/api/v1/support/tickets",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "The customer's own tickets, newest activity first",
        response: { 200: z.object({ items: z.array(ticketSchema) }) },
      },
    },
    async (req) => {
      const rows = await listTickets(ctx.db, { customerId: requireAuth(req).user.id }, 100);
      return { items: rows.map(toTicket) };
    },
  );

  app.post(
    "/api/v1/support/tickets",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Leave a request (joins your open ticket on the same problem, if there is one)",
        body: z.strictObject({ subject: z.string().min(1).max(200), body: z.string().min(1).max(5_000) }),
        response: { 201: z.object({ ticket: ticketSchema, joined: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const opened = await customerOpensTicket(ctx, requireAuth(req).user, req.body);
      return reply.code(201).send({ ticket: toTicket(opened.ticket), joined: opened.joined });
    },
  );

  app.get(
    "/api/v1/support/tickets/:id",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "One of the customer's tickets with its messages (no internal notes) and survey",
        params: idParams,
        response: {
          200: z.object({ ticket: ticketSchema, messages: z.array(messageSchema), survey: surveySchema }),
        },
      },
    },
    async (req) => {
      const t = await ticketFor(ctx.db, { kind: "customer", id: requireAuth(req).user.id }, req.params.id);
      return {
        ticket: toTicket(t),
        messages: (await listTicketMessages(ctx.db, t.id, { includeNotes: false })).map(toTicketMessage),
        survey: await surveyOf(ctx, t.id),
      };
    },
  );

  app.post(
    "/api/v1/support/tickets/:id/messages",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Write on your ticket (reopens it if it was resolved)",
        params: idParams,
        body: z.strictObject({ body: z.string().min(1).max(5_000) }),
        response: { 201: messageSchema },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          toTicketMessage(await customerWrites(ctx, requireAuth(req).user, req.params.id, req.body.body)),
        ),
  );

  app.post(
    "/api/v1/support/tickets/:id/survey",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Rate the service 1–5 with an optional comment; 1 or 2 reopens the ticket for a supervisor",
        params: idParams,
        body: z.strictObject({
          rating: z.number().int().min(1).max(5),
          comment: z.string().max(1000).optional(),
        }),
        response: { 200: z.object({ reopened: z.boolean() }) },
      },
    },
    async (req) => answerSurvey(ctx, requireAuth(req).user, req.params.id, req.body),
  );

  // --- inbound email webhook ---

  app.post(
    "/api/v1/support/inbound-email",
    {
      config: { permission: "public" },
      // Raw MIME up to the listener's limit, plus JSON escaping.
      bodyLimit: 3 * 1024 * 1024,
      schema: {
        tags: ["support"],
        summary:
          "An email for the support address, as raw MIME. Signed: X-OC-Timestamp (unix seconds, ±5 min) and " +
          "X-OC-Signature = hex HMAC-SHA256 of <timestamp>.<raw> under the key derived from SECRET_KEY for " +
          "'support-inbound-email'",
        body: z.strictObject({
          raw: z
            .string()
            .min(1)
            .max(2 * 1024 * 1024),
        }),
        response: {
          200: z.object({
            ignored: z.boolean().describe("an auto-reply or bounce: accepted, stored nowhere"),
            ticketId: z.uuid().nullable(),
            number: z.string().nullable(),
            created: z.boolean(),
            duplicate: z.boolean(),
          }),
        },
      },
    },
    async (req) => {
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      verifyInboundSignature(ctx, {
        timestamp: header("x-oc-timestamp"),
        signature: header("x-oc-signature"),
        raw: req.body.raw,
      });
      const r = await ingestEmail(ctx, await parseInboundEmail(req.body.raw));
      if (r.ignored) return { ignored: true, ticketId: null, number: null, created: false, duplicate: false };
      return {
        ignored: false,
        ticketId: r.ticket.id,
        number: String(r.ticket.number),
        created: r.created,
        duplicate: r.duplicate,
      };
    },
  );
}
