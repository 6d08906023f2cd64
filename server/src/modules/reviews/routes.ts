import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";

export async function reviewRoutes(_app: FastifyInstance, _ctx: AppContext) {}
