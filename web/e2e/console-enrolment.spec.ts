import { logInAsStaff } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { totpCode } from "./support/demo";
import { expect, test } from "./support/test";

test("an admin adds a staff member, who sets up two-step verification at first login and keeps the backup codes", async ({
  browser,
  page,
}) => {
  // Two people log in and axe runs twice; under a parallel run that outlasts the default minute.
  test.setTimeout(180_000);
  const email = `new.reviewer.${Date.now()}@opencounter.local`;
  const password = `Counter-${Math.random().toString(36).slice(2, 8)}-ledger-2026`;

  await logInAsStaff(page, "admin");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("员工管理").click();
  await page.getByRole("button", { name: "添加员工" }).click();
  const dialog = page.getByRole("dialog", { name: "添加员工" });
  await dialog.getByLabel("邮箱").fill(email);
  await dialog.getByLabel("姓名").fill("新审核员");
  const roles = dialog.getByLabel("角色");
  await roles.fill("审核员");
  await roles.press("Enter");
  await dialog.getByLabel("初始密码").fill(password);
  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toBeVisible();

  // The new staff member, in a browser of their own.
  const theirs = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  const them = await theirs.newPage();
  await them.goto("/console/");
  await them.getByLabel("邮箱").fill(email);
  await them.getByLabel("密码").fill(password);
  await them.getByRole("button", { name: "登录" }).click();
  await expect(them.getByRole("heading", { name: "设置两步验证" })).toBeVisible();
  await expect(them.getByRole("img", { name: "身份验证器应用的二维码" })).toBeVisible();
  await expectAccessible(them, "console TOTP enrolment");

  const secret = (await them.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await them.getByLabel("应用中的动态码").fill(totpCode(secret));
  await them.getByRole("button", { name: "开启两步验证" }).click();

  const codes = them.getByRole("list", { name: "备用码" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  await expectAccessible(them, "console backup codes");
  const proceed = them.getByRole("button", { name: "进入管理台" });
  await expect(proceed).toBeDisabled();
  await them.getByLabel("我已保存这些备用码").check();
  await proceed.click();
  await expect(them.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  await theirs.close();
});
