// Alipay's asynchronous notification (异步通知): a form-encoded POST with no session, whose RSA2
// signature is the authentication. Alipay reads the body: "success" ends its retries, anything
// else makes it try again later (up to 8 times over about a day), so refusals answer "fail".
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import { requireAuth } from "../../../http/guard.js";
import { getTopup, settleTopup } from "../../wallet/topups.js";
import { alipayGateway } from "./adapter.js";
import { NOTIFY_PATH } from "./protocol.js";

export async function alipayGatewayRoutes(fastify: FastifyInstance, ctx: AppContext) {
  // Only this plugin reads form bodies, and keeps them raw for the signature check.
  fastify.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "buffer", bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, body);
    },
  );

  fastify.post(
    NOTIFY_PATH,
    {
      config: {
        permission: "public",
        csrf: false,
        // A gateway sends from a few addresses, in bursts; the signature is the check, and
        // refusing a genuine notification only delays the credit, so the cap is high.
        rateLimit: { max: 6_000, timeWindow: "1 minute" },
      },
      schema: {
        tags: ["gateways"],
        summary: 'Alipay\'s RSA2-signed trade notification (form-encoded); answers "success" or "fail"',
        consumes: ["application/x-www-form-urlencoded"],
        produces: ["text/plain"],
      },
    },
    async (req, reply) => {
      reply.type("text/plain; charset=utf-8").header("cache-control", "no-store");
      try {
        if (!Buffer.isBuffer(req.body)) throw new DomainError("invalid_signature");
        const report = alipayGateway(ctx).verifyNotification(req.body, req.headers);
        const outcome = await settleTopup(ctx, report);
        req.log.info({ outTradeNo: report.merchantOrderId, outcome }, "alipay notification");
        return reply.send("success");
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        req.log.warn({ code: err.code }, "alipay notification refused");
        return reply.code(err.status).send("fail");
      }
    },
  );

  // QR pay for a pending Alipay top-up of mine: alipay.trade.precreate under the same
  // out_trade_no, so the QR code and the cashier page pay the one trade, credited once.
  fastify.withTypeProvider<ZodTypeProvider>().post(
    "/api/v1/wallet/topups/:id/alipay-qr",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "A QR code (its content, a URL) to pay a pending Alipay top-up with the Alipay app",
        params: z.object({ id: z.string().max(64) }),
        response: { 200: z.object({ topupId: z.uuid(), qrCode: z.string() }) },
      },
    },
    async (req) => {
      const topup = await getTopup(ctx, requireAuth(req).user.id, req.params.id);
      if (topup.method !== "alipay" || topup.status !== "pending")
        throw new DomainError("conflict", { detail: "only a pending Alipay top-up has a QR code" });
      const qr = await alipayGateway(ctx).createQrPayment({
        id: topup.id,
        amount: BigInt(topup.amount),
        currency: topup.currency,
      });
      return { topupId: topup.id, qrCode: qr.qrCode };
    },
  );
}
