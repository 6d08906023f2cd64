// The console's help-centre editor: drafts, edits that cannot overwrite a colleague's, publishing,
// and categories. Every write is audited and keeps the search index in step in the same transaction.
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/database.js";
import type { HelpArticleStatus } from "../../db/schema.js";
import { decodeTimeCursor, encodeTimeCursor } from "../../http/cursor.js";
import { DomainError } from "../../http/errors.js";
import type { AuditActor } from "../audit/index.js";
import {
  categorySlugs,
  type EditableContent,
  type EditorArticleRow,
  type EditorListFilter,
  findEditorArticle,
  insertCategory,
  insertStaffArticle,
  listEditorArticles,
  listEditorCategories,
  nextArticlePosition,
  renameCategory,
  setCategoryOrder,
  slugInUse,
  updateStaffArticle,
} from "./help-admin-store.js";
import { findCategory, reindexArticle } from "./store.js";

export const ARTICLE_SLUG = /^[a-z0-9][a-z0-9-]{0,98}$/;
export const CATEGORY_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Characters of one language's Markdown body: many times the longest shipped article. */
export const MAX_BODY = 50_000;

export type Editor = { id: string; ip: string | null };

export type ArticleInput = {
  category: string;
  titleZh: string;
  bodyZh: string;
  titleEn: string;
  bodyEn: string;
  keywords: string[];
};

export type EditorArticle = {
  id: string;
  slug: string;
  category: string;
  status: HelpArticleStatus;
  source: "import" | "staff";
  version: number;
  titleZh: string;
  bodyZh: string;
  titleEn: string;
  bodyEn: string;
  keywords: string[];
  feedback: { helpful: number; notHelpful: number };
  createdAt: string;
  updatedAt: string;
  updatedBy: { id: string; name: string } | null;
};

/** PostgreSQL's unique violation: two editors created the same slug at once. */
const isUniqueViolation = (err: unknown) =>
  typeof err === "object" && err !== null && "code" in err && err.code === "23505";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The portal renders Markdown into React elements and never passes HTML through, and it shows a
// link or image only when it goes to http(s) or a path of this site. The editor refuses what the
// portal would drop or show as stray markup, so what an editor saves is what a reader sees, and
// other readers of the API (the kiosk, the bot, integrators) are never handed markup either.
const HTML_TAG = /<[A-Za-z!/?]/;
const LINK = /!?\[[^\]]*\]\(([^)\s]*)\)/g;

function safeUrl(url: string): boolean {
  const trimmed = url.trim();
  return /^https?:\/\/[^\s]/i.test(trimmed) || (trimmed.startsWith("/") && !trimmed.startsWith("//"));
}

/** Why `text` would not render as plain, safe Markdown, or null when it does. */
export function markdownProblem(text: string): string | null {
  const tag = HTML_TAG.exec(text);
  if (tag) return `HTML is not allowed (at "${text.slice(tag.index, tag.index + 20)}")`;
  for (const m of text.matchAll(LINK)) {
    const url = m[1] ?? "";
    if (!safeUrl(url)) return `links and images must go to http(s) or a path of this site, not "${url}"`;
  }
  return null;
}

function checkContent(input: ArticleInput): void {
  const fields: Array<[string, string]> = [
    ["titleZh", input.titleZh],
    ["bodyZh", input.bodyZh],
    ["titleEn", input.titleEn],
    ["bodyEn", input.bodyEn],
    ...input.keywords.map((k, i): [string, string] => [`keywords.${i}`, k]),
  ];
  for (const [field, text] of fields) {
    const problem = markdownProblem(text);
    if (problem) throw new DomainError("unsafe_markdown", { detail: problem, field });
  }
}

async function requireCategory(db: Executor, slug: string): Promise<void> {
  if (!(await findCategory(db, slug))) {
    throw new DomainError("validation_failed", {
      detail: "No such help category",
      errors: [{ in: "body", path: "category", message: "unknown category" }],
    });
  }
}

function toContent(input: ArticleInput): EditableContent {
  return {
    category: input.category,
    title_zh: input.titleZh.trim(),
    body_zh: input.bodyZh,
    title_en: input.titleEn.trim(),
    body_en: input.bodyEn,
    keywords: [...new Set(input.keywords.map((k) => k.trim()).filter((k) => k !== ""))],
  };
}

function toEditorArticle(r: EditorArticleRow): EditorArticle {
  return {
    id: r.id,
    slug: r.slug,
    category: r.category,
    status: r.status,
    source: r.source,
    version: r.version,
    titleZh: r.title_zh,
    bodyZh: r.body_zh,
    titleEn: r.title_en,
    bodyEn: r.body_en,
    keywords: r.keywords,
    feedback: { helpful: r.helpful_count, notHelpful: r.unhelpful_count },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by ? { id: r.updated_by, name: r.updated_by_name ?? "" } : null,
  };
}

const actor = (editor: Editor): AuditActor => ({ id: editor.id, kind: "staff", ip: editor.ip });

export async function readEditorArticle(ctx: AppContext, id: string): Promise<EditorArticle> {
  const row = UUID.test(id) ? await findEditorArticle(ctx.db, id) : undefined;
  if (!row) throw new DomainError("not_found", { detail: "No such help article" });
  return toEditorArticle(row);
}

export async function listArticlesForEditor(
  ctx: AppContext,
  input: Omit<EditorListFilter, "after"> & { cursor?: string },
) {
  const { cursor, ...filter } = input;
  const rows = await listEditorArticles(ctx.db, {
    ...filter,
    ...(cursor ? { after: decodeTimeCursor(cursor) } : {}),
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      slug: r.slug,
      category: r.category,
      status: r.status,
      source: r.source,
      version: r.version,
      titleZh: r.title_zh,
      titleEn: r.title_en,
      hasEnglish: r.has_english,
      feedback: { helpful: r.helpful_count, notHelpful: r.unhelpful_count },
      updatedAt: r.updated_at.toISOString(),
    })),
    nextCursor: rows.length > input.limit && last ? encodeTimeCursor(last.updated_at, last.id) : null,
  };
}

export async function createArticle(
  ctx: AppContext,
  editor: Editor,
  input: ArticleInput & { slug: string },
): Promise<EditorArticle> {
  checkContent(input);
  const id = await ctx.db.transaction().execute(async (tx) => {
    await requireCategory(tx, input.category);
    if (await slugInUse(tx, input.slug)) throw new DomainError("slug_taken", { field: "slug" });
    let articleId: string;
    try {
      articleId = await insertStaffArticle(tx, {
        ...toContent(input),
        slug: input.slug,
        position: await nextArticlePosition(tx, input.category),
        staffId: editor.id,
        now: ctx.clock.now(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError("slug_taken", { field: "slug" });
      throw err;
    }
    await ctx.audit.record(tx, {
      actor: actor(editor),
      action: "help.article_created",
      target: { type: "help_article", id: articleId },
      details: { slug: input.slug, category: input.category },
    });
    return articleId;
  });
  return readEditorArticle(ctx, id);
}

/**
 * Locks the article and checks the version the editor started from; a colleague's save since then
 * is a 409 `edit_conflict` naming the current version, and nothing is written.
 */
async function lockAtVersion(tx: Executor, id: string, version: number): Promise<EditorArticleRow> {
  const row = UUID.test(id) ? await findEditorArticle(tx, id, { forUpdate: true }) : undefined;
  if (!row) throw new DomainError("not_found", { detail: "No such help article" });
  if (row.version !== version) {
    throw new DomainError("edit_conflict", {
      detail: `The article is at version ${row.version}; this change was made to version ${version}`,
      currentVersion: row.version,
      updatedAt: row.updated_at.toISOString(),
      updatedBy: row.updated_by_name,
    });
  }
  return row;
}

const changedFields = (before: EditorArticleRow, after: EditableContent) =>
  (Object.keys(after) as Array<keyof EditableContent>).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );

export async function updateArticle(
  ctx: AppContext,
  editor: Editor,
  id: string,
  input: ArticleInput & { version: number },
): Promise<EditorArticle> {
  checkContent(input);
  await ctx.db.transaction().execute(async (tx) => {
    const before = await lockAtVersion(tx, id, input.version);
    await requireCategory(tx, input.category);
    const content = toContent(input);
    await updateStaffArticle(tx, before.id, { ...content, staffId: editor.id, now: ctx.clock.now() });
    // A published article's postings follow its new words; a draft has none to change.
    if (before.status === "published") await reindexArticle(tx, before.id);
    await ctx.audit.record(tx, {
      actor: actor(editor),
      action: "help.article_updated",
      target: { type: "help_article", id: before.id },
      details: { slug: before.slug, fromVersion: before.version, fields: changedFields(before, content) },
    });
  });
  return readEditorArticle(ctx, id);
}

export async function setArticleStatus(
  ctx: AppContext,
  editor: Editor,
  id: string,
  input: { version: number; status: HelpArticleStatus },
): Promise<EditorArticle> {
  await ctx.db.transaction().execute(async (tx) => {
    const before = await lockAtVersion(tx, id, input.version);
    if (before.status === input.status) return;
    await updateStaffArticle(tx, before.id, {
      status: input.status,
      staffId: editor.id,
      now: ctx.clock.now(),
    });
    // Publishing adds the article's postings; unpublishing removes them (drafts are never found).
    await reindexArticle(tx, before.id);
    await ctx.audit.record(tx, {
      actor: actor(editor),
      action: input.status === "published" ? "help.article_published" : "help.article_unpublished",
      target: { type: "help_article", id: before.id },
      details: { slug: before.slug, fromVersion: before.version },
    });
  });
  return readEditorArticle(ctx, id);
}

export async function categoriesForEditor(ctx: AppContext) {
  const rows = await listEditorCategories(ctx.db);
  return rows.map((c) => ({
    slug: c.slug,
    nameZh: c.name_zh,
    nameEn: c.name_en,
    position: c.position,
    articles: c.total,
    published: c.published,
  }));
}

export async function createCategory(
  ctx: AppContext,
  editor: Editor,
  input: { slug: string; nameZh: string; nameEn: string },
) {
  await ctx.db.transaction().execute(async (tx) => {
    const created = await insertCategory(tx, {
      slug: input.slug,
      name_zh: input.nameZh.trim(),
      name_en: input.nameEn.trim(),
    });
    if (!created) throw new DomainError("slug_taken", { field: "slug" });
    await ctx.audit.record(tx, {
      actor: actor(editor),
      action: "help.category_created",
      target: { type: "help_category", id: input.slug },
      details: { nameZh: input.nameZh.trim(), nameEn: input.nameEn.trim() },
    });
  });
  return categoriesForEditor(ctx);
}

export async function renameHelpCategory(
  ctx: AppContext,
  editor: Editor,
  slug: string,
  input: { nameZh: string; nameEn: string },
) {
  const names = { name_zh: input.nameZh.trim(), name_en: input.nameEn.trim() };
  await ctx.db.transaction().execute(async (tx) => {
    const before = await renameCategory(tx, slug, names);
    if (!before) throw new DomainError("not_found", { detail: "No such help category" });
    await ctx.audit.record(tx, {
      actor: actor(editor),
      action: "help.category_renamed",
      target: { type: "help_category", id: slug },
      details: { from: { nameZh: before.name_zh, nameEn: before.name_en }, to: input },
    });
  });
  return categoriesForEditor(ctx);
}

/** The new display order must name every category exactly once. */
export async function reorderCategories(ctx: AppContext, editor: Editor, slugs: string[]) {
  await ctx.db.transaction().execute(async (tx) => {
    const existing = (await categorySlugs(tx, { forUpdate: true })).sort();
    const given = [...slugs].sort();
    if (given.length !== existing.length || given.some((s, i) => s !== existing[i])) {
      throw new DomainError("validation_failed", {
        detail: "The order must list every category exactly once",
        errors: [{ in: "body", path: "slugs", message: "not every category exactly once" }],
      });
    }
    await setCategoryOrder(tx, slugs);
    await ctx.audit.record(tx, {
      actor: actor(editor),
      action: "help.categories_reordered",
      target: { type: "help_category", id: "*" },
      details: { order: slugs },
    });
  });
  return categoriesForEditor(ctx);
}
