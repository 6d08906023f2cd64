import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import {
  clientOnOwnIp,
  codeFromMailbox,
  problemCode,
  registerThroughApi,
  requestCode,
} from "./test-support.js";

const PASSWORD = "violet tandem orchard lantern";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("one-time codes", () => {
  it("sends a six-digit code by SMS and says when it expires and when to ask again", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const res = await c.post("/api/v1/auth/otp", { channel: "sms", to: phone, purpose: "register" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ expiresIn: 300, resendIn: 60 });
    expect(await codeFromMailbox(c, phone)).toMatch(/^\d{6}$/);
  });

  it("refuses a second code within 60 seconds with Retry-After", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    await c.post("/api/v1/auth/otp", { channel: "sms", to: phone, purpose: "register" });
    t.clock.advance(20_000);
    const res = await c.post("/api/v1/auth/otp", { channel: "sms", to: phone, purpose: "register" });
    expect(res.statusCode).toBe(429);
    expect(problemCode(res)).toBe("otp_resend_too_soon");
    expect(res.headers["retry-after"]).toBe("40");
  });

  it("lower-cases an email destination", async () => {
    const c = clientOnOwnIp(t);
    const email = uniqueEmail("Mixed");
    const res = await c.post("/api/v1/auth/otp", {
      channel: "email",
      to: email.toUpperCase(),
      purpose: "verify_email",
    });
    expect(res.statusCode).toBe(202);
    expect(await codeFromMailbox(c, email.toLowerCase())).toMatch(/^\d{6}$/);
  });

  it.each([
    [{ channel: "sms", to: "12345678901", purpose: "register" }, "to"],
    [{ channel: "sms", to: "1381234567", purpose: "register" }, "to"],
    [{ channel: "sms", to: "someone@example.com", purpose: "register" }, "to"],
    [{ channel: "email", to: "not-an-address", purpose: "verify_email" }, "to"],
    [{ channel: "fax", to: "13812345678", purpose: "register" }, "channel"],
    [{ channel: "sms", to: "13812345678", purpose: "lottery" }, "purpose"],
    [{ channel: "sms", to: 13812345678, purpose: "register" }, "to"],
    [{ channel: "sms", to: "x".repeat(300), purpose: "register" }, "to"],
    [{ channel: "sms", to: "13812345678", purpose: "register", extra: 1 }, ""],
  ])("rejects a bad request %j with validation_failed naming %s", async (body, path) => {
    const c = clientOnOwnIp(t);
    const before = await t.db
      .selectFrom("one_time_codes")
      .select(t.db.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const res = await c.post("/api/v1/auth/otp", body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "validation_failed" });
    if (path) expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    const after = await t.db
      .selectFrom("one_time_codes")
      .select(t.db.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("limits one IP to 10 sends an hour across destinations", async () => {
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 10; i++) {
      const res = await c.post("/api/v1/auth/otp", {
        channel: "sms",
        to: uniquePhone(),
        purpose: "register",
      });
      expect(res.statusCode).toBe(202);
    }
    const res = await c.post("/api/v1/auth/otp", { channel: "sms", to: uniquePhone(), purpose: "register" });
    expect(res.statusCode).toBe(429);
    expect(problemCode(res)).toBe("rate_limited");
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    t.clock.advance(60 * 60 * 1000);
    const later = await c.post("/api/v1/auth/otp", {
      channel: "sms",
      to: uniquePhone(),
      purpose: "register",
    });
    expect(later.statusCode).toBe(202);
  });

  it("limits one destination to 10 codes an hour, whichever IPs ask", async () => {
    const phone = uniquePhone();
    const hour = 60 * 60 * 1000;
    t.clock.advance(hour - (t.clock.now().getTime() % hour)); // start of a fresh window
    for (let i = 0; i < 10; i++) {
      t.clock.advance(61_000);
      const res = await clientOnOwnIp(t).post("/api/v1/auth/otp", {
        channel: "sms",
        to: phone,
        purpose: "login",
      });
      expect(res.statusCode).toBe(202);
    }
    t.clock.advance(61_000);
    const res = await clientOnOwnIp(t).post("/api/v1/auth/otp", {
      channel: "sms",
      to: phone,
      purpose: "login",
    });
    expect(problemCode(res)).toBe("rate_limited");
  });

  it("answers a register code request for a registered phone exactly like for a new one", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    expect((await registerThroughApi(t, c, { phone, password: PASSWORD })).statusCode).toBe(201);
    t.clock.advance(61_000);
    const known = await clientOnOwnIp(t).post("/api/v1/auth/otp", {
      channel: "sms",
      to: phone,
      purpose: "register",
    });
    const unknown = await clientOnOwnIp(t).post("/api/v1/auth/otp", {
      channel: "sms",
      to: uniquePhone(),
      purpose: "register",
    });
    expect(known.statusCode).toBe(unknown.statusCode);
    expect(known.json()).toEqual(unknown.json());
  });

  it("requires the CSRF header", async () => {
    const res = await clientOnOwnIp(t).post(
      "/api/v1/auth/otp",
      { channel: "sms", to: uniquePhone(), purpose: "register" },
      { noCsrf: true },
    );
    expect(res.statusCode).toBe(403);
    expect(problemCode(res)).toBe("csrf_failed");
  });
});

describe("registration", () => {
  it("registers with the code from the phone, logs in and stores the email unverified in lower case", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const email = uniqueEmail("NewCustomer");
    const res = await registerThroughApi(t, c, {
      phone,
      password: PASSWORD,
      name: "王小明",
      email: email.toUpperCase(),
    });
    expect(res.statusCode).toBe(201);
    const user = res.json().user;
    expect(user).toMatchObject({
      kind: "customer",
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      emailVerified: false,
      name: "王小明",
      roles: ["customer"],
      status: "active",
      totpEnabled: false,
      hasPaymentPassword: false,
    });
    expect(user.email).not.toContain(email.split("@")[0]);
    const cookie = res.cookies.find((k) => k.name === "oc_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", maxAge: 7 * 24 * 3600 });
    expect((await c.get("/api/v1/me")).json().id).toBe(user.id);
    const row = await t.db
      .selectFrom("users")
      .select(["email", "email_verified_at", "password_hash"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.email).toBe(email.toLowerCase());
    expect(row.email_verified_at).toBeNull();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it("marks the email verified when a verify_email code for it comes along", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const email = uniqueEmail();
    const emailOtp = await requestCode(t, c, { to: email, purpose: "verify_email" });
    const otp = await requestCode(t, c, { to: phone, purpose: "register" });
    const res = await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp, email, emailOtp });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.emailVerified).toBe(true);
  });

  it("audits the registration without the password or the code", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const res = await registerThroughApi(t, c, { phone, password: PASSWORD });
    const row = await t.db
      .selectFrom("audit_log")
      .select(["details", "target_id"])
      .where("action", "=", "auth.register")
      .where("actor_id", "=", res.json().user.id)
      .executeTakeFirstOrThrow();
    const text = JSON.stringify(row);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(phone);
  });

  it.each([
    ["password123", "too_guessable"],
    ["12345678", "too_guessable"],
    ["qwertyuiop", "too_guessable"],
    ["short1!", "too_short"],
    ["x".repeat(129), "too_long"],
  ])("refuses the weak password %s with weak_password (%s) and keeps the code", async (password, reason) => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const otp = await requestCode(t, c, { to: phone, purpose: "register" });
    const res = await c.post("/api/v1/auth/register", { phone, password, otp });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "weak_password", reason });
    expect(
      await t.db.selectFrom("users").select("id").where("phone", "=", phone).executeTakeFirst(),
    ).toBeUndefined();
    const retry = await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp });
    expect(retry.statusCode).toBe(201);
  });

  it("refuses a password that contains the phone number", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const res = await registerThroughApi(t, c, { phone, password: `my number ${phone} rocks` });
    expect(res.json()).toMatchObject({ code: "weak_password", reason: "contains_phone" });
  });

  it("refuses a password built from the person's own name", async () => {
    const c = clientOnOwnIp(t);
    const res = await registerThroughApi(t, c, {
      phone: uniquePhone(),
      password: "zhangweiming1",
      name: "zhangweiming",
    });
    expect(problemCode(res)).toBe("weak_password");
  });

  it("accepts a long passphrase with no digits or symbols (no composition rules)", async () => {
    const res = await registerThroughApi(t, clientOnOwnIp(t), {
      phone: uniquePhone(),
      password: "purple elephants dance quietly",
    });
    expect(res.statusCode).toBe(201);
  });

  it("says phone_taken for a phone that is already registered", async () => {
    const phone = uniquePhone();
    expect((await registerThroughApi(t, clientOnOwnIp(t), { phone, password: PASSWORD })).statusCode).toBe(
      201,
    );
    const res = await registerThroughApi(t, clientOnOwnIp(t), { phone, password: PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(problemCode(res)).toBe("phone_taken");
  });

  it("says email_taken for an email that another account uses", async () => {
    const email = uniqueEmail();
    await registerThroughApi(t, clientOnOwnIp(t), { phone: uniquePhone(), password: PASSWORD, email });
    const res = await registerThroughApi(t, clientOnOwnIp(t), {
      phone: uniquePhone(),
      password: PASSWORD,
      email,
    });
    expect(problemCode(res)).toBe("email_taken");
  });

  it("refuses a wrong code, and after five wrong tries the right one too", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const otp = await requestCode(t, c, { to: phone, purpose: "register" });
    const wrong = otp === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      const res = await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp: wrong });
      expect(res.json()).toMatchObject({ code: "invalid_otp", attemptsLeft: 4 - i });
    }
    const res = await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp });
    expect(problemCode(res)).toBe("invalid_otp");
  });

  it("refuses a code older than five minutes", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const otp = await requestCode(t, c, { to: phone, purpose: "register" });
    t.clock.advance(5 * 60 * 1000 + 1000);
    const res = await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp });
    expect(problemCode(res)).toBe("invalid_otp");
  });

  it("accepts a code only once", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const otp = await requestCode(t, c, { to: phone, purpose: "register" });
    expect((await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp })).statusCode).toBe(201);
    const again = await clientOnOwnIp(t).post("/api/v1/auth/register", { phone, password: PASSWORD, otp });
    expect(problemCode(again)).toBe("invalid_otp");
  });

  it("does not accept a code sent for another purpose", async () => {
    const c = clientOnOwnIp(t);
    const phone = uniquePhone();
    const otp = await requestCode(t, c, { to: phone, purpose: "reset_password" });
    const res = await c.post("/api/v1/auth/register", { phone, password: PASSWORD, otp });
    expect(problemCode(res)).toBe("invalid_otp");
  });

  it.each([
    { phone: "13812345678", password: PASSWORD },
    { phone: "23812345678", password: PASSWORD, otp: "123456" },
    { phone: "13812345678", password: PASSWORD, otp: "12345" },
    { phone: "13812345678", password: 12345678, otp: "123456" },
    { phone: "13812345678", password: "x".repeat(600), otp: "123456" },
    { phone: "13812345678", password: PASSWORD, otp: "123456", name: "" },
    { phone: "13812345678", password: PASSWORD, otp: "123456", email: "nope" },
    { phone: "13812345678", password: PASSWORD, otp: "123456", role: "admin" },
  ])("rejects the malformed registration %j without writing anything", async (body) => {
    const before = await t.db
      .selectFrom("users")
      .select(t.db.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const res = await clientOnOwnIp(t).post("/api/v1/auth/register", body);
    expect(res.statusCode).toBe(400);
    expect(problemCode(res)).toBe("validation_failed");
    const after = await t.db.selectFrom("users").select(t.db.fn.countAll().as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("refuses a registration without the CSRF header", async () => {
    const res = await clientOnOwnIp(t).post(
      "/api/v1/auth/register",
      { phone: uniquePhone(), password: PASSWORD, otp: "123456" },
      { noCsrf: true },
    );
    expect(problemCode(res)).toBe("csrf_failed");
  });
});

describe("captcha", () => {
  it("hands out an SVG image with an id", async () => {
    const res = await clientOnOwnIp(t).get("/api/v1/auth/captcha");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: expect.any(String), svg: expect.stringContaining("<svg") });
    const row = await t.db
      .selectFrom("captchas")
      .selectAll()
      .where("id", "=", res.json().id)
      .executeTakeFirstOrThrow();
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(2 * 60 * 1000);
    expect(row.answer_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
