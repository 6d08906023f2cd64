// The customer's security centre: payment password, bindings, bank cards, profile changes,
// self-freeze and preferences. Routes validate and delegate.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { bindBankCard, listBankCards, unbindBankCard } from "./bank-cards.js";
import { changeEmail, changePhone } from "./bindings.js";
import { listChangeRequests, submitChangeRequest } from "./change-requests.js";
import { freezeByLogin, freezeOwnAccount, requestUnfreeze } from "./freeze.js";
import { setPaymentPassword, verifyPaymentPassword } from "./payment-password.js";
import { preferencesSchema, publicPreferences, updatePreferences } from "./preferences.js";
import { CN_MOBILE } from "./send-code.js";
import { SESSION_COOKIE } from "./sessions.js";
import { readMultipartForm } from "./uploads.js";
// Registers the profile_change and unfreeze review handlers with the reviews module.
import "./review-handlers.js";

const otp = z.string().regex(/^\d{6}$/, "six digits");
const sixDigits = z.string().regex(/^\d{6}$/, "six digits");
const loginPassword = z.string().min(1).max(128);
const mainlandPhone = z.string().regex(CN_MOBILE, "a mainland China mobile number (11 digits)");
const noContent = { 204: z.null() };

function actorOf(req: FastifyRequest) {
  const { user } = requireAuth(req);
  return { id: user.id, kind: user.kind, ip: req.ip ?? null };
}

const done = (reply: FastifyReply) => reply.code(204).send(null);

export async function accountRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.put(
    "/api/v1/me/payment-password",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary:
          "Set or replace the six-digit payment password (code to the bound phone, purpose payment_password)",
        body: z.strictObject({ password: sixDigits, otp }),
        response: noContent,
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await setPaymentPassword(ctx, actor.id, req.body, actor);
      return done(reply);
    },
  );

  app.post(
    "/api/v1/me/payment-password/verify",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary: "Check the payment password; five wrong entries lock it for 5 min, then 30 min, then 24 h",
        body: z.strictObject({ password: sixDigits }),
        response: noContent,
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await verifyPaymentPassword(ctx.db, ctx, actor.id, req.body.password, actor);
      return done(reply);
    },
  );

  app.post(
    "/api/v1/me/email",
    {
      config: { permission: "self" },
      schema: {
        tags: ["security"],
        summary: "Bind or change the e-mail address (code sent to the new address, purpose verify_email)",
        body: z.strictObject({ email: z.email().max(254), otp }),
        response: noContent,
      },
    },
    async (req, reply) => {
      await changeEmail(ctx, actorOf(req), req.body);
      return done(reply);
    },
  );

  app.post(
    "/api/v1/me/phone",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary:
          "Change the bound phone: login password, a code to the old and one to the new phone (change_phone)",
        body: z.strictObject({ password: loginPassword, oldOtp: otp, newPhone: mainlandPhone, newOtp: otp }),
        response: noContent,
      },
    },
    async (req, reply) => {
      await changePhone(ctx, actorOf(req), req.body);
      return done(reply);
    },
  );

  const bankCard = z.object({
    id: z.uuid(),
    masked: z.string(),
    holderName: z.string().describe("Masked"),
    bankName: z.string().nullable(),
    createdAt: z.iso.datetime(),
  });

  app.get(
    "/api/v1/me/bank-cards",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary: "Bound bank cards, masked",
        response: { 200: z.object({ items: z.array(bankCard) }) },
      },
    },
    async (req) => ({ items: await listBankCards(ctx, actorOf(req).id) }),
  );

  app.post(
    "/api/v1/me/bank-cards",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary: "Bind a bank card (Luhn-checked; the holder must match the verified name when there is one)",
        body: z.strictObject({
          cardNumber: z.string().min(1).max(40),
          holderName: z.string().trim().min(1).max(50),
          bankName: z.string().trim().max(50).optional(),
        }),
        response: { 201: z.object({ id: z.uuid(), masked: z.string() }) },
      },
    },
    async (req, reply) => {
      const card = await bindBankCard(ctx, actorOf(req), req.body);
      return reply.code(201).send(card);
    },
  );

  app.delete(
    "/api/v1/me/bank-cards/:id",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary: "Unbind a bank card",
        params: z.object({ id: z.uuid() }),
        response: noContent,
      },
    },
    async (req, reply) => {
      await unbindBankCard(ctx, actorOf(req), req.params.id);
      return done(reply);
    },
  );

  app.post(
    "/api/v1/me/change-requests",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary:
          "Ask to change the legal name or ID number: multipart with field (name|idNumber), value and proof (PNG/JPEG/WebP/PDF, at most 5 MB)",
        consumes: ["multipart/form-data"],
        response: { 201: z.object({ id: z.uuid(), status: z.literal("pending") }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const form = await readMultipartForm(req);
      const created = await submitChangeRequest(ctx, actor, form);
      return reply.code(201).send(created);
    },
  );

  app.get(
    "/api/v1/me/change-requests",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary: "The customer's name and ID-number change requests, newest first, values masked",
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                field: z.enum(["name", "idNumber"]),
                value: z.string().describe("Masked"),
                status: z.enum(["pending", "approved", "rejected", "cancelled"]),
                reason: z.string().nullable(),
                createdAt: z.iso.datetime(),
                decidedAt: z.iso.datetime().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ items: await listChangeRequests(ctx, actorOf(req).id) }),
  );

  app.post(
    "/api/v1/me/freeze",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["security"],
        summary: "Freeze the own account (lost phone, suspected intrusion); every session ends",
        body: z.strictObject({ password: loginPassword }),
        response: noContent,
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await freezeOwnAccount(ctx, actor.id, req.body.password, actor.ip);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return done(reply);
    },
  );

  app.post(
    "/api/v1/auth/freeze",
    {
      config: { permission: "public" },
      schema: {
        tags: ["auth"],
        summary: "Freeze an account by login and password, without a session (a stolen phone)",
        body: z.strictObject({ login: z.string().trim().min(1).max(254), password: loginPassword }),
        response: noContent,
      },
    },
    async (req, reply) => {
      await freezeByLogin(ctx, req.body, req.ip ?? null);
      return done(reply);
    },
  );

  app.post(
    "/api/v1/auth/unfreeze-requests",
    {
      config: { permission: "public" },
      schema: {
        tags: ["auth"],
        summary:
          "Ask for a frozen account to be unfrozen (code to the bound phone, purpose unfreeze); a reviewer decides",
        body: z.strictObject({ phone: mainlandPhone, otp, password: loginPassword }),
        response: { 201: z.object({ id: z.uuid(), status: z.literal("pending") }) },
      },
    },
    async (req, reply) => {
      const created = await requestUnfreeze(ctx, req.body, req.ip ?? null);
      return reply.code(201).send(created);
    },
  );

  app.put(
    "/api/v1/me/preferences",
    {
      config: { permission: "self" },
      schema: {
        tags: ["preferences"],
        summary: "Change display and home-screen preferences; keys left out are kept",
        body: preferencesSchema,
        response: { 200: preferencesSchema },
      },
    },
    async (req) => publicPreferences(await updatePreferences(ctx, actorOf(req).id, req.body)),
  );
}
