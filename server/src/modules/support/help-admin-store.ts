// SQL for the console's help-centre editor: every article in any state, versions, categories.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import type { HelpArticleStatus } from "../../db/schema.js";
import type { TimeCursor } from "../../http/cursor.js";

export type EditorArticleRow = {
  id: string;
  slug: string;
  category: string;
  status: HelpArticleStatus;
  source: "import" | "staff";
  version: number;
  title_zh: string;
  body_zh: string;
  title_en: string;
  body_en: string;
  keywords: string[];
  helpful_count: number;
  unhelpful_count: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
  updated_by_name: string | null;
};

export type EditorListRow = {
  id: string;
  slug: string;
  category: string;
  status: HelpArticleStatus;
  source: "import" | "staff";
  version: number;
  title_zh: string;
  title_en: string;
  has_english: boolean;
  helpful_count: number;
  unhelpful_count: number;
  updated_at: Date;
};

export type EditorListFilter = {
  category?: string;
  status?: HelpArticleStatus;
  /** "en": has an English version; "zh-only": Chinese only, waiting for a translation. */
  lang?: "en" | "zh-only";
  q?: string;
  after?: TimeCursor;
  limit: number;
};

const hasEnglish = sql<boolean>`(a.title_en <> '' and a.body_en <> '')`;

/** LIKE's own characters taken literally, so a title search for "100%" means that. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest change first; one more row than asked for tells the caller there is a next page. */
export async function listEditorArticles(db: Executor, f: EditorListFilter): Promise<EditorListRow[]> {
  let query = db
    .selectFrom("help_articles as a")
    .select([
      "a.id",
      "a.slug",
      "a.category",
      "a.status",
      "a.source",
      "a.version",
      "a.title_zh",
      "a.title_en",
      "a.helpful_count",
      "a.unhelpful_count",
      "a.updated_at",
    ])
    .select(hasEnglish.as("has_english"));
  if (f.category) query = query.where("a.category", "=", f.category);
  if (f.status) query = query.where("a.status", "=", f.status);
  if (f.lang === "en") query = query.where(hasEnglish);
  if (f.lang === "zh-only") query = query.where(sql<boolean>`not ${hasEnglish}`);
  if (f.q) {
    const pattern = likePattern(f.q);
    query = query.where((eb) =>
      eb.or([
        eb("a.title_zh", "ilike", pattern),
        eb("a.title_en", "ilike", pattern),
        eb("a.slug", "ilike", pattern),
      ]),
    );
  }
  if (f.after) {
    const { at: updatedAt, id } = f.after;
    query = query.where(sql<boolean>`(a.updated_at, a.id) < (${updatedAt}, ${id}::uuid)`);
  }
  return query
    .orderBy("a.updated_at", "desc")
    .orderBy("a.id", "desc")
    .limit(f.limit + 1)
    .execute();
}

export async function findEditorArticle(
  db: Executor,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<EditorArticleRow | undefined> {
  const query = db
    .selectFrom("help_articles as a")
    .leftJoin("users as u", "u.id", "a.updated_by")
    .select([
      "a.id",
      "a.slug",
      "a.category",
      "a.status",
      "a.source",
      "a.version",
      "a.title_zh",
      "a.body_zh",
      "a.title_en",
      "a.body_en",
      "a.keywords",
      "a.helpful_count",
      "a.unhelpful_count",
      "a.created_at",
      "a.updated_at",
      "a.updated_by",
      "u.name as updated_by_name",
    ])
    .where("a.id", "=", id);
  return (opts.forUpdate ? query.forUpdate("a") : query).executeTakeFirst();
}

export async function slugInUse(db: Executor, slug: string): Promise<boolean> {
  const row = await db.selectFrom("help_articles").select("id").where("slug", "=", slug).executeTakeFirst();
  return row !== undefined;
}

/** The place after the last article of a category, so a new article lists at its end. */
export async function nextArticlePosition(db: Executor, category: string): Promise<number> {
  const row = await db
    .selectFrom("help_articles")
    .select((eb) => eb.fn.max("position").as("max"))
    .where("category", "=", category)
    .executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export type EditableContent = {
  category: string;
  title_zh: string;
  body_zh: string;
  title_en: string;
  body_en: string;
  keywords: string[];
};

export async function insertStaffArticle(
  db: Executor,
  row: EditableContent & { slug: string; position: number; staffId: string; now: Date },
): Promise<string> {
  const { staffId, now, ...values } = row;
  const inserted = await db
    .insertInto("help_articles")
    .values({
      ...values,
      status: "draft",
      source: "staff",
      import_hash: null,
      updated_by: staffId,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/**
 * Writes a staff change. The row is marked as a person's (`source = 'staff'`) so a later import
 * never overwrites it; the version moves on in the trigger of migration 0018.
 */
export async function updateStaffArticle(
  db: Executor,
  id: string,
  change: Partial<EditableContent> & { status?: HelpArticleStatus; staffId: string; now: Date },
): Promise<void> {
  const { staffId, now, ...values } = change;
  await db
    .updateTable("help_articles")
    .set({ ...values, source: "staff", updated_by: staffId, updated_at: now })
    .where("id", "=", id)
    .execute();
}

export type EditorCategoryRow = {
  slug: string;
  name_zh: string;
  name_en: string;
  position: number;
  total: number;
  published: number;
};

export async function listEditorCategories(db: Executor): Promise<EditorCategoryRow[]> {
  const rows = await db
    .selectFrom("help_categories as c")
    .leftJoin("help_articles as a", "a.category", "c.slug")
    .select(["c.slug", "c.name_zh", "c.name_en", "c.position"])
    .select((eb) => [
      eb.fn.count<string>("a.id").as("total"),
      eb.fn.count<string>("a.id").filterWhere("a.status", "=", "published").as("published"),
    ])
    .groupBy(["c.slug", "c.name_zh", "c.name_en", "c.position"])
    .orderBy("c.position")
    .orderBy("c.slug")
    .execute();
  return rows.map((r) => ({ ...r, total: Number(r.total), published: Number(r.published) }));
}

export async function categorySlugs(db: Executor, opts: { forUpdate?: boolean } = {}): Promise<string[]> {
  const query = db.selectFrom("help_categories").select("slug").orderBy("slug");
  const rows = await (opts.forUpdate ? query.forUpdate() : query).execute();
  return rows.map((r) => r.slug);
}

export async function insertCategory(
  db: Executor,
  c: { slug: string; name_zh: string; name_en: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto("help_categories")
    .values((eb) => ({
      ...c,
      position: eb
        .selectFrom("help_categories")
        .select(sql<number>`coalesce(max(position), 0) + 1`.as("next")),
    }))
    .onConflict((oc) => oc.column("slug").doNothing())
    .returning("slug")
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function renameCategory(
  db: Executor,
  slug: string,
  names: { name_zh: string; name_en: string },
): Promise<{ name_zh: string; name_en: string } | undefined> {
  const before = await db
    .selectFrom("help_categories")
    .select(["name_zh", "name_en"])
    .where("slug", "=", slug)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return undefined;
  await db.updateTable("help_categories").set(names).where("slug", "=", slug).execute();
  return before;
}

/** Positions 1, 2, 3 … in the order given. */
export async function setCategoryOrder(db: Executor, slugs: readonly string[]): Promise<void> {
  await sql`
    update help_categories c set position = o.position
    from unnest(${slugs}::text[]) with ordinality as o(slug, position)
    where c.slug = o.slug`.execute(db);
}
