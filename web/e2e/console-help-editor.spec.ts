// The help-centre editor at the console: a supervisor writes a new article (markup typed into the
// body shows as text in the preview and is refused on save), publishes it, and the public help
// search finds it; a colleague's save in between is reported as a conflict, not overwritten. The
// list, the categories dialog and the editor pass axe.
import type { Page } from "@playwright/test";
import { logInAsStaff } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";

/** Picks an option of an antd Select found by its label. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: option }).click();
}

async function csrfHeader(page: Page): Promise<Record<string, string>> {
  const cookie = (await page.context().cookies()).find((c) => c.name === "oc_csrf");
  return { "x-csrf-token": cookie?.value ?? "" };
}

test("a supervisor writes, previews and publishes a help article that public search then finds", async ({
  page,
}) => {
  const slug = `e2e-blue-whale-${Date.now()}`;
  await logInAsStaff(page, "supervisor");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("帮助中心文章").click();
  await expect(page.getByRole("heading", { level: 1, name: "帮助中心文章" })).toBeVisible();
  // The imported articles are listed, published, with their feedback counts.
  await expect(page.getByRole("link", { name: "提现收取手续费吗？" })).toBeVisible();
  await expect(page.getByText("有帮助 0 · 没帮助 0").first()).toBeVisible();
  await expectAccessible(page, "help article list");
  await page.getByRole("button", { name: "管理分类" }).click();
  const categories = page.getByRole("dialog", { name: "帮助分类" });
  await expect(categories.getByLabel("分类 login 的中文名称")).toHaveValue("登录与验证码");
  await expectAccessible(page, "help categories dialog");
  await categories.getByRole("button", { name: "关闭" }).first().click();
  await expect(categories).toBeHidden();

  await page.getByRole("button", { name: "新建文章" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "新建帮助文章" })).toBeVisible();
  await page.getByLabel("标识（网址中的名称）").fill(slug);
  await choose(page, "分类", "账户与资料");
  await page.getByLabel("关键词").fill("蓝鲸, 领养");
  await page.getByLabel("中文标题").fill("如何领养一头蓝鲸");

  // Markup typed into the body is shown as text by the preview, never run, and the server refuses it.
  const body = page.getByLabel("中文正文（Markdown）");
  const preview = page.getByRole("region", { name: "中文预览（读者看到的样子）" });
  await body.fill('## 步骤\n\n1. 打开**蓝鲸**页面\n\n<img src=x onerror="window.__pwned = 1">');
  await expect(preview.getByRole("heading", { name: "步骤" })).toBeVisible();
  await expect(preview.locator("strong")).toHaveText("蓝鲸");
  await expect(preview).toContainText('<img src=x onerror="window.__pwned = 1">');
  await expect(preview.locator("img")).toHaveCount(0);
  await page.getByRole("button", { name: "保存草稿" }).click();
  await expect(page.getByRole("alert")).toContainText("正文不能包含 HTML");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await body.fill(
    "## 步骤\n\n1. 打开**蓝鲸**页面\n2. 填写领养表格\n\n[观看视频](https://video.example.com/whale)",
  );
  await expect(preview.getByRole("link", { name: "观看视频" })).toHaveAttribute(
    "href",
    "https://video.example.com/whale",
  );
  await page.getByRole("tab", { name: "English" }).click();
  await page.getByLabel("英文标题").fill("Adopting a blue whale");
  await page.getByLabel("英文正文（Markdown）").fill("Open the **blue whale** page and fill in the form.");
  await expect(page.getByRole("region", { name: "英文预览（读者看到的样子）" }).locator("strong")).toHaveText(
    "blue whale",
  );
  await expectAccessible(page, "help article editor (new)");

  // Not yet public: a draft is saved first, then published.
  await page.getByRole("button", { name: "发布", exact: true }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "已发布：读者现在可以看到并搜索到本文" }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/console\/help-articles\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "编辑：如何领养一头蓝鲸" })).toBeVisible();
  await expect(page.getByRole("link", { name: `/help/${slug}` })).toBeVisible();

  const search = await page.request.get(`/api/v1/help/search?q=${encodeURIComponent("领养蓝鲸")}`);
  expect(search.status()).toBe(200);
  const found = (await search.json()) as { items: Array<{ slug: string; title: string }> };
  expect(found.items[0]).toMatchObject({ slug, title: "如何领养一头蓝鲸" });
  const english = await page.request.get(`/api/v1/help/articles/${slug}?lang=en`);
  expect(await english.json()).toMatchObject({ lang: "en", title: "Adopting a blue whale" });
  await expectAccessible(page, "help article editor (published)");

  // A colleague saves while this editor is open: this editor's save is refused, not merged over theirs.
  const id = page.url().split("/").at(-1) ?? "";
  const current = (await (await page.request.get(`/api/v1/console/help/articles/${id}`)).json()) as {
    version: number;
    category: string;
    titleZh: string;
    titleEn: string;
    bodyEn: string;
    keywords: string[];
  };
  const colleague = await page.request.put(`/api/v1/console/help/articles/${id}`, {
    headers: await csrfHeader(page),
    data: {
      version: current.version,
      category: current.category,
      titleZh: current.titleZh,
      bodyZh: "同事修改后的正文：先打开蓝鲸页面。",
      titleEn: current.titleEn,
      bodyEn: current.bodyEn,
      keywords: current.keywords,
    },
  });
  expect(colleague.status()).toBe(200);
  await page.getByRole("tab", { name: "中文" }).click();
  await body.fill("我的修改");
  await page.getByRole("button", { name: "保存并更新已发布内容" }).click();
  await expect(page.getByRole("alert")).toContainText("保存失败：您打开本文后，其他人已修改了它");
  await expect(body).toHaveValue("我的修改");
  await page.getByRole("button", { name: "加载最新版本" }).click();
  await expect(body).toHaveValue("同事修改后的正文：先打开蓝鲸页面。");

  // Back in the list, the new article shows as published.
  await page.getByRole("link", { name: "返回文章列表" }).click();
  await page.getByLabel("标题搜索").fill("蓝鲸");
  await page.getByRole("button", { name: "筛选", exact: true }).click();
  const row = page.getByRole("row", { name: /如何领养一头蓝鲸/ });
  await expect(row.getByText("已发布")).toBeVisible();
  await expect(row.getByText(slug)).toBeVisible();
});
