// The demo customer's first look at the wallet after `npm start`: money and a history, written
// through the real money paths (server/src/demo/wallet-seed.ts), a payment made with the payment
// password the demo logins print, and 全部提现 offering what the balance allows.
import { expectAccessible } from "./support/axe";
import { demoLogin } from "./support/demo";
import { expect, test } from "./support/test";

/** As the portal shows money (¥1,540.30), and as it fills an amount in (1540.30). */
function yuan(fen: number): string {
  return `¥${Math.trunc(fen / 100).toLocaleString("en-US")}.${String(fen % 100).padStart(2, "0")}`;
}
function yuanText(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

test("the demo customer finds a history in the wallet and pays with the printed payment password", async ({
  page,
}) => {
  const customer = demoLogin("customer");
  expect(customer.paymentPassword).toMatch(/^\d{6}$/);
  await page.goto("/login");
  await page.getByLabel("手机号或邮箱").fill(customer.login);
  await page.getByLabel("登录密码").fill(customer.password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).not.toHaveURL(/\/login/);

  await page.goto("/wallet/history");
  const list = page.locator(".oc-money-list");
  await expect(list.getByRole("link", { name: /^充值/ })).toContainText("+¥2,000.00");
  await expect(list.getByRole("link", { name: /话费充值/ })).toContainText("-¥50.00");
  await expect(list.getByRole("link", { name: /便利店/ })).toContainText("-¥23.50");
  await expect(list.getByRole("link", { name: /电费/ })).toContainText("-¥186.20");
  const transfer = list.getByRole("link", { name: /转账/ }).filter({ hasText: "-¥200.00" });
  await expect(transfer).toContainText("李*");
  await expectAccessible(page, "demo customer's history");

  await transfer.click();
  await expect(page.getByText("周末聚餐 AA")).toBeVisible();

  await page.goto("/wallet/pay");
  // The form says what can be spent, under the amount.
  const balance = (await (await page.request.get("/api/v1/wallet")).json()) as {
    accounts: { currency: string; available: number }[];
  };
  const available = balance.accounts.find((a) => a.currency === "CNY")?.available ?? 0;
  await expect(page.getByText(`可用余额 ${yuan(available)}`, { exact: true })).toBeVisible();
  await page.getByRole("radio", { name: /面包房/ }).check();
  await page.getByLabel("金额（元）").fill("6.8");
  await page.getByLabel("支付密码").fill(customer.paymentPassword ?? "");
  await page.getByRole("button", { name: "确认付款" }).click();
  await expect(page.getByText(/已向 面包房.* 付款 ¥6\.80/)).toBeVisible();

  // 全部提现: the page offers the most the balance pays for with its fee, and fills it in.
  await page.goto("/wallet/withdraw");
  const most = (await (await page.request.get("/api/v1/wallet/withdrawals/max")).json()) as {
    available: number;
    amount: number;
    fee: number;
  };
  expect(most.amount + most.fee).toBeLessThanOrEqual(most.available);
  expect(most.amount).toBeGreaterThan(0);
  await expect(
    page.getByText(`可用余额 ${yuan(most.available)}，最多可提现 ${yuan(most.amount)}`),
  ).toBeVisible();
  await page.getByRole("button", { name: "全部提现" }).click();
  await expect(page.getByLabel("金额（元）")).toHaveValue(yuanText(most.amount));
  const quote = page.getByRole("region", { name: "费用明细" });
  await expect(quote).toContainText(yuan(most.fee));
  await expect(quote).toContainText(yuan(most.amount + most.fee));
  await expectAccessible(page, "withdraw with the most offered");
});
