import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";

export async function staffRoutes(_app: FastifyInstance, _ctx: AppContext) {}
