// The public help centre: search, categories, articles and "was this helpful?".
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { helpArticle, helpArticles, helpCategories, recordHelpFeedback, searchHelp } from "./service.js";

const lang = z.enum(["zh-CN", "en"]).default("zh-CN");
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,98}$/, "a help-centre slug");

/** Feedback per client address per hour: enough for a reader, too few to skew the counts. */
export const FEEDBACK_PER_HOUR = 30;

export async function helpRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/help/search",
    {
      config: { permission: "public" },
      schema: {
        tags: ["help"],
        summary: "Search published help articles (Chinese and English), best first",
        querystring: z.object({
          q: z.string().trim().min(1).max(100),
          limit: z.coerce.number().int().min(1).max(20).default(5),
          lang,
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                slug: z.string(),
                title: z.string(),
                snippet: z.string().max(120),
                score: z.number().min(0).max(1),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ items: await searchHelp(ctx.db, req.query) }),
  );

  app.get(
    "/api/v1/help/categories",
    {
      config: { permission: "public" },
      schema: {
        tags: ["help"],
        summary: "Help categories in display order, with how many published articles each holds",
        querystring: z.object({ lang }),
        response: {
          200: z.object({
            items: z.array(z.object({ slug: z.string(), name: z.string(), articles: z.number().int() })),
          }),
        },
      },
    },
    async (req) => ({ items: await helpCategories(ctx.db, req.query.lang) }),
  );

  app.get(
    "/api/v1/help/articles",
    {
      config: { permission: "public" },
      schema: {
        tags: ["help"],
        summary: "Published help articles, of one category when given",
        querystring: z.object({ category: slug.optional(), lang }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                slug: z.string(),
                category: z.string(),
                title: z.string(),
                updatedAt: z.iso.datetime(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ items: await helpArticles(ctx.db, req.query) }),
  );

  app.get(
    "/api/v1/help/articles/:slug",
    {
      config: { permission: "public" },
      schema: {
        tags: ["help"],
        summary: "One published help article with its Markdown body (English where there is one)",
        params: z.object({ slug }),
        querystring: z.object({ lang }),
        response: {
          200: z.object({
            slug: z.string(),
            category: z.string(),
            lang: z.enum(["zh-CN", "en"]),
            title: z.string(),
            body: z.string(),
            keywords: z.array(z.string()),
            updatedAt: z.iso.datetime(),
          }),
        },
      },
    },
    async (req) => helpArticle(ctx.db, req.params.slug, req.query.lang),
  );

  app.post(
    "/api/v1/help/articles/:slug/feedback",
    {
      config: {
        permission: "public",
        rateLimit: { max: FEEDBACK_PER_HOUR, timeWindow: "1 hour" },
      },
      schema: {
        tags: ["help"],
        summary: "Say whether a help article helped",
        params: z.object({ slug }),
        body: z.strictObject({ helpful: z.boolean() }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await recordHelpFeedback(ctx.db, req.params.slug, req.body.helpful);
      return reply.code(204).send(null);
    },
  );
}
