// Limits and 小额免密 over HTTP: what applies to me and what remains, my daily transfer cap,
// and password-free payments. Amounts are integer fen.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clientInfo, requireAuth } from "../../http/guard.js";
import { DAILY_TWO_FACTOR_LIMIT, limitsOverview, PASSWORD_FREE_BOUNDS } from "./limits.js";
import { setTransferDailyLimit } from "./limits-settings.js";
import { getPasswordFree, setPasswordFree } from "./password-free.js";
import { toJsonAmount } from "./service.js";

const amountOutput = z.number().int();
const paymentPassword = z.string().min(1).max(64);

export async function limitRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/wallet/limits",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My account class and every limit on my payments: limit, used and remaining (fen)",
        description:
          "period is single (one payment), day (China time), year (China time) or lifetime (since " +
          "the account opened). See docs/limits.md for the codes.",
        response: {
          200: z.object({
            class: z.enum(["I", "II", "III"]),
            items: z.array(
              z.object({
                code: z.string(),
                scope: z.string(),
                period: z.enum(["single", "day", "year", "lifetime"]),
                limit: amountOutput,
                used: amountOutput,
                remaining: amountOutput,
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const o = await limitsOverview(ctx.db, requireAuth(req).user.id, ctx.clock.now());
      return {
        class: o.cls,
        items: o.items.map((i) => ({
          code: i.code,
          scope: i.scope,
          period: i.period,
          limit: toJsonAmount(i.limit),
          used: toJsonAmount(i.used),
          remaining: toJsonAmount(i.remaining),
        })),
      };
    },
  );

  app.put(
    "/api/v1/wallet/limits/transfer-daily",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "Set my own daily cap on transfers to other customers (null removes it); payment password",
        description: `At most the daily cap of ${DAILY_TWO_FACTOR_LIMIT} fen; 0 stops transfers.`,
        body: z.strictObject({
          amount: z.number().int().min(0).max(Number(DAILY_TWO_FACTOR_LIMIT)).nullable(),
          paymentPassword,
        }),
      },
    },
    async (req, reply) => {
      const { amount, paymentPassword: password } = req.body;
      await setTransferDailyLimit(
        ctx,
        requireAuth(req).user.id,
        { amount: amount === null ? null : BigInt(amount), paymentPassword: password },
        { ip: clientInfo(req).ip },
      );
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/wallet/password-free",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My 小额免密 (password-free small payments) settings and what I paid password-free today",
        response: {
          200: z.object({
            enabled: z.boolean(),
            perPaymentLimit: amountOutput,
            dailyLimit: amountOutput,
            usedToday: amountOutput,
          }),
        },
      },
    },
    async (req) => {
      const s = await getPasswordFree(ctx, requireAuth(req).user.id);
      return {
        enabled: s.enabled,
        perPaymentLimit: toJsonAmount(s.perPaymentLimit),
        dailyLimit: toJsonAmount(s.dailyLimit),
        usedToday: toJsonAmount(s.usedToday),
      };
    },
  );

  app.put(
    "/api/v1/wallet/password-free",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "Switch 小额免密 on or off and set its caps; payment password",
        description:
          `perPaymentLimit 1..${PASSWORD_FREE_BOUNDS.maxPerPayment} fen, dailyLimit ` +
          `1..${PASSWORD_FREE_BOUNDS.maxDaily} fen, perPaymentLimit ≤ dailyLimit.`,
        body: z.strictObject({
          enabled: z.boolean(),
          perPaymentLimit: z.number().int().min(1).max(Number(PASSWORD_FREE_BOUNDS.maxPerPayment)),
          dailyLimit: z.number().int().min(1).max(Number(PASSWORD_FREE_BOUNDS.maxDaily)),
          paymentPassword,
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      await setPasswordFree(
        ctx,
        requireAuth(req).user.id,
        {
          enabled: b.enabled,
          perPaymentLimit: BigInt(b.perPaymentLimit),
          dailyLimit: BigInt(b.dailyLimit),
          paymentPassword: b.paymentPassword,
        },
        { ip: clientInfo(req).ip },
      );
      return reply.code(204).send();
    },
  );
}
