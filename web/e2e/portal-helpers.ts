// Shared steps for the portal specs: a customer registered through the real API, signed in in the page's context.
import { type APIRequestContext, expect, type Page } from "@playwright/test";
import { uniquePhone, waitForCode } from "./support/mailbox";

export type Customer = { phone: string; password: string; name: string };

/** A password zxcvbn scores well: random words and digits, different every run. */
export function strongPassword(): string {
  return `Lantern-${Math.random().toString(36).slice(2, 8)}-orbit-${Date.now() % 10000}`;
}

/** A Luhn-valid 19-digit UnionPay-looking card number, unique per call. */
export function cardNumber(): string {
  const body = `622202${`${Date.now()}`.slice(-9)}${Math.floor(Math.random() * 1000)
    .toString()
    .padStart(3, "0")}`;
  for (let check = 0; check <= 9; check++) {
    const digits = `${body}${check}`;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error("unreachable: one check digit always fits");
}

async function csrfHeader(page: Page): Promise<Record<string, string>> {
  await page.request.get("/healthz");
  const cookie = (await page.context().cookies()).find((c) => c.name === "oc_csrf");
  return { "x-csrf-token": cookie?.value ?? "" };
}

/** Registers a customer through the API in the page's cookie jar, so the page is then signed in. */
export async function registerCustomer(page: Page, request: APIRequestContext): Promise<Customer> {
  const customer = { phone: uniquePhone(), password: strongPassword(), name: "测试用户" };
  const headers = await csrfHeader(page);
  const since = new Date(Date.now() - 1000);
  const sent = await page.request.post("/api/v1/auth/otp", {
    headers,
    data: { channel: "sms", to: customer.phone, purpose: "register" },
  });
  expect(sent.status()).toBe(202);
  const otp = await waitForCode(request, customer.phone, since);
  const registered = await page.request.post("/api/v1/auth/register", {
    headers,
    data: { phone: customer.phone, password: customer.password, otp, name: customer.name },
  });
  expect(registered.status()).toBe(201);
  return customer;
}

/** Turns on elder mode (or any stored preference) before the portal's first paint. */
export async function useLocalPreferences(page: Page, prefs: Record<string, unknown>): Promise<void> {
  await page.addInitScript((value) => {
    localStorage.setItem("oc.preferences", value);
  }, JSON.stringify(prefs));
}
