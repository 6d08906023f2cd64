// The wallet pages in the portal: axe and 适老化 sizes on every one, in normal and elder mode;
// one Idempotency-Key per top-up intent, kept on a retry; transfers that name the payee masked and
// say which limit refused them and what remains; 小额免密 payments.
import type { Page } from "@playwright/test";
import { registerCustomer } from "./portal-helpers";
import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";
import {
  bindCard,
  csrfHeaders,
  expectElderSizes,
  PAYMENT_PASSWORD,
  setElderMode,
  setPaymentPassword,
  topUpByApi,
} from "./wallet-helpers";

const walletPages = [
  "/wallet",
  "/wallet/history",
  "/wallet/topup",
  "/wallet/transfer",
  "/wallet/withdraw",
  "/wallet/withdrawals",
  "/wallet/pay",
  "/wallet/limits",
];

async function checkPage(page: Page, path: string, elderMode: boolean) {
  const mode = elderMode ? "elder mode" : "normal mode";
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  await expect(page.getByRole("main")).toBeVisible();
  await expect(page.getByText("正在加载…")).toHaveCount(0);
  await page.waitForLoadState("networkidle");
  await expect(page.locator("html")).toHaveAttribute("data-elder", String(elderMode));
  await expectAccessible(page, `${path} (${mode})`);
  if (elderMode) await expectElderSizes(page, path);
}

for (const elderMode of [false, true]) {
  const mode = elderMode ? "elder mode" : "normal mode";

  test(`every wallet page passes axe in ${mode}`, async ({ page, request }) => {
    test.setTimeout(300_000);
    const customer = await registerCustomer(page, request);
    await setElderMode(page, elderMode);
    await setPaymentPassword(page, request, customer.phone);
    await bindCard(page, customer.name);
    const topupId = await topUpByApi(page, 20_000);

    for (const path of walletPages) await checkPage(page, path, elderMode);
    await checkPage(page, `/wallet/topup/${topupId}`, elderMode);
    await expect(page.getByText("充值成功，¥200.00 已到账")).toBeVisible();

    await page.goto("/wallet/history");
    await page.getByRole("link", { name: /充值/ }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: "交易详情" })).toBeVisible();
    await checkPage(page, page.url().replace(/^https?:\/\/[^/]+/, ""), elderMode);
  });
}

test("a top-up retried after a network failure sends the same Idempotency-Key; a new amount gets a new one", async ({
  page,
  request,
}) => {
  await registerCustomer(page, request);
  const keys: string[] = [];
  let failFirst = true;
  await page.route("**/api/v1/wallet/topups", async (route) => {
    keys.push(route.request().headers()["idempotency-key"] ?? "");
    if (failFirst) {
      failFirst = false;
      return route.abort("connectionreset");
    }
    // Stop short of the gateway: the answer is checked, the page is not sent away.
    const res = await route.fetch();
    await route.fulfill({
      response: res,
      body: JSON.stringify({ ...(await res.json()), payUrl: "about:blank" }),
    });
  });
  await page.goto("/wallet/topup");
  await page.getByLabel("金额（元）").fill("88");
  await page.getByRole("button", { name: "去支付" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await page.getByRole("button", { name: "去支付" }).click();
  await page.waitForURL("about:blank");
  expect(keys).toHaveLength(2);
  expect(keys[0]).toMatch(/^[\x21-\x7e]{8,100}$/);
  expect(keys[1]).toBe(keys[0]);

  await page.goto("/wallet/topup");
  await page.getByLabel("金额（元）").fill("99");
  await page.getByRole("button", { name: "去支付" }).click();
  await page.waitForURL("about:blank");
  await page.unrouteAll({ behavior: "wait" });
  expect(keys).toHaveLength(3);
  expect(keys[2]).not.toBe(keys[0]);
});

test("a transfer shows the payee's masked name, then says which limit refused it and what remains", async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const customer = await registerCustomer(page, request);
  await setPaymentPassword(page, request, customer.phone);
  await topUpByApi(page, 10_000);

  // The customer caps their own daily transfers at ¥50 on the limits page.
  await page.goto("/wallet/limits");
  const cap = page.getByRole("form", { name: "自设每日转账限额" });
  await cap.getByLabel("每日转账上限（元）").fill("50");
  await cap.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  await cap.getByRole("button", { name: "保存" }).click();
  await expect(cap.getByRole("status").filter({ hasText: "已保存" })).toBeVisible();

  await page.goto("/wallet/transfer");
  await page.getByLabel("收款人手机号").fill("13900139000");
  await page.getByRole("button", { name: "下一步" }).click();
  await expect(page.getByText("收款人：李*（139****9000）")).toBeVisible();
  await page.getByLabel("金额（元）").fill("80");
  await page.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  await page.getByRole("button", { name: "确认转账" }).click();
  await expect(page.getByRole("alert")).toContainText("超出自设每日转账限额，还可使用 ¥50.00");

  // Within the cap it goes through.
  await page.getByLabel("金额（元）").fill("30");
  await page.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  await page.getByRole("button", { name: "确认转账" }).click();
  await expect(page.getByText("已向 李* 转账 ¥30.00")).toBeVisible();
  await page.goto("/wallet");
  await expect(page.locator(".oc-balance")).toContainText("¥70.00");
});

test("with 小额免密 on, a small payment goes through without the payment password", async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const customer = await registerCustomer(page, request);
  await setPaymentPassword(page, request, customer.phone);
  await topUpByApi(page, 10_000);

  await page.goto("/wallet/limits");
  const pf = page.getByRole("form", { name: "小额免密支付" });
  await pf.getByRole("switch", { name: "开启小额免密" }).check();
  await pf.getByLabel("单笔免密额度（元）").fill("20");
  await pf.getByLabel("每日免密额度（元）").fill("50");
  await pf.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  await pf.getByRole("button", { name: "保存" }).click();
  await expect(pf.getByRole("status").filter({ hasText: "已保存" })).toBeVisible();

  await page.goto("/wallet/pay");
  await page.getByRole("radio", { name: /便利店/ }).check();
  await page.getByLabel("金额（元）").fill("12.5");
  await expect(page.getByText("本次为小额免密支付，无需输入支付密码")).toBeVisible();
  await expect(page.getByLabel("支付密码")).toHaveCount(0);
  await page.getByRole("button", { name: "确认付款" }).click();
  await expect(page.getByText(/已向 便利店.* 付款 ¥12\.50/)).toBeVisible();
  await expect(page.getByText("本次使用了小额免密")).toBeVisible();

  // Over the per-payment cap the password is asked for.
  await page.getByRole("button", { name: "再付一笔" }).click();
  await page.getByRole("radio", { name: /便利店/ }).check();
  await page.getByLabel("金额（元）").fill("25");
  await page.getByLabel("支付密码").fill(PAYMENT_PASSWORD);
  await page.getByRole("button", { name: "确认付款" }).click();
  await expect(page.getByText(/已向 便利店.* 付款 ¥25\.00/)).toBeVisible();

  const history = await page.request.get("/api/v1/wallet/transactions?type=payment", {
    headers: await csrfHeaders(page),
  });
  expect(((await history.json()) as { items: unknown[] }).items).toHaveLength(2);
});

test("the wallet speaks English when the customer chooses it", async ({ page, request }) => {
  await registerCustomer(page, request);
  const res = await page.request.put("/api/v1/me/preferences", {
    headers: await csrfHeaders(page),
    data: { language: "en" },
  });
  expect(res.ok()).toBeTruthy();
  await page.goto("/wallet");
  await expect(page.getByRole("heading", { level: 1, name: "My wallet" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("navigation", { name: "Wallet actions" }).getByRole("link")).toHaveText([
    /Top up/,
    /Pay/,
    /Transfer/,
    /Withdraw/,
  ]);
  await expectAccessible(page, "/wallet in English");
  await page.goto("/wallet/history");
  await expect(page.getByRole("link", { name: "Export CSV" })).toBeVisible();
  await expectAccessible(page, "/wallet/history in English");
});
