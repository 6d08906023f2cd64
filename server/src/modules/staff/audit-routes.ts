// The console's view of the audit trail and its integrity check.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { listAuditRows, verifyAuditChain } from "../audit/index.js";

const auditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actorId: z.uuid().nullable(),
  actorKind: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export async function auditRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/console/audit",
    {
      config: { permission: "audit:read" },
      schema: {
        tags: ["console"],
        summary:
          "The audit trail, newest first; `action` matches a prefix (`review.` finds every review action)",
        querystring: z.strictObject({
          cursor: z
            .string()
            .regex(/^\d{1,18}$/)
            .optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          actorId: z.uuid().optional(),
          action: z
            .string()
            .regex(/^[a-z0-9_.]{1,64}$/)
            .optional(),
          targetId: z.string().min(1).max(100).optional(),
        }),
        response: { 200: z.object({ items: z.array(auditEntry), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const rows = await listAuditRows(ctx.db, req.query);
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          id: String(r.id),
          at: r.at.toISOString(),
          actorId: r.actor_id,
          actorKind: r.actor_kind,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          ip: r.ip,
          details: r.details,
        })),
        nextCursor: rows.length > req.query.limit && last ? String(last.id) : null,
      };
    },
  );

  app.get(
    "/api/v1/console/audit/verify",
    {
      config: { permission: "audit:read" },
      schema: {
        tags: ["console"],
        summary: "Recompute the hash chain and name the first row that does not hold",
        response: {
          200: z.object({
            ok: z.boolean(),
            rows: z.number().int(),
            brokenAt: z.string().optional(),
            reason: z.enum(["prev_hash_mismatch", "hash_mismatch"]).optional(),
          }),
        },
      },
    },
    async () => verifyAuditChain(ctx.db),
  );
}
