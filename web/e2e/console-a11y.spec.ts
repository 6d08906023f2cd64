import { logInAsStaff, registerCustomerByApi, requestNameChange } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { demoLogin } from "./support/demo";
import { expect, test } from "./support/test";

test("the login and two-step pages pass axe in Chinese and English", async ({ page }) => {
  await page.goto("/console/");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expectAccessible(page, "console login (zh-CN)");

  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Staff log in" })).toBeVisible();
  await expectAccessible(page, "console login (en)");

  const staff = demoLogin("supervisor");
  await page.getByLabel("Email").fill(staff.login);
  await page.getByLabel("Password").fill(staff.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByLabel("Verification code")).toBeVisible();
  await expectAccessible(page, "console two-step code (en)");
});

test("every console page an admin can open passes axe", async ({ page, request }) => {
  // Eleven axe runs over a full console take longer than one ordinary test.
  test.setTimeout(240_000);
  const customer = await registerCustomerByApi(request, "孙十");
  await requestNameChange(customer, "孙十一");

  await logInAsStaff(page, "admin");
  const menu = page.getByRole("navigation", { name: "管理台栏目" });

  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  await expectAccessible(page, "review queue");
  const row = page
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: customer.maskedPhone });
  await row.getByRole("button", { name: /资料修改/ }).click();
  const drawer = page.getByRole("dialog", { name: /资料修改/ });
  await expect(drawer.getByRole("img", { name: "客户上传的证明材料" })).toBeVisible();
  await expectAccessible(page, "review drawer");
  await drawer.getByRole("button", { name: "驳回" }).click();
  await expect(page.getByRole("dialog", { name: "确认驳回此申请？" })).toBeVisible();
  await expectAccessible(page, "reject dialog");
  await page.getByRole("dialog", { name: "确认驳回此申请？" }).getByRole("button", { name: "取消" }).click();
  await drawer.getByRole("button", { name: "关闭" }).click();

  await menu.getByText("客户查询").click();
  await expect(page.getByText("每次查询和打开的每条客户记录都会以您的名义记入审计日志。")).toBeVisible();
  await page.getByLabel("手机号、邮箱或姓名").fill(customer.phone);
  await page.getByRole("button", { name: "查询" }).click();
  const match = page
    .getByRole("table", { name: /匹配的客户/ })
    .getByRole("row")
    .filter({ hasText: customer.maskedPhone });
  await expect(match).toHaveCount(1);
  await expectAccessible(page, "customer lookup results");
  await match.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: /客户/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "最近登录" })).toBeVisible();
  await expectAccessible(page, "customer detail");

  await menu.getByText("审计日志").click();
  await page.getByRole("button", { name: "校验哈希链" }).click();
  await expect(page.getByRole("status")).toContainText("哈希链完整");
  await expectAccessible(page, "audit log");

  await menu.getByText("员工管理").click();
  await expect(page.getByRole("table", { name: "员工账号" })).toBeVisible();
  await expectAccessible(page, "staff list");
  await page.getByRole("button", { name: "添加员工" }).click();
  await expect(page.getByRole("dialog", { name: "添加员工" })).toBeVisible();
  await expectAccessible(page, "add staff dialog");
  await page.getByRole("dialog", { name: "添加员工" }).getByRole("button", { name: "取消" }).click();

  // The same screens in English: <html lang> follows the switch.
  await page.getByRole("button", { name: /Demo Admin|演示管理员/ }).click();
  await page.getByRole("menuitem", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();
  // The language menu fades out; axe must not measure its half-transparent items.
  await expect(page.locator(".ant-dropdown-menu")).toBeHidden();
  await expectAccessible(page, "staff list (en)");
});
