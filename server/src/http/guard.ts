// Session loading, CSRF and the per-route permission check: the chain every request passes.

import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { AppContext } from "../context.js";
import { randomToken } from "../crypto.js";
import { type LoadedSession, SESSION_COOKIE } from "../modules/identity/sessions.js";
import { DomainError } from "./errors.js";
import { type Permission, permissionsOf } from "./permissions.js";
import { createSessionCache } from "./session-cache.js";

export const CSRF_COOKIE = "oc_csrf";
export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Required on every route under /api: the permission a caller needs. */
    permission?: Permission;
    /** Set false only for callers that authenticate by signature (gateway callbacks). */
    csrf?: boolean;
    /**
     * true on hot routes only (payments): the session may come from this process's cache,
     * which revocations reach through NOTIFY (http/session-cache.ts). Other routes read it.
     */
    sessionCache?: boolean;
  }
  interface FastifyRequest {
    auth: LoadedSession | null;
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function sameToken(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function clientInfo(req: FastifyRequest) {
  const ua = req.headers["user-agent"];
  return { ip: req.ip ?? null, userAgent: typeof ua === "string" ? ua : null };
}

/** The logged-in user, or a 401 for routes that need one. */
export function requireAuth(req: FastifyRequest): LoadedSession {
  if (!req.auth) throw new DomainError("unauthenticated");
  return req.auth;
}

export const guardPlugin = fp(async (app: FastifyInstance, ctx: AppContext) => {
  const secureCookies = ctx.config.publicUrl.startsWith("https://");

  // Deny by default: an API route that does not declare a permission stops the start.
  app.addHook("onRoute", (route) => {
    const url = route.url;
    if (!url.startsWith("/api/")) return;
    if (!route.config?.permission) {
      throw new Error(`route ${route.method} ${url} declares no permission`);
    }
  });

  app.decorateRequest("auth", null);
  // Sessions are read once per TTL per process, and dropped at once when revoked (session-cache.ts).
  const sessions = createSessionCache(ctx);
  app.addHook("onClose", async () => sessions.close());
  // A change to a session or user made by this process (logout, password change, a staff
  // action on oneself) is dropped from the cache here at once, before its notification arrives.
  app.addHook("onResponse", async (req) => {
    if (!UNSAFE.has(req.method) || req.routeOptions.config?.sessionCache) return;
    if (req.auth) sessions.forgetUser(req.auth.user.id);
  });

  app.addHook("onRequest", async (req, reply) => {
    // Double-submit CSRF token: readable cookie, echoed in a header on unsafe requests.
    if (!req.cookies[CSRF_COOKIE]) {
      const fresh = randomToken(24);
      reply.setCookie(CSRF_COOKIE, fresh, {
        path: "/",
        sameSite: "lax",
        secure: secureCookies,
        httpOnly: false,
      });
    }

    const config = req.routeOptions.config;
    const token = req.cookies[SESSION_COOKIE];
    if (token) req.auth = await sessions.load(token, { cached: config?.sessionCache === true });

    const permission = config?.permission;
    if (!permission) return; // non-API routes (static files, health) carry no session rights

    const bearer = req.headers.authorization?.startsWith("Bearer ");
    if (UNSAFE.has(req.method) && config.csrf !== false && !bearer) {
      const header = req.headers[CSRF_HEADER];
      const cookie = req.cookies[CSRF_COOKIE];
      if (typeof header !== "string" || !cookie || !sameToken(header, cookie)) {
        throw new DomainError("csrf_failed");
      }
    }

    if (permission === "public") return;
    const auth = req.auth;
    if (!auth) throw new DomainError("unauthenticated");
    if (auth.stage === "mfa_enroll") {
      if (permission !== "mfa_enroll") throw new DomainError("mfa_enrollment_required");
      return;
    }
    if (permission === "mfa_enroll") return; // a full session may also (re)enrol
    if (!permissionsOf(auth.user.roles).has(permission)) throw new DomainError("forbidden");
  });
});
