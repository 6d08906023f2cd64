// Top-up routes: open a top-up (with Idempotency-Key) and read its status.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { checkIdempotencyKey, createTopup, getTopup } from "./topups.js";

/** ¥50,000 in fen: one top-up at most; the verification-level limits come on top. */
export const MAX_TOPUP_AMOUNT = 5_000_000;

const topup = z.object({
  id: z.uuid(),
  status: z.enum(["pending", "succeeded", "failed"]),
  amount: z.number().int(),
  currency: z.string(),
  method: z.enum(["sandbox", "alipay"]),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export async function topupRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    "/api/v1/wallet/topups",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "Open a top-up through a gateway; needs an Idempotency-Key header",
        body: z.strictObject({
          amount: z.number().int().min(1).max(MAX_TOPUP_AMOUNT),
          currency: z.literal("CNY"),
          method: z.enum(["sandbox", "alipay"]),
        }),
        response: { 201: topup.extend({ payUrl: z.string() }) },
      },
    },
    async (req, reply) => {
      const auth = requireAuth(req);
      const key = checkIdempotencyKey(req.headers["idempotency-key"]);
      const { topup: t, payUrl } = await createTopup(ctx, auth.user.id, key, req.body);
      return reply.code(201).send({ ...t, payUrl });
    },
  );

  app.get(
    "/api/v1/wallet/topups/:id",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "A top-up of the signed-in customer and its status",
        params: z.object({ id: z.string().max(64) }),
        response: { 200: topup },
      },
    },
    async (req) => getTopup(ctx, requireAuth(req).user.id, req.params.id),
  );
}
