// The money story across two faces: a new customer tops up on the sandbox gateway's own pay page,
// transfers to another customer, withdraws an amount that needs review, a reviewer approves it in
// the console, the sandbox bank pays it out, and the history and its CSV export show all of it.
import { readFile } from "node:fs/promises";
import type { Browser, Page } from "@playwright/test";
import { logInAsStaff } from "./console-helpers";
import { registerCustomer } from "./portal-helpers";
import { waitForCode } from "./support/mailbox";
import { expect, randomClientIp, test } from "./support/test";
import { bindCard, PAYMENT_PASSWORD, setPaymentPassword } from "./wallet-helpers";

async function reviewerConsole(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: "zh-CN",
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  const page = await context.newPage();
  await logInAsStaff(page, "reviewer");
  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  return page;
}

test("a customer tops up on the gateway's page, transfers, withdraws with a reviewer's approval, and exports the history", async ({
  page,
  request,
  browser,
}) => {
  // The gateway's notification and the bank's payout each come from a job that runs once a minute.
  test.setTimeout(480_000);
  const customer = await registerCustomer(page, request);
  const maskedPhone = `${customer.phone.slice(0, 3)}****${customer.phone.slice(-4)}`;
  await setPaymentPassword(page, request, customer.phone);
  const card = await bindCard(page, customer.name);

  // Top up ¥3,000: the portal sends the customer to the sandbox's real pay page, where they pay.
  await page.goto("/wallet");
  await page.getByRole("navigation", { name: "钱包常用操作" }).getByRole("link", { name: "充值" }).click();
  await page.getByLabel("金额（元）").fill("3000");
  await page.getByRole("button", { name: "去支付" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /沙箱支付/ })).toBeVisible();
  await expect(page.getByText("¥3000.00")).toBeVisible();
  await page.getByRole("button", { name: "支付 Pay" }).click();
  await expect(page.getByRole("status")).toContainText("已支付");

  // Back in the portal, the result page follows the top-up until the notification credits it.
  while (!/\/wallet\/topup\/[0-9a-f-]{36}$/.test(page.url())) await page.goBack();
  await expect(page.getByText("充值成功，¥3,000.00 已到账")).toBeVisible({ timeout: 150_000 });
  await page.getByRole("link", { name: "返回钱包" }).click();
  await expect(page.locator(".oc-balance")).toContainText("¥3,000.00");

  // Transfer ¥100 to the second demo customer, after seeing the masked name.
  await page.getByRole("navigation", { name: "钱包常用操作" }).getByRole("link", { name: "转账" }).click();
  await page.getByLabel("收款人手机号").fill("13900139000");
  await page.getByRole("button", { name: "下一步" }).click();
  await expect(page.getByText("收款人：李*（139****9000）")).toBeVisible();
  await page.getByLabel("金额（元）").fill("100");
  await page.getByLabel("备注（选填）").fill("还你的午饭钱");
  await page.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  await page.getByRole("button", { name: "确认转账" }).click();
  await expect(page.getByText("已向 李* 转账 ¥100.00")).toBeVisible();

  // Withdraw ¥2,500: over the auto-approve amount, so the quote says a person reviews it.
  await page.getByRole("link", { name: "返回钱包" }).click();
  await page.getByRole("navigation", { name: "钱包常用操作" }).getByRole("link", { name: "提现" }).click();
  await expect(
    page.getByRole("radio", { name: new RegExp(card.masked.replace(/\*/g, "\\*")) }),
  ).toBeChecked();
  await page.getByLabel("金额（元）").fill("2500");
  await expect(page.getByText("需要审核，通过后到账")).toBeVisible();
  // The fee (0.1 %, at least ¥1) is held with it: ¥2,502.50 leaves the balance.
  const quote = page.getByRole("region", { name: "费用明细" });
  await expect(quote).toContainText("¥2.50");
  await expect(quote).toContainText("¥2,502.50");
  await page.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  const since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await page.getByLabel("短信验证码").fill(await waitForCode(request, customer.phone, since));
  await page.getByRole("button", { name: "确认提现" }).click();
  await expect(page.getByText("提现 ¥2,500.00 已提交，状态：审核中")).toBeVisible();

  // A reviewer approves it in the console's review queue.
  const reviewer = await reviewerConsole(browser);
  const row = reviewer
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: maskedPhone })
    .filter({ has: reviewer.getByRole("button", { name: /提现/ }) });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: /提现/ }).click();
  const drawer = reviewer.getByRole("dialog", { name: /提现/ });
  await drawer.getByRole("button", { name: "通过" }).click();
  const confirm = reviewer.getByRole("dialog", { name: "确认通过此申请？" });
  await confirm.getByLabel("理由（选填）").fill("金额与卡号核对无误");
  await confirm.getByRole("button", { name: "通过" }).click();
  await expect(drawer.getByText("已通过")).toBeVisible();
  await reviewer.context().close();

  // The sandbox bank pays it out; the customer's list shows it arrived.
  await page.getByRole("link", { name: "提现记录" }).click();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("listitem").filter({ hasText: "¥2,500.00" })).toContainText("已到账", {
      timeout: 1000,
    });
  }).toPass({ timeout: 180_000, intervals: [2000, 5000] });

  // History shows the top-up, the transfer and the withdrawal; the CSV export carries them.
  await page.goto("/wallet/history");
  const list = page.locator(".oc-money-list");
  await expect(list.getByRole("link", { name: /充值/ })).toContainText("+¥3,000.00");
  await expect(list.getByRole("link", { name: /转账/ })).toContainText("-¥100.00");
  await expect(list.getByRole("link", { name: /提现/ }).first()).toContainText("-¥2,502.50");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "导出 CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const csv = await readFile(await file.path(), "utf8");
  expect(csv).toContain("充值");
  expect(csv).toContain("3000.00");
  expect(csv).toContain("转账");
  expect(csv).toContain("-100.00");
  expect(csv).toContain("还你的午饭钱");
  expect(csv).toContain("提现");
  expect(csv).toContain("-2502.50");
});
