// The console's help-centre editor through the real HTTP stack and a real PostgreSQL: drafts stay
// hidden, publishing makes an article readable and searchable, edits reach the search index,
// two editors cannot overwrite each other, and nothing an editor writes can inject markup.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { defaultArticles, importHelpCentre } from "./import.js";

let t: TestApp;
let editor: TestClient;
let editorId: string;
let ipSequence = 0;
let slugSequence = 0;

beforeAll(async () => {
  t = await createTestApp();
  await importHelpCentre(t.ctx);
  const supervisor = await createStaff(t, { roles: ["supervisor"], name: "Editor One" });
  editor = supervisor.client;
  editorId = supervisor.user.id;
});
afterAll(() => t.close());

function reader() {
  const client = t.client();
  ipSequence += 1;
  client.ip = `198.51.100.${ipSequence}`;
  return client;
}

const uniqueSlug = () => `editor-test-${++slugSequence}-${Date.now() % 100_000}`;

type Article = {
  id: string;
  slug: string;
  status: "draft" | "published";
  source: string;
  version: number;
  titleZh: string;
  bodyZh: string;
  titleEn: string;
  bodyEn: string;
  feedback: { helpful: number; notHelpful: number };
  updatedBy: { id: string; name: string } | null;
};

async function createDraft(overrides: Record<string, unknown> = {}): Promise<Article> {
  const res = await editor.post("/api/v1/console/help/articles", {
    slug: uniqueSlug(),
    category: "account",
    titleZh: "如何领养一头蓝鲸",
    bodyZh: "## 步骤\n\n1. 打开**蓝鲸**页面\n2. 填写表格\n\n![示意图](/images/whale.png)",
    keywords: ["蓝鲸"],
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Article;
}

async function searchSlugs(q: string, lang = "zh-CN"): Promise<string[]> {
  const res = await reader().get("/api/v1/help/search", { query: { q, limit: "20", lang } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: Array<{ slug: string }> }).items.map((i) => i.slug);
}

async function publish(a: { id: string; version: number }): Promise<Article> {
  const res = await editor.post(`/api/v1/console/help/articles/${a.id}/publish`, { version: a.version });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Article;
}

function contentOf(a: Article) {
  return {
    version: a.version,
    category: "account",
    titleZh: a.titleZh,
    bodyZh: a.bodyZh,
    titleEn: a.titleEn,
    bodyEn: a.bodyEn,
  };
}

async function auditActions(articleId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom("audit_log")
    .select(["action", "actor_id"])
    .where("target_id", "=", articleId)
    .orderBy("id")
    .execute();
  for (const r of rows) expect(r.actor_id).toBe(editorId);
  return rows.map((r) => r.action);
}

describe("an article's life from draft to published and back", () => {
  it("keeps a new draft out of the help centre and its search, then publishes, edits and unpublishes it", async () => {
    const draft = await createDraft();
    expect(draft).toMatchObject({ status: "draft", source: "staff", version: 1 });
    expect(draft.updatedBy).toEqual({ id: editorId, name: "Editor One" });

    expect((await reader().get(`/api/v1/help/articles/${draft.slug}`)).statusCode).toBe(404);
    expect(await searchSlugs("蓝鲸")).not.toContain(draft.slug);
    const listed = (
      await editor.get("/api/v1/console/help/articles", { query: { status: "draft" } })
    ).json() as {
      items: Array<{ slug: string }>;
    };
    expect(listed.items.map((i) => i.slug)).toContain(draft.slug);

    const published = await publish(draft);
    expect(published).toMatchObject({ status: "published", version: 2 });
    const page = await reader().get(`/api/v1/help/articles/${draft.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ title: "如何领养一头蓝鲸" });
    expect((await searchSlugs("蓝鲸"))[0]).toBe(draft.slug);

    const edited = await editor.put(`/api/v1/console/help/articles/${draft.id}`, {
      ...contentOf(published),
      titleZh: "如何照顾一只独角兽",
      bodyZh: "给**独角兽**准备干草。",
      keywords: [],
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const afterEdit = edited.json() as Article;
    expect(afterEdit).toMatchObject({ status: "published", version: 3 });
    expect(await searchSlugs("独角兽")).toContain(draft.slug);
    expect(await searchSlugs("蓝鲸")).not.toContain(draft.slug);

    const unpublished = await editor.post(`/api/v1/console/help/articles/${draft.id}/unpublish`, {
      version: afterEdit.version,
    });
    expect(unpublished.statusCode).toBe(200);
    expect(unpublished.json()).toMatchObject({ status: "draft", version: 4 });
    expect((await reader().get(`/api/v1/help/articles/${draft.slug}`)).statusCode).toBe(404);
    expect(await searchSlugs("独角兽")).not.toContain(draft.slug);
    const postings = await t.db
      .selectFrom("help_search_terms")
      .select("term")
      .where("article_id", "=", draft.id)
      .execute();
    expect(postings).toEqual([]);

    expect(await auditActions(draft.id)).toEqual([
      "help.article_created",
      "help.article_published",
      "help.article_updated",
      "help.article_unpublished",
    ]);
  });

  it("serves the English version to English readers once it has a title and a body", async () => {
    const draft = await createDraft({
      titleEn: "Adopting a narwhal",
      bodyEn: "Fill in the **narwhal** form.",
    });
    await publish(draft);
    const en = await reader().get(`/api/v1/help/articles/${draft.slug}`, { query: { lang: "en" } });
    expect(en.json()).toMatchObject({ lang: "en", title: "Adopting a narwhal" });
    expect(await searchSlugs("narwhal", "en")).toContain(draft.slug);
  });

  it("keeps an English title without a body (imported articles have them) and serves Chinese until there is one", async () => {
    const draft = await publish(await createDraft({ titleEn: "Adopting a blue whale" }));
    expect(draft).toMatchObject({ titleEn: "Adopting a blue whale", bodyEn: "" });
    const en = await reader().get(`/api/v1/help/articles/${draft.slug}`, { query: { lang: "en" } });
    expect(en.json()).toMatchObject({ lang: "zh-CN", title: "如何领养一头蓝鲸" });
  });
});

describe("two editors at once", () => {
  it("refuses a save made to an older version with 409 edit_conflict, and keeps the colleague's text", async () => {
    const draft = await createDraft();
    const first = await editor.put(`/api/v1/console/help/articles/${draft.id}`, {
      ...contentOf(draft),
      bodyZh: "第一位编辑的正文",
    });
    expect(first.statusCode).toBe(200);

    const second = await editor.put(`/api/v1/console/help/articles/${draft.id}`, {
      ...contentOf(draft),
      bodyZh: "第二位编辑的正文",
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: "edit_conflict", currentVersion: 2 });
    const publishStale = await editor.post(`/api/v1/console/help/articles/${draft.id}/publish`, {
      version: draft.version,
    });
    expect(publishStale.statusCode).toBe(409);
    expect(publishStale.json()).toMatchObject({ code: "edit_conflict" });

    const now = (await editor.get(`/api/v1/console/help/articles/${draft.id}`)).json() as Article;
    expect(now).toMatchObject({ bodyZh: "第一位编辑的正文", version: 2, status: "draft" });
  });

  it("lets exactly one of two saves made at the same moment to the same version through", async () => {
    const draft = await createDraft();
    const saves = await Promise.all(
      ["甲的正文", "乙的正文"].map((bodyZh) =>
        editor.put(`/api/v1/console/help/articles/${draft.id}`, { ...contentOf(draft), bodyZh }),
      ),
    );
    expect(saves.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner = saves.find((r) => r.statusCode === 200)?.json() as Article;
    const now = (await editor.get(`/api/v1/console/help/articles/${draft.id}`)).json() as Article;
    expect(now).toMatchObject({ version: 2, bodyZh: winner.bodyZh });
  });

  it("treats an import that changed the article since it was opened as a colleague's save", async () => {
    const listed = (
      await editor.get("/api/v1/console/help/articles", { query: { q: "withdrawal-fee" } })
    ).json() as { items: Array<{ id: string }> };
    const id = listed.items[0]?.id ?? "";
    const opened = (await editor.get(`/api/v1/console/help/articles/${id}`)).json() as Article;
    const shipped = defaultArticles().find((a) => a.slug === "withdrawal-fee");
    if (!shipped) throw new Error("the shipped data set has no withdrawal-fee article");
    const report = await importHelpCentre(t.ctx, [{ ...shipped, body: `${shipped.body}\n\n新版说明。` }]);
    expect(report.updated).toEqual(["withdrawal-fee"]);
    const stale = await editor.put(`/api/v1/console/help/articles/${id}`, {
      ...contentOf(opened),
      category: "withdrawal",
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: "edit_conflict", currentVersion: opened.version + 1 });
  });

  it("does not count a reader's feedback as an edit, and shows the counts to the editor", async () => {
    const article = await publish(await createDraft());
    for (const helpful of [true, true, false]) {
      const res = await reader().post(`/api/v1/help/articles/${article.slug}/feedback`, { helpful });
      expect(res.statusCode).toBe(204);
    }
    const read = (await editor.get(`/api/v1/console/help/articles/${article.id}`)).json() as Article;
    expect(read).toMatchObject({ version: article.version, feedback: { helpful: 2, notHelpful: 1 } });
    const list = (
      await editor.get("/api/v1/console/help/articles", { query: { q: article.slug } })
    ).json() as { items: Array<{ id: string; feedback: unknown }> };
    expect(list.items).toEqual([
      expect.objectContaining({ id: article.id, feedback: { helpful: 2, notHelpful: 1 } }),
    ]);
    const save = await editor.put(`/api/v1/console/help/articles/${article.id}`, contentOf(read));
    expect(save.statusCode).toBe(200);
  });
});

describe("what an editor may write", () => {
  const injections: Array<[string, string]> = [
    ["a script element", "你好<script>alert(1)</script>"],
    ["an image tag with an event handler", '<img src=x onerror="alert(1)">'],
    ["an HTML comment", "<!-- hidden -->"],
    ["a javascript: link", "[点我](javascript:alert(1))"],
    ["a data: image", "![x](data:image/svg+xml;base64,PHN2Zz4=)"],
    ["a protocol-relative link", "[x](//evil.example/steal)"],
  ];

  it.each(injections)("refuses %s in the body and writes nothing", async (_name, bodyZh) => {
    const slug = uniqueSlug();
    const res = await editor.post("/api/v1/console/help/articles", {
      slug,
      category: "account",
      titleZh: "注入测试",
      bodyZh,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "unsafe_markdown", field: "bodyZh" });
    const row = await t.db
      .selectFrom("help_articles")
      .select("id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it("refuses markup in an edit of the English body and in a title", async () => {
    const draft = await createDraft();
    const body = await editor.put(`/api/v1/console/help/articles/${draft.id}`, {
      ...contentOf(draft),
      titleEn: "Hello",
      bodyEn: "<iframe src='https://evil.example'></iframe>",
    });
    expect(body.json()).toMatchObject({ code: "unsafe_markdown", field: "bodyEn" });
    const title = await editor.put(`/api/v1/console/help/articles/${draft.id}`, {
      ...contentOf(draft),
      titleZh: "<b>加粗</b>",
    });
    expect(title.json()).toMatchObject({ code: "unsafe_markdown", field: "titleZh" });
    const read = (await editor.get(`/api/v1/console/help/articles/${draft.id}`)).json() as Article;
    expect(read.version).toBe(1);
  });

  it("accepts images, video links, tables and comparisons written with < and a digit", async () => {
    const draft = await createDraft({
      bodyZh:
        "![截图](https://cdn.example.com/a.png)\n\n[观看视频](https://video.example.com/watch?v=1)\n\n| 金额 | 费用 |\n| --- | --- |\n| <100 元 | 免费 |\n\n[联系客服](/chat)",
    });
    expect(draft.bodyZh).toContain("https://video.example.com/watch?v=1");
  });

  it("refuses a body over the size limit", async () => {
    const res = await editor.post("/api/v1/console/help/articles", {
      slug: uniqueSlug(),
      category: "account",
      titleZh: "很长",
      bodyZh: "长".repeat(50_001),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "validation_failed" });
  });

  it("validates new slugs as the public routes do, and never reuses one", async () => {
    for (const slug of ["Has-Capitals", "-leading-hyphen", "空格", "a".repeat(100)]) {
      const res = await editor.post("/api/v1/console/help/articles", {
        slug,
        category: "account",
        titleZh: "标题",
        bodyZh: "正文",
      });
      expect(res.statusCode, slug).toBe(400);
      expect(res.json()).toMatchObject({ code: "validation_failed" });
    }
    const taken = await editor.post("/api/v1/console/help/articles", {
      slug: "withdrawal-fee",
      category: "withdrawal",
      titleZh: "重复",
      bodyZh: "正文",
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: "slug_taken" });
    const unknownCategory = await editor.post("/api/v1/console/help/articles", {
      slug: uniqueSlug(),
      category: "no-such-category",
      titleZh: "标题",
      bodyZh: "正文",
    });
    expect(unknownCategory.statusCode).toBe(400);
  });

  it("keeps an imported article's slug when it is edited, and the next import leaves the edit alone", async () => {
    const listed = (
      await editor.get("/api/v1/console/help/articles", { query: { q: "withdrawal-arrival-time" } })
    ).json() as { items: Array<{ id: string; source: string }> };
    const id = listed.items[0]?.id ?? "";
    expect(listed.items[0]?.source).toBe("import");
    const before = (await editor.get(`/api/v1/console/help/articles/${id}`)).json() as Article;
    const res = await editor.put(`/api/v1/console/help/articles/${id}`, {
      ...contentOf(before),
      category: "withdrawal",
      bodyZh: `${before.bodyZh}\n\n编辑补充：到账时间以银行为准。`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slug: "withdrawal-arrival-time", source: "staff" });
    const report = await importHelpCentre(t.ctx);
    expect(report.keptEdited).toContain("withdrawal-arrival-time");
    const page = (await reader().get("/api/v1/help/articles/withdrawal-arrival-time")).json() as {
      body: string;
    };
    expect(page.body).toContain("编辑补充");
  });
});

describe("finding articles in the editor", () => {
  it("filters by category, state and language, searches titles, and pages with a cursor", async () => {
    const english = await createDraft({
      category: "kiosk",
      titleZh: "终端上的海豚",
      titleEn: "Dolphins",
      bodyEn: "x",
    });
    const chinese = await createDraft({ category: "kiosk", titleZh: "终端上的海豚二" });
    const q = async (query: Record<string, string>) =>
      (
        (await editor.get("/api/v1/console/help/articles", { query })).json() as {
          items: Array<{ id: string; category: string; status: string; hasEnglish: boolean }>;
          nextCursor: string | null;
        }
      ).items;

    const dolphins = await q({ q: "海豚" });
    expect(dolphins.map((i) => i.id).sort()).toEqual([english.id, chinese.id].sort());
    expect((await q({ q: "dolphins" })).map((i) => i.id)).toEqual([english.id]);
    expect((await q({ q: "海豚", lang: "en" })).map((i) => i.id)).toEqual([english.id]);
    expect((await q({ q: "海豚", lang: "zh-only" })).map((i) => i.id)).toEqual([chinese.id]);
    const kiosk = await q({ category: "kiosk", limit: "200" });
    expect(kiosk.every((i) => i.category === "kiosk")).toBe(true);
    expect(kiosk.length).toBeGreaterThan(2);
    expect((await q({ status: "published", limit: "200" })).every((i) => i.status === "published")).toBe(
      true,
    );
    expect(await q({ q: "100%_" })).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: "7", ...(cursor ? { cursor } : {}) };
      const page = (await editor.get("/api/v1/console/help/articles", { query })).json() as {
        items: Array<{ id: string }>;
        nextCursor: string | null;
      };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    const total = await t.db
      .selectFrom("help_articles")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(seen.length).toBe(Number(total.n));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe("categories", () => {
  it("adds, renames and reorders categories, audited, and readers see the new names and order", async () => {
    const created = await editor.post("/api/v1/console/help/categories", {
      slug: "pets",
      nameZh: "宠物",
      nameEn: "Pets",
    });
    expect(created.statusCode).toBe(201);
    const items = (created.json() as { items: Array<{ slug: string; position: number }> }).items;
    expect(items.at(-1)).toMatchObject({ slug: "pets" });
    const again = await editor.post("/api/v1/console/help/categories", { slug: "pets", nameZh: "宠物" });
    expect(again.json()).toMatchObject({ code: "slug_taken" });

    const renamed = await editor.put("/api/v1/console/help/categories/pets", {
      nameZh: "宠物服务",
      nameEn: "Pet care",
    });
    expect(renamed.statusCode).toBe(200);
    const missing = await editor.put("/api/v1/console/help/categories/no-such", { nameZh: "无" });
    expect(missing.statusCode).toBe(404);

    const order = ["pets", ...items.map((c) => c.slug).filter((s) => s !== "pets")];
    const partial = await editor.put("/api/v1/console/help/category-order", { slugs: order.slice(1) });
    expect(partial.statusCode).toBe(400);
    const twice = await editor.put("/api/v1/console/help/category-order", {
      slugs: [...order.slice(0, -1), "pets"],
    });
    expect(twice.statusCode).toBe(400);
    const reordered = await editor.put("/api/v1/console/help/category-order", { slugs: order });
    expect(reordered.statusCode).toBe(200);

    const publicList = (await reader().get("/api/v1/help/categories", { query: { lang: "en" } })).json() as {
      items: Array<{ slug: string; name: string }>;
    };
    expect(publicList.items[0]).toMatchObject({ slug: "pets", name: "Pet care" });
    expect(publicList.items.map((c) => c.slug)).toEqual(order);

    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "help.categor%")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "help.category_created",
      "help.category_renamed",
      "help.categories_reordered",
    ]);
  });
});

describe("who may edit", () => {
  it("refuses an agent without help:manage (403) and writes nothing", async () => {
    const agent = (await createStaff(t, { roles: ["agent"] })).client;
    const list = await agent.get("/api/v1/console/help/articles");
    expect(list.statusCode).toBe(403);
    expect(list.json()).toMatchObject({ code: "forbidden" });
    const slug = uniqueSlug();
    const create = await agent.post("/api/v1/console/help/articles", {
      slug,
      category: "account",
      titleZh: "代理写的",
      bodyZh: "不应出现",
    });
    expect(create.statusCode).toBe(403);
    expect(create.json()).toMatchObject({ code: "forbidden" });
    const row = await t.db
      .selectFrom("help_articles")
      .select("id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });
});
