// SQL for the help centre: categories, articles, the term index and its ranking.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import type { HelpArticleStatus } from "../../db/schema.js";
import { articleTerms, SCORE_SCALE, type WeightedTerm } from "./search.js";

export type CategoryRow = { slug: string; name_zh: string; name_en: string; position: number };

export type ArticleRow = {
  id: string;
  slug: string;
  category: string;
  status: HelpArticleStatus;
  title_zh: string;
  body_zh: string;
  title_en: string;
  body_en: string;
  keywords: string[];
  position: number;
  source: "import" | "staff";
  import_hash: string | null;
  updated_at: Date;
};

const articleColumns = [
  "id",
  "slug",
  "category",
  "status",
  "title_zh",
  "body_zh",
  "title_en",
  "body_en",
  "keywords",
  "position",
  "source",
  "import_hash",
  "updated_at",
] as const;

export async function listCategories(db: Executor): Promise<Array<CategoryRow & { articles: number }>> {
  return db
    .selectFrom("help_categories as c")
    .select(["c.slug", "c.name_zh", "c.name_en", "c.position"])
    .select((eb) =>
      eb
        .selectFrom("help_articles as a")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("a.category", "=", "c.slug")
        .where("a.status", "=", "published")
        .as("n"),
    )
    .orderBy("c.position")
    .orderBy("c.slug")
    .execute()
    .then((rows) => rows.map(({ n, ...c }) => ({ ...c, articles: Number(n ?? 0) })));
}

export async function findCategory(db: Executor, slug: string): Promise<CategoryRow | undefined> {
  return db.selectFrom("help_categories").selectAll().where("slug", "=", slug).executeTakeFirst();
}

export async function insertCategoryIfMissing(db: Executor, c: CategoryRow): Promise<void> {
  await db
    .insertInto("help_categories")
    .values(c)
    .onConflict((oc) => oc.column("slug").doNothing())
    .execute();
}

export async function listPublishedArticles(
  db: Executor,
  category: string | undefined,
): Promise<ArticleRow[]> {
  let query = db.selectFrom("help_articles").select(articleColumns).where("status", "=", "published");
  if (category) query = query.where("category", "=", category);
  return query.orderBy("category").orderBy("position").orderBy("slug").execute();
}

export async function findArticle(
  db: Executor,
  slug: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ArticleRow | undefined> {
  const query = db.selectFrom("help_articles").select(articleColumns).where("slug", "=", slug);
  return (opts.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export type ArticleContent = {
  category: string;
  status: HelpArticleStatus;
  title_zh: string;
  body_zh: string;
  title_en: string;
  body_en: string;
  keywords: string[];
  position: number;
};

export async function insertArticle(
  db: Executor,
  row: ArticleContent & { slug: string; source: "import" | "staff"; import_hash: string | null; now: Date },
): Promise<string> {
  const { now, ...values } = row;
  const inserted = await db
    .insertInto("help_articles")
    .values({ ...values, created_at: now, updated_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function updateArticleContent(
  db: Executor,
  id: string,
  content: ArticleContent & { import_hash: string | null; now: Date },
): Promise<void> {
  const { now, ...values } = content;
  await db
    .updateTable("help_articles")
    .set({ ...values, updated_at: now })
    .where("id", "=", id)
    .execute();
}

/**
 * Rebuilds one article's postings (and the document frequencies they add to). Drafts have none,
 * so they are never found. Run it in the transaction that changed the article.
 */
/** help_search_df's row for the empty term (never a real term) counts the indexed articles. */
const DOCUMENTS = "";

/**
 * Rebuilds one article's postings (and the document frequencies they add to). Drafts have none,
 * so they are never found. Run it in the transaction that changed the article.
 */
export async function reindexArticle(db: Executor, articleId: string): Promise<void> {
  const old = await db
    .deleteFrom("help_search_terms")
    .where("article_id", "=", articleId)
    .returning("term")
    .execute();
  if (old.length > 0) {
    const terms = [DOCUMENTS, ...old.map((r) => r.term)].sort();
    await sql`update help_search_df set df = df - 1 where term = any(${terms}::text[])`.execute(db);
  }
  const article = await db
    .selectFrom("help_articles")
    .select(["status", "title_zh", "title_en", "body_zh", "body_en", "keywords"])
    .where("id", "=", articleId)
    .executeTakeFirst();
  if (article?.status !== "published") return;
  const terms = articleTerms({
    titleZh: article.title_zh,
    titleEn: article.title_en,
    bodyZh: article.body_zh,
    bodyEn: article.body_en,
    keywords: article.keywords,
  });
  await insertPostings(db, [{ articleId, terms }]);
}

/**
 * Adds postings for articles that have none yet. A bulk load passes `frequencies: false` and
 * calls rebuildDocumentFrequencies once at the end, which is much faster than counting as it goes.
 */
export async function insertPostings(
  db: Executor,
  docs: ReadonlyArray<{ articleId: string; terms: readonly WeightedTerm[] }>,
  opts: { frequencies: boolean } = { frequencies: true },
): Promise<void> {
  const ids: string[] = [];
  const terms: string[] = [];
  const weights: number[] = [];
  for (const d of docs) {
    for (const t of d.terms) {
      ids.push(d.articleId);
      terms.push(t.term);
      weights.push(t.weight);
    }
  }
  if (terms.length === 0) return;
  await sql`
    insert into help_search_terms (article_id, term, weight)
    select * from unnest(${ids}::uuid[], ${terms}::text[], ${weights}::real[])`.execute(db);
  if (!opts.frequencies) return;
  const withDocuments = [...terms, ...docs.filter((d) => d.terms.length > 0).map(() => DOCUMENTS)];
  // Sorted so that concurrent writers lock df rows in one order and cannot deadlock.
  await sql`
    insert into help_search_df (term, df)
    select term, count(*) from unnest(${withDocuments}::text[]) as t(term) group by term order by term
    on conflict (term) do update set df = help_search_df.df + excluded.df`.execute(db);
}

export async function rebuildDocumentFrequencies(db: Executor): Promise<void> {
  await db.deleteFrom("help_search_df").execute();
  await sql`
    insert into help_search_df (term, df)
    select term, count(*) from help_search_terms group by term
    union all
    select ${DOCUMENTS}, count(distinct article_id) from help_search_terms`.execute(db);
}

export type SearchHit = {
  slug: string;
  title_zh: string;
  title_en: string;
  body_zh: string;
  body_en: string;
  score: number;
};

/**
 * Postings read per query term, heaviest first: enough for the best matches, bounded in cost.
 * A single character is a weak clue and is found in most articles, so fewer of its postings count.
 */
const POSTINGS_PER_TERM = 120;
const POSTINGS_PER_CHARACTER = 40;

/**
 * Ranks published articles by the sum, over matched query terms, of query weight × inverse
 * document frequency × the term's weight in the article; the score is that sum relative to a
 * title match on every query term (so 1.0 is as good as it gets, and unknown words lower it).
 */
export async function searchArticles(
  db: Executor,
  terms: readonly WeightedTerm[],
  limit: number,
): Promise<SearchHit[]> {
  if (terms.length === 0) return [];
  const names = terms.map((t) => t.term);
  // Document frequencies first (one index probe per term), so the ranking query is a plain
  // weighted sum that plans quickly.
  const df = await sql<{ term: string; df: number }>`
    select term, df from help_search_df where term = any(${[DOCUMENTS, ...names]}::text[])`.execute(db);
  const frequency = new Map(df.rows.map((r) => [r.term, r.df]));
  const documents = Math.max(frequency.get(DOCUMENTS) ?? 0, 1);
  const weighted = terms.map((t) => ({
    ...t,
    w: t.weight * Math.log(1 + documents / Math.max(frequency.get(t.term) ?? 0, 1)),
    found: (frequency.get(t.term) ?? 0) > 0,
  }));
  const ideal = weighted.reduce((sum, t) => sum + t.w, 0) * SCORE_SCALE;
  const present = weighted.filter((t) => t.found);
  if (present.length === 0 || ideal <= 0) return [];
  const result = await sql<SearchHit>`
    select a.slug, a.title_zh, a.title_en, a.body_zh, a.body_en, least(1, hits.s / ${ideal})::float8 as score
    from (
      select p.article_id, sum(q.w * p.weight) as s
      from unnest(
        ${present.map((t) => t.term)}::text[],
        ${present.map((t) => t.w)}::float8[],
        ${present.map((t) => ([...t.term].length < 2 ? POSTINGS_PER_CHARACTER : POSTINGS_PER_TERM))}::int[]
      ) as q(term, w, n)
      cross join lateral (
        select t.article_id, t.weight from help_search_terms t
        where t.term = q.term order by t.weight desc limit q.n
      ) p
      group by p.article_id
      order by s desc
      limit ${limit * 4}
    ) hits
    join help_articles a on a.id = hits.article_id
    where a.status = 'published'
    order by hits.s desc, a.slug
    limit ${limit}`.execute(db);
  return result.rows;
}

export async function addFeedback(db: Executor, slug: string, helpful: boolean): Promise<boolean> {
  const result = await db
    .updateTable("help_articles")
    .set((eb) =>
      helpful
        ? { helpful_count: eb("helpful_count", "+", 1) }
        : { unhelpful_count: eb("unhelpful_count", "+", 1) },
    )
    .where("slug", "=", slug)
    .where("status", "=", "published")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
