// The kiosk's start screen: large, accessible, bilingual, and back to the start after a minute alone.

import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";

test("the kiosk start page passes axe and offers large buttons to log in and get help", async ({ page }) => {
  await page.goto("/kiosk/");
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用自助服务" })).toBeVisible();
  await expectAccessible(page, "kiosk start");
  for (const name of ["登录办理业务", "寻求帮助", "English"]) {
    const box = await page.getByRole("button", { name }).boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(60);
  }
  await page.getByRole("button", { name: "寻求帮助" }).click();
  await expect(page.getByRole("status")).toContainText("请向大厅工作人员求助");
  await expectAccessible(page, "kiosk help");
  await page.getByRole("button", { name: "返回首页" }).click();
  await page.getByRole("button", { name: "登录办理业务" }).click();
  await expect(page.getByLabel("手机号或邮箱")).toBeVisible();
  await expectAccessible(page, "kiosk login");
});

test("the kiosk returns to the start screen in Chinese after 60 seconds without input", async ({ page }) => {
  await page.clock.install();
  await page.goto("/kiosk/");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("button", { name: "Log in" }).click();
  // Typing counts as use: the minute starts again from the last key.
  await page.getByLabel("Phone or email").pressSequentially("138");
  await page.clock.runFor(58_000);
  await expect(page.getByLabel("Phone or email")).toBeVisible();
  await page.clock.runFor(3_000);
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用自助服务" })).toBeVisible();
});
