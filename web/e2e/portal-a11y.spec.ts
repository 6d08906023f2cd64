// axe-core on every portal page, logged out and logged in, in normal and in elder mode.
import type { Page } from "@playwright/test";
import { registerCustomer, useLocalPreferences } from "./portal-helpers";
import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";

const loggedOutPages = [
  "/login",
  "/register",
  "/forgot-password",
  "/unfreeze",
  "/report-lost",
  "/settings",
  "/help",
];
const loggedInPages = [
  "/",
  "/me",
  "/notifications",
  "/settings",
  "/security",
  "/security/password",
  "/security/payment-password",
  "/security/two-step",
  "/security/devices",
  "/security/login-history",
  "/security/email",
  "/security/phone",
  "/security/bank-cards",
  "/security/freeze",
];

async function checkPage(page: Page, path: string, mode: string) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  await expect(page.getByRole("main")).toBeVisible();
  await expect(page.getByText("正在加载…")).toHaveCount(0);
  await page.waitForLoadState("networkidle");
  await expectAccessible(page, `${path} (${mode})`);
}

for (const elderMode of [false, true]) {
  const mode = elderMode ? "elder mode" : "normal mode";

  test(`every logged-out portal page passes axe in ${mode}`, async ({ page }) => {
    test.setTimeout(180_000);
    await useLocalPreferences(page, { elderMode });
    for (const path of loggedOutPages) await checkPage(page, path, mode);
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.locator("html")).toHaveAttribute("data-elder", String(elderMode));
  });

  test(`every logged-in portal page passes axe in ${mode}`, async ({ page, request }) => {
    test.setTimeout(240_000);
    await useLocalPreferences(page, { elderMode });
    await registerCustomer(page, request);
    for (const path of loggedInPages) await checkPage(page, path, mode);
    await expect(page.getByRole("navigation", { name: "主导航" })).toBeVisible();
  });
}

test("elder mode gives a simplified home with large buttons and text of at least 18px", async ({
  page,
  request,
}) => {
  await useLocalPreferences(page, { elderMode: true });
  await registerCustomer(page, request);
  await page.goto("/");
  const buttons = page.locator(".oc-big-button");
  await expect(buttons).toHaveCount(6);
  for (const box of await buttons.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))) {
    expect(box).toBeGreaterThanOrEqual(60);
  }
  const fontSize = await page
    .locator("body")
    .evaluate((b) => Number.parseFloat(getComputedStyle(b).fontSize));
  expect(fontSize).toBeGreaterThanOrEqual(18);
});

test("switching the language to English changes the page and the lang attribute, and survives a reload", async ({
  page,
}) => {
  await page.goto("/settings");
  await page.getByRole("radio", { name: "English" }).check();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expectAccessible(page, "/settings in English");
});
