// The public help centre through the real HTTP stack: browse, search, read, and say if it helped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { importHelpCentre } from "./import.js";
import { FEEDBACK_PER_HOUR } from "./routes.js";
import { reindexArticle } from "./store.js";

let t: TestApp;
let ipSequence = 0;
beforeAll(async () => {
  t = await createTestApp();
  await importHelpCentre(t.ctx);
});
afterAll(() => t.close());

/** A reader of their own, so per-address limits of one test do not reach another. */
function reader() {
  const client = t.client();
  ipSequence += 1;
  client.ip = `198.51.100.${ipSequence}`;
  return client;
}

type SearchItem = { slug: string; title: string; snippet: string; score: number };

async function search(q: string, extra: Record<string, string> = {}) {
  const res = await reader().get("/api/v1/help/search", { query: { q, ...extra } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: SearchItem[] }).items;
}

describe("browsing the help centre", () => {
  it("lists the categories in order with how many articles each holds", async () => {
    const res = await reader().get("/api/v1/help/categories");
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: Array<{ slug: string; name: string; articles: number }> }).items;
    expect(items[0]).toEqual({ slug: "login", name: "登录与验证码", articles: 4 });
    expect(items.reduce((n, c) => n + c.articles, 0)).toBe(40);
    const en = (await reader().get("/api/v1/help/categories", { query: { lang: "en" } })).json() as {
      items: Array<{ name: string }>;
    };
    expect(en.items[0]?.name).toBe("Logging in and codes");
  });

  it("lists the published articles of one category, and 404s an unknown category", async () => {
    const res = await reader().get("/api/v1/help/articles", { query: { category: "withdrawal" } });
    expect(res.statusCode).toBe(200);
    const slugs = (res.json() as { items: Array<{ slug: string }> }).items.map((a) => a.slug);
    expect(slugs).toEqual(["withdrawal-arrival-time", "withdrawal-fee", "withdrawal-rejected"]);
    const unknown = await reader().get("/api/v1/help/articles", { query: { category: "no-such-thing" } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: "not_found" });
  });

  it("serves an article's Markdown by its imported slug, in Chinese when there is no English body", async () => {
    const res = await reader().get("/api/v1/help/articles/withdrawal-fee");
    expect(res.statusCode).toBe(200);
    const article = res.json() as { lang: string; title: string; body: string; category: string };
    expect(article).toMatchObject({ lang: "zh-CN", title: "提现收取手续费吗？", category: "withdrawal" });
    expect(article.body).toContain("**");
    const en = (await reader().get("/api/v1/help/articles/withdrawal-fee", { query: { lang: "en" } })).json();
    expect(en).toMatchObject({ lang: "zh-CN", title: "提现收取手续费吗？" });
  });

  it("serves the English version where one exists", async () => {
    await t.db
      .updateTable("help_articles")
      .set({ body_en: "The first three withdrawals each month are free." })
      .where("slug", "=", "withdrawal-fee")
      .execute();
    const en = (await reader().get("/api/v1/help/articles/withdrawal-fee", { query: { lang: "en" } })).json();
    expect(en).toMatchObject({
      lang: "en",
      title: "Is there a fee for withdrawals?",
      body: "The first three withdrawals each month are free.",
    });
  });

  it("hides drafts from lists, article pages and search", async () => {
    const row = await t.db
      .updateTable("help_articles")
      .set({ status: "draft" })
      .where("slug", "=", "points-redemption")
      .returning("id")
      .executeTakeFirstOrThrow();
    await reindexArticle(t.db, row.id);
    expect((await reader().get("/api/v1/help/articles/points-redemption")).statusCode).toBe(404);
    const list = (await reader().get("/api/v1/help/articles", { query: { category: "account" } })).json() as {
      items: Array<{ slug: string }>;
    };
    expect(list.items.map((a) => a.slug)).not.toContain("points-redemption");
    expect((await search("积分兑换", { limit: "20" })).map((i) => i.slug)).not.toContain("points-redemption");
    await t.db.updateTable("help_articles").set({ status: "published" }).where("id", "=", row.id).execute();
    await reindexArticle(t.db, row.id);
    expect((await search("积分兑换"))[0]?.slug).toBe("points-redemption");
  });

  it("answers 404 for a slug that does not exist", async () => {
    const res = await reader().get("/api/v1/help/articles/no-such-article");
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "not_found" });
  });
});

describe("searching the help centre", () => {
  it("finds the withdrawal article for 钱怎么取出来, though the article never says 取出来", async () => {
    const items = await search("钱怎么取出来");
    expect(items.slice(0, 3).map((i) => i.slug)).toContain("withdrawal-arrival-time");
  });

  it("finds the freeze article for 手机丢了怎么办, best first", async () => {
    const items = await search("手机丢了怎么办");
    expect(items[0]?.slug).toBe("report-lost-phone-freeze-account");
    const scores = items.map((i) => i.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("returns plain-text snippets of at most 120 characters around the match", async () => {
    const items = await search("提现手续费", { limit: "10" });
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.snippet.length).toBeLessThanOrEqual(120);
      expect(item.snippet).not.toMatch(/\*\*|^#|\]\(/);
      expect(item.score).toBeGreaterThan(0);
      expect(item.score).toBeLessThanOrEqual(1);
    }
    expect(items[0]?.slug).toBe("withdrawal-fee");
    expect(items[0]?.snippet).toContain("提现");
  });

  it("finds articles by their English titles and gives English titles when asked", async () => {
    const items = await search("lost phone freeze", { lang: "en" });
    expect(items[0]).toMatchObject({
      slug: "report-lost-phone-freeze-account",
      title: "I lost my phone. How do I freeze my account, and how do I unfreeze it later?",
    });
  });

  it("takes the snippet from the English body when English is asked for and there is one", async () => {
    const row = await t.db
      .updateTable("help_articles")
      .set({ body_en: "Log in at the kiosk with your phone number and password." })
      .where("slug", "=", "kiosk-login")
      .returning("id")
      .executeTakeFirstOrThrow();
    await reindexArticle(t.db, row.id);
    const items = await search("log in at a kiosk with password", { lang: "en" });
    expect(items[0]).toMatchObject({
      slug: "kiosk-login",
      snippet: "Log in at the kiosk with your phone number and password.",
    });
  });

  it("returns no items for words no article has, and honours the limit", async () => {
    expect(await search("饕餮鼙鼓 zyzzyva")).toEqual([]);
    expect(await search("密码", { limit: "2" })).toHaveLength(2);
  });

  it("refuses an empty, blank, oversized or malformed query with a stable code", async () => {
    for (const query of [
      {},
      { q: "" },
      { q: "   " },
      { q: "密".repeat(101) },
      { q: "密码", limit: "0" },
      { q: "密码", limit: "21" },
      { q: "密码", limit: "many" },
      { q: "密码", lang: "fr" },
    ]) {
      const res = await reader().get("/api/v1/help/search", { query: query as Record<string, string> });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json()).toMatchObject({ code: "validation_failed" });
    }
  });

  it("treats SQL and regex characters in a query as plain text", async () => {
    for (const q of ["'; drop table help_articles; --", "%_\\", ".*(", "密码' or '1'='1"]) {
      const res = await reader().get("/api/v1/help/search", { query: { q } });
      expect(res.statusCode).toBe(200);
    }
    expect(await t.db.selectFrom("help_articles").select("id").execute()).toHaveLength(40);
  });
});

describe("was this helpful?", () => {
  const counts = async (slug: string) =>
    t.db
      .selectFrom("help_articles")
      .select(["helpful_count", "unhelpful_count"])
      .where("slug", "=", slug)
      .executeTakeFirstOrThrow();

  it("counts a yes and a no", async () => {
    const client = reader();
    expect(
      (await client.post("/api/v1/help/articles/close-account/feedback", { helpful: true })).statusCode,
    ).toBe(204);
    expect(
      (await client.post("/api/v1/help/articles/close-account/feedback", { helpful: false })).statusCode,
    ).toBe(204);
    expect(await counts("close-account")).toEqual({ helpful_count: 1, unhelpful_count: 1 });
  });

  it("needs the CSRF token like every other unsafe request", async () => {
    const res = await reader().post(
      "/api/v1/help/articles/close-account/feedback",
      { helpful: true },
      { noCsrf: true },
    );
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "csrf_failed" });
    expect(await counts("close-account")).toEqual({ helpful_count: 1, unhelpful_count: 1 });
  });

  it("refuses bad bodies and unknown articles without counting anything", async () => {
    for (const body of [{}, { helpful: "yes" }, { helpful: 1 }, { helpful: true, extra: 1 }, [], null]) {
      const res = await reader().post("/api/v1/help/articles/close-account/feedback", body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    const missing = await reader().post("/api/v1/help/articles/no-such-article/feedback", { helpful: true });
    expect(missing.statusCode).toBe(404);
    const badSlug = await reader().post("/api/v1/help/articles/Not_A_Slug/feedback", { helpful: true });
    expect(badSlug.statusCode).toBe(400);
    expect(badSlug.json()).toMatchObject({ code: "validation_failed" });
    expect(await counts("close-account")).toEqual({ helpful_count: 1, unhelpful_count: 1 });
  });

  it(`stops counting one address after ${FEEDBACK_PER_HOUR} answers in an hour`, async () => {
    const client = reader();
    for (let i = 0; i < FEEDBACK_PER_HOUR; i++) {
      const res = await client.post("/api/v1/help/articles/kiosk-login/feedback", { helpful: true });
      expect(res.statusCode).toBe(204);
    }
    const over = await client.post("/api/v1/help/articles/kiosk-login/feedback", { helpful: true });
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: "rate_limited" });
    expect((await counts("kiosk-login")).helpful_count).toBe(FEEDBACK_PER_HOUR);
  });
});
