// The customer's wallet over HTTP: balance, history, payee lookup and transfers.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clientInfo, requireAuth } from "../../http/guard.js";
import { idempotencyHeaders } from "../../http/idempotency.js";
import {
  getTransaction,
  getWallet,
  listTransactions,
  lookupPayee,
  SUPPORTED_CURRENCIES,
  TRANSACTION_TYPES,
  toJsonAmount,
  transferToCustomer,
  type WalletTransaction,
} from "./service.js";

const PHONE = /^1[3-9]\d{9}$/;

/** Minor units (fen) as a JSON integer: no fractions, no strings, nothing a number cannot hold exactly. */
const amountInput = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const amountOutput = z.number().int();

const transactionSchema = z.object({
  id: z.uuid(),
  type: z.enum(TRANSACTION_TYPES),
  amount: amountOutput,
  currency: z.string(),
  direction: z.enum(["in", "out"]),
  counterparty: z.string(),
  status: z.enum(["succeeded"]),
  createdAt: z.iso.datetime(),
});

const transactionDetailSchema = transactionSchema.extend({ memo: z.string().nullable() });

function toListItem(t: WalletTransaction) {
  return {
    id: t.id,
    type: t.type,
    amount: toJsonAmount(t.amount),
    currency: t.currency,
    direction: t.direction,
    counterparty: t.counterparty,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
  };
}

export async function walletRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/wallet",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My balances: available and held (pending), in minor units (fen)",
        response: {
          200: z.object({
            accounts: z.array(
              z.object({ currency: z.string(), available: amountOutput, pending: amountOutput }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const accounts = await getWallet(ctx, requireAuth(req).user.id);
      return {
        accounts: accounts.map((a) => ({
          currency: a.currency,
          available: toJsonAmount(a.available),
          pending: toJsonAmount(a.pending),
        })),
      };
    },
  );

  app.get(
    "/api/v1/wallet/transactions",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My transactions, newest first (cursor pagination)",
        description: "`from` is inclusive and `to` exclusive; `direction` is `in` or `out`.",
        querystring: z.strictObject({
          type: z.enum(TRANSACTION_TYPES).optional(),
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
          direction: z.enum(["in", "out"]).optional(),
          cursor: z
            .string()
            .regex(/^[1-9]\d{0,17}$/, "not a cursor")
            .optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: {
          200: z.object({ items: z.array(transactionSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await listTransactions(ctx, requireAuth(req).user.id, {
        type: q.type,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        direction: q.direction,
        cursor: q.cursor,
        limit: q.limit,
      });
      return { items: page.items.map(toListItem), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/api/v1/wallet/transactions/:id",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "One of my transactions, with its memo",
        params: z.object({ id: z.uuid() }),
        response: { 200: transactionDetailSchema },
      },
    },
    async (req) => {
      const t = await getTransaction(ctx, requireAuth(req).user.id, req.params.id);
      return { ...toListItem(t), memo: t.memo };
    },
  );

  app.get(
    "/api/v1/wallet/payees",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "Who a phone number pays, masked (张*三), before a transfer",
        description: "Only active customers are found; at most 20 lookups per customer per hour.",
        querystring: z.strictObject({ phone: z.string().regex(PHONE, "a mainland mobile number") }),
        response: {
          200: z.object({ maskedName: z.string().nullable(), maskedPhone: z.string() }),
        },
      },
    },
    async (req) => lookupPayee(ctx, requireAuth(req).user.id, req.query.phone),
  );

  app.post(
    "/api/v1/wallet/transfers",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "Transfer to another customer by phone number (payment password and Idempotency-Key)",
        description:
          "Replaying the same Idempotency-Key and body returns the first result; the same key with " +
          "another body is 409 idempotency_conflict. Over the daily limit: 422 limit_exceeded.",
        headers: idempotencyHeaders,
        body: z.strictObject({
          to: z.string().regex(PHONE, "a mainland mobile number"),
          amount: amountInput,
          currency: z.enum(SUPPORTED_CURRENCIES),
          paymentPassword: z.string().min(1).max(64),
          memo: z.string().trim().max(100).optional(),
        }),
        response: { 201: z.object({ id: z.uuid(), status: z.enum(["succeeded"]) }) },
      },
    },
    async (req, reply) => {
      const { user } = requireAuth(req);
      const { amount, ...rest } = req.body;
      const result = await transferToCustomer(
        ctx,
        user.id,
        { ...rest, amount: BigInt(amount) },
        req.headers["idempotency-key"],
        { ip: clientInfo(req).ip },
      );
      return reply.code(201).send({ id: result.id, status: result.status });
    },
  );
}
