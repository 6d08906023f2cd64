import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { channelsFor, defaultSubscriptions } from "./index.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("notification subscriptions", () => {
  it("starts from the defaults: balance in the app only, withdrawals and security by SMS", async () => {
    const c = await createCustomer(t);
    const res = await c.client.get("/api/v1/me/notification-subscriptions");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(defaultSubscriptions);
    expect(await channelsFor(t.db, c.user.id, "balance")).toEqual({ sms: false, email: false });
    expect(await channelsFor(t.db, c.user.id, "withdrawal")).toEqual({ sms: true, email: false });
  });

  it("keeps the channels and topics a change leaves out", async () => {
    const c = await createCustomer(t);
    await c.client.put("/api/v1/me/notification-subscriptions", { balance: { sms: true } });
    const res = await c.client.put("/api/v1/me/notification-subscriptions", {
      balance: { email: true },
      withdrawal: { sms: false },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      balance: { sms: true, email: true },
      withdrawal: { sms: false, email: false },
      support: defaultSubscriptions.support,
    });
    expect(await channelsFor(t.db, c.user.id, "balance")).toEqual({ sms: true, email: true });
  });

  it("does not let security alerts lose their SMS", async () => {
    const c = await createCustomer(t);
    const res = await c.client.put("/api/v1/me/notification-subscriptions", {
      security: { sms: false, email: false },
    });
    expect(res.json().security).toEqual({ sms: true, email: false });
    expect(await channelsFor(t.db, c.user.id, "security")).toEqual({ sms: true, email: false });
  });

  it("leaves the other preferences alone", async () => {
    const c = await createCustomer(t);
    await c.client.put("/api/v1/me/preferences", { language: "en", elderMode: true });
    await c.client.put("/api/v1/me/notification-subscriptions", { support: { email: false } });
    const prefs = await t.db
      .selectFrom("users")
      .select("preferences")
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(prefs.preferences).toEqual({
      language: "en",
      elderMode: true,
      notifications: { support: { email: false } },
    });
    expect((await c.client.put("/api/v1/me/preferences", { theme: "dark" })).statusCode).toBe(200);
    expect(await channelsFor(t.db, c.user.id, "support")).toEqual({ sms: false, email: false });
  });

  it.each([
    ["an unknown topic", { marketing: { sms: true } }],
    ["an unknown channel", { balance: { push: true } }],
    ["a channel as a string", { balance: { sms: "yes" } }],
  ])("refuses %s and changes nothing", async (_label, body) => {
    const c = await createCustomer(t);
    const res = await c.client.put("/api/v1/me/notification-subscriptions", body);
    expect(res.statusCode).toBe(400);
    expect((await c.client.get("/api/v1/me/notification-subscriptions")).json()).toEqual(
      defaultSubscriptions,
    );
  });

  it("is for customers only", async () => {
    const staff = await createStaff(t, { roles: ["agent"] });
    expect((await staff.client.get("/api/v1/me/notification-subscriptions")).statusCode).toBe(403);
    expect((await t.client().get("/api/v1/me/notification-subscriptions")).statusCode).toBe(401);
  });
});
