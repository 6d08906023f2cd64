import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, sendOtp, uniqueEmail, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const userRow = (id: string) =>
  t.db
    .selectFrom("users")
    .select(["phone", "email", "email_verified_at"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

const messagesTo = async (to: string) =>
  (await t.client().get("/api/v1/dev/messages", { query: { to } })).json().items as { body: string }[];

describe("binding an e-mail address", () => {
  it("binds the address, lower-cased, with a code sent to it", async () => {
    const c = await createCustomer(t);
    const email = uniqueEmail("Mixed.Case").replace("mixed.case", "Mixed.Case");
    const otp = await sendOtp(t, { to: email.toLowerCase(), purpose: "verify_email" });
    const res = await c.client.post("/api/v1/me/email", { email, otp });
    expect(res.statusCode).toBe(204);
    const row = await userRow(c.user.id);
    expect(row.email).toBe(email.toLowerCase());
    expect(row.email_verified_at).not.toBeNull();
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("actor_id", "=", c.user.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain("email.bound");
  });

  it("tells the old address when the address changes", async () => {
    const oldEmail = uniqueEmail("old");
    const c = await createCustomer(t, { email: oldEmail });
    const newEmail = uniqueEmail("new");
    const otp = await sendOtp(t, { to: newEmail, purpose: "verify_email" });
    expect((await c.client.post("/api/v1/me/email", { email: newEmail, otp })).statusCode).toBe(204);
    const old = await messagesTo(oldEmail);
    expect(old[0]?.body).toContain("绑定邮箱已更换");
    expect(old[0]?.body).not.toContain(newEmail);
  });

  it("refuses an address another account uses, without spending the code", async () => {
    const taken = uniqueEmail("taken");
    await createCustomer(t, { email: taken });
    const c = await createCustomer(t);
    const otp = await sendOtp(t, { to: taken, purpose: "verify_email" });
    const res = await c.client.post("/api/v1/me/email", { email: taken.toUpperCase(), otp });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("email_taken");
    expect((await userRow(c.user.id)).email).toBeNull();
  });

  it("refuses a code that was sent to another address", async () => {
    const c = await createCustomer(t);
    const otp = await sendOtp(t, { to: uniqueEmail("elsewhere"), purpose: "verify_email" });
    const res = await c.client.post("/api/v1/me/email", { email: uniqueEmail("mine"), otp });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("invalid_otp");
  });

  it("lets staff bind an address too", async () => {
    const staff = await createStaff(t, { roles: ["agent"] });
    const email = uniqueEmail("agent");
    const otp = await sendOtp(t, { to: email, purpose: "verify_email" });
    expect((await staff.client.post("/api/v1/me/email", { email, otp })).statusCode).toBe(204);
  });

  it.each([
    ["not an address", { email: "not-an-email", otp: "123456" }],
    ["an oversize address", { email: `${"a".repeat(250)}@example.com`, otp: "123456" }],
    ["a numeric code", { email: "a@example.com", otp: 123456 }],
    ["a missing code", { email: "a@example.com" }],
    ["an unknown field", { email: "a@example.com", otp: "123456", verified: true }],
  ])("answers %s with validation_failed", async (_label, body) => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/email", body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });
});

describe("changing the phone number", () => {
  async function phoneChange(c: Awaited<ReturnType<typeof createCustomer>>, newPhone: string) {
    const oldOtp = await sendOtp(t, { to: c.user.phone ?? "", purpose: "change_phone" });
    const newOtp = await sendOtp(t, { to: newPhone, purpose: "change_phone" });
    return { password: c.password, oldOtp, newPhone, newOtp };
  }

  it("moves the account to the new phone and tells both numbers", async () => {
    const c = await createCustomer(t);
    const oldPhone = c.user.phone ?? "";
    const newPhone = uniquePhone();
    const res = await c.client.post("/api/v1/me/phone", await phoneChange(c, newPhone));
    expect(res.statusCode).toBe(204);
    expect((await userRow(c.user.id)).phone).toBe(newPhone);
    expect((await messagesTo(oldPhone))[0]?.body).toContain("绑定手机号已更换");
    expect((await messagesTo(newPhone))[0]?.body).toContain("手机号已更换");
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("actor_id", "=", c.user.id)
      .execute();
    const entry = audit.find((a) => a.action === "phone.changed");
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry)).not.toContain(newPhone);
  });

  it("refuses a wrong login password and leaves the phone as it was", async () => {
    const c = await createCustomer(t);
    const body = { ...(await phoneChange(c, uniquePhone())), password: "not the password" };
    const res = await c.client.post("/api/v1/me/phone", body);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("invalid_credentials");
    expect((await userRow(c.user.id)).phone).toBe(c.user.phone);
  });

  it("refuses when the code to the old phone is wrong", async () => {
    const c = await createCustomer(t);
    const body = await phoneChange(c, uniquePhone());
    const wrong = body.oldOtp === "000000" ? "000001" : "000000";
    const res = await c.client.post("/api/v1/me/phone", { ...body, oldOtp: wrong });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("invalid_otp");
    expect((await userRow(c.user.id)).phone).toBe(c.user.phone);
  });

  it("refuses when the new phone's code was sent to another number", async () => {
    const c = await createCustomer(t);
    const body = await phoneChange(c, uniquePhone());
    const res = await c.client.post("/api/v1/me/phone", { ...body, newPhone: uniquePhone() });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("invalid_otp");
  });

  it("refuses a number another account uses", async () => {
    const other = await createCustomer(t);
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/phone", await phoneChange(c, other.user.phone ?? ""));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("phone_taken");
  });

  it("locks after repeated wrong passwords, like login does", async () => {
    const c = await createCustomer(t);
    const body = { password: "wrong password", oldOtp: "123456", newPhone: uniquePhone(), newOtp: "123456" };
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await c.client.post("/api/v1/me/phone", body)).json().code);
    expect(codes.slice(0, 4)).toEqual(Array(4).fill("invalid_credentials"));
    expect(codes.slice(4)).toEqual(["account_locked", "account_locked"]);
  });

  it.each([
    ["a landline", { password: "x", oldOtp: "123456", newPhone: "01012345678", newOtp: "123456" }],
    ["a number with +86", { password: "x", oldOtp: "123456", newPhone: "+8613912345678", newOtp: "123456" }],
    ["a missing new code", { password: "x", oldOtp: "123456", newPhone: "13912345678" }],
    ["an empty password", { password: "", oldOtp: "123456", newPhone: "13912345678", newOtp: "123456" }],
    [
      "an oversize password",
      { password: "p".repeat(200), oldOtp: "1", newPhone: "13912345678", newOtp: "1" },
    ],
    ["a string body", "13912345678"],
  ])("answers %s with validation_failed", async (_label, body) => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/phone", body, {
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });

  it("is for customers only", async () => {
    const staff = await createStaff(t, { roles: ["admin"] });
    const res = await staff.client.post("/api/v1/me/phone", {
      password: staff.password,
      oldOtp: "123456",
      newPhone: uniquePhone(),
      newOtp: "123456",
    });
    expect(res.statusCode).toBe(403);
  });
});
