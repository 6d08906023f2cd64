// Logs are JSON with request ids, and never carry passwords, codes, session tokens or card numbers.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestCode, uniquePhone } from "./factories.js";
import { createTestApp, type TestApp } from "./harness.js";

let t: TestApp;
let logs = "";
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => {
    logs += chunk.toString("utf8");
  });
  t = await createTestApp({ logLevel: "trace" }, stream);
});
afterAll(async () => {
  await t.close();
});

describe("logs", () => {
  it("keep secrets out while a customer registers, fails a login and logs in", async () => {
    const phone = uniquePhone();
    const password = "Quiet-Lantern-Orchard-42";
    const c = t.client();
    expect(
      (await c.post("/api/v1/auth/otp", { channel: "sms", to: phone, purpose: "register" })).statusCode,
    ).toBe(202);
    const otp = await latestCode(t, phone);
    const reg = await c.post("/api/v1/auth/register", { phone, password, otp });
    expect(reg.statusCode).toBe(201);
    const session = c.cookies.get("oc_session") ?? "";
    expect(session.length).toBeGreaterThan(20);

    const wrong = await t
      .client()
      .post("/api/v1/auth/login", { login: phone, password: "Wrong-Password-Guess-99" });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.client().post("/api/v1/auth/login", { login: phone, password });
    expect(ok.statusCode).toBe(200);
    await c.post("/api/v1/me/bank-cards", { cardNumber: "6222021234567890128", holderName: "张三" });

    const lines = logs.trim().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const entry = JSON.parse(line) as { reqId?: string };
      expect(entry).toBeTypeOf("object");
    }
    expect(lines.some((l) => (JSON.parse(l) as { reqId?: string }).reqId)).toBe(true);
    for (const secret of [
      password,
      "Wrong-Password-Guess-99",
      otp,
      session,
      c.cookies.get("oc_csrf") ?? "x",
      "6222021234567890128",
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
