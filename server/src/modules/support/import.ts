// Loads the default help-centre content at start. Idempotent: an article keeps its slug, an
// unchanged article is not touched, and an article a person has edited is never overwritten.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { z } from "zod";
import type { Clock } from "../../clock.js";
import type { Db } from "../../db/database.js";
import {
  type ArticleContent,
  type ArticleRow,
  type CategoryRow,
  findArticle,
  insertArticle,
  insertCategoryIfMissing,
  reindexArticle,
  updateArticleContent,
} from "./store.js";

const seedArticle = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,98}$/),
  category: z.string(),
  title: z.string().min(1),
  titleEn: z.string().default(""),
  body: z.string().min(1),
  bodyEn: z.string().default(""),
  keywords: z.array(z.string()).default([]),
});
export type SeedArticle = z.input<typeof seedArticle>;

export const DEFAULT_CATEGORIES: readonly CategoryRow[] = [
  { slug: "login", name_zh: "登录与验证码", name_en: "Logging in and codes", position: 1 },
  { slug: "security", name_zh: "账户安全", name_en: "Account security", position: 2 },
  { slug: "account", name_zh: "账户与资料", name_en: "Account and profile", position: 3 },
  { slug: "topup", name_zh: "充值", name_en: "Top-up", position: 4 },
  { slug: "payment", name_zh: "付款与退款", name_en: "Payments and refunds", position: 5 },
  { slug: "transfer", name_zh: "转账", name_en: "Transfers", position: 6 },
  { slug: "withdrawal", name_zh: "提现", name_en: "Withdrawals", position: 7 },
  { slug: "bills", name_zh: "生活缴费", name_en: "Bills", position: 8 },
  { slug: "kiosk", name_zh: "自助终端", name_en: "Kiosks", position: 9 },
  { slug: "service", name_zh: "客服与网点", name_en: "Service and halls", position: 10 },
];

const CONTENT_FILE = new URL("./content/helpcenter.zh-CN.json", import.meta.url);

export function defaultArticles(): SeedArticle[] {
  return z.array(seedArticle).parse(JSON.parse(readFileSync(CONTENT_FILE, "utf8")));
}

function contentOf(a: SeedArticle, position: number): ArticleContent {
  const parsed = seedArticle.parse(a);
  return {
    category: parsed.category,
    status: "published",
    title_zh: parsed.title,
    body_zh: parsed.body,
    title_en: parsed.titleEn,
    body_en: parsed.bodyEn,
    keywords: parsed.keywords,
    position,
  };
}

/** The fingerprint of what the importer writes; any other edit changes it. */
export function contentHash(c: ArticleContent): string {
  const fields = [c.category, c.status, c.title_zh, c.body_zh, c.title_en, c.body_en, c.keywords, c.position];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

function currentContent(row: ArticleRow): ArticleContent {
  return {
    category: row.category,
    status: row.status,
    title_zh: row.title_zh,
    body_zh: row.body_zh,
    title_en: row.title_en,
    body_en: row.body_en,
    keywords: row.keywords,
    position: row.position,
  };
}

export type ImportReport = {
  inserted: string[];
  updated: string[];
  unchanged: string[];
  keptEdited: string[];
};

export async function importHelpCentre(
  deps: { db: Db; clock: Clock },
  articles: readonly SeedArticle[] = defaultArticles(),
  categories: readonly CategoryRow[] = DEFAULT_CATEGORIES,
): Promise<ImportReport> {
  const report: ImportReport = { inserted: [], updated: [], unchanged: [], keptEdited: [] };
  await deps.db.transaction().execute(async (tx) => {
    // Two processes starting at once import one after the other, not interleaved.
    await sql`select pg_advisory_xact_lock(hashtext('opencounter.help_import'))`.execute(tx);
    for (const c of categories) await insertCategoryIfMissing(tx, c);
    const now = deps.clock.now();
    for (const [index, article] of articles.entries()) {
      const content = contentOf(article, index + 1);
      const hash = contentHash(content);
      const existing = await findArticle(tx, article.slug, { forUpdate: true });
      if (!existing) {
        const id = await insertArticle(tx, {
          ...content,
          slug: article.slug,
          source: "import",
          import_hash: hash,
          now,
        });
        await reindexArticle(tx, id);
        report.inserted.push(article.slug);
      } else if (
        existing.source === "staff" ||
        contentHash(currentContent(existing)) !== existing.import_hash
      ) {
        report.keptEdited.push(article.slug);
      } else if (existing.import_hash === hash) {
        report.unchanged.push(article.slug);
      } else {
        await updateArticleContent(tx, existing.id, { ...content, import_hash: hash, now });
        await reindexArticle(tx, existing.id);
        report.updated.push(article.slug);
      }
    }
  });
  return report;
}
