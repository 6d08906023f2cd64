import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCustomer,
  createStaff,
  type LoggedIn,
  uniqueEmail,
  uniquePhone,
} from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { OTP_SENDS_PER_DESTINATION_PER_HOUR, OTP_SENDS_PER_IP_PER_HOUR } from "./send-code.js";
import { clientOnOwnIp, codeFromMailbox, problemCode, requestCode } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const HOUR = 60 * 60 * 1000;

/** A customer whose client has an address of its own, so per-IP limits stay within the test. */
async function customer(opts: { email?: string | null } = {}): Promise<LoggedIn & { phone: string }> {
  const c = await createCustomer(t, { phone: uniquePhone(), ...opts });
  c.client.ip = clientOnOwnIp(t).ip;
  return { ...c, phone: c.user.phone ?? "" };
}

async function messageCount(to: string): Promise<number> {
  const res = await t.client().get("/api/v1/dev/messages", { query: { to } });
  return (res.json() as { items: unknown[] }).items.length;
}

function masked(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

describe("a code to my own phone", () => {
  it("goes to the bound phone without the customer typing it, and sets the payment password", async () => {
    const c = await customer();
    t.clock.advance(61_000);
    const res = await c.client.post("/api/v1/me/otp", { purpose: "payment_password" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ expiresIn: 300, resendIn: 60, to: masked(c.phone) });
    expect(res.body).not.toContain(c.phone);
    const otp = await codeFromMailbox(c.client, c.phone);
    expect(res.body).not.toContain(otp);
    const set = await c.client.put("/api/v1/me/payment-password", { password: "582947", otp });
    expect(set.statusCode).toBe(204);
    expect((await c.client.get("/api/v1/me")).json().hasPaymentPassword).toBe(true);
  });

  it("gives a reset_password code the change-password page accepts", async () => {
    const c = await customer();
    const res = await c.client.post("/api/v1/me/otp", { purpose: "reset_password", channel: "sms" });
    expect(res.statusCode).toBe(202);
    const otp = await codeFromMailbox(c.client, c.phone);
    const changed = await c.client.put("/api/v1/me/password", {
      otp,
      newPassword: "a brand new passphrase for testing",
      keepThisSession: true,
    });
    expect(changed.statusCode).toBe(204);
  });

  it("gives a change_phone code for the old phone, while the new phone's code comes from /auth/otp", async () => {
    const c = await customer();
    const newPhone = uniquePhone();
    expect((await c.client.post("/api/v1/me/otp", { purpose: "change_phone" })).statusCode).toBe(202);
    const oldOtp = await codeFromMailbox(c.client, c.phone);
    const newOtp = await requestCode(t, c.client, { to: newPhone, purpose: "change_phone" });
    const res = await c.client.post("/api/v1/me/phone", { password: c.password, oldOtp, newPhone, newOtp });
    expect(res.statusCode).toBe(204);
    expect((await c.client.get("/api/v1/me")).json().phone).toBe(masked(newPhone));
  });

  it("refuses a second send within 60 seconds, and sends again after", async () => {
    const c = await customer();
    expect((await c.client.post("/api/v1/me/otp", { purpose: "withdrawal" })).statusCode).toBe(202);
    const again = await c.client.post("/api/v1/me/otp", { purpose: "withdrawal" });
    expect(again.statusCode).toBe(429);
    expect(problemCode(again)).toBe("otp_resend_too_soon");
    expect(Number(again.headers["retry-after"])).toBeGreaterThan(0);
    expect(await messageCount(c.phone)).toBe(1);
    t.clock.advance(61_000);
    expect((await c.client.post("/api/v1/me/otp", { purpose: "withdrawal" })).statusCode).toBe(202);
    expect(await messageCount(c.phone)).toBe(2);
  });

  it("shares the per-destination hourly limit with /auth/otp", async () => {
    // A fresh window first: the session below would go idle if the clock moved after it began.
    t.clock.advance(HOUR - (t.clock.now().getTime() % HOUR));
    const c = await customer();
    for (let i = 0; i < OTP_SENDS_PER_DESTINATION_PER_HOUR; i++) {
      t.clock.advance(61_000);
      const res = await clientOnOwnIp(t).post("/api/v1/auth/otp", {
        channel: "sms",
        to: c.phone,
        purpose: "login",
      });
      expect(res.statusCode).toBe(202);
    }
    t.clock.advance(61_000);
    const res = await c.client.post("/api/v1/me/otp", { purpose: "payment_password" });
    expect(res.statusCode).toBe(429);
    expect(problemCode(res)).toBe("rate_limited");
  });

  it("shares the per-IP hourly limit with /auth/otp", async () => {
    t.clock.advance(HOUR - (t.clock.now().getTime() % HOUR));
    const c = await customer();
    for (let i = 0; i < OTP_SENDS_PER_IP_PER_HOUR; i++) {
      const res = await c.client.post("/api/v1/auth/otp", {
        channel: "sms",
        to: uniquePhone(),
        purpose: "register",
      });
      expect(res.statusCode).toBe(202);
    }
    const res = await c.client.post("/api/v1/me/otp", { purpose: "payment_password" });
    expect(res.statusCode).toBe(429);
    expect(problemCode(res)).toBe("rate_limited");
    expect(await messageCount(c.phone)).toBe(0);
  });
});

describe("a code to my own verified email", () => {
  it("goes to the verified address and names it masked", async () => {
    const email = uniqueEmail("own");
    const c = await customer({ email });
    const res = await c.client.post("/api/v1/me/otp", { purpose: "reset_password", channel: "email" });
    expect(res.statusCode).toBe(202);
    expect(res.json().to).toMatch(/^o\*\*\*\d@example\.com$/);
    expect(res.body).not.toContain(email);
    expect(await codeFromMailbox(c.client, email)).toMatch(/^\d{6}$/);
    expect(await messageCount(c.phone)).toBe(0);
  });

  it("refuses with no_verified_destination when the account has no email, or only an unverified one", async () => {
    const none = await customer();
    const res = await none.client.post("/api/v1/me/otp", { purpose: "reset_password", channel: "email" });
    expect(res.statusCode).toBe(409);
    expect(problemCode(res)).toBe("no_verified_destination");
    expect(res.json().channel).toBe("email");

    const email = uniqueEmail("unverified");
    const unverified = await customer({ email });
    await t.db
      .updateTable("users")
      .set({ email_verified_at: null })
      .where("id", "=", unverified.user.id)
      .execute();
    const res2 = await unverified.client.post("/api/v1/me/otp", {
      purpose: "reset_password",
      channel: "email",
    });
    expect(res2.statusCode).toBe(409);
    expect(problemCode(res2)).toBe("no_verified_destination");
    expect(await messageCount(email)).toBe(0);
  });
});

describe("channels", () => {
  it.each(["payment_password", "change_phone", "withdrawal"])(
    "sends %s codes by SMS only, since they are checked against the bound phone",
    async (purpose) => {
      const c = await createCustomer(t, { email: uniqueEmail("sms-only") });
      c.client.ip = clientOnOwnIp(t).ip;
      const res = await c.client.post("/api/v1/me/otp", { purpose, channel: "email" });
      expect(res.statusCode).toBe(400);
      expect(problemCode(res)).toBe("validation_failed");
      expect(await messageCount(c.user.email ?? "")).toBe(0);
    },
  );
});

describe("who may ask", () => {
  it("refuses anyone not signed in", async () => {
    const res = await clientOnOwnIp(t).post("/api/v1/me/otp", { purpose: "reset_password" });
    expect(res.statusCode).toBe(401);
    expect(problemCode(res)).toBe("unauthenticated");
  });

  it.each(["payment_password", "change_phone", "withdrawal"])(
    "refuses a staff session asking for a %s code, which only customers use",
    async (purpose) => {
      const staff = await createStaff(t, { roles: ["admin"] });
      staff.client.ip = clientOnOwnIp(t).ip;
      const res = await staff.client.post("/api/v1/me/otp", { purpose, channel: "email" });
      expect(res.statusCode).toBe(403);
      expect(problemCode(res)).toBe("forbidden");
      expect(await messageCount(staff.user.email ?? "")).toBe(0);
    },
  );

  it("sends a staff member's reset_password code to their verified email, but not by SMS without a phone", async () => {
    const staff = await createStaff(t, { roles: ["agent"] });
    staff.client.ip = clientOnOwnIp(t).ip;
    const sms = await staff.client.post("/api/v1/me/otp", { purpose: "reset_password" });
    expect(sms.statusCode).toBe(409);
    expect(problemCode(sms)).toBe("no_verified_destination");
    const email = await staff.client.post("/api/v1/me/otp", { purpose: "reset_password", channel: "email" });
    expect(email.statusCode).toBe(202);
    expect(await codeFromMailbox(staff.client, staff.user.email ?? "")).toMatch(/^\d{6}$/);
  });
});

describe("bad input", () => {
  it.each([
    ["a purpose for a new address", { purpose: "verify_email" }],
    ["a public purpose", { purpose: "register" }],
    ["a login purpose", { purpose: "login" }],
    ["an unknown purpose", { purpose: "anything" }],
    ["an empty purpose", { purpose: "" }],
    ["a number for purpose", { purpose: 7 }],
    ["no purpose", {}],
    ["an unknown channel", { purpose: "reset_password", channel: "fax" }],
    ["a destination of the caller's choosing", { purpose: "reset_password", to: "13800138000" }],
    ["an oversize purpose", { purpose: "x".repeat(10_000) }],
  ])("refuses %s with validation_failed and sends nothing", async (_name, body) => {
    const c = await customer();
    const res = await c.client.post("/api/v1/me/otp", body);
    expect(res.statusCode).toBe(400);
    expect(problemCode(res)).toBe("validation_failed");
    expect(await messageCount(c.phone)).toBe(0);
    expect(await messageCount("13800138000")).toBe(0);
  });

  it("refuses a body that is not JSON", async () => {
    const c = await customer();
    const res = await c.client.post("/api/v1/me/otp", "purpose=reset_password", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(await messageCount(c.phone)).toBe(0);
  });
});
