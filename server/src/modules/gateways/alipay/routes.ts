// Alipay's asynchronous notification (异步通知): a form-encoded POST with no session, whose RSA2
// signature is the authentication. Alipay reads the body: "success" ends its retries, anything
// else makes it try again later (up to 8 times over about a day), so refusals answer "fail".
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import { settleTopup } from "../../wallet/topups.js";
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
      config: { permission: "public", csrf: false },
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
}
