// Development stand-ins: the dev mailbox (every SMS and email that would have gone out).
// Registered only outside production.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { demoStaffSecrets, demoTotp } from "../../demo/seed.js";
import { listOutbound } from "../notify/store.js";
import { type DemoStaffCode, renderMailbox } from "./mailbox-page.js";

const TOTP_PERIOD_S = 30;

async function demoStaffCodes(ctx: AppContext): Promise<DemoStaffCode[]> {
  const now = ctx.clock.now().getTime();
  const secondsLeft = TOTP_PERIOD_S - (Math.floor(now / 1000) % TOTP_PERIOD_S);
  return (await demoStaffSecrets(ctx)).map((s) => ({
    role: s.role,
    login: s.email,
    code: s.secret ? demoTotp(s.secret, s.email).generate({ timestamp: now }) : null,
    secondsLeft,
  }));
}

const message = z.object({
  to: z.string(),
  channel: z.enum(["sms", "email"]),
  subject: z.string().nullable(),
  body: z.string(),
  createdAt: z.iso.datetime(),
});

export async function devRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/dev/messages",
    {
      config: { permission: "public" },
      schema: {
        tags: ["dev"],
        summary: "Dev mailbox: messages that would have been sent, newest first (not in production)",
        querystring: z.object({
          to: z.string().max(254).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(message) }) },
      },
    },
    async (req) => {
      const rows = await listOutbound(
        ctx.db,
        req.query.to?.toLowerCase().includes("@") ? req.query.to.toLowerCase() : req.query.to,
        req.query.limit,
      );
      return {
        items: rows.map((r) => ({
          to: r.destination,
          channel: r.channel,
          subject: r.subject,
          body: r.body,
          createdAt: r.created_at.toISOString(),
        })),
      };
    },
  );

  app.get(
    "/dev/mailbox",
    { schema: { hide: true, querystring: z.object({ to: z.string().max(254).optional() }) } },
    async (req, reply) => {
      const rows = await listOutbound(ctx.db, req.query.to || undefined, 100);
      const codes = await demoStaffCodes(ctx);
      return reply.type("text/html; charset=utf-8").send(renderMailbox(rows, req.query.to ?? "", codes));
    },
  );
}
