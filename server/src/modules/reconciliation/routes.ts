// Console routes for reconciliation (permission reconciliation:manage): runs, one run's matches
// and exceptions, open exceptions, start a run for a day, resolve an exception with a note.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import {
  getReconciliationRun,
  listOpenExceptions,
  listReconciliationRuns,
  resolveReconciliationException,
  runReconciliation,
} from "./service.js";

const run = z.object({
  id: z.uuid(),
  date: z.string().describe("The statement day, China time (YYYY-MM-DD)"),
  status: z.enum(["running", "completed", "failed"]),
  gateways: z.array(z.string()),
  matched: z.number().int(),
  autoCredited: z.number().int().describe("Payments the gateway took that this run credited (补充值)"),
  exceptions: z.number().int(),
  startedBy: z.uuid().nullable().describe("Null when the daily job started it"),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
});

const match = z.object({
  id: z.uuid(),
  gateway: z.string(),
  paymentId: z.string(),
  topupId: z.uuid(),
  amount: z.number().int(),
  currency: z.string(),
  outcome: z.enum(["matched", "auto_credited"]),
  ledgerTransferId: z.uuid().nullable(),
});

const exception = z.object({
  id: z.uuid(),
  runId: z.uuid(),
  gateway: z.string(),
  kind: z.enum([
    "ledger_only",
    "amount_mismatch",
    "currency_mismatch",
    "unknown_payment",
    "status_mismatch",
    "gateway_refund",
  ]),
  paymentId: z.string().nullable(),
  topupId: z.uuid().nullable(),
  gatewayAmount: z.number().int().nullable(),
  ledgerAmount: z.number().int().nullable(),
  detail: z.string(),
  status: z.enum(["open", "resolved"]),
  resolvedBy: z.uuid().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  note: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

const PERMISSION = { permission: "reconciliation:manage" } as const;

export async function reconciliationRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/console/reconciliation/runs",
    {
      config: PERMISSION,
      schema: {
        tags: ["console"],
        summary: "Reconciliation runs, newest first",
        querystring: z.object({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(run), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listReconciliationRuns(ctx, req.query),
  );

  app.post(
    "/api/v1/console/reconciliation/runs",
    {
      config: PERMISSION,
      schema: {
        tags: ["console"],
        summary: "Reconcile one day now (safe to repeat: a payment is never credited twice)",
        body: z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
        response: { 201: run },
      },
    },
    async (req, reply) => {
      const staff = { id: requireAuth(req).user.id, kind: "staff" as const, ip: req.ip };
      return reply.code(201).send(await runReconciliation(ctx, { date: req.body.date, startedBy: staff }));
    },
  );

  app.get(
    "/api/v1/console/reconciliation/runs/:id",
    {
      config: PERMISSION,
      schema: {
        tags: ["console"],
        summary: "One run with its matches and exceptions",
        params: z.object({ id: z.string().max(64) }),
        response: {
          200: run.extend({ matches: z.array(match), exceptionItems: z.array(exception) }),
        },
      },
    },
    async (req) => getReconciliationRun(ctx, req.params.id),
  );

  app.get(
    "/api/v1/console/reconciliation/exceptions",
    {
      config: PERMISSION,
      schema: {
        tags: ["console"],
        summary: "Open exceptions of every run, oldest first",
        response: { 200: z.object({ items: z.array(exception) }) },
      },
    },
    async () => ({ items: await listOpenExceptions(ctx) }),
  );

  app.post(
    "/api/v1/console/reconciliation/exceptions/:id/resolve",
    {
      config: PERMISSION,
      schema: {
        tags: ["console"],
        summary: "Resolve an exception with a note saying what was done (audited)",
        params: z.object({ id: z.string().max(64) }),
        body: z.strictObject({ note: z.string().trim().min(1).max(1000) }),
        response: { 200: exception },
      },
    },
    async (req) =>
      resolveReconciliationException(ctx, {
        id: req.params.id,
        note: req.body.note,
        staff: { id: requireAuth(req).user.id, ip: req.ip },
      }),
  );
}
