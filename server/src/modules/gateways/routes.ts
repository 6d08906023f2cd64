// Callbacks from payment gateways. They carry no session: the signature is the authentication,
// checked over the exact bytes received, so this plugin keeps JSON bodies raw.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { settleTopup } from "../wallet/topups.js";
import { gatewayFor } from "./index.js";

export async function gatewayRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addContentTypeParser(
    "application/json",
    { parseAs: "buffer", bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, body);
    },
  );

  app.post(
    "/api/v1/gateways/sandbox/notify",
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
        summary: "Sandbox gateway's signed payment notification (x-sandbox-signature)",
        response: {
          200: z.object({ received: z.literal(true), outcome: z.enum(["credited", "failed", "unchanged"]) }),
        },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body)) throw new DomainError("invalid_signature");
      const report = gatewayFor(ctx, "sandbox").verifyNotification(req.body, req.headers);
      return { received: true as const, outcome: await settleTopup(ctx, report) };
    },
  );
}
