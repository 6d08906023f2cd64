import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, sendOtp } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { idNumberCheckChar } from "./id-number.js";
import { verifyPaymentPassword } from "./index.js";
import { paymentPasswordWeakness } from "./payment-password.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const MINUTE = 60_000;

async function customerWithPaymentPassword(password = "582947") {
  const c = await createCustomer(t);
  const phone = c.user.phone ?? "";
  const otp = await sendOtp(t, { to: phone, purpose: "payment_password" });
  const res = await c.client.put("/api/v1/me/payment-password", { password, otp });
  expect(res.statusCode).toBe(204);
  return { ...c, phone, paymentPassword: password };
}

describe("choosing a payment password", () => {
  it.each([
    ["123456", "sequence"],
    ["654321", "sequence"],
    ["012345", "sequence"],
    ["890123", "sequence"],
    ["111111", "repeated"],
    ["121212", "repeated"],
    ["123123", "repeated"],
    ["909090", "repeated"],
  ])("refuses %s as too easy (%s)", (password, reason) => {
    expect(paymentPasswordWeakness(password, { phone: null, idNumber: null })).toBe(reason);
  });

  it("refuses the last six digits of the phone and the birthday in the ID number", () => {
    const first17 = "11010519900307123";
    const idNumber = `${first17}${idNumberCheckChar(first17)}`;
    const about = { phone: "13987650429", idNumber };
    expect(paymentPasswordWeakness("650429", about)).toBe("phone");
    expect(paymentPasswordWeakness("900307", about)).toBe("birthday");
    expect(paymentPasswordWeakness("030790", about)).toBe("birthday");
    expect(paymentPasswordWeakness("070390", about)).toBe("birthday");
    expect(paymentPasswordWeakness(idNumber.slice(-6), about)).toBe("birthday");
    expect(paymentPasswordWeakness("582947", about)).toBeNull();
  });

  it("sets the payment password with a code sent to the bound phone, and tells the customer", async () => {
    const c = await customerWithPaymentPassword();
    const row = await t.db
      .selectFrom("users")
      .select(["payment_password_hash", "password_hash"])
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row.payment_password_hash).toMatch(/^\$argon2id\$/);
    expect(row.payment_password_hash).not.toBe(row.password_hash);
    const inbox = await c.client.get("/api/v1/me/notifications");
    expect(inbox.json().items.map((n: { kind: string }) => n.kind)).toContain(
      "security.payment_password_changed",
    );
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("actor_id", "=", c.user.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain("payment_password.set");
    expect(JSON.stringify(audit)).not.toContain(c.paymentPassword);
  });

  it("refuses the phone's last six digits over HTTP without spending the code", async () => {
    const c = await createCustomer(t);
    const phone = c.user.phone ?? "";
    const otp = await sendOtp(t, { to: phone, purpose: "payment_password" });
    const weak = await c.client.put("/api/v1/me/payment-password", { password: phone.slice(-6), otp });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: "weak_payment_password", reason: "phone" });
    const ok = await c.client.put("/api/v1/me/payment-password", { password: "582947", otp });
    expect(ok.statusCode).toBe(204);
  });

  it("refuses the birthday from an ID number already on file", async () => {
    const c = await createCustomer(t);
    const first17 = "11010519870614123";
    const idNumber = `${first17}${idNumberCheckChar(first17)}`;
    await t.db
      .updateTable("users")
      .set({
        id_number_enc: t.ctx.crypto.encrypt(idNumber),
        id_number_hash: t.ctx.crypto.lookupHash(idNumber),
      })
      .where("id", "=", c.user.id)
      .execute();
    const otp = await sendOtp(t, { to: c.user.phone ?? "", purpose: "payment_password" });
    const res = await c.client.put("/api/v1/me/payment-password", { password: "870614", otp });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "weak_payment_password", reason: "birthday" });
    expect(res.body).not.toContain(idNumber);
  });

  it("refuses a wrong code, and a code sent for another purpose", async () => {
    const c = await createCustomer(t);
    const phone = c.user.phone ?? "";
    const loginCode = await sendOtp(t, { to: phone, purpose: "login" });
    const res = await c.client.put("/api/v1/me/payment-password", { password: "582947", otp: loginCode });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("invalid_otp");
    const none = await t.db
      .selectFrom("users")
      .select("payment_password_hash")
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(none.payment_password_hash).toBeNull();
  });

  it.each([
    ["a number instead of a string", { password: 582947, otp: "123456" }],
    ["five digits", { password: "58294", otp: "123456" }],
    ["seven digits", { password: "5829471", otp: "123456" }],
    ["letters", { password: "abcdef", otp: "123456" }],
    ["full-width digits", { password: "５８２９４７", otp: "123456" }],
    ["a missing code", { password: "582947" }],
    ["an oversize code", { password: "582947", otp: "1".repeat(1000) }],
    ["an unknown field", { password: "582947", otp: "123456", admin: true }],
    ["an array", ["582947"]],
  ])("answers %s with validation_failed", async (_label, body) => {
    const c = await createCustomer(t);
    const res = await c.client.put("/api/v1/me/payment-password", body);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().code).toBe("validation_failed");
  });

  it("is for customers only, and needs a session", async () => {
    const staff = await createStaff(t, { roles: ["reviewer"] });
    const asStaff = await staff.client.put("/api/v1/me/payment-password", {
      password: "582947",
      otp: "123456",
    });
    expect(asStaff.statusCode).toBe(403);
    const anonymous = await t
      .client()
      .put("/api/v1/me/payment-password", { password: "582947", otp: "123456" });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("checking the payment password", () => {
  it("accepts the right password", async () => {
    const c = await customerWithPaymentPassword();
    const res = await c.client.post("/api/v1/me/payment-password/verify", { password: c.paymentPassword });
    expect(res.statusCode).toBe(204);
  });

  it("says how many tries are left after a wrong password", async () => {
    const c = await customerWithPaymentPassword();
    const res = await c.client.post("/api/v1/me/payment-password/verify", { password: "000001" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "wrong_payment_password", attemptsLeft: 4 });
  });

  it("answers payment_password_not_set before one is chosen", async () => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/payment-password/verify", { password: "582947" });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("payment_password_not_set");
  });

  it("locks for 5 minutes after the fifth wrong password, then 30 minutes, then 24 hours", async () => {
    const c = await customerWithPaymentPassword();
    const verify = (password: string) => c.client.post("/api/v1/me/payment-password/verify", { password });
    const fiveWrong = async () => {
      for (let i = 1; i <= 4; i++) {
        const res = await verify("000001");
        expect(res.json()).toMatchObject({ code: "wrong_payment_password", attemptsLeft: 5 - i });
      }
      return verify("000001");
    };

    const first = await fiveWrong();
    expect(first.statusCode).toBe(423);
    expect(first.json()).toMatchObject({ code: "payment_password_locked", retryAfter: 300 });
    expect(first.headers["retry-after"]).toBe("300");
    // While locked even the right password is refused.
    expect((await verify(c.paymentPassword)).statusCode).toBe(423);

    t.clock.advance(5 * MINUTE + 1000);
    const second = await fiveWrong();
    expect(second.json()).toMatchObject({ code: "payment_password_locked", retryAfter: 1800 });

    t.clock.advance(29 * MINUTE);
    expect((await verify(c.paymentPassword)).statusCode).toBe(423);
    t.clock.advance(MINUTE + 1000);
    const third = await fiveWrong();
    expect(third.json()).toMatchObject({ code: "payment_password_locked", retryAfter: 24 * 60 * 60 });
    expect(third.headers["retry-after"]).toBe(String(24 * 60 * 60));

    t.clock.advance(24 * 60 * MINUTE + 1000);
    // The session went idle meanwhile; the password check itself is open again.
    await expect(verifyPaymentPassword(t.db, t.ctx, c.user.id, c.paymentPassword)).resolves.toBeUndefined();
    const row = await t.db
      .selectFrom("users")
      .select(["payment_failed_count", "payment_lock_level", "payment_locked_until"])
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ payment_failed_count: 0, payment_lock_level: 0, payment_locked_until: null });

    const inbox = await t.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", c.user.id)
      .where("kind", "=", "security.payment_password_locked")
      .execute();
    expect(inbox).toHaveLength(3);
  });

  it("refuses any payment password on a frozen account, without counting it", async () => {
    const c = await customerWithPaymentPassword();
    await t.db.updateTable("users").set({ status: "frozen" }).where("id", "=", c.user.id).execute();
    await expect(verifyPaymentPassword(t.db, t.ctx, c.user.id, c.paymentPassword)).rejects.toMatchObject({
      code: "account_frozen",
    });
    const row = await t.db
      .selectFrom("users")
      .select("payment_failed_count")
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row.payment_failed_count).toBe(0);
  });

  it("forgets earlier wrong guesses after a right one", async () => {
    const c = await customerWithPaymentPassword();
    for (let i = 0; i < 4; i++)
      await c.client.post("/api/v1/me/payment-password/verify", { password: "000001" });
    expect(
      (await c.client.post("/api/v1/me/payment-password/verify", { password: c.paymentPassword })).statusCode,
    ).toBe(204);
    const res = await c.client.post("/api/v1/me/payment-password/verify", { password: "000001" });
    expect(res.json().attemptsLeft).toBe(4);
  });

  it("counts concurrent wrong guesses one by one, so they cannot slip past the limit", async () => {
    const c = await customerWithPaymentPassword();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        verifyPaymentPassword(t.db, t.ctx, c.user.id, "000001").catch((e) => e.code),
      ),
    );
    expect(results.filter((r) => r === "wrong_payment_password")).toHaveLength(4);
    expect(results.filter((r) => r === "payment_password_locked")).toHaveLength(4);
  });
});
