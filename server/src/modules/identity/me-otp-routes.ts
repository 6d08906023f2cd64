// A one-time code to my own bound phone or verified email, for the signed-in security pages.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clientInfo, requireAuth } from "../../http/guard.js";
import { ownOtpPurposes, sendCodeToMe } from "./me-otp.js";

export async function meOtpRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    "/api/v1/me/otp",
    {
      config: { permission: "self", rateLimit: { max: 30, timeWindow: "1 minute" } },
      schema: {
        tags: ["me"],
        summary: "Send a one-time code to my bound phone (or verified email)",
        description:
          "The destination is the account's own, so nobody types it; the answer names it masked. " +
          "payment_password, change_phone and withdrawal are for customers only (403 forbidden). " +
          "channel email needs a verified email, and sms a bound phone (409 no_verified_destination). " +
          "Same limits as /auth/otp: one send per 60 s per destination and purpose (429 otp_resend_too_soon), " +
          "10 per hour per IP and per destination (429 rate_limited). " +
          "A code for a new email or a new phone still goes through /auth/otp.",
        body: z.strictObject({
          purpose: z.enum(ownOtpPurposes),
          channel: z.enum(["sms", "email"]).default("sms"),
        }),
        response: {
          202: z.object({
            expiresIn: z.number().int(),
            resendIn: z.number().int(),
            to: z.string().describe("masked: 138****8000 or z***n@example.com"),
          }),
        },
      },
    },
    async (req, reply) => {
      const sent = await sendCodeToMe(ctx, requireAuth(req), req.body, clientInfo(req).ip);
      return reply.code(202).send(sent);
    },
  );
}
