// Back office: finance finds the demo customer's ledger account and proposes a manual adjustment;
// a second member of staff approves it in the review queue; the entry then shows on the account.
import type { Page } from "@playwright/test";
import { apiClient, logInAsStaff, submitTotp } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { demoLogin } from "./support/demo";
import { expect, test } from "./support/test";

const DEMO_PHONE = "13800138000";
const REASON = "补记柜台现金充值，凭证编号 A-1024";

async function logInAsFinance(page: Page): Promise<void> {
  const staff = demoLogin("finance");
  if (!staff.totpSecret) throw new Error("demo finance has no TOTP secret");
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill(staff.login);
  await page.getByLabel("密码").fill(staff.password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "两步验证" })).toBeVisible();
  await submitTotp(page, staff.totpSecret);
}

/** The demo customer's wallet account is opened the first time they look at their balance. */
async function openDemoCustomerAccount(): Promise<void> {
  const { api, csrf } = await apiClient();
  const customer = demoLogin("customer");
  const login = await api.post("/api/v1/auth/login", {
    headers: csrf,
    data: { login: customer.login, password: customer.password },
  });
  expect(login.status()).toBe(200);
  expect((await api.get("/api/v1/wallet")).status()).toBe(200);
  await api.dispose();
}

test("finance proposes an adjustment, another member of staff approves it, and the entry shows", async ({
  page,
  browser,
}) => {
  await openDemoCustomerAccount();

  await logInAsFinance(page);
  await page.getByRole("navigation", { name: "管理台栏目" }).getByRole("menuitem", { name: "账本" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "账本账户" })).toBeVisible();
  await expectAccessible(page, "ledger accounts");

  await page.getByLabel("手机号、账户 ID 或账户代码").fill(DEMO_PHONE);
  await page.getByRole("button", { name: "查询" }).click();
  const accounts = page.getByRole("table", { name: "账户" });
  const row = accounts.getByRole("row").filter({ hasText: "138****8000" });
  await expect(row).toHaveCount(1);
  await expect(accounts.getByText(DEMO_PHONE)).toHaveCount(0);
  await row.getByRole("link").click();

  await expect(page.getByRole("heading", { level: 1, name: /账本账户：张\*/ })).toBeVisible();
  await expectAccessible(page, "ledger account");
  await page.getByLabel("金额（CNY）").fill("12.34");
  await page.getByLabel("原因").fill(REASON);
  await page.getByRole("button", { name: "提交调账申请" }).click();
  await expect(page.getByText("已提交，正在审核队列中等待批准。")).toBeVisible();
  const entries = page.getByRole("table", { name: "分录（最新在前）" });
  await expect(entries.getByText("¥12.34")).toHaveCount(0);

  // Maker-checker: a different member of staff approves.
  const adminContext = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const admin = await adminContext.newPage();
  await logInAsStaff(admin, "admin");
  await admin
    .getByRole("navigation", { name: "管理台栏目" })
    .getByRole("menuitem", { name: "审核队列" })
    .click();
  const item = admin
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: "138****8000" })
    .filter({ hasText: "人工调账" });
  await expect(item).toHaveCount(1);
  await item.getByRole("button", { name: /人工调账：调增 ¥12.34/ }).click();
  const drawer = admin.getByRole("dialog", { name: /人工调账/ });
  await expect(drawer.getByText(REASON)).toBeVisible();
  await drawer.getByRole("button", { name: "通过" }).click();
  const confirm = admin.getByRole("dialog", { name: "确认通过此申请？" });
  await confirm.getByRole("button", { name: "通过" }).click();
  await expect(drawer.getByText("已通过")).toBeVisible();
  await adminContext.close();

  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: /账本账户：张\*/ })).toBeVisible();
  const adjusted = entries.getByRole("row").filter({ hasText: "调账" }).filter({ hasText: "¥12.34" });
  await expect(adjusted).toHaveCount(1);
  await adjusted.getByRole("link", { name: "查看" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "转账记录：调账" })).toBeVisible();
  await expect(page.getByText("人工调账")).toBeVisible();
  await expectAccessible(page, "ledger transfer");

  await page.getByRole("link", { name: "返回账户列表" }).click();
  await page.getByRole("link", { name: "资金冻结" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "资金冻结" })).toBeVisible();
  await expect(page.getByRole("radio", { name: "冻结中" })).toBeChecked();
  await expectAccessible(page, "ledger holds");
});

test("staff without ledger access see no ledger section", async ({ page }) => {
  await logInAsStaff(page, "reviewer");
  const nav = page.getByRole("navigation", { name: "管理台栏目" });
  await expect(nav.getByRole("menuitem", { name: "审核队列" })).toBeVisible();
  await expect(nav.getByRole("menuitem", { name: "账本" })).toHaveCount(0);
});
