// Consent before account access over HTTP: agents ask (and may grant by a code the customer
// reads out), customers grant, refuse and revoke, agents read masked data under a live grant.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { requireAuth } from "../../http/guard.js";
import type { Party } from "./chat.js";
import { conversationFor } from "./chat.js";
import {
  answerConsent,
  CONSENT_MAX_MINUTES,
  CONSENT_SCOPES,
  chatRatingOf,
  listConsents,
  rateChat,
  requestConsent,
  revokeConsent,
  sendConsentCode,
  toConsent,
  verifyConsentCode,
  viewCustomer,
} from "./consent.js";

const scope = z.enum(CONSENT_SCOPES);
const consentSchema = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  agentId: z.uuid(),
  scopes: z.array(scope),
  minutes: z.number().int(),
  status: z.enum(["requested", "granted", "refused", "revoked", "cancelled", "expired"]),
  requestedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  grantedVia: z.enum(["portal", "phone_code"]).nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  requestExpiresAt: z.iso.datetime(),
});
const idParams = z.object({ id: z.string().max(64) });

const customerView = z.object({
  consent: consentSchema,
  profile: z
    .object({
      name: z.string().nullable(),
      phone: z.string().nullable(),
      verificationLevel: z.number().int(),
      status: z.string(),
      memberSince: z.iso.datetime(),
    })
    .optional(),
  balance: z
    .object({
      accounts: z.array(z.object({ currency: z.string(), available: z.number(), pending: z.number() })),
    })
    .optional(),
  transactions: z
    .object({
      items: z.array(
        z.object({
          type: z.string(),
          direction: z.enum(["in", "out"]),
          amount: z.number(),
          currency: z.string(),
          counterparty: z.string(),
          createdAt: z.iso.datetime(),
        }),
      ),
    })
    .optional(),
});

function customer(req: FastifyRequest): Party {
  const auth = requireAuth(req);
  return { id: auth.user.id, kind: "customer", name: auth.user.name };
}

function agent(req: FastifyRequest): Party {
  const auth = requireAuth(req);
  return { id: auth.user.id, kind: "agent", name: auth.user.name };
}

export async function consentRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // --- customers ---

  app.get(
    "/api/v1/support/conversations/:id/consents",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Requests to see my account in this conversation, newest first",
        params: idParams,
        response: { 200: z.object({ items: z.array(consentSchema) }) },
      },
    },
    async (req) => {
      const c = await conversationFor(ctx.db, customer(req), req.params.id);
      const now = ctx.clock.now();
      return { items: (await listConsents(ctx.db, c.id)).map((r) => toConsent(r, now)) };
    },
  );

  for (const action of ["grant", "refuse", "revoke"] as const) {
    app.post(
      `/api/v1/support/consents/:id/${action}`,
      {
        config: { permission: "customer" },
        schema: {
          tags: ["support"],
          summary:
            action === "grant"
              ? "Allow the agent to see what they asked for, for the time they asked"
              : action === "refuse"
                ? "Refuse the agent's request"
                : "End a permission at once",
          params: idParams,
          response: { 200: consentSchema },
        },
      },
      async (req) =>
        action === "revoke"
          ? revokeConsent(ctx, customer(req), req.params.id)
          : answerConsent(ctx, customer(req), req.params.id, action),
    );
  }

  const ratingSchema = z.object({
    rating: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    createdAt: z.iso.datetime(),
  });

  app.post(
    "/api/v1/support/conversations/:id/rating",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "Rate an ended chat, once: 1–5 and an optional comment",
        params: idParams,
        body: z.strictObject({
          rating: z.number().int().min(1).max(5),
          comment: z.string().max(500).optional(),
        }),
        response: { 201: ratingSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await rateChat(ctx, customer(req), req.params.id, req.body)),
  );

  app.get(
    "/api/v1/support/conversations/:id/rating",
    {
      config: { permission: "customer" },
      schema: {
        tags: ["support"],
        summary: "My rating of this chat, if I gave one",
        params: idParams,
        response: { 200: z.object({ rating: ratingSchema.nullable() }) },
      },
    },
    async (req) => {
      const c = await conversationFor(ctx.db, customer(req), req.params.id);
      return { rating: await chatRatingOf(ctx.db, c.id) };
    },
  );

  // --- agents ---

  app.get(
    "/api/v1/console/support/conversations/:id/consents",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Consent requests in this conversation, newest first",
        params: idParams,
        response: { 200: z.object({ items: z.array(consentSchema) }) },
      },
    },
    async (req) => {
      const c = await conversationFor(ctx.db, agent(req), req.params.id);
      const now = ctx.clock.now();
      return { items: (await listConsents(ctx.db, c.id)).map((r) => toConsent(r, now)) };
    },
  );

  app.post(
    "/api/v1/console/support/conversations/:id/consents",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: `Ask the customer to let you see part of their account for up to ${CONSENT_MAX_MINUTES} minutes`,
        params: idParams,
        body: z.object({
          scopes: z.array(scope).min(1).max(3),
          minutes: z.number().int().min(1).max(CONSENT_MAX_MINUTES),
        }),
        response: { 201: consentSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await requestConsent(ctx, agent(req), req.params.id, req.body)),
  );

  app.post(
    "/api/v1/console/support/consents/:id/code",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Send the customer a code by SMS to the bound phone; they read it out to grant",
        params: idParams,
        response: {
          200: z.object({ sentTo: z.string(), expiresIn: z.number().int(), resendIn: z.number().int() }),
        },
      },
    },
    async (req) => sendConsentCode(ctx, agent(req), req.params.id),
  );

  app.post(
    "/api/v1/console/support/consents/:id/verify",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary: "Enter the code the customer read out: grants the request",
        params: idParams,
        body: z.object({ code: z.string().regex(/^\d{6}$/) }),
        response: { 200: consentSchema },
      },
    },
    async (req) => verifyConsentCode(ctx, agent(req), req.params.id, req.body.code),
  );

  app.get(
    "/api/v1/console/support/conversations/:id/customer",
    {
      config: { permission: "support:handle" },
      schema: {
        tags: ["support"],
        summary:
          "The customer's account, masked, within a live permission they gave you (403 consent_required otherwise); every view is audited",
        params: idParams,
        querystring: z.object({
          scope: z
            .string()
            .regex(/^[a-z]+(,[a-z]+){0,2}$/)
            .describe("comma-separated: profile, balance, transactions"),
        }),
        response: { 200: customerView },
      },
    },
    async (req) => {
      const scopes = req.query.scope.split(",");
      const parsed = z.array(scope).safeParse(scopes);
      if (!parsed.success) {
        throw new DomainError("validation_failed", { detail: "Unknown scope", field: "scope" });
      }
      return viewCustomer(ctx, agent(req), req.params.id, parsed.data);
    },
  );
}
