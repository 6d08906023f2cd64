// The help-centre editor over HTTP, for staff holding help:manage: articles in every state and both
// languages, drafts, saves that name the version they started from, publishing, and categories.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import {
  ARTICLE_SLUG,
  CATEGORY_SLUG,
  categoriesForEditor,
  createArticle,
  createCategory,
  type Editor,
  listArticlesForEditor,
  MAX_BODY,
  readEditorArticle,
  renameHelpCategory,
  reorderCategories,
  setArticleStatus,
  updateArticle,
} from "./help-admin.js";

const status = z.enum(["draft", "published"]);
const articleSlug = z.string().regex(ARTICLE_SLUG, "lower-case letters, digits and hyphens (at most 99)");
const categorySlug = z.string().regex(CATEGORY_SLUG, "lower-case letters, digits and hyphens (at most 63)");
const title = z.string().trim().max(200);
const body = z.string().max(MAX_BODY);

const content = {
  category: categorySlug,
  titleZh: title.min(1),
  bodyZh: body.refine((b) => b.trim() !== "", "required"),
  titleEn: title.default(""),
  bodyEn: body.default(""),
  keywords: z.array(z.string().trim().min(1).max(40)).max(30).default([]),
};
const version = z.number().int().min(1);

const articleSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  category: z.string(),
  status,
  source: z.enum(["import", "staff"]),
  version: z.number().int(),
  titleZh: z.string(),
  bodyZh: z.string(),
  titleEn: z.string(),
  bodyEn: z.string(),
  keywords: z.array(z.string()),
  feedback: z.object({ helpful: z.number().int(), notHelpful: z.number().int() }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
const listItemSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  category: z.string(),
  status,
  source: z.enum(["import", "staff"]),
  version: z.number().int(),
  titleZh: z.string(),
  titleEn: z.string(),
  hasEnglish: z.boolean(),
  feedback: z.object({ helpful: z.number().int(), notHelpful: z.number().int() }),
  updatedAt: z.iso.datetime(),
});
const categoriesSchema = z.object({
  items: z.array(
    z.object({
      slug: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      position: z.number().int(),
      articles: z.number().int(),
      published: z.number().int(),
    }),
  ),
});
const idParams = z.object({ id: z.string().max(64) });
const categoryNames = {
  nameZh: z.string().trim().min(1).max(60),
  nameEn: z.string().trim().max(60).default(""),
};

function editorOf(req: FastifyRequest): Editor {
  return { id: requireAuth(req).user.id, ip: req.ip };
}

export async function helpAdminRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/api/v1/console/help/articles",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "Every help article (drafts too), newest change first, with filters and title search",
        querystring: z.object({
          category: categorySlug.optional(),
          status: status.optional(),
          lang: z.enum(["en", "zh-only"]).optional(),
          q: z.string().trim().min(1).max(100).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(listItemSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listArticlesForEditor(ctx, req.query),
  );

  app.get(
    "/api/v1/console/help/articles/:id",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "One help article in both languages, with its version and feedback counts",
        params: idParams,
        response: { 200: articleSchema },
      },
    },
    async (req) => readEditorArticle(ctx, req.params.id),
  );

  app.post(
    "/api/v1/console/help/articles",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "Start a help article as a draft (readers see it only once it is published)",
        body: z.strictObject({ slug: articleSlug, ...content }),
        response: { 201: articleSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await createArticle(ctx, editorOf(req), req.body)),
  );

  app.put(
    "/api/v1/console/help/articles/:id",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary:
          "Save a help article; `version` is the one the editor started from (409 edit_conflict if it moved on)",
        params: idParams,
        body: z.strictObject({ version, ...content }),
        response: { 200: articleSchema },
      },
    },
    async (req) => updateArticle(ctx, editorOf(req), req.params.id, req.body),
  );

  // Publishing and taking back to draft differ only in the status they set.
  for (const [path, to, summary] of [
    [
      "/api/v1/console/help/articles/:id/publish",
      "published",
      "Publish a help article: readers see it and search finds it",
    ],
    [
      "/api/v1/console/help/articles/:id/unpublish",
      "draft",
      "Take a help article back to draft: gone from the help centre and its search",
    ],
  ] as const) {
    app.post(
      path,
      {
        config: { permission: "help:manage" },
        schema: {
          tags: ["help"],
          summary,
          params: idParams,
          body: z.strictObject({ version }),
          response: { 200: articleSchema },
        },
      },
      async (req) =>
        setArticleStatus(ctx, editorOf(req), req.params.id, { version: req.body.version, status: to }),
    );
  }

  app.get(
    "/api/v1/console/help/categories",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "Help categories in display order with both names and article counts (all and published)",
        response: { 200: categoriesSchema },
      },
    },
    async () => ({ items: await categoriesForEditor(ctx) }),
  );

  app.post(
    "/api/v1/console/help/categories",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "Add a help category at the end of the order",
        body: z.strictObject({ slug: categorySlug, ...categoryNames }),
        response: { 201: categoriesSchema },
      },
    },
    async (req, reply) => reply.code(201).send({ items: await createCategory(ctx, editorOf(req), req.body) }),
  );

  app.put(
    "/api/v1/console/help/categories/:slug",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "Rename a help category (its slug stays)",
        params: z.object({ slug: categorySlug }),
        body: z.strictObject(categoryNames),
        response: { 200: categoriesSchema },
      },
    },
    async (req) => ({ items: await renameHelpCategory(ctx, editorOf(req), req.params.slug, req.body) }),
  );

  app.put(
    "/api/v1/console/help/category-order",
    {
      config: { permission: "help:manage" },
      schema: {
        tags: ["help"],
        summary: "Set the display order of the help categories (every slug once)",
        body: z.strictObject({ slugs: z.array(categorySlug).min(1).max(200) }),
        response: { 200: categoriesSchema },
      },
    },
    async (req) => ({ items: await reorderCategories(ctx, editorOf(req), req.body.slugs) }),
  );
}
