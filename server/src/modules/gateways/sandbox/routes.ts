// The sandbox gateway's own HTTP face under /sandbox-gateway/ (registered outside production).
// None of it uses our session: the pay form carries a per-payment token, script calls must be
// JSON (which a cross-site form cannot send), and answers are signed as a provider's would be.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import { renderPayPage } from "./pay-page.js";
import {
  deliverDueNotifications,
  finishSandboxPayment,
  getSandboxPayment,
  httpSender,
  sandboxStatement,
  viewOf,
} from "./service.js";
import { formToken, formTokenHolds, SIGNATURE_HEADER, signMessage } from "./signature.js";

const paymentView = z.object({
  paymentId: z.string(),
  merchantOrderId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(["created", "paid", "failed"]),
  paidAt: z.string().nullable(),
});
const params = z.object({ id: z.string().max(64) });
const UNAUTHENTICATED_BY_SESSION = { permission: "public", csrf: false } as const;

function requireJson(req: FastifyRequest): void {
  if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
    throw new DomainError("bad_request", { detail: "send Content-Type: application/json" });
  }
}

function sendSigned(ctx: AppContext, reply: FastifyReply, value: unknown) {
  const body = JSON.stringify(value);
  reply.header(SIGNATURE_HEADER, signMessage(ctx.crypto, body, ctx.clock.now()));
  return reply.type("application/json; charset=utf-8").send(body);
}

export async function sandboxGatewayRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Only this plugin reads HTML form posts (the pay page's buttons).
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 4096 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  app.get(
    "/sandbox-gateway/pay/:paymentId",
    {
      config: { permission: "public" },
      schema: { hide: true, params: z.object({ paymentId: z.string().max(64) }) },
    },
    async (req, reply) => {
      const p = await getSandboxPayment(ctx, req.params.paymentId);
      return reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .send(renderPayPage(viewOf(p), formToken(ctx.crypto, p.id)));
    },
  );

  app.post(
    "/sandbox-gateway/pay/:paymentId",
    {
      config: UNAUTHENTICATED_BY_SESSION,
      schema: {
        hide: true,
        params: z.object({ paymentId: z.string().max(64) }),
        body: z.object({ formToken: z.string().max(128), outcome: z.enum(["paid", "failed"]) }),
      },
    },
    async (req, reply) => {
      if (!formTokenHolds(ctx.crypto, req.params.paymentId, req.body.formToken))
        throw new DomainError("csrf_failed");
      await finishSandboxPayment(ctx, req.params.paymentId, req.body.outcome);
      // A real gateway notifies within seconds; the job every minute is only the retry. Sent
      // after this answer, so the person at the pay page does not wait for the merchant.
      setImmediate(() => {
        deliverDueNotifications(ctx, httpSender(ctx.config.publicUrl), 20).catch((err: unknown) =>
          req.log.warn({ err }, "sandbox notification not sent yet; the job retries"),
        );
      });
      return reply.redirect(`/sandbox-gateway/pay/${encodeURIComponent(req.params.paymentId)}`, 303);
    },
  );

  for (const [path, outcome] of [
    ["pay", "paid"],
    ["fail", "failed"],
  ] as const) {
    app.post(
      `/sandbox-gateway/payments/:id/${path}`,
      {
        config: UNAUTHENTICATED_BY_SESSION,
        preValidation: async (req) => requireJson(req),
        schema: {
          tags: ["sandbox-gateway"],
          summary:
            outcome === "paid" ? "Sandbox: pay a payment (scripts)" : "Sandbox: fail a payment (scripts)",
          params,
          body: z.object({}).strict().optional(),
          response: { 200: paymentView },
        },
      },
      async (req) => viewOf(await finishSandboxPayment(ctx, req.params.id, outcome)),
    );
  }

  app.get(
    "/sandbox-gateway/payments/:id",
    {
      config: { permission: "public" },
      schema: {
        tags: ["sandbox-gateway"],
        summary: "Sandbox: query a payment (answer signed in x-sandbox-signature)",
        params,
        response: { 200: paymentView },
      },
    },
    async (req, reply) => sendSigned(ctx, reply, viewOf(await getSandboxPayment(ctx, req.params.id))),
  );

  app.get(
    "/sandbox-gateway/statements/:date",
    {
      config: { permission: "public" },
      schema: {
        tags: ["sandbox-gateway"],
        summary: "Sandbox: the paid payments of one day, China time (answer signed)",
        params: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
        response: {
          200: z.object({
            date: z.string(),
            count: z.number().int(),
            total: z.number().int(),
            payments: z.array(paymentView),
          }),
        },
      },
    },
    async (req, reply) => sendSigned(ctx, reply, await sandboxStatement(ctx, req.params.date)),
  );
}
