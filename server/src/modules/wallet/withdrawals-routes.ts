// Withdrawals over HTTP: quote, the most I can withdraw, ask (payment password + SMS code + Idempotency-Key), list, read.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clientInfo, requireAuth } from "../../http/guard.js";
import { getWallet, SUPPORTED_CURRENCIES, toJsonAmount } from "./service.js";
import "./withdrawals-review.js";
import { idempotencyHeaders } from "../../http/idempotency.js";
import {
  getWithdrawal,
  largestWithdrawal,
  listWithdrawals,
  quoteWithdrawal,
  requestWithdrawal,
  withdrawalFee,
  withdrawalJson,
} from "./withdrawals.js";

const amountInput = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const amountOutput = z.number().int();

const withdrawalStatus = z.enum(["under_review", "processing", "succeeded", "failed", "rejected"]);

const withdrawalSchema = z.object({
  id: z.uuid(),
  amount: amountOutput,
  fee: amountOutput,
  currency: z.string(),
  bankCard: z.object({ id: z.uuid(), masked: z.string(), bankName: z.string().nullable() }),
  status: withdrawalStatus,
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export async function withdrawalRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/wallet/withdrawals/quote",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "What a withdrawal of this amount costs (fee, total held) and whether it needs review",
        querystring: z.strictObject({
          amount: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
          currency: z.enum(SUPPORTED_CURRENCIES).default("CNY"),
        }),
        response: {
          200: z.object({
            amount: amountOutput,
            fee: amountOutput,
            total: amountOutput,
            currency: z.string(),
            reviewRequired: z.boolean(),
            approvalsRequired: z.number().int(),
          }),
        },
      },
    },
    async (req) => {
      const q = quoteWithdrawal(ctx, BigInt(req.query.amount), req.query.currency);
      return {
        amount: toJsonAmount(q.amount),
        fee: toJsonAmount(q.fee),
        total: toJsonAmount(q.total),
        currency: q.currency,
        reviewRequired: q.reviewRequired,
        approvalsRequired: q.approvalsRequired,
      };
    },
  );

  app.get(
    "/api/v1/wallet/withdrawals/max",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary:
          "The most I can withdraw now: the largest amount my available balance pays for with its fee (全部提现)",
        querystring: z.strictObject({ currency: z.enum(SUPPORTED_CURRENCIES).default("CNY") }),
        response: {
          200: z.object({
            available: amountOutput,
            amount: amountOutput,
            fee: amountOutput,
            total: amountOutput,
            currency: z.string(),
          }),
        },
      },
    },
    async (req) => {
      const currency = req.query.currency;
      const account = (await getWallet(ctx, requireAuth(req).user.id)).find((a) => a.currency === currency);
      const available = account && account.available > 0n ? account.available : 0n;
      const amount = largestWithdrawal(ctx.config.withdrawals, available);
      const fee = amount > 0n ? withdrawalFee(ctx.config.withdrawals, amount) : 0n;
      return {
        available: toJsonAmount(available),
        amount: toJsonAmount(amount),
        fee: toJsonAmount(fee),
        total: toJsonAmount(amount + fee),
        currency,
      };
    },
  );

  app.post(
    "/api/v1/wallet/withdrawals",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary:
          "Withdraw to a bound bank card (payment password, SMS code of purpose withdrawal, Idempotency-Key)",
        description:
          "amount + fee are held at once. Up to the auto-approve amount the withdrawal goes to the bank " +
          "(status processing); above it, it waits for review (under_review; two different reviewers from " +
          "the dual-approval amount). Replaying the same Idempotency-Key and body returns the withdrawal " +
          "as it is now, without checking the code again; another body is 409 idempotency_conflict.",
        headers: idempotencyHeaders,
        body: z.strictObject({
          amount: amountInput,
          currency: z.enum(SUPPORTED_CURRENCIES),
          bankCardId: z.uuid(),
          paymentPassword: z.string().min(1).max(64),
          otp: z.string().regex(/^\d{6}$/, "six digits"),
        }),
        response: {
          201: z.object({
            id: z.uuid(),
            status: withdrawalStatus,
            amount: amountOutput,
            fee: amountOutput,
            currency: z.string(),
          }),
        },
      },
    },
    async (req, reply) => {
      const { user } = requireAuth(req);
      const { amount, ...rest } = req.body;
      const { withdrawal } = await requestWithdrawal(
        ctx,
        user.id,
        { ...rest, amount: BigInt(amount) },
        req.headers["idempotency-key"],
        { ip: clientInfo(req).ip },
      );
      const w = withdrawalJson(withdrawal);
      return reply
        .code(201)
        .send({ id: w.id, status: w.status, amount: w.amount, fee: w.fee, currency: w.currency });
    },
  );

  app.get(
    "/api/v1/wallet/withdrawals",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My withdrawals, newest first (cursor pagination)",
        querystring: z.strictObject({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(withdrawalSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const page = await listWithdrawals(ctx, requireAuth(req).user.id, req.query);
      return { items: page.items.map(withdrawalJson), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/api/v1/wallet/withdrawals/:id",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "One of my withdrawals, with its status and, when it failed or was rejected, why",
        params: z.object({ id: z.uuid() }),
        response: { 200: withdrawalSchema },
      },
    },
    async (req) => withdrawalJson(await getWithdrawal(ctx, requireAuth(req).user.id, req.params.id)),
  );
}
