// Turns every failure (domain, validation, size, rate, unknown route) into RFC 9457 problem+json.
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { DomainError, type ProblemDetails, toProblem } from "./errors.js";

export function sendProblem(reply: FastifyReply, err: DomainError) {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  const body: ProblemDetails = toProblem(err, reply.request.url.split("?")[0]);
  return reply.code(err.status).type("application/problem+json").send(body);
}

export type ProblemPluginOptions = {
  /** For a GET of a page that is not an API route: the HTML file to answer with, if any. */
  pageFallback?: (url: string, reply: FastifyReply) => FastifyReply | null;
};

export const problemPlugin = fp(async (app: FastifyInstance, opts: ProblemPluginOptions) => {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof DomainError) return sendProblem(reply, error);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({
        in: error.validationContext,
        path: v.instancePath.replace(/^\//, "").replaceAll("/", "."),
        message: v.message ?? "invalid",
      }));
      return sendProblem(
        reply,
        new DomainError("validation_failed", {
          detail: `${errors.length} field(s) failed validation`,
          errors,
        }),
      );
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return sendProblem(reply, new DomainError("payload_too_large"));
    if (error.statusCode === 429) {
      return sendProblem(
        reply,
        new DomainError("rate_limited", {}, { "retry-after": String(reply.getHeader("retry-after") ?? 60) }),
      );
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(
        reply,
        new DomainError(error.statusCode === 415 ? "unsupported_file" : "bad_request", {
          detail: error.message,
        }),
      );
    }
    req.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, new DomainError("internal_error"));
  });

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split("?")[0] ?? "/";
    const wantsPage =
      req.method === "GET" && !url.startsWith("/api/") && (req.headers.accept ?? "").includes("text/html");
    const page = wantsPage && opts.pageFallback ? opts.pageFallback(url, reply) : null;
    if (page) return page;
    return sendProblem(reply, new DomainError("not_found", { detail: `No route for ${req.method} ${url}` }));
  });
});
