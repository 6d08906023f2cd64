// Paying merchants and billers over HTTP: the list of merchants, and payments.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clientInfo, requireAuth } from "../../http/guard.js";
import { idempotencyHeaders } from "../../http/idempotency.js";
import type { BatcherOptions } from "../ledger/index.js";
import { createPayments, listMerchants, MERCHANT_CATEGORIES } from "./payments.js";
import { SUPPORTED_CURRENCIES } from "./service.js";

/**
 * How payments are batched (ledger/batch.ts): at most 500 a transaction, the first waiting at most
 * 2 ms for company when none is in flight; while one is in flight another starts only once 100 payments wait, up to 4
 * at once per process (they spend most of their time waiting on the database).
 */
export const PAYMENT_BATCH: BatcherOptions = {
  maxBatch: 500,
  maxWaitMs: 2,
  concurrency: 4,
  parallelAfter: 100,
};

export async function paymentRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const payments = createPayments(ctx, PAYMENT_BATCH);
  // Queued payments are written before the process lets go of the database.
  app.addHook("onClose", async () => payments.close());

  app.get(
    "/api/v1/wallet/merchants",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "Merchants and billers I can pay (including phone top-up)",
        response: {
          200: z.object({
            items: z.array(
              z.object({ id: z.uuid(), name: z.string(), category: z.enum(MERCHANT_CATEGORIES) }),
            ),
          }),
        },
      },
    },
    async () => ({ items: await listMerchants(ctx) }),
  );

  app.post(
    "/api/v1/wallet/payments",
    {
      config: { permission: "customer", sessionCache: true },
      schema: {
        tags: ["wallet"],
        summary: "Pay a merchant or biller (Idempotency-Key; payment password, or 小额免密 without it)",
        description:
          "Without `paymentPassword` the payment succeeds only under small password-free payments " +
          "(小额免密) within their caps. Limits by verification class and business apply; over one: " +
          "422 limit_exceeded naming it. The same Idempotency-Key and body return the first result; " +
          "the same key with another body is 409 idempotency_conflict.",
        headers: idempotencyHeaders,
        body: z.strictObject({
          merchantId: z.uuid(),
          amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
          currency: z.enum(SUPPORTED_CURRENCIES),
          paymentPassword: z.string().min(1).max(64).optional(),
          orderRef: z
            .string()
            .trim()
            .min(1)
            .max(64)
            .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
            .optional(),
          memo: z.string().trim().max(100).optional(),
        }),
        response: {
          201: z.object({ id: z.uuid(), status: z.enum(["succeeded"]), passwordFree: z.boolean() }),
        },
      },
    },
    async (req, reply) => {
      const { user } = requireAuth(req);
      const { amount, ...rest } = req.body;
      const result = await payments.pay(
        user.id,
        { ...rest, amount: BigInt(amount) },
        req.headers["idempotency-key"],
        { ip: clientInfo(req).ip },
      );
      return reply
        .code(201)
        .send({ id: result.id, status: result.status, passwordFree: result.passwordFree });
    },
  );
}
