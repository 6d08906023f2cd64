import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, DEFAULT_PASSWORD, uniqueEmail, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { lockForFailures } from "./login-throttle.js";
import { clientOnOwnIp, problemCode, solvedCaptcha } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const MINUTE = 60_000;

async function customer(opts: { email?: string } = {}) {
  const phone = uniquePhone();
  const created = await createCustomer(t, { phone, email: opts.email ?? null });
  return { ...created.user, phone };
}

function logIn(c: TestClient, login: string, password: string, extra: Record<string, string> = {}) {
  return c.post("/api/v1/auth/login", { login, password, ...extra });
}

/** The problem body without the parts that differ per request. */
function comparable(body: Record<string, unknown>) {
  const { instance: _instance, ...rest } = body;
  return rest;
}

describe("logging in", () => {
  it("logs in by phone number with a fresh HttpOnly session cookie", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    const res = await logIn(c, u.phone, DEFAULT_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: u.id, kind: "customer" }, next: null });
    const cookie = res.cookies.find((k) => k.name === "oc_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", maxAge: 604800 });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value.length).toBeGreaterThanOrEqual(43); // 32 random bytes, base64url
    expect((await c.get("/api/v1/me")).json().id).toBe(u.id);
  });

  it("logs in by email, whatever its case, and by a phone written with +86 and spaces", async () => {
    const email = uniqueEmail();
    const u = await customer({ email });
    expect((await logIn(clientOnOwnIp(t), email.toUpperCase(), DEFAULT_PASSWORD)).statusCode).toBe(200);
    const spaced = `+86 ${u.phone.slice(0, 3)} ${u.phone.slice(3, 7)} ${u.phone.slice(7)}`;
    expect((await logIn(clientOnOwnIp(t), spaced, DEFAULT_PASSWORD)).statusCode).toBe(200);
  });

  it("gives a new session id at every login and ends the one the browser held", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    await logIn(c, u.phone, DEFAULT_PASSWORD);
    const first = c.cookies.get("oc_session");
    await logIn(c, u.phone, DEFAULT_PASSWORD);
    const second = c.cookies.get("oc_session");
    expect(second).not.toBe(first);
    const old = t.client();
    old.cookies.set("oc_session", first ?? "");
    expect((await old.get("/api/v1/me")).statusCode).toBe(401);
  });

  it("marks the cookie Secure when the public URL is https", async () => {
    const secure = await createTestApp({ publicUrl: "https://counter.example.com" });
    try {
      const created = await createCustomer(secure);
      const phone = created.user.phone ?? "";
      const res = await secure
        .client()
        .post("/api/v1/auth/login", { login: phone, password: DEFAULT_PASSWORD });
      expect(res.cookies.find((k) => k.name === "oc_session")?.secure).toBe(true);
    } finally {
      await secure.close();
    }
  });

  it("answers a wrong password and an unknown login the same way", async () => {
    const u = await customer();
    const wrong = await logIn(clientOnOwnIp(t), u.phone, "not the password at all");
    const unknown = await logIn(clientOnOwnIp(t), uniquePhone(), "not the password at all");
    expect(wrong.statusCode).toBe(401);
    expect(problemCode(wrong)).toBe("invalid_credentials");
    expect(unknown.statusCode).toBe(401);
    expect(comparable(unknown.json())).toEqual(comparable(wrong.json()));
  });

  it("records every attempt in the login history and the audit trail, never the password", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    await logIn(c, u.phone, "a wrong guess here");
    await logIn(c, u.phone, DEFAULT_PASSWORD);
    const events = await t.db
      .selectFrom("login_events")
      .select(["result", "ip", "device"])
      .where("user_id", "=", u.id)
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.result)).toEqual(["invalid_credentials", "success"]);
    expect(events[1]).toMatchObject({ ip: c.ip, device: "Chrome on Android" });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("target_id", "=", u.id)
      .where("action", "like", "auth.login.%")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["auth.login.failed", "auth.login.succeeded"]);
    const text = JSON.stringify(audit);
    expect(text).not.toContain(DEFAULT_PASSWORD);
    expect(text).not.toContain("a wrong guess here");
  });

  it("requires the CSRF header", async () => {
    const u = await customer();
    const res = await clientOnOwnIp(t).post(
      "/api/v1/auth/login",
      { login: u.phone, password: DEFAULT_PASSWORD },
      { noCsrf: true },
    );
    expect(res.statusCode).toBe(403);
    expect(problemCode(res)).toBe("csrf_failed");
  });

  it.each([
    {},
    { login: "", password: "x" },
    { login: "13800000000" },
    { login: 13800000000, password: "x" },
    { login: "13800000000", password: "x".repeat(1000) },
    { login: "13800000000", password: "x", captchaId: "not-a-uuid", captcha: "abcd" },
    { login: "13800000000", password: "x", admin: true },
  ])("rejects the malformed login %j with validation_failed and records nothing", async (body) => {
    const before = await t.db
      .selectFrom("login_events")
      .select(t.db.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const res = await clientOnOwnIp(t).post("/api/v1/auth/login", body);
    expect(res.statusCode).toBe(400);
    expect(problemCode(res)).toBe("validation_failed");
    const after = await t.db
      .selectFrom("login_events")
      .select(t.db.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("limits one IP to 30 login requests a minute", async () => {
    const c = clientOnOwnIp(t);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await c.post("/api/v1/auth/login", {})).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    const res = await c.post("/api/v1/auth/login", {});
    expect(res.statusCode).toBe(429);
    expect(problemCode(res)).toBe("rate_limited");
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
  });
});

describe("captcha and lockout", () => {
  it("asks for a captcha after three failures, for a real account and an unknown login alike", async () => {
    const u = await customer();
    for (const login of [u.phone, uniquePhone()]) {
      const c = clientOnOwnIp(t);
      for (let i = 0; i < 3; i++)
        expect(problemCode(await logIn(c, login, "wrong password guess"))).toBe("invalid_credentials");
      const res = await logIn(c, login, DEFAULT_PASSWORD);
      expect(res.statusCode).toBe(428);
      expect(res.json()).toMatchObject({ code: "captcha_required", captchaUrl: "/api/v1/auth/captcha" });
    }
  });

  it("lets the right password with a solved captcha in, and then forgets the failures", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 3; i++) await logIn(c, u.phone, "wrong password guess");
    const res = await logIn(c, u.phone, DEFAULT_PASSWORD, await solvedCaptcha(t, c));
    expect(res.statusCode).toBe(200);
    expect(problemCode(await logIn(c, u.phone, "wrong password guess"))).toBe("invalid_credentials");
    expect((await logIn(c, u.phone, DEFAULT_PASSWORD)).statusCode).toBe(200);
  });

  it("refuses a wrong captcha without counting it as a password try, and spends the captcha", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 3; i++) await logIn(c, u.phone, "wrong password guess");
    const solved = await solvedCaptcha(t, c);
    for (let i = 0; i < 5; i++) {
      const res = await logIn(c, u.phone, "wrong password guess", { ...solved, captcha: "zzzz" });
      expect(res.statusCode).toBe(400);
      expect(problemCode(res)).toBe("invalid_captcha");
    }
    // The right answer no longer works either: one guess per image.
    expect(problemCode(await logIn(c, u.phone, DEFAULT_PASSWORD, solved))).toBe("invalid_captcha");
    const ok = await logIn(c, u.phone, DEFAULT_PASSWORD, await solvedCaptcha(t, c));
    expect(ok.statusCode).toBe(200);
  });

  it("refuses an expired captcha", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 3; i++) await logIn(c, u.phone, "wrong password guess");
    const solved = await solvedCaptcha(t, c);
    t.clock.advance(2 * MINUTE + 1000);
    expect(problemCode(await logIn(c, u.phone, DEFAULT_PASSWORD, solved))).toBe("invalid_captcha");
  });

  it("asks for a captcha from an IP with 20 failures in 15 minutes, even for a clean login", async () => {
    const u = await customer();
    const noisy = clientOnOwnIp(t);
    for (let i = 0; i < 10; i++) {
      const login = uniquePhone();
      await logIn(noisy, login, "guess one two three");
      await logIn(noisy, login, "guess one two three");
    }
    expect(problemCode(await logIn(noisy, u.phone, DEFAULT_PASSWORD))).toBe("captcha_required");
    expect((await logIn(clientOnOwnIp(t), u.phone, DEFAULT_PASSWORD)).statusCode).toBe(200);
    t.clock.advance(15 * MINUTE + 1000);
    expect((await logIn(noisy, u.phone, DEFAULT_PASSWORD)).statusCode).toBe(200);
  });

  it("locks the account for 5 minutes after the fifth wrong password, then lets it in", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 4; i++) await logIn(c, u.phone, "wrong password guess", await solvedCaptcha(t, c));
    const fifth = await logIn(c, u.phone, "wrong password guess", await solvedCaptcha(t, c));
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toMatchObject({ code: "account_locked", retryAfter: 300 });
    expect(fifth.headers["retry-after"]).toBe("300");

    t.clock.advance(4 * MINUTE);
    const stillLocked = await logIn(c, u.phone, DEFAULT_PASSWORD, await solvedCaptcha(t, c));
    expect(stillLocked.statusCode).toBe(423);
    expect(stillLocked.json().retryAfter).toBe(60);

    t.clock.advance(MINUTE + 1000);
    expect((await logIn(c, u.phone, DEFAULT_PASSWORD, await solvedCaptcha(t, c))).statusCode).toBe(200);
  });

  it("tells the owner by SMS that the login was locked", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 5; i++) await logIn(c, u.phone, "wrong password guess", await solvedCaptcha(t, c));
    const inbox = await c.get("/api/v1/dev/messages", { query: { to: u.phone } });
    expect(inbox.json().items[0].body).toContain("锁定 5 分钟");
  });

  it("locks an unknown login exactly like a real one", async () => {
    const u = await customer();
    const bodies = [];
    for (const login of [u.phone, uniquePhone()]) {
      const c = clientOnOwnIp(t);
      let last = await logIn(c, login, "wrong password guess");
      for (let i = 1; i < 5; i++)
        last = await logIn(c, login, "wrong password guess", await solvedCaptcha(t, c));
      expect(last.statusCode).toBe(423);
      bodies.push(comparable(last.json()));
    }
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it("escalates the lock to 30 minutes at the tenth failure", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    for (let i = 0; i < 5; i++) await logIn(c, u.phone, "wrong password guess", await solvedCaptcha(t, c));
    t.clock.advance(5 * MINUTE + 1000);
    let last = await logIn(c, u.phone, "wrong password guess", await solvedCaptcha(t, c));
    for (let i = 7; i <= 10; i++)
      last = await logIn(c, u.phone, "wrong password guess", await solvedCaptcha(t, c));
    expect(last.statusCode).toBe(423);
    expect(last.json().retryAfter).toBe(30 * 60);
    t.clock.advance(30 * MINUTE + 1000);
    expect((await logIn(c, u.phone, DEFAULT_PASSWORD, await solvedCaptcha(t, c))).statusCode).toBe(200);
  });

  it("follows the documented ladder: 5 min, 30 min, then 24 h every fifth failure", () => {
    expect([1, 4, 5, 6, 10, 14, 15, 20, 25].map(lockForFailures)).toEqual([
      null,
      null,
      5 * MINUTE,
      null,
      30 * MINUTE,
      null,
      24 * 60 * MINUTE,
      24 * 60 * MINUTE,
      24 * 60 * MINUTE,
    ]);
  });
});

describe("account status", () => {
  it("says account_frozen only to someone who knows the password", async () => {
    const u = await customer();
    await t.db.updateTable("users").set({ status: "frozen" }).where("id", "=", u.id).execute();
    const c = clientOnOwnIp(t);
    expect(problemCode(await logIn(c, u.phone, "wrong password guess"))).toBe("invalid_credentials");
    const res = await logIn(c, u.phone, DEFAULT_PASSWORD);
    expect(res.statusCode).toBe(403);
    expect(problemCode(res)).toBe("account_frozen");
    expect(res.cookies.find((k) => k.name === "oc_session")).toBeUndefined();
  });

  it("says account_disabled to a disabled account with the right password", async () => {
    const u = await customer();
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", u.id).execute();
    expect(problemCode(await logIn(clientOnOwnIp(t), u.phone, DEFAULT_PASSWORD))).toBe("account_disabled");
  });
});

describe("new devices", () => {
  it("notifies the owner when a login comes from a device never seen before, once", async () => {
    const u = await customer();
    const phoneClient = clientOnOwnIp(t);
    await logIn(phoneClient, u.phone, DEFAULT_PASSWORD);
    const laptop = clientOnOwnIp(t);
    laptop.userAgent =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15";
    await logIn(laptop, u.phone, DEFAULT_PASSWORD);
    await logIn(laptop, u.phone, DEFAULT_PASSWORD);
    const notes = await t.db
      .selectFrom("notifications")
      .select(["kind", "body"])
      .where("user_id", "=", u.id)
      .where("kind", "=", "security.new_device_login")
      .execute();
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toContain("Safari on macOS");
  });
});

describe("logging out and the session probe", () => {
  it("ends the session, clears the cookie and leaves /me closed", async () => {
    const u = await customer();
    const c = clientOnOwnIp(t);
    await logIn(c, u.phone, DEFAULT_PASSWORD);
    expect((await c.get("/api/v1/auth/session")).json()).toMatchObject({
      authenticated: true,
      stage: "full",
      user: { id: u.id },
    });
    const token = c.cookies.get("oc_session") ?? "";
    const res = await c.post("/api/v1/auth/logout");
    expect(res.statusCode).toBe(204);
    expect(c.cookies.has("oc_session")).toBe(false);
    const replay = t.client();
    replay.cookies.set("oc_session", token);
    expect(problemCode(await replay.get("/api/v1/me"))).toBe("unauthenticated");
    expect((await c.get("/api/v1/auth/session")).json()).toEqual({
      authenticated: false,
      stage: null,
      user: null,
    });
  });

  it("answers a logout without a session with a harmless 204", async () => {
    expect((await clientOnOwnIp(t).post("/api/v1/auth/logout")).statusCode).toBe(204);
  });
});
