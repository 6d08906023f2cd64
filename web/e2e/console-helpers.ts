// Shared steps for the console specs: staff log in through the page, customers act through the API.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type APIRequestContext, expect, type Page, request as playwrightRequest } from "@playwright/test";
import { demoLogin, totpCode } from "./support/demo";
import { E2E_BASE_URL, E2E_DATA_DIR } from "./support/env";
import { uniquePhone, waitForCode } from "./support/mailbox";
import { randomClientIp } from "./support/test";

export type StaffRole = "agent" | "reviewer" | "supervisor" | "admin";

const TOTP_STEP_MS = 30_000;
const LOCK_STALE_MS = 60_000;

/**
 * Parallel specs (separate worker processes) log the same demo staff in. The server accepts a
 * code for a step only once, and never a step older than one already used; a refused code counts
 * as a failed login, and three of them bring the captcha. So logins of one staff member take
 * turns through a lock directory (mkdir is atomic across processes), and each uses the step
 * after the last one used — waiting for the clock when it would run ahead of the server's window.
 */
async function withStaffLock<T>(
  secret: string,
  work: (lastStep: number) => Promise<[T, number]>,
): Promise<T> {
  const base = path.join(
    `${E2E_DATA_DIR}-totp`,
    createHash("sha256").update(secret).digest("hex").slice(0, 16),
  );
  mkdirSync(path.dirname(base), { recursive: true });
  const lock = `${base}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    const last = existsSync(`${base}.step`) ? Number(readFileSync(`${base}.step`, "utf8")) : 0;
    const [result, used] = await work(last);
    writeFileSync(`${base}.step`, String(used));
    return result;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Fills and submits the two-step code, one staff login at a time across workers. */
export async function submitTotp(page: Page, secret: string): Promise<void> {
  const field = page.getByLabel("动态验证码");
  await withStaffLock(secret, async (lastStep) => {
    let step = Math.max(Math.floor(Date.now() / TOTP_STEP_MS), lastStep + 1);
    // The server takes a code at most one step ahead of its clock: wait until that holds.
    while (step > Math.floor(Date.now() / TOTP_STEP_MS) + 1) {
      await page.waitForTimeout(TOTP_STEP_MS - (Date.now() % TOTP_STEP_MS) + 250);
    }
    await field.fill(totpCode(secret, step * TOTP_STEP_MS + TOTP_STEP_MS / 2));
    const answer = page.waitForResponse(
      (r) => r.url().endsWith("/api/v1/auth/login") && r.request().method() === "POST",
    );
    await page.getByRole("button", { name: "验证" }).click();
    const res = await answer;
    if (!res.ok()) throw new Error(`the two-step code was refused: ${res.status()} ${await res.text()}`);
    step = Math.max(step, lastStep + 1);
    return [undefined, step];
  });
  await expect(page.getByRole("navigation", { name: "管理台栏目" })).toBeVisible();
}

export async function logInAsStaff(page: Page, role: StaffRole): Promise<void> {
  const staff = demoLogin(role);
  if (!staff.totpSecret) throw new Error(`demo ${role} has no TOTP secret`);
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill(staff.login);
  await page.getByLabel("密码").fill(staff.password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "两步验证" })).toBeVisible();
  await submitTotp(page, staff.totpSecret);
}

/** An API client with its own cookie jar that echoes the CSRF cookie, as a browser page would. */
export async function apiClient(): Promise<{ api: APIRequestContext; csrf: Record<string, string> }> {
  const api = await playwrightRequest.newContext({
    baseURL: E2E_BASE_URL,
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  await api.get("/healthz");
  const cookie = (await api.storageState()).cookies.find((c) => c.name === "oc_csrf");
  return { api, csrf: { "x-csrf-token": cookie?.value ?? "" } };
}

export type ApiCustomer = {
  api: APIRequestContext;
  csrf: Record<string, string>;
  phone: string;
  maskedPhone: string;
};

/** A customer registered through the API (the code read from the dev mailbox), logged in on `api`. */
export async function registerCustomerByApi(mailbox: APIRequestContext, name: string): Promise<ApiCustomer> {
  const { api, csrf } = await apiClient();
  const phone = uniquePhone();
  const since = new Date(Date.now() - 1000);
  const sent = await api.post("/api/v1/auth/otp", {
    headers: csrf,
    data: { channel: "sms", to: phone, purpose: "register" },
  });
  expect(sent.status()).toBe(202);
  const otp = await waitForCode(mailbox, phone, since);
  const password = `Harbour-${Math.random().toString(36).slice(2, 8)}-lamp-${Date.now() % 10000}`;
  const registered = await api.post("/api/v1/auth/register", {
    headers: csrf,
    data: { phone, password, otp, name },
  });
  expect(registered.status()).toBe(201);
  return { api, csrf, phone, maskedPhone: `${phone.slice(0, 3)}****${phone.slice(-4)}` };
}

// A 1×1 PNG: enough for the server to accept the upload as an image proof.
const tinyPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

export async function requestNameChange(customer: ApiCustomer, newName: string): Promise<string> {
  const res = await customer.api.post("/api/v1/me/change-requests", {
    headers: customer.csrf,
    multipart: {
      field: "name",
      value: newName,
      proof: { name: "proof.png", mimeType: "image/png", buffer: tinyPng },
    },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
