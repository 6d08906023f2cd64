import type { APIRequestContext, Page } from "@playwright/test";
import { type ApiCustomer, logInAsStaff, registerCustomerByApi } from "./console-helpers";
import { cardNumber } from "./portal-helpers";
import { expectAccessible } from "./support/axe";
import { waitForCode } from "./support/mailbox";
import { expect, test } from "./support/test";

const PAYMENT_PASSWORD = "281946";

async function codeFor(customer: ApiCustomer, mailbox: APIRequestContext, purpose: string): Promise<string> {
  const since = new Date(Date.now() - 1000);
  const sent = await customer.api.post("/api/v1/me/otp", {
    headers: customer.csrf,
    data: { purpose, channel: "sms" },
  });
  expect(sent.status()).toBe(202);
  return waitForCode(mailbox, customer.phone, since);
}

/** Tops up through the sandbox gateway's script API; the credit comes with its next notification run. */
async function topUp(customer: ApiCustomer, amount: number): Promise<void> {
  const opened = await customer.api.post("/api/v1/wallet/topups", {
    headers: { ...customer.csrf, "idempotency-key": `e2e-w-${Date.now()}-${Math.random()}` },
    data: { amount, currency: "CNY", method: "sandbox" },
  });
  expect(opened.status()).toBe(201);
  const topup = (await opened.json()) as { id: string; payUrl: string };
  const paymentId = new URL(topup.payUrl, "http://x").pathname.split("/").pop() ?? "";
  const paid = await customer.api.post(`/sandbox-gateway/payments/${encodeURIComponent(paymentId)}/pay`, {
    data: {},
  });
  expect(paid.ok()).toBeTruthy();
  await expect
    .poll(
      async () =>
        ((await (await customer.api.get(`/api/v1/wallet/topups/${topup.id}`)).json()) as { status: string })
          .status,
      { message: "top-up credited", timeout: 150_000, intervals: [1000, 2000, 5000] },
    )
    .toBe("succeeded");
}

async function openWithdrawal(page: Page, customer: ApiCustomer) {
  const row = page
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: customer.maskedPhone });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: /提现 ¥50000\.00/ }).click();
  return page.getByRole("dialog", { name: /提现 ¥50000\.00/ });
}

/** Approves in the confirm dialog, and checks the approval reached the server. */
async function approve(page: Page, drawer: ReturnType<Page["getByRole"]>) {
  await drawer.getByRole("button", { name: "通过" }).click();
  const confirm = page.getByRole("dialog", { name: "确认通过此申请？" });
  await expect(confirm).toBeVisible();
  const approved = page.waitForResponse(
    (r) => r.request().method() === "POST" && /\/api\/v1\/console\/reviews\/[^/]+\/approve$/.test(r.url()),
    { timeout: 15_000 },
  );
  await confirm.getByRole("button", { name: "通过" }).click();
  expect((await approved).ok(), "the approval was accepted").toBeTruthy();
  await expect(confirm).toHaveCount(0);
}

test("a ¥50,000 withdrawal needs two different reviewers; the first sees 1/2 and cannot approve again", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(300_000);
  const customer = await registerCustomerByApi(request, "孙十");
  const passwordCode = await codeFor(customer, request, "payment_password");
  const set = await customer.api.put("/api/v1/me/payment-password", {
    headers: customer.csrf,
    data: { password: PAYMENT_PASSWORD, otp: passwordCode },
  });
  expect(set.status()).toBe(204);
  const card = await customer.api.post("/api/v1/me/bank-cards", {
    headers: customer.csrf,
    data: { cardNumber: cardNumber(), holderName: "孙十", bankName: "演示银行" },
  });
  expect(card.status()).toBe(201);
  const { id: bankCardId, masked } = (await card.json()) as { id: string; masked: string };
  await Promise.all([topUp(customer, 3_000_000), topUp(customer, 2_100_000)]);

  const otp = await codeFor(customer, request, "withdrawal");
  const asked = await customer.api.post("/api/v1/wallet/withdrawals", {
    headers: { ...customer.csrf, "idempotency-key": `e2e-withdrawal-${Date.now()}` },
    data: { amount: 5_000_000, currency: "CNY", bankCardId, paymentPassword: PAYMENT_PASSWORD, otp },
  });
  expect(asked.status()).toBe(201);
  const withdrawal = (await asked.json()) as { id: string; status: string; fee: number };
  expect(withdrawal).toMatchObject({ status: "under_review", fee: 5_000 });

  // First reviewer: sees what is asked, approves, and is told a second person must approve.
  await logInAsStaff(page, "reviewer");
  const row = page
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: customer.maskedPhone });
  await expect(row.getByText("0/2 人已批准")).toBeVisible();
  const drawer = await openWithdrawal(page, customer);
  await expect(drawer.getByText("¥50050.00", { exact: true })).toBeVisible();
  await expect(drawer.getByText("¥50.00", { exact: true })).toBeVisible();
  await expect(drawer.getByText(`${masked} 演示银行`, { exact: true })).toBeVisible();
  await approve(page, drawer);
  await expect(drawer.getByText("1/2 人已批准")).toBeVisible();
  await expect(drawer.getByText("您已批准此项，下一次批准须由另一位工作人员作出。")).toBeVisible();
  await expect(drawer.getByRole("button", { name: "通过" })).toBeDisabled();
  await expect(drawer.getByText("待审核", { exact: true })).toBeVisible();
  await expectAccessible(page, "withdrawal review after the first approval");

  // Second reviewer, in a browser of their own: sees 1/2 and gives the second approval.
  const second = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const adminPage = await second.newPage();
  await logInAsStaff(adminPage, "admin");
  await adminPage
    .getByRole("navigation", { name: "管理台栏目" })
    .getByRole("menuitem", { name: "审核队列" })
    .click();
  const secondDrawer = await openWithdrawal(adminPage, customer);
  await expect(secondDrawer.getByText(/已有 1\/2 位审核员批准/)).toBeVisible();
  await approve(adminPage, secondDrawer);
  await expect(secondDrawer.getByText("已通过")).toBeVisible();
  await second.close();

  // The sandbox bank pays it out (it settles after 30 s; the wallet asks every minute).
  await expect
    .poll(
      async () =>
        (
          (await (await customer.api.get(`/api/v1/wallet/withdrawals/${withdrawal.id}`)).json()) as {
            status: string;
          }
        ).status,
      { message: "withdrawal paid out", timeout: 180_000, intervals: [2000, 5000] },
    )
    .toBe("succeeded");
});
