// Builds the Fastify app from plugins and modules. main.ts listens; tests call inject().
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { AppContext } from "./context.js";
import { DomainError } from "./http/errors.js";
import { guardPlugin } from "./http/guard.js";
import { opsRoutes } from "./http/ops-routes.js";
import { problemPlugin } from "./http/problem-plugin.js";
import { backofficeRoutes } from "./modules/backoffice/index.js";
import { devRoutes } from "./modules/dev/routes.js";
import { alipayGatewayRoutes } from "./modules/gateways/alipay/routes.js";
import { gatewayRoutes } from "./modules/gateways/routes.js";
import { sandboxGatewayRoutes } from "./modules/gateways/sandbox/routes.js";
import { identityRoutes } from "./modules/identity/routes.js";
import { subscriptionRoutes } from "./modules/notify/index.js";
import { notifyRoutes } from "./modules/notify/routes.js";
import { reconciliationRoutes } from "./modules/reconciliation/index.js";
import { reviewRoutes } from "./modules/reviews/routes.js";
import { staffRoutes } from "./modules/staff/routes.js";
import { chatRoutes } from "./modules/support/chat-routes.js";
import { consentRoutes } from "./modules/support/consent-routes.js";
import { helpRoutes } from "./modules/support/index.js";
import { ticketRoutes } from "./modules/support/tickets-routes.js";
import { exportRoutes } from "./modules/wallet/exports-routes.js";
import { limitRoutes } from "./modules/wallet/limits-routes.js";
import { paymentRoutes } from "./modules/wallet/payments-routes.js";
import { walletRoutes } from "./modules/wallet/routes.js";
import { topupRoutes } from "./modules/wallet/topups-routes.js";
import { withdrawalRoutes } from "./modules/wallet/withdrawals-routes.js";

export const REDACTED_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.paymentPassword",
  "*.otp",
  "*.oldOtp",
  "*.newOtp",
  "*.emailOtp",
  "*.totp",
  "*.backupCodes",
  "*.code",
  "*.captcha",
  "*.cardNumber",
  "*.idNumber",
  "*.secret",
];

const defaultWebDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");

export type BuildOptions = {
  /** false: no logs (tests); a stream: JSON logs written there (tests that check redaction). */
  logger?: false | NodeJS.WritableStream;
};

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: ctx.config.logLevel,
            redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
            ...(opts.logger ? { stream: opts.logger } : {}),
          },
    bodyLimit: 1024 * 1024,
    trustProxy: ctx.config.trustProxy,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Set as the request arrives (a synchronous hook, no promise per request), so that every answer
  // carries it, errors included.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });

  const webDist = ctx.config.webDist ?? defaultWebDist;
  const hasWeb = existsSync(path.join(webDist, "index.html"));
  // Client-side routes of each face fall back to that face's index.html.
  await app.register(problemPlugin, {
    pageFallback: hasWeb
      ? (url, reply) => {
          if (url.startsWith("/sandbox-gateway/") || url.startsWith("/dev/")) return null;
          const face = url.startsWith("/console")
            ? "console/index.html"
            : url.startsWith("/kiosk")
              ? "kiosk/index.html"
              : "index.html";
          return reply.sendFile(face);
        }
      : undefined,
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: 600,
    timeWindow: "1 minute",
    errorResponseBuilder: (_req, info) =>
      new DomainError("rate_limited", {
        detail: `Too many requests; try again in ${Math.ceil(info.ttl / 1000)} s`,
      }),
  });
  await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 10 } });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "OpenCounter API",
        version: "1.0.0",
        description:
          "Public API v1 of OpenCounter. Errors are RFC 9457 problem+json with a stable `code`. " +
          "Browser clients use the session cookie and must echo the `oc_csrf` cookie in `X-CSRF-Token` on unsafe requests.",
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "oc_session" },
          csrf: { type: "apiKey", in: "header", name: "X-CSRF-Token" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  // Before the guard: its hooks must see every upgrade request, so that a refused one (401,
  // 403) has its socket closed rather than left open.
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  await app.register(guardPlugin, ctx);
  await app.register(opsRoutes, ctx);
  await app.register(identityRoutes, ctx);
  await app.register(notifyRoutes, ctx);
  await app.register(subscriptionRoutes, ctx);
  await app.register(reviewRoutes, ctx);
  await app.register(backofficeRoutes, ctx);
  await app.register(staffRoutes, ctx);
  await app.register(helpRoutes, ctx);
  await app.register(chatRoutes, ctx);
  await app.register(ticketRoutes, ctx);
  await app.register(consentRoutes, ctx);
  await app.register(walletRoutes, ctx);
  await app.register(limitRoutes, ctx);
  await app.register(topupRoutes, ctx);
  await app.register(withdrawalRoutes, ctx);
  await app.register(paymentRoutes, ctx);
  await app.register(exportRoutes, ctx);
  await app.register(gatewayRoutes, ctx);
  await app.register(alipayGatewayRoutes, ctx);
  await app.register(reconciliationRoutes, ctx);
  if (ctx.config.env !== "production") await app.register(devRoutes, ctx);
  if (ctx.config.env !== "production") await app.register(sandboxGatewayRoutes, ctx);

  app.get("/api/v1/openapi.json", { config: { permission: "public" }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  if (hasWeb) await app.register(fastifyStatic, { root: webDist, wildcard: false, index: ["index.html"] });
  return app;
}
