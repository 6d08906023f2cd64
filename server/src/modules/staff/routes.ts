// The console's staff-facing routes: customer look-ups, the audit trail, staff management.
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { auditRoutes } from "./audit-routes.js";
import { customerRoutes } from "./customer-routes.js";
import { staffAccountRoutes } from "./staff-account-routes.js";

export async function staffRoutes(app: FastifyInstance, ctx: AppContext) {
  await app.register(customerRoutes, ctx);
  await app.register(auditRoutes, ctx);
  await app.register(staffAccountRoutes, ctx);
}
