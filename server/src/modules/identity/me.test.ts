import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, DEFAULT_PASSWORD, uniqueEmail, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { clientOnOwnIp, problemCode, requestCode, solvedCaptcha } from "./test-support.js";

const NEW_PASSWORD = "granite meadow whistle seventy";
const MINUTE = 60_000;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function customerWithDevices(count: number, opts: { email?: string } = {}) {
  const phone = uniquePhone();
  const created = await createCustomer(t, { phone, email: opts.email ?? null });
  // The factory's own session is the first device; the rest log in through the API.
  const clients: TestClient[] = [created.client];
  for (let i = 1; i < count; i++) {
    const c = clientOnOwnIp(t);
    const res = await c.post("/api/v1/auth/login", { login: phone, password: DEFAULT_PASSWORD });
    expect(res.statusCode).toBe(200);
    clients.push(c);
  }
  return { id: created.user.id, phone, clients };
}

function devices(c: TestClient) {
  return c.get("/api/v1/me/sessions").then((r) => r.json().items as { id: string; current: boolean }[]);
}

describe("my profile", () => {
  it("shows my profile with phone, email and ID number masked", async () => {
    const phone = uniquePhone();
    const email = uniqueEmail("zhangsan");
    const { user, client } = await createCustomer(t, { phone, email, name: "张三" });
    await t.db
      .updateTable("users")
      .set({
        id_number_masked: "110***********1234",
        id_number_enc: t.ctx.crypto.encrypt("11010519491231002X"),
      })
      .where("id", "=", user.id)
      .execute();
    const res = await client.get("/api/v1/me");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      id: user.id,
      kind: "customer",
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      email: expect.stringMatching(/^z\*\*\*\d@example\.com$/),
      emailVerified: true,
      name: "张三",
      idNumber: "110***********1234",
      roles: ["customer"],
      status: "active",
      verificationLevel: 1,
      hasPaymentPassword: false,
      totpEnabled: false,
      preferences: {},
      createdAt: expect.any(String),
    });
    expect(res.body).not.toContain(phone);
    expect(res.body).not.toContain(email);
    expect(res.body).not.toContain("11010519491231002X");
  });

  it("says unauthenticated without a session", async () => {
    expect(problemCode(await clientOnOwnIp(t).get("/api/v1/me"))).toBe("unauthenticated");
  });
});

describe("sessions expire", () => {
  it("ends a session idle for more than 30 minutes", async () => {
    const { clients } = await customerWithDevices(1);
    const c = clients[0] as TestClient;
    t.clock.advance(29 * MINUTE);
    expect((await c.get("/api/v1/me")).statusCode).toBe(200);
    t.clock.advance(29 * MINUTE);
    expect((await c.get("/api/v1/me")).statusCode).toBe(200);
    t.clock.advance(31 * MINUTE);
    expect(problemCode(await c.get("/api/v1/me"))).toBe("unauthenticated");
  });

  it("ends an active session seven days after login", async () => {
    const { clients } = await customerWithDevices(1);
    const c = clients[0] as TestClient;
    c.ip = "10.250.0.1"; // ~400 requests: keep them off the address other tests share
    for (let elapsed = 0; elapsed < 7 * 24 * 60; elapsed += 25) {
      t.clock.advance(25 * MINUTE);
      const res = await c.get("/api/v1/me");
      if (elapsed + 25 < 7 * 24 * 60) expect(res.statusCode).toBe(200);
      else expect(problemCode(res)).toBe("unauthenticated");
    }
  });
});

describe("my devices", () => {
  it("lists my live sessions with the current one marked", async () => {
    const { clients } = await customerWithDevices(3);
    const items = await devices(clients[1] as TestClient);
    expect(items).toHaveLength(3);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    expect(items[0]).toMatchObject({ device: "Chrome on Android", ip: expect.any(String) });
  });

  it("logs one device out", async () => {
    const { clients } = await customerWithDevices(2);
    const [mine, other] = clients as [TestClient, TestClient];
    const target = (await devices(mine)).find((s) => !s.current);
    const res = await mine.delete(`/api/v1/me/sessions/${target?.id}`);
    expect(res.statusCode).toBe(204);
    expect(problemCode(await other.get("/api/v1/me"))).toBe("unauthenticated");
    expect((await mine.get("/api/v1/me")).statusCode).toBe(200);
    expect(problemCode(await mine.delete(`/api/v1/me/sessions/${target?.id}`))).toBe("not_found");
  });

  it("cannot log out someone else's session", async () => {
    const alice = await customerWithDevices(1);
    const bob = await customerWithDevices(1);
    const bobs = await devices(bob.clients[0] as TestClient);
    const res = await (alice.clients[0] as TestClient).delete(`/api/v1/me/sessions/${bobs[0]?.id}`);
    expect(res.statusCode).toBe(404);
    expect((await (bob.clients[0] as TestClient).get("/api/v1/me")).statusCode).toBe(200);
    expect(problemCode(await (alice.clients[0] as TestClient).delete("/api/v1/me/sessions/not-an-id"))).toBe(
      "validation_failed",
    );
  });

  it("logs every other device out", async () => {
    const { clients } = await customerWithDevices(3);
    const [mine, ...others] = clients as [TestClient, ...TestClient[]];
    expect((await mine.post("/api/v1/me/sessions/revoke-others")).statusCode).toBe(204);
    for (const o of others) expect(problemCode(await o.get("/api/v1/me"))).toBe("unauthenticated");
    expect(await devices(mine)).toHaveLength(1);
  });
});

describe("login history", () => {
  it("pages through my login attempts, newest first", async () => {
    const { phone, clients } = await customerWithDevices(2);
    const c = clients[0] as TestClient;
    for (let i = 0; i < 2; i++)
      await clientOnOwnIp(t).post("/api/v1/auth/login", { login: phone, password: "wrong guess" });
    const first = await c.get("/api/v1/me/login-history", { query: { limit: "2" } });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((i: { result: string }) => i.result)).toEqual([
      "invalid_credentials",
      "invalid_credentials",
    ]);
    const cursor = first.json().nextCursor as string;
    expect(cursor).toMatch(/^\d+$/);
    const second = await c.get("/api/v1/me/login-history", { query: { limit: "2", cursor } });
    expect(second.json()).toMatchObject({ items: [{ result: "success" }], nextCursor: null });
    expect(problemCode(await c.get("/api/v1/me/login-history", { query: { limit: "500" } }))).toBe(
      "validation_failed",
    );
    expect(problemCode(await c.get("/api/v1/me/login-history", { query: { cursor: "abc" } }))).toBe(
      "validation_failed",
    );
  });
});

describe("changing my password", () => {
  it("ends every session including this one by default", async () => {
    const { phone, clients } = await customerWithDevices(2);
    const [mine, other] = clients as [TestClient, TestClient];
    const res = await mine.put("/api/v1/me/password", {
      currentPassword: DEFAULT_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(204);
    expect(mine.cookies.has("oc_session")).toBe(false);
    expect(problemCode(await other.get("/api/v1/me"))).toBe("unauthenticated");
    const again = clientOnOwnIp(t);
    expect(
      problemCode(await again.post("/api/v1/auth/login", { login: phone, password: DEFAULT_PASSWORD })),
    ).toBe("invalid_credentials");
    expect(
      (await again.post("/api/v1/auth/login", { login: phone, password: NEW_PASSWORD })).statusCode,
    ).toBe(200);
  });

  it("keeps this session when asked, ending the others, and notifies me", async () => {
    const { id, phone, clients } = await customerWithDevices(2);
    const [mine, other] = clients as [TestClient, TestClient];
    const res = await mine.put("/api/v1/me/password", {
      currentPassword: DEFAULT_PASSWORD,
      newPassword: NEW_PASSWORD,
      keepThisSession: true,
    });
    expect(res.statusCode).toBe(204);
    expect((await mine.get("/api/v1/me")).statusCode).toBe(200);
    expect(problemCode(await other.get("/api/v1/me"))).toBe("unauthenticated");
    const sms = await mine.get("/api/v1/dev/messages", { query: { to: phone } });
    expect(sms.json().items[0].body).toContain("登录密码已修改");
    const audit = await t.db
      .selectFrom("audit_log")
      .select("details")
      .where("actor_id", "=", id)
      .where("action", "=", "auth.password.changed")
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ method: "current_password", keptThisSession: true });
    expect(JSON.stringify(audit.details)).not.toContain(NEW_PASSWORD);
  });

  it("accepts an SMS code instead of the current password", async () => {
    const { phone, clients } = await customerWithDevices(1);
    const c = clients[0] as TestClient;
    const otp = await requestCode(t, c, { to: phone, purpose: "reset_password" });
    const res = await c.put("/api/v1/me/password", { otp, newPassword: NEW_PASSWORD, keepThisSession: true });
    expect(res.statusCode).toBe(204);
  });

  it("refuses a wrong current password, a weak new one, and both or neither proof", async () => {
    const { clients } = await customerWithDevices(1);
    const c = clients[0] as TestClient;
    expect(
      problemCode(
        await c.put("/api/v1/me/password", { currentPassword: "not it at all", newPassword: NEW_PASSWORD }),
      ),
    ).toBe("invalid_credentials");
    expect(
      problemCode(
        await c.put("/api/v1/me/password", { currentPassword: DEFAULT_PASSWORD, newPassword: "password123" }),
      ),
    ).toBe("weak_password");
    expect(problemCode(await c.put("/api/v1/me/password", { newPassword: NEW_PASSWORD }))).toBe(
      "validation_failed",
    );
    expect(
      problemCode(
        await c.put("/api/v1/me/password", {
          currentPassword: DEFAULT_PASSWORD,
          otp: "123456",
          newPassword: NEW_PASSWORD,
        }),
      ),
    ).toBe("validation_failed");
    expect((await c.get("/api/v1/me")).statusCode).toBe(200);
  });
});

describe("resetting a forgotten password", () => {
  it("resets by email code to a verified address, ends every session and clears a lockout", async () => {
    const email = uniqueEmail();
    const { phone, clients } = await customerWithDevices(1, { email });
    const attacker = clientOnOwnIp(t);
    for (let i = 0; i < 5; i++) {
      await attacker.post("/api/v1/auth/login", {
        login: phone,
        password: "wrong guess",
        ...(await solvedCaptcha(t, attacker)),
      });
    }
    const c = clientOnOwnIp(t);
    const otp = await requestCode(t, c, { to: email, purpose: "reset_password" });
    const res = await c.post("/api/v1/auth/password-reset", {
      channel: "email",
      to: email,
      otp,
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(204);
    expect(problemCode(await (clients[0] as TestClient).get("/api/v1/me"))).toBe("unauthenticated");
    expect((await c.post("/api/v1/auth/login", { login: email, password: NEW_PASSWORD })).statusCode).toBe(
      200,
    );
    const mail = await c.get("/api/v1/dev/messages", { query: { to: email } });
    expect(mail.json().items[0].subject).toBe("登录密码已修改");
  });

  it("resets by SMS code", async () => {
    const { phone } = await customerWithDevices(1);
    const c = clientOnOwnIp(t);
    const otp = await requestCode(t, c, { to: phone, purpose: "reset_password" });
    expect(
      (
        await c.post("/api/v1/auth/password-reset", {
          channel: "sms",
          to: phone,
          otp,
          newPassword: NEW_PASSWORD,
        })
      ).statusCode,
    ).toBe(204);
    expect((await c.post("/api/v1/auth/login", { login: phone, password: NEW_PASSWORD })).statusCode).toBe(
      200,
    );
  });

  it("does not reset through an email address nobody verified", async () => {
    const email = uniqueEmail();
    const { id } = await customerWithDevices(1, { email });
    await t.db.updateTable("users").set({ email_verified_at: null }).where("id", "=", id).execute();
    const c = clientOnOwnIp(t);
    const otp = await requestCode(t, c, { to: email, purpose: "reset_password" });
    const res = await c.post("/api/v1/auth/password-reset", {
      channel: "email",
      to: email,
      otp,
      newPassword: NEW_PASSWORD,
    });
    expect(problemCode(res)).toBe("not_found");
    expect(
      (await c.post("/api/v1/auth/login", { login: email, password: DEFAULT_PASSWORD })).statusCode,
    ).toBe(200);
  });

  it("refuses a wrong code and a weak password without changing anything", async () => {
    const { phone } = await customerWithDevices(1);
    const c = clientOnOwnIp(t);
    const otp = await requestCode(t, c, { to: phone, purpose: "reset_password" });
    const wrong = otp === "000000" ? "111111" : "000000";
    expect(
      problemCode(
        await c.post("/api/v1/auth/password-reset", {
          channel: "sms",
          to: phone,
          otp: wrong,
          newPassword: NEW_PASSWORD,
        }),
      ),
    ).toBe("invalid_otp");
    expect(
      problemCode(
        await c.post("/api/v1/auth/password-reset", {
          channel: "sms",
          to: phone,
          otp,
          newPassword: "12345678",
        }),
      ),
    ).toBe("weak_password");
    expect(
      (await c.post("/api/v1/auth/login", { login: phone, password: DEFAULT_PASSWORD })).statusCode,
    ).toBe(200);
  });
});
