// What other modules (the bot, later) may use of the help centre.
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { helpAdminRoutes } from "./help-admin-routes.js";
import { helpRoutes as publicHelpRoutes } from "./routes.js";

export { DEFAULT_CATEGORIES, defaultArticles, type ImportReport, importHelpCentre } from "./import.js";
export { queryTerms, tokenise } from "./search.js";
export { searchHelp } from "./service.js";

/** The public help centre and, for staff with help:manage, its editor in the console. */
export async function helpRoutes(fastify: FastifyInstance, ctx: AppContext) {
  await publicHelpRoutes(fastify, ctx);
  await helpAdminRoutes(fastify, ctx);
}
