// The console's maker-checker queue: list, open, download the proof, approve, reject.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { decideReview, listReviews, openReviewProof, viewReview } from "./service.js";

const reviewStatus = z.enum(["pending", "approved", "rejected", "cancelled"]);

const reviewItem = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  summary: z.record(z.string(), z.string()),
  subject: z
    .object({ id: z.uuid(), name: z.string().nullable(), phone: z.string().nullable() })
    .nullable()
    .describe("The customer the item is about, masked"),
  status: reviewStatus,
  createdAt: z.iso.datetime(),
  decidedBy: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
  decidedAt: z.iso.datetime().nullable(),
  reason: z.string().nullable(),
  proofUrl: z.string().nullable(),
  approvals: z
    .object({
      required: z.number().int(),
      count: z.number().int(),
      by: z.array(
        z.object({
          id: z.uuid(),
          name: z.string().nullable(),
          at: z.iso.datetime(),
          reason: z.string().nullable(),
        }),
      ),
    })
    .describe("Approvals so far: an item needing two stays pending after the first (shown as 1/2)"),
});

const idParams = z.object({ id: z.uuid() });

const extensions = { "image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf" } as const;
const extensionOf = (contentType: string) =>
  contentType in extensions ? extensions[contentType as keyof typeof extensions] : "bin";

export async function reviewRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const reviewerOf = (req: Parameters<typeof requireAuth>[0]) => ({
    id: requireAuth(req).user.id,
    ip: req.ip,
  });

  app.get(
    "/api/v1/console/reviews",
    {
      config: { permission: "reviews:read" },
      schema: {
        tags: ["console"],
        summary: "The review queue; pending items oldest first unless `order` says otherwise",
        querystring: z.object({
          status: reviewStatus.optional(),
          kind: z
            .string()
            .regex(/^[a-z][a-z0-9_]{0,63}$/)
            .optional(),
          order: z.enum(["oldest", "newest"]).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(reviewItem), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listReviews(ctx, req.query),
  );

  app.get(
    "/api/v1/console/reviews/:id",
    {
      config: { permission: "reviews:read" },
      schema: {
        tags: ["console"],
        summary: "One review item (audited as a staff read of customer data)",
        params: idParams,
        response: { 200: reviewItem },
      },
    },
    async (req) => viewReview(ctx, req.params.id, reviewerOf(req)),
  );

  app.get(
    "/api/v1/console/reviews/:id/proof",
    {
      config: { permission: "reviews:read" },
      schema: {
        tags: ["console"],
        summary: "The proof file the customer uploaded (PNG, JPEG or PDF), shown inline",
        params: idParams,
      },
    },
    async (req, reply) => {
      const file = await openReviewProof(ctx, req.params.id, reviewerOf(req));
      return reply
        .type(file.contentType)
        .header("content-disposition", `inline; filename="proof.${extensionOf(file.contentType)}"`)
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "private, no-store")
        .header("content-security-policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
        .send(file.data);
    },
  );

  app.post(
    "/api/v1/console/reviews/:id/approve",
    {
      config: { permission: "reviews:decide" },
      schema: {
        tags: ["console"],
        summary: "Approve: applies the change in the same transaction that records the decision",
        description:
          "An item needing N approvals stays pending until N different members of staff have " +
          "approved; the same person approving twice is 403 forbidden (reason already_approved).",
        params: idParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).nullish(),
        response: { 200: reviewItem },
      },
    },
    async (req) =>
      decideReview(ctx, {
        id: req.params.id,
        verdict: "approve",
        reason: req.body?.reason ?? null,
        reviewer: reviewerOf(req),
      }),
  );

  app.post(
    "/api/v1/console/reviews/:id/reject",
    {
      config: { permission: "reviews:decide" },
      schema: {
        tags: ["console"],
        summary: "Reject with a reason the customer will see",
        params: idParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
        response: { 200: reviewItem },
      },
    },
    async (req) =>
      decideReview(ctx, {
        id: req.params.id,
        verdict: "reject",
        reason: req.body.reason,
        reviewer: reviewerOf(req),
      }),
  );
}
