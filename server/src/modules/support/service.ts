// Help-centre use cases: what a reader is shown, in their language where we have it.
import type { Executor } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { queryTerms, snippetFor } from "./search.js";
import {
  addFeedback,
  findArticle,
  findCategory,
  listCategories,
  listPublishedArticles,
  searchArticles,
} from "./store.js";

export type HelpLanguage = "zh-CN" | "en";

const pick = (lang: HelpLanguage, zh: string, en: string) => (lang === "en" && en.trim() ? en : zh);

export async function searchHelp(db: Executor, input: { q: string; limit: number; lang: HelpLanguage }) {
  const terms = queryTerms(input.q);
  const hits = await searchArticles(db, terms, input.limit);
  return hits.map((h) => ({
    slug: h.slug,
    title: pick(input.lang, h.title_zh, h.title_en),
    snippet: snippetFor(pick(input.lang, h.body_zh, h.body_en), terms),
    score: Math.round(h.score * 10_000) / 10_000,
  }));
}

export async function helpCategories(db: Executor, lang: HelpLanguage) {
  const rows = await listCategories(db);
  return rows.map((c) => ({ slug: c.slug, name: pick(lang, c.name_zh, c.name_en), articles: c.articles }));
}

export async function helpArticles(db: Executor, input: { category?: string; lang: HelpLanguage }) {
  if (input.category && !(await findCategory(db, input.category))) {
    throw new DomainError("not_found", { detail: "No such help category" });
  }
  const rows = await listPublishedArticles(db, input.category);
  return rows.map((a) => ({
    slug: a.slug,
    category: a.category,
    title: pick(input.lang, a.title_zh, a.title_en),
    updatedAt: a.updated_at.toISOString(),
  }));
}

/** One published article; English only when it has an English body, else the Chinese one. */
export async function helpArticle(db: Executor, slug: string, lang: HelpLanguage) {
  const a = await findArticle(db, slug);
  if (a?.status !== "published") throw new DomainError("not_found", { detail: "No such help article" });
  const english = lang === "en" && a.body_en.trim() !== "" && a.title_en.trim() !== "";
  return {
    slug: a.slug,
    category: a.category,
    lang: english ? ("en" as const) : ("zh-CN" as const),
    title: english ? a.title_en : a.title_zh,
    body: english ? a.body_en : a.body_zh,
    keywords: a.keywords,
    updatedAt: a.updated_at.toISOString(),
  };
}

export async function recordHelpFeedback(db: Executor, slug: string, helpful: boolean): Promise<void> {
  if (!(await addFeedback(db, slug, helpful))) {
    throw new DomainError("not_found", { detail: "No such help article" });
  }
}
