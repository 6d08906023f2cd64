import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const stored = async (id: string) =>
  (await t.db.selectFrom("users").select("preferences").where("id", "=", id).executeTakeFirstOrThrow())
    .preferences;

describe("preferences", () => {
  it("keeps what is not mentioned and returns the merged preferences", async () => {
    const c = await createCustomer(t);
    const first = await c.client.put("/api/v1/me/preferences", {
      language: "en",
      theme: "dark",
      homeModules: ["balance", "transfer", "help"],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      language: "en",
      theme: "dark",
      homeModules: ["balance", "transfer", "help"],
    });

    const second = await c.client.put("/api/v1/me/preferences", {
      fontSize: "extra-large",
      elderMode: true,
      homeModules: ["security"],
    });
    expect(second.json()).toEqual({
      language: "en",
      theme: "dark",
      fontSize: "extra-large",
      elderMode: true,
      homeModules: ["security"],
    });
    expect(await stored(c.user.id)).toEqual(second.json());
  });

  it("accepts an empty change and an empty home screen", async () => {
    const c = await createCustomer(t);
    expect((await c.client.put("/api/v1/me/preferences", {})).json()).toEqual({});
    expect((await c.client.put("/api/v1/me/preferences", { homeModules: [] })).json()).toEqual({
      homeModules: [],
    });
  });

  it("works for staff as well", async () => {
    const staff = await createStaff(t, { roles: ["agent"] });
    const res = await staff.client.put("/api/v1/me/preferences", { theme: "high-contrast" });
    expect(res.statusCode).toBe(200);
    expect(await stored(staff.user.id)).toEqual({ theme: "high-contrast" });
  });

  it("needs a session", async () => {
    expect((await t.client().put("/api/v1/me/preferences", { theme: "dark" })).statusCode).toBe(401);
  });

  it.each([
    ["an unknown language", { language: "fr" }],
    ["an unknown theme", { theme: "solarized" }],
    ["a numeric font size", { fontSize: 18 }],
    ["elder mode as a string", { elderMode: "yes" }],
    ["an unknown home module", { homeModules: ["balance", "casino"] }],
    ["a repeated home module", { homeModules: ["balance", "balance"] }],
    ["home modules as a string", { homeModules: "balance" }],
    ["too many home modules", { homeModules: Array(50).fill("balance") }],
    ["an unknown key", { language: "en", fontFamily: "Comic Sans" }],
    ["an array body", ["dark"]],
  ])("refuses %s and changes nothing", async (_label, body) => {
    const c = await createCustomer(t);
    await c.client.put("/api/v1/me/preferences", { language: "zh-CN" });
    const res = await c.client.put("/api/v1/me/preferences", body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
    expect(await stored(c.user.id)).toEqual({ language: "zh-CN" });
  });

  it("refuses a body that tries to reach the object prototype", async () => {
    const c = await createCustomer(t);
    const res = await c.client.put("/api/v1/me/preferences", '{"__proto__": {"theme": "dark"}}', {
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("bad_request");
    expect(await stored(c.user.id)).toEqual({});
  });
});
