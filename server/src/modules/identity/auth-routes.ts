// Signing up, logging in and out, one-time codes, captchas and password reset (all public).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clientInfo } from "../../http/guard.js";
import { createCaptcha } from "./captcha.js";
import { logIn } from "./login.js";
import { meOtpRoutes } from "./me-otp-routes.js";
import { meRoutes } from "./me-routes.js";
import { otpPurposes } from "./otp.js";
import { resetPassword } from "./password.js";
import { PASSWORD_MAX } from "./password-policy.js";
import { profileSchema, toProfile } from "./profile.js";
import { registerCustomer } from "./register.js";
import { CN_MOBILE, sendCode } from "./send-code.js";
import { clearSessionCookie, setSessionCookie } from "./session-cookie.js";
import { revokeSession } from "./sessions.js";
import { findUserById } from "./users-store.js";

/** Per-IP limit on the routes that guess secrets or send messages, on top of the global one. */
export const AUTH_RATE_LIMIT = { max: 30, timeWindow: "1 minute" } as const;

// Long enough for any passphrase the policy accepts, short enough that hashing stays cheap.
const passwordInput = z
  .string()
  .min(1)
  .max(PASSWORD_MAX * 4);
const otpCode = z.string().regex(/^\d{6}$/, "six digits");
const phone = z.string().regex(CN_MOBILE, "a mainland China mobile number (11 digits)");
const noContent = { 204: z.null() };

export async function authRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/auth/captcha",
    {
      config: { permission: "public", rateLimit: { max: 60, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        summary: "A new image captcha (single use, two minutes)",
        response: { 200: z.object({ id: z.uuid(), svg: z.string() }) },
      },
    },
    async (_req, reply) => {
      reply.header("cache-control", "no-store");
      return createCaptcha(ctx.db, ctx.clock);
    },
  );

  app.post(
    "/api/v1/auth/otp",
    {
      config: { permission: "public", rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ["auth"],
        summary: "Send a one-time code by SMS or email",
        description:
          "Six digits, valid 5 minutes, single use, bound to destination and purpose. " +
          "At most one send per 60 s per destination and purpose (429 otp_resend_too_soon), " +
          "10 per hour per IP and per destination (429 rate_limited).",
        body: z.strictObject({
          channel: z.enum(["sms", "email"]),
          to: z.string().min(1).max(254),
          purpose: z.enum(otpPurposes),
        }),
        response: { 202: z.object({ expiresIn: z.number().int(), resendIn: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const sent = await sendCode(ctx, req.body, clientInfo(req).ip);
      return reply.code(202).send(sent);
    },
  );

  app.post(
    "/api/v1/auth/register",
    {
      config: { permission: "public", rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ["auth"],
        summary: "Register a customer account (phone proven by a `register` code)",
        description:
          "An email, if given, is stored unverified unless `emailOtp` (a `verify_email` code sent to it) comes too.",
        body: z.strictObject({
          phone,
          password: passwordInput,
          otp: otpCode,
          name: z.string().trim().min(1).max(50).optional(),
          email: z.email().max(254).optional(),
          emailOtp: otpCode.optional(),
        }),
        response: { 201: z.object({ user: profileSchema }) },
      },
    },
    async (req, reply) => {
      const { user, token } = await registerCustomer(ctx, req.body, clientInfo(req));
      setSessionCookie(reply, ctx.config, token);
      return reply.code(201).send({ user: toProfile(user) });
    },
  );

  app.post(
    "/api/v1/auth/login",
    {
      config: { permission: "public", rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ["auth"],
        summary: "Log in with phone or email and password",
        description:
          "After 3 failures for a login (or 20 from one IP in 15 min) a captcha is required (428). " +
          "The 5th failure locks the login for 5 min, the 10th for 30 min, the 15th and every 5th after for 24 h (423). " +
          "Accounts with two-step verification also send `totp` (a 6-digit code or a 10-character backup code). " +
          'Staff without two-step verification get `next: "enroll_totp"` and a session that can only enrol.',
        body: z.strictObject({
          login: z.string().trim().min(1).max(254),
          password: passwordInput,
          captchaId: z.uuid().optional(),
          captcha: z.string().max(16).optional(),
          totp: z.string().max(32).optional(),
        }),
        response: { 200: z.object({ user: profileSchema, next: z.enum(["enroll_totp"]).nullable() }) },
      },
    },
    async (req, reply) => {
      const outcome = await logIn(ctx, req.body, clientInfo(req), req.auth?.id ?? null);
      setSessionCookie(reply, ctx.config, outcome.token);
      return { user: toProfile(outcome.user), next: outcome.next };
    },
  );

  app.post(
    "/api/v1/auth/logout",
    {
      config: { permission: "public" },
      schema: { tags: ["auth"], summary: "End this session", response: noContent },
    },
    async (req, reply) => {
      const auth = req.auth;
      if (auth) {
        await ctx.db.transaction().execute(async (tx) => {
          await revokeSession(tx, ctx.clock, auth.id, "logout");
          await ctx.audit.record(tx, {
            actor: { id: auth.user.id, kind: auth.user.kind, ip: clientInfo(req).ip },
            action: "auth.logout",
            target: { type: "user", id: auth.user.id },
          });
        });
      }
      clearSessionCookie(reply, ctx.config);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/auth/session",
    {
      config: { permission: "public" },
      schema: {
        tags: ["auth"],
        summary: "Whether this browser is logged in, and at which stage",
        response: {
          200: z.object({
            authenticated: z.boolean(),
            stage: z.enum(["full", "mfa_enroll"]).nullable(),
            user: profileSchema.nullable(),
          }),
        },
      },
    },
    async (req) => {
      const user = req.auth ? await findUserById(ctx.db, req.auth.user.id) : undefined;
      if (!req.auth || !user) return { authenticated: false, stage: null, user: null };
      return { authenticated: true, stage: req.auth.stage, user: toProfile(user) };
    },
  );

  app.post(
    "/api/v1/auth/password-reset",
    {
      config: { permission: "public", rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ["auth"],
        summary: "Reset a forgotten password with a `reset_password` code",
        description: "By SMS to the bound phone or by email to a verified address. Every session ends.",
        body: z.strictObject({
          channel: z.enum(["sms", "email"]),
          to: z.string().trim().min(1).max(254),
          otp: otpCode,
          newPassword: passwordInput,
        }),
        response: noContent,
      },
    },
    async (req, reply) => {
      await resetPassword(ctx, req.body, clientInfo(req));
      if (req.auth) clearSessionCookie(reply, ctx.config);
      return reply.code(204).send(null);
    },
  );

  await app.register(meRoutes, ctx);
  await app.register(meOtpRoutes, ctx);
}
