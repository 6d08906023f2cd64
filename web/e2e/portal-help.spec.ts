// The help centre in the browser: a customer's own words find the article, it reads well, the
// "was this helpful?" answer is taken, and every help page passes axe in normal and elder mode.
import { expect, type Page, test } from "@playwright/test";
import { useLocalPreferences } from "./portal-helpers";
import { expectAccessible } from "./support/axe";

const WITHDRAWAL = "提现多久到账？为什么需要审核？";

async function settled(page: Page) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  await expect(page.getByText("正在加载…")).toHaveCount(0);
  await page.waitForLoadState("networkidle");
}

test("a customer asking 钱怎么取出来 finds the withdrawal article, reads it and says it helped", async ({
  page,
}) => {
  await page.goto("/help");
  await page.getByLabel("搜索问题").fill("钱怎么取出来");
  await page.getByRole("button", { name: "搜索" }).click();
  await expect(page).toHaveURL(/\/help\?q=/);
  const results = page.locator(".oc-help-results > li");
  await expect(results.first()).toBeVisible();
  const firstThree = (await results.locator(".oc-list-title").allTextContents()).slice(0, 3);
  expect(firstThree).toContain(WITHDRAWAL);

  await page.getByRole("link", { name: WITHDRAWAL }).click();
  await expect(page).toHaveURL(/\/help\/withdrawal-arrival-time$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(WITHDRAWAL);
  await expect(page.locator(".oc-help-body strong").first()).toBeVisible();

  const answered = page.waitForResponse(
    (r) => r.url().includes("/feedback") && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "有帮助", exact: true }).click();
  expect((await answered).status()).toBe(204);
  await expect(page.getByText("感谢您的反馈！")).toBeVisible();
});

test("a customer browses by category to the lost-phone article and back", async ({ page }) => {
  await page.goto("/help");
  await page.getByRole("link", { name: /账户安全/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("账户安全");
  await page.getByRole("link", { name: /手机丢了/ }).click();
  await expect(page).toHaveURL(/\/help\/report-lost-phone-freeze-account$/);
  await expect(page.getByRole("main")).toContainText("挂失");
  await page.getByRole("link", { name: "返回" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("账户安全");
});

const helpPages = [
  "/help",
  `/help?q=${encodeURIComponent("手机丢了怎么办")}`,
  "/help/category/security",
  "/help/forgot-login-password",
  "/help/limits-and-verification-levels",
];

for (const elderMode of [false, true]) {
  const mode = elderMode ? "elder mode" : "normal mode";
  test(`every help page passes axe in ${mode}`, async ({ page }) => {
    test.setTimeout(120_000);
    await useLocalPreferences(page, { elderMode });
    for (const path of helpPages) {
      await page.goto(path);
      await settled(page);
      await expectAccessible(page, `${path} (${mode})`);
    }
    await expect(page.locator("html")).toHaveAttribute("data-elder", String(elderMode));
  });
}

test("the kiosk's help screen searches, opens an article in large type, and passes axe", async ({ page }) => {
  await page.goto("/kiosk/");
  await page.getByRole("button", { name: /寻求帮助/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("寻求帮助");
  await expectAccessible(page, "kiosk help");
  await page.getByLabel("搜索问题").fill("机器把我的卡吞了");
  await page.getByRole("button", { name: "搜索" }).click();
  const hit = page.getByRole("button", { name: "自助终端吞卡或不识别现金怎么办？" });
  await expect(hit).toBeVisible();
  await hit.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("自助终端吞卡或不识别现金怎么办？");
  const size = await page
    .locator(".oc-help-body")
    .evaluate((b) => Number.parseFloat(getComputedStyle(b).fontSize));
  expect(size).toBeGreaterThanOrEqual(22);
  await expectAccessible(page, "kiosk help article");
  await page.getByRole("button", { name: "返回帮助" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("寻求帮助");
});
