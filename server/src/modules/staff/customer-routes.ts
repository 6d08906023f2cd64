// Console look-ups of customers: masked, and audited as staff reads of customer data.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { searchCustomers, viewCustomer } from "./customer-lookup.js";

const userStatus = z.enum(["active", "frozen", "disabled"]);

const customerMatch = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  status: userStatus,
  createdAt: z.iso.datetime(),
});

const customerDetail = customerMatch.extend({
  emailVerified: z.boolean(),
  idNumber: z.string().nullable(),
  frozenAt: z.iso.datetime().nullable(),
  verificationLevel: z.number().int(),
  totpEnabled: z.boolean(),
  counts: z.object({ bankCards: z.number().int() }),
  recentLogins: z.array(
    z.object({
      at: z.iso.datetime(),
      ip: z.string().nullable(),
      device: z.string().nullable(),
      result: z.string(),
    }),
  ),
});

export async function customerRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/console/customers",
    {
      config: { permission: "customers:read" },
      schema: {
        tags: ["console"],
        summary: "Find customers by exact phone, exact email or name prefix (masked; audited)",
        querystring: z.strictObject({ q: z.string().trim().min(1).max(100) }),
        response: { 200: z.object({ items: z.array(customerMatch) }) },
      },
    },
    async (req) => ({
      items: await searchCustomers(ctx, req.query.q, { id: requireAuth(req).user.id, ip: req.ip }),
    }),
  );

  app.get(
    "/api/v1/console/customers/:id",
    {
      config: { permission: "customers:read" },
      schema: {
        tags: ["console"],
        summary: "One customer: masked profile, status, counts, recent logins (audited)",
        params: z.object({ id: z.uuid() }),
        response: { 200: customerDetail },
      },
    },
    async (req) => viewCustomer(ctx, req.params.id, { id: requireAuth(req).user.id, ip: req.ip }),
  );
}
