// The importer that loads the default articles at start: idempotent, and never over a person's edit.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { defaultArticles, importHelpCentre, type SeedArticle } from "./import.js";
import { searchHelp } from "./service.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const snapshot = () =>
  Promise.all([
    t.db.selectFrom("help_articles").selectAll().orderBy("slug").execute(),
    t.db.selectFrom("help_search_terms").selectAll().orderBy("term").orderBy("article_id").execute(),
    t.db.selectFrom("help_search_df").selectAll().orderBy("term").execute(),
  ]);

function withBody(articles: SeedArticle[], slug: string, body: string): SeedArticle[] {
  return articles.map((a) => (a.slug === slug ? { ...a, body } : a));
}

describe("importing the default help centre", () => {
  it("loads all 40 articles published, each under its own slug", async () => {
    const report = await importHelpCentre(t.ctx);
    expect(report.inserted).toHaveLength(40);
    const rows = await t.db.selectFrom("help_articles").select(["slug", "status", "source"]).execute();
    expect(new Set(rows.map((r) => r.slug))).toEqual(new Set(defaultArticles().map((a) => a.slug)));
    expect(rows.every((r) => r.status === "published" && r.source === "import")).toBe(true);
  });

  it("changes nothing when run a second time", async () => {
    await importHelpCentre(t.ctx);
    const before = await snapshot();
    t.clock.advance(60_000);
    const report = await importHelpCentre(t.ctx);
    expect(report).toMatchObject({ inserted: [], updated: [], keptEdited: [] });
    expect(report.unchanged).toHaveLength(40);
    expect(await snapshot()).toEqual(before);
  });

  it("brings an untouched article up to date when the shipped text changes, and reindexes it", async () => {
    await importHelpCentre(t.ctx);
    const changed = withBody(
      defaultArticles(),
      "withdrawal-fee",
      "提现手续费的新规则：每月前三笔免费，之后收取象征性费用。",
    );
    const report = await importHelpCentre(t.ctx, changed);
    expect(report.updated).toEqual(["withdrawal-fee"]);
    const hits = await searchHelp(t.db, { q: "象征性费用", limit: 3, lang: "zh-CN" });
    expect(hits[0]?.slug).toBe("withdrawal-fee");
  });

  it("never overwrites an article a person edited after the import", async () => {
    await importHelpCentre(t.ctx);
    await t.db
      .updateTable("help_articles")
      .set({ body_zh: "客服编辑过的正文。" })
      .where("slug", "=", "withdrawal-fee")
      .execute();
    await t.db
      .updateTable("help_articles")
      .set({ source: "staff" })
      .where("slug", "=", "close-account")
      .execute();
    const changed = withBody(
      withBody(defaultArticles(), "withdrawal-fee", "导入的新正文。"),
      "close-account",
      "导入的新正文。",
    );
    const report = await importHelpCentre(t.ctx, changed);
    expect(report.keptEdited.sort()).toEqual(["close-account", "withdrawal-fee"]);
    const rows = await t.db
      .selectFrom("help_articles")
      .select(["slug", "body_zh"])
      .where("slug", "in", ["withdrawal-fee", "close-account"])
      .orderBy("slug")
      .execute();
    expect(rows[1]?.body_zh).toBe("客服编辑过的正文。");
    expect(rows[0]?.body_zh).not.toBe("导入的新正文。");
  });

  it("imports once when two processes start at the same time", async () => {
    const [a, b] = await Promise.all([importHelpCentre(t.ctx), importHelpCentre(t.ctx)]);
    expect(a.inserted.length + b.inserted.length).toBe(40);
    expect(a.unchanged.length + b.unchanged.length).toBe(40);
    const df = await t.db
      .selectFrom("help_search_df")
      .select(["term", "df"])
      .where("term", "=", "提现")
      .execute();
    const postings = await t.db
      .selectFrom("help_search_terms")
      .select("article_id")
      .where("term", "=", "提现")
      .execute();
    expect(df[0]?.df).toBe(postings.length);
  });
});
