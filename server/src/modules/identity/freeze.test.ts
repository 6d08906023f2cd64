import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, logIn, sendOtp, uniqueEmail } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const statusOf = async (id: string) =>
  t.db.selectFrom("users").select(["status", "frozen_at"]).where("id", "=", id).executeTakeFirstOrThrow();

const liveSessions = async (userId: string) =>
  (
    await t.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .execute()
  ).length;

async function frozenCustomer() {
  const c = await createCustomer(t, { email: uniqueEmail("frozen") });
  expect((await c.client.post("/api/v1/me/freeze", { password: c.password })).statusCode).toBe(204);
  return c;
}

async function unfreezeRequest(c: Awaited<ReturnType<typeof createCustomer>>) {
  const phone = c.user.phone ?? "";
  const otp = await sendOtp(t, { to: phone, purpose: "unfreeze" });
  return t.client().post("/api/v1/auth/unfreeze-requests", { phone, otp, password: c.password });
}

describe("freezing one's own account", () => {
  it("freezes the account, ends every session and tells the customer by SMS and e-mail", async () => {
    const c = await createCustomer(t, { email: uniqueEmail("self") });
    const otherDevice = await logIn(t, c.user.id);
    const res = await c.client.post("/api/v1/me/freeze", { password: c.password });
    expect(res.statusCode).toBe(204);

    const row = await statusOf(c.user.id);
    expect(row.status).toBe("frozen");
    expect(row.frozen_at).not.toBeNull();
    expect(await liveSessions(c.user.id)).toBe(0);
    const login = await t.client().post("/api/v1/auth/login", { login: c.user.phone, password: c.password });
    expect(login.statusCode).toBe(403);
    expect(login.json().code).toBe("account_frozen");
    expect((await otherDevice.get("/api/v1/me/bank-cards")).statusCode).toBe(401);
    expect((await c.client.get("/api/v1/me/bank-cards")).statusCode).toBe(401);

    const sms = await t.client().get("/api/v1/dev/messages", { query: { to: c.user.phone ?? "" } });
    expect(sms.json().items[0].body).toContain("账户已冻结");
    const mail = await t.client().get("/api/v1/dev/messages", { query: { to: c.user.email ?? "" } });
    expect(mail.json().items[0].subject).toBe("账户已冻结");
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("target_id", "=", c.user.id)
      .execute();
    expect(audit).toContainEqual(expect.objectContaining({ action: "account.frozen" }));
  });

  it("refuses a wrong password and leaves the account active", async () => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/freeze", { password: "not my password" });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("invalid_credentials");
    expect((await statusOf(c.user.id)).status).toBe("active");
  });

  it.each([
    ["no password", {}],
    ["a numeric password", { password: 12345678 }],
    ["an unknown field", { password: "x", reason: "lost" }],
  ])("answers %s with validation_failed", async (_label, body) => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/freeze", body);
    expect(res.json().code).toBe("validation_failed");
    expect((await statusOf(c.user.id)).status).toBe("active");
  });
});

describe("freezing without a session (a stolen phone)", () => {
  it("freezes by phone and password", async () => {
    const c = await createCustomer(t);
    const res = await t.client().post("/api/v1/auth/freeze", { login: c.user.phone, password: c.password });
    expect(res.statusCode).toBe(204);
    expect((await statusOf(c.user.id)).status).toBe("frozen");
    expect(await liveSessions(c.user.id)).toBe(0);
  });

  it("freezes by e-mail address in any case", async () => {
    const email = uniqueEmail("lost");
    const c = await createCustomer(t, { email });
    const res = await t
      .client()
      .post("/api/v1/auth/freeze", { login: email.toUpperCase(), password: c.password });
    expect(res.statusCode).toBe(204);
    expect((await statusOf(c.user.id)).status).toBe("frozen");
  });

  it("answers an unknown login exactly as a wrong password", async () => {
    const c = await createCustomer(t);
    const wrong = await t
      .client()
      .post("/api/v1/auth/freeze", { login: c.user.phone, password: "wrong one" });
    const unknown = await t
      .client()
      .post("/api/v1/auth/freeze", { login: "13000000000", password: "wrong one" });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    expect((await statusOf(c.user.id)).status).toBe("active");
  });

  it("answers an already frozen account as a success, changing nothing", async () => {
    const c = await frozenCustomer();
    const before = await statusOf(c.user.id);
    t.clock.advance(60_000);
    const res = await t.client().post("/api/v1/auth/freeze", { login: c.user.phone, password: c.password });
    expect(res.statusCode).toBe(204);
    expect(await statusOf(c.user.id)).toEqual(before);
  });

  it("counts wrong passwords in the login throttle and locks after the fifth", async () => {
    const c = await createCustomer(t);
    const client = t.client();
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        (await client.post("/api/v1/auth/freeze", { login: c.user.phone, password: "guess" })).json().code,
      );
    }
    expect(codes).toEqual([...Array(4).fill("invalid_credentials"), "account_locked", "account_locked"]);
    // Even the right password waits for the lock to end.
    const right = await client.post("/api/v1/auth/freeze", { login: c.user.phone, password: c.password });
    expect(right.statusCode).toBe(423);
    expect(Number(right.headers["retry-after"])).toBeGreaterThan(0);
    t.clock.advance(5 * 60_000 + 1000);
    expect(
      (await client.post("/api/v1/auth/freeze", { login: c.user.phone, password: c.password })).statusCode,
    ).toBe(204);
  });

  it("does not freeze staff accounts", async () => {
    const staff = await createStaff(t, { roles: ["admin"] });
    const res = await t
      .client()
      .post("/api/v1/auth/freeze", { login: staff.user.email, password: staff.password });
    expect(res.statusCode).toBe(401);
    expect((await statusOf(staff.user.id)).status).toBe("active");
  });

  it.each([
    ["an empty login", { login: "", password: "x" }],
    ["an oversize login", { login: "1".repeat(300), password: "x" }],
    ["a missing password", { login: "13900000000" }],
    ["an object login", { login: { phone: "13900000000" }, password: "x" }],
  ])("answers %s with validation_failed", async (_label, body) => {
    const res = await t.client().post("/api/v1/auth/freeze", body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });
});

describe("asking to unfreeze", () => {
  it("creates one pending review item, which a reviewer approves to unfreeze the account", async () => {
    const c = await frozenCustomer();
    const res = await unfreezeRequest(c);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: expect.any(String), status: "pending" });

    const again = await unfreezeRequest(c);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("conflict");

    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const item = await reviewer.client.get(`/api/v1/console/reviews/${res.json().id}`);
    expect(item.statusCode).toBe(200);
    expect(item.json()).toMatchObject({ kind: "unfreeze", status: "pending" });
    expect(item.body).not.toContain(c.user.phone ?? "");

    const approved = await reviewer.client.post(`/api/v1/console/reviews/${res.json().id}/approve`, {});
    expect(approved.statusCode).toBe(200);
    expect(await statusOf(c.user.id)).toEqual({ status: "active", frozen_at: null });
    const sms = await t.client().get("/api/v1/dev/messages", { query: { to: c.user.phone ?? "" } });
    expect(sms.json().items[0].body).toContain("账户已解冻");
    // And the customer can use the account again.
    const back = await logIn(t, c.user.id);
    expect((await back.get("/api/v1/me/bank-cards")).statusCode).toBe(200);
  });

  it("tells the customer the reason when a reviewer rejects the request", async () => {
    const c = await frozenCustomer();
    const res = await unfreezeRequest(c);
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const rejected = await reviewer.client.post(`/api/v1/console/reviews/${res.json().id}/reject`, {
      reason: "请到营业厅核验身份",
    });
    expect(rejected.statusCode).toBe(200);
    expect((await statusOf(c.user.id)).status).toBe("frozen");
    const sms = await t.client().get("/api/v1/dev/messages", { query: { to: c.user.phone ?? "" } });
    expect(sms.json().items[0].body).toContain("请到营业厅核验身份");
    // After a rejection the customer may ask again.
    expect((await unfreezeRequest(c)).statusCode).toBe(201);
  });

  it("refuses an account that is not frozen", async () => {
    const c = await createCustomer(t);
    const res = await unfreezeRequest(c);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("conflict");
  });

  it("refuses a wrong code or a wrong password", async () => {
    const c = await frozenCustomer();
    const phone = c.user.phone ?? "";
    const badCode = await t.client().post("/api/v1/auth/unfreeze-requests", {
      phone,
      otp: "000000",
      password: c.password,
    });
    expect(badCode.json().code).toBe("invalid_otp");
    const otp = await sendOtp(t, { to: phone, purpose: "unfreeze" });
    const badPassword = await t
      .client()
      .post("/api/v1/auth/unfreeze-requests", { phone, otp, password: "nope" });
    expect(badPassword.statusCode).toBe(401);
    expect(badPassword.json().code).toBe("invalid_credentials");
    const items = await t.db
      .selectFrom("review_items")
      .select("id")
      .where("subject_user_id", "=", c.user.id)
      .execute();
    expect(items).toEqual([]);
  });

  it.each([
    ["a malformed phone", { phone: "12345", otp: "123456", password: "x" }],
    ["a short code", { phone: "13900000000", otp: "12345", password: "x" }],
    ["an unknown field", { phone: "13900000000", otp: "123456", password: "x", note: "pls" }],
    ["an empty body", {}],
  ])("answers %s with validation_failed", async (_label, body) => {
    const res = await t.client().post("/api/v1/auth/unfreeze-requests", body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });
});
