// The customer's history as files: CSV/XLSX export and the monthly PDF statement.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { EXPORT_MAX_ROWS, EXPORTS_PER_HOUR, exportTransactions } from "./exports.js";
import { TRANSACTION_TYPES } from "./service.js";
import { statementPdf } from "./statements.js";

/** attachment; filename="…" — the names are ASCII we make, so no filename* is needed. */
function attachment(filename: string): string {
  return `attachment; filename="${filename}"`;
}

const fileResponse = { 200: z.any().describe("the file") };

export async function exportRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/wallet/transactions/export",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My transactions as a CSV or XLSX file (same filters and rows as the history)",
        description:
          "`from` is inclusive and `to` exclusive; `to` defaults to now and `from` to a year before `to`. " +
          `At most one year and ${EXPORT_MAX_ROWS} rows (else 400 validation_failed), ` +
          `at most ${EXPORTS_PER_HOUR} files (exports and statements) per hour. ` +
          "CSV is UTF-8 with a byte-order mark; times in China time with the ISO instant beside them.",
        querystring: z.strictObject({
          format: z.enum(["csv", "xlsx"]),
          type: z.enum(TRANSACTION_TYPES).optional(),
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
          direction: z.enum(["in", "out"]).optional(),
        }),
        response: fileResponse,
      },
    },
    async (req, reply) => {
      const q = req.query;
      const file = await exportTransactions(ctx, requireAuth(req).user.id, {
        format: q.format,
        type: q.type,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        direction: q.direction,
      });
      return reply
        .type(file.contentType)
        .header("content-disposition", attachment(file.filename))
        .header("cache-control", "no-store")
        .header("x-export-rows", String(file.rows))
        .send(file.body);
    },
  );

  app.get(
    "/api/v1/wallet/statements/:month",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["wallet"],
        summary: "My monthly statement as a PDF (month in China time, YYYY-MM)",
        description:
          "Opening and closing balance, every transaction of the month, totals in and out. " +
          "A month that has not begun is 400 validation_failed; a month before the account existed " +
          "is a statement with zero balances.",
        params: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "YYYY-MM") }),
        response: fileResponse,
      },
    },
    async (req, reply) => {
      const { filename, pdf } = await statementPdf(ctx, requireAuth(req).user.id, req.params.month);
      return reply
        .type("application/pdf")
        .header("content-disposition", attachment(filename))
        .header("cache-control", "no-store")
        .send(pdf);
    },
  );
}
