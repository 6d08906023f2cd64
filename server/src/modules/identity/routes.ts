import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { accountRoutes } from "./account-routes.js";
import { authRoutes } from "./auth-routes.js";

export async function identityRoutes(app: FastifyInstance, ctx: AppContext) {
  await app.register(authRoutes, ctx);
  await app.register(accountRoutes, ctx);
}
