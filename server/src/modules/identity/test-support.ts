// Helpers for the identity tests: clients on their own IPs, codes from the dev mailbox, TOTP codes.
import { randomInt } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import * as OTPAuth from "otpauth";
import type { TestApp, TestClient } from "../../../test/harness.js";
import { captchaAnswerHash } from "./captcha.js";

let ipSequence = 0;

/** A client on an address no other test uses, so per-IP limits of one test do not leak into another. */
export function clientOnOwnIp(t: TestApp): TestClient {
  ipSequence += 1;
  const c = t.client();
  c.ip = `10.${randomInt(256)}.${Math.floor(ipSequence / 256) % 256}.${ipSequence % 256}`;
  return c;
}

export async function codeFromMailbox(c: TestClient, to: string): Promise<string> {
  const res = await c.get("/api/v1/dev/messages", { query: { to } });
  const newest = (res.json() as { items: { body: string; subject: string | null }[] }).items[0];
  const code = newest ? /(\d{6})/.exec(`${newest.subject ?? ""} ${newest.body}`)?.[1] : undefined;
  if (!code) throw new Error(`no code in the dev mailbox for ${to}`);
  return code;
}

/** Asks for a code through the API (moving the clock past the resend wait) and reads it. */
export async function requestCode(
  t: TestApp,
  c: TestClient,
  req: { channel?: "sms" | "email"; to: string; purpose: string },
): Promise<string> {
  t.clock.advance(61_000);
  const channel = req.channel ?? (req.to.includes("@") ? "email" : "sms");
  const res = await c.post("/api/v1/auth/otp", { channel, to: req.to, purpose: req.purpose });
  if (res.statusCode !== 202) throw new Error(`otp request failed: ${res.statusCode} ${res.body}`);
  return codeFromMailbox(c, req.to);
}

export async function registerThroughApi(
  t: TestApp,
  c: TestClient,
  body: { phone: string; password: string; name?: string; email?: string },
): Promise<LightMyRequestResponse> {
  const otp = await requestCode(t, c, { to: body.phone, purpose: "register" });
  return c.post("/api/v1/auth/register", { ...body, otp });
}

export function totpCode(secretBase32: string, at: Date): string {
  return new OTPAuth.TOTP({
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  }).generate({ timestamp: at.getTime() });
}

export function problemCode(res: LightMyRequestResponse): string | undefined {
  if (!res.headers["content-type"]?.toString().includes("application/problem+json")) return undefined;
  return (res.json() as { code?: string }).code;
}

/**
 * A captcha from the API whose answer the test knows: a person reads it off the image, a test
 * cannot, so the stored answer is replaced with a known one.
 */
export async function solvedCaptcha(
  t: TestApp,
  c: TestClient,
): Promise<{ captchaId: string; captcha: string }> {
  const res = await c.get("/api/v1/auth/captcha");
  const { id } = res.json() as { id: string };
  await t.db
    .updateTable("captchas")
    .set({ answer_hash: captchaAnswerHash("k7m4") })
    .where("id", "=", id)
    .execute();
  return { captchaId: id, captcha: "K7M4" };
}
