// The signed-in person's profile, password, sessions, login history and two-step verification.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { clientInfo, requireAuth } from "../../http/guard.js";
import { endMyOtherSessions, endMySession, listMySessions, myLoginHistory } from "./me.js";
import { changePassword } from "./password.js";
import { PASSWORD_MAX } from "./password-policy.js";
import { profileSchema, toProfile } from "./profile.js";
import { clearSessionCookie } from "./session-cookie.js";
import { disableTotp, enableTotp, setUpTotp } from "./totp-enrolment.js";
import { findUserById } from "./users-store.js";

const passwordInput = z
  .string()
  .min(1)
  .max(PASSWORD_MAX * 4);
const noContent = { 204: z.null() };
const sessionItem = z.object({
  id: z.string(),
  current: z.boolean(),
  device: z.string(),
  ip: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
});

export async function meRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const actorOf = (req: Parameters<typeof requireAuth>[0]) => {
    const { user } = requireAuth(req);
    return { id: user.id, kind: user.kind, ip: clientInfo(req).ip };
  };

  app.get(
    "/api/v1/me",
    {
      config: { permission: "self" },
      schema: {
        tags: ["me"],
        summary: "My profile (phone, email and ID number masked)",
        response: { 200: profileSchema },
      },
    },
    async (req) => {
      const user = await findUserById(ctx.db, requireAuth(req).user.id);
      if (!user) throw new DomainError("unauthenticated");
      return toProfile(user);
    },
  );

  app.put(
    "/api/v1/me/password",
    {
      config: { permission: "self", rateLimit: { max: 10, timeWindow: "1 minute" } },
      schema: {
        tags: ["me"],
        summary: "Change my login password (current password or a `reset_password` SMS code)",
        description: "Every other session ends; this one too unless keepThisSession is true.",
        body: z.strictObject({
          currentPassword: passwordInput.optional(),
          otp: z
            .string()
            .regex(/^\d{6}$/, "six digits")
            .optional(),
          newPassword: passwordInput,
          keepThisSession: z.boolean().optional(),
        }),
        response: noContent,
      },
    },
    async (req, reply) => {
      const auth = requireAuth(req);
      const { keptSession } = await changePassword(ctx, auth.user.id, auth.id, req.body, clientInfo(req));
      if (!keptSession) clearSessionCookie(reply, ctx.config);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/me/sessions",
    {
      config: { permission: "self" },
      schema: {
        tags: ["me"],
        summary: "My live sessions (devices), the current one marked",
        response: { 200: z.object({ items: z.array(sessionItem) }) },
      },
    },
    async (req) => {
      const auth = requireAuth(req);
      return { items: await listMySessions(ctx, auth.user.id, auth.id) };
    },
  );

  app.delete(
    "/api/v1/me/sessions/:id",
    {
      config: { permission: "self" },
      schema: {
        tags: ["me"],
        summary: "End one of my sessions (log a device out)",
        params: z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, "a session id") }),
        response: noContent,
      },
    },
    async (req, reply) => {
      const auth = requireAuth(req);
      await endMySession(ctx, actorOf(req), req.params.id);
      if (req.params.id === auth.id) clearSessionCookie(reply, ctx.config);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/api/v1/me/sessions/revoke-others",
    {
      config: { permission: "self" },
      schema: { tags: ["me"], summary: "End every session but this one", response: noContent },
    },
    async (req, reply) => {
      await endMyOtherSessions(ctx, actorOf(req), requireAuth(req).id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/me/login-history",
    {
      config: { permission: "self" },
      schema: {
        tags: ["me"],
        summary: "My login attempts, newest first",
        querystring: z.object({
          cursor: z
            .string()
            .regex(/^\d{1,19}$/)
            .optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                at: z.iso.datetime(),
                ip: z.string().nullable(),
                device: z.string().nullable(),
                result: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => myLoginHistory(ctx, requireAuth(req).user.id, req.query.cursor, req.query.limit),
  );

  app.post(
    "/api/v1/me/totp/setup",
    {
      config: { permission: "mfa_enroll" },
      schema: {
        tags: ["me"],
        summary: "Start two-step verification: a new secret for an authenticator app",
        description: "The secret stays pending until /me/totp/enable confirms a code from it.",
        response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string() }) },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      return setUpTotp(ctx, requireAuth(req).user.id);
    },
  );

  app.post(
    "/api/v1/me/totp/enable",
    {
      config: { permission: "mfa_enroll" },
      schema: {
        tags: ["me"],
        summary: "Confirm a first code and turn two-step verification on",
        description:
          "Returns ten single-use backup codes, shown only this once. An enrolling staff session becomes full.",
        body: z.strictObject({ code: z.string().regex(/^\d{6}$/, "six digits") }),
        response: { 200: z.object({ backupCodes: z.array(z.string()) }) },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      return enableTotp(ctx, requireAuth(req), req.body.code, clientInfo(req));
    },
  );

  app.post(
    "/api/v1/me/totp/disable",
    {
      config: { permission: "self" },
      schema: {
        tags: ["me"],
        summary: "Turn two-step verification off (customers only)",
        body: z.strictObject({ password: passwordInput, code: z.string().min(1).max(32) }),
        response: noContent,
      },
    },
    async (req, reply) => {
      await disableTotp(ctx, requireAuth(req).user.id, req.body, clientInfo(req));
      return reply.code(204).send(null);
    },
  );
}
