// Console routes of the back office: the ledger explorer (ledger:read) and manual adjustments
// (ledger:adjust, approved by someone else in the review queue). Routes validate and delegate.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { idempotencyHeaders } from "../../http/idempotency.js";
import { proposeAdjustment, REASON_MAX, REASON_MIN } from "./adjustments.js";
import {
  listLedgerHolds,
  searchLedgerAccounts,
  viewLedgerAccount,
  viewLedgerTransfer,
} from "./ledger-explorer.js";

const accountKind = z.enum([
  "customer",
  "gateway_clearing",
  "withdrawal_clearing",
  "fees",
  "merchant",
  "adjustments",
  "settlement",
]);
const holdStatus = z.enum(["pending", "posted", "voided", "expired"]);
const money = z.number().int();

const account = z.object({
  id: z.uuid(),
  code: z.string().nullable(),
  kind: accountKind,
  currency: z.string(),
  allowNegative: z.boolean(),
  owner: z
    .object({ id: z.uuid(), name: z.string().nullable(), phone: z.string().nullable() })
    .nullable()
    .describe("masked: 张*三, 138****1234"),
  balance: money,
  pendingDebits: money,
  pendingCredits: money,
  available: money,
  createdAt: z.iso.datetime(),
});

const entry = z.object({
  id: z.string(),
  transferId: z.uuid(),
  type: z.string(),
  amount: money.describe("negative when money left the account"),
  balanceAfter: money,
  counterpartyAccountId: z.uuid(),
  memo: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

const hold = z.object({
  id: z.uuid(),
  type: z.string(),
  currency: z.string(),
  amount: money,
  debitAccountId: z.uuid(),
  creditAccountId: z.uuid(),
  status: holdStatus,
  postedAmount: money,
  postingTransferId: z.uuid().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

const transfer = z.object({
  id: z.uuid(),
  seq: z.string(),
  type: z.string(),
  currency: z.string(),
  amount: money,
  debitAccountId: z.uuid(),
  creditAccountId: z.uuid(),
  status: z.enum(["posted", "pending"]),
  memo: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  hash: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  holdId: z.uuid().nullable(),
  reversesTransferId: z.uuid().nullable(),
  reversedByTransferId: z.uuid().nullable(),
  entries: z.array(
    z.object({
      id: z.string(),
      accountId: z.uuid(),
      amount: money,
      balanceAfter: money,
      createdAt: z.iso.datetime(),
    }),
  ),
  holdEvent: z
    .object({
      outcome: z.enum(["posted", "voided", "expired"]),
      postedAmount: money,
      postingTransferId: z.uuid().nullable(),
      reason: z.string().nullable(),
      createdAt: z.iso.datetime(),
    })
    .nullable(),
});

export async function backofficeRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const actor = (req: Parameters<typeof requireAuth>[0]) => ({
    id: requireAuth(req).user.id,
    ip: req.ip ?? null,
  });

  app.get(
    "/api/v1/console/ledger/accounts",
    {
      config: { permission: "ledger:read" },
      schema: {
        tags: ["console"],
        summary:
          "Find ledger accounts by customer phone, account id or code prefix, and kind (masked; audited)",
        querystring: z.strictObject({
          q: z.string().trim().max(100).optional(),
          kind: accountKind.optional(),
          currency: z
            .string()
            .regex(/^[A-Z]{3}$/)
            .optional(),
          cursor: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(account), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => searchLedgerAccounts(ctx, req.query, actor(req)),
  );

  app.get(
    "/api/v1/console/ledger/accounts/:id",
    {
      config: { permission: "ledger:read" },
      schema: {
        tags: ["console"],
        summary: "One account: balances, entries newest first (keyset cursor), open holds (audited)",
        params: z.object({ id: z.uuid() }),
        querystring: z.strictObject({
          cursor: z.string().max(20).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            account,
            entries: z.array(entry),
            nextCursor: z.string().nullable(),
            holds: z.array(hold),
          }),
        },
      },
    },
    async (req) => viewLedgerAccount(ctx, req.params.id, req.query, actor(req)),
  );

  app.get(
    "/api/v1/console/ledger/transfers/:id",
    {
      config: { permission: "ledger:read" },
      schema: {
        tags: ["console"],
        summary: "One transfer with its entries, hold outcome and reversal (audited)",
        params: z.object({ id: z.uuid() }),
        response: { 200: transfer },
      },
    },
    async (req) => viewLedgerTransfer(ctx, req.params.id, actor(req)),
  );

  app.get(
    "/api/v1/console/ledger/holds",
    {
      config: { permission: "ledger:read" },
      schema: {
        tags: ["console"],
        summary: "Holds newest first, by status (pending = no outcome yet); audited",
        querystring: z.strictObject({
          status: holdStatus.optional(),
          cursor: z.string().max(20).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(hold), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listLedgerHolds(ctx, req.query, actor(req)),
  );

  app.post(
    "/api/v1/console/ledger/adjustments",
    {
      config: { permission: "ledger:adjust" },
      schema: {
        tags: ["console"],
        summary:
          "Propose a manual adjustment of a customer account; another member of staff with " +
          "ledger:adjust approves it in the review queue (kind ledger_adjustment), which posts it once",
        headers: idempotencyHeaders,
        body: z.strictObject({
          accountId: z.uuid(),
          direction: z.enum(["credit", "debit"]),
          amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
          currency: z.string().regex(/^[A-Z]{3}$/),
          reason: z.string().trim().min(REASON_MIN).max(REASON_MAX),
        }),
        response: {
          201: z.object({ id: z.uuid(), status: z.literal("pending") }),
          200: z.object({ id: z.uuid(), status: z.literal("pending") }),
        },
      },
    },
    async (req, reply) => {
      const result = await proposeAdjustment(
        ctx,
        { ...req.body, amount: BigInt(req.body.amount) },
        req.headers["idempotency-key"],
        actor(req),
      );
      return reply.code(result.replayed ? 200 : 201).send({ id: result.id, status: result.status });
    },
  );
}
