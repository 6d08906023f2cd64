// The customer's in-app inbox.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { decodeTimeCursor, encodeTimeCursor } from "../../http/cursor.js";
import { requireAuth } from "../../http/guard.js";
import { countUnread, listNotifications, markNotificationsRead } from "./store.js";

const notification = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.iso.datetime(),
  read: z.boolean(),
});

export async function notifyRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/me/notifications",
    {
      config: { permission: "self" },
      schema: {
        tags: ["notifications"],
        summary: "The in-app inbox, newest first",
        querystring: z.object({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: {
          200: z.object({
            items: z.array(notification),
            unread: z.number().int(),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const { user } = requireAuth(req);
      const after = req.query.cursor ? decodeTimeCursor(req.query.cursor) : undefined;
      const rows = await listNotifications(ctx.db, user.id, after, req.query.limit);
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return {
        items: page.map((n) => ({
          id: n.id,
          kind: n.kind,
          title: n.title,
          body: n.body,
          createdAt: n.created_at.toISOString(),
          read: n.read_at !== null,
        })),
        unread: await countUnread(ctx.db, user.id),
        nextCursor: rows.length > req.query.limit && last ? encodeTimeCursor(last.created_at, last.id) : null,
      };
    },
  );

  app.post(
    "/api/v1/me/notifications/read",
    {
      config: { permission: "self" },
      schema: {
        tags: ["notifications"],
        summary: "Mark notifications read (all when ids is omitted)",
        body: z.object({ ids: z.array(z.uuid()).max(100).optional() }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      const { user } = requireAuth(req);
      await markNotificationsRead(ctx.db, user.id, req.body.ids ?? "all", ctx.clock.now());
      return reply.code(204).send(null);
    },
  );
}
