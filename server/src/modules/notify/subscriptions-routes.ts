// GET/PUT /api/v1/me/notification-subscriptions: the customer's SMS and email choices per topic.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import {
  readSubscriptions,
  subscriptionsPatchSchema,
  subscriptionsSchema,
  updateSubscriptions,
} from "./subscriptions.js";

export async function subscriptionRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/me/notification-subscriptions",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["notifications"],
        summary: "SMS and email per topic (the in-app inbox always gets every notice)",
        response: { 200: subscriptionsSchema },
      },
    },
    async (req) => readSubscriptions(ctx.db, requireAuth(req).user.id),
  );

  app.put(
    "/api/v1/me/notification-subscriptions",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["notifications"],
        summary: "Change some topics' channels; what is left out is kept. Security SMS stays on.",
        body: subscriptionsPatchSchema,
        response: { 200: subscriptionsSchema },
      },
    },
    async (req) => updateSubscriptions(ctx.db, requireAuth(req).user.id, req.body, ctx.clock.now()),
  );
}
