// Shared steps for the wallet specs: a registered customer's payment password, bound card and
// money, set up through the real API in the page's cookie jar (the pages themselves are what the
// specs drive and check).
import { type APIRequestContext, expect, type Page } from "@playwright/test";
import { cardNumber } from "./portal-helpers";
import { waitForCode } from "./support/mailbox";

/** Not a sequence, not repeated, not a birthday: the server accepts it as a payment password. */
export const PAYMENT_PASSWORD = "281946";

export async function csrfHeaders(page: Page): Promise<Record<string, string>> {
  await page.request.get("/healthz");
  const cookie = (await page.context().cookies()).find((c) => c.name === "oc_csrf");
  return { "x-csrf-token": cookie?.value ?? "" };
}

export async function setPaymentPassword(
  page: Page,
  request: APIRequestContext,
  phone: string,
): Promise<void> {
  const headers = await csrfHeaders(page);
  const since = new Date(Date.now() - 1000);
  const sent = await page.request.post("/api/v1/me/otp", {
    headers,
    data: { purpose: "payment_password", channel: "sms" },
  });
  expect(sent.status()).toBe(202);
  const otp = await waitForCode(request, phone, since);
  const set = await page.request.put("/api/v1/me/payment-password", {
    headers,
    data: { password: PAYMENT_PASSWORD, otp },
  });
  expect(set.status()).toBe(204);
}

export async function bindCard(page: Page, holderName: string): Promise<{ id: string; masked: string }> {
  const res = await page.request.post("/api/v1/me/bank-cards", {
    headers: await csrfHeaders(page),
    data: { cardNumber: cardNumber(), holderName, bankName: "演示银行" },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as { id: string; masked: string };
}

/** Opens a top-up and pays it through the sandbox's script API; resolves once it is credited. */
export async function topUpByApi(page: Page, amountFen: number): Promise<string> {
  const opened = await page.request.post("/api/v1/wallet/topups", {
    headers: { ...(await csrfHeaders(page)), "idempotency-key": `e2e-${Date.now()}-${Math.random()}` },
    data: { amount: amountFen, currency: "CNY", method: "sandbox" },
  });
  expect(opened.status()).toBe(201);
  const topup = (await opened.json()) as { id: string; payUrl: string };
  const paymentId = new URL(topup.payUrl, "http://x").pathname.split("/").pop() ?? "";
  const paid = await page.request.post(`/sandbox-gateway/payments/${encodeURIComponent(paymentId)}/pay`, {
    data: {},
  });
  expect(paid.ok()).toBeTruthy();
  await waitForTopup(page, topup.id);
  return topup.id;
}

/** The gateway's notification comes from its outbox job, once a minute. */
export async function waitForTopup(page: Page, id: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/wallet/topups/${encodeURIComponent(id)}`);
        return ((await res.json()) as { status: string }).status;
      },
      { message: `top-up ${id} credited`, timeout: 150_000, intervals: [1000, 2000, 5000] },
    )
    .toBe("succeeded");
}

/** Elder mode stored on the account, so the signed-in portal shows it whatever the device says. */
export async function setElderMode(page: Page, elderMode: boolean): Promise<void> {
  const res = await page.request.put("/api/v1/me/preferences", {
    headers: await csrfHeaders(page),
    data: { elderMode },
  });
  expect(res.ok()).toBeTruthy();
}

/**
 * 适老化 on the current page: text of at least 18px with line height of at least 1.3, and every
 * control (buttons, fields, choices, money rows, quick actions) at least 60px tall.
 */
export async function expectElderSizes(page: Page, label: string): Promise<void> {
  const body = await page.locator("body").evaluate((b) => ({
    font: Number.parseFloat(getComputedStyle(b).fontSize),
    line: getComputedStyle(b).lineHeight,
  }));
  expect(body.font, `${label}: body text`).toBeGreaterThanOrEqual(18);
  const lineHeight = body.line.endsWith("px") ? Number.parseFloat(body.line) / body.font : Number(body.line);
  expect(lineHeight, `${label}: line height`).toBeGreaterThanOrEqual(1.3);
  const small = await page
    .locator(
      "main .oc-button, main .adm-button, main .oc-input, main select, main .oc-choice, main .oc-quick a, main .oc-money-row, main .oc-menu a, main .oc-pin-box, .oc-tabbar a",
    )
    .evaluateAll((els) =>
      els
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => ({
          what: `${e.tagName}.${e.className} "${(e.textContent ?? "").trim().slice(0, 20)}"`,
          h: e.getBoundingClientRect().height,
        }))
        .filter((x) => x.h < 59.5),
    );
  expect(small, `${label}: controls under 60px`).toEqual([]);
}
