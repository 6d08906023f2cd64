import { logInAsStaff } from "./console-helpers";
import { demoLogin } from "./support/demo";
import { expect, test } from "./support/test";

test("a reviewer logs in with password and authenticator code and sees only the pages their role allows", async ({
  page,
}) => {
  await logInAsStaff(page, "reviewer");
  const menu = page.getByRole("navigation", { name: "管理台栏目" });
  await expect(menu.getByText("审核队列")).toBeVisible();
  await expect(menu.getByText("客户查询")).toBeVisible();
  await expect(menu.getByText("审计日志")).toHaveCount(0);
  await expect(menu.getByText("员工管理")).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();

  // The session survives a reload, and logging out returns to the login form.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  await page.getByRole("button", { name: /Demo Reviewer/ }).click();
  await page.getByRole("menuitem", { name: "退出登录" }).click();
  await expect(page.getByLabel("邮箱")).toBeVisible();
});

test("a wrong authenticator code is refused with a clear message", async ({ page }) => {
  const staff = demoLogin("agent");
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill(staff.login);
  await page.getByLabel("密码").fill(staff.password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByLabel("动态验证码").fill("000000");
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page.getByRole("alert")).toContainText("两步验证");
  await expect(page.getByRole("navigation", { name: "管理台栏目" })).toHaveCount(0);
});

test("a wrong password is refused without revealing whether the account exists", async ({ page }) => {
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill("nobody@opencounter.local");
  await page.getByLabel("密码").fill("not-the-password");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("动态验证码")).toHaveCount(0);
});

test("after three wrong passwords the login form asks for a captcha, shown as a described image", async ({
  page,
}) => {
  const login = `stranger.${Date.now()}@opencounter.local`;
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill(login);
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.getByLabel("密码").fill(`wrong-password-${attempt}`);
    if (await page.getByLabel("图形验证码", { exact: true }).isVisible()) break;
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
  }
  await expect(page.getByRole("img", { name: "图形验证码：请输入图中字符" })).toBeVisible();
  await expect(page.getByLabel("图形验证码", { exact: true })).toBeVisible();
});
