import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("platform", () => {
  it("answers health and readiness probes", async () => {
    const c = t.client();
    expect((await c.get("/healthz")).json()).toEqual({ status: "ok" });
    expect((await c.get("/readyz")).json()).toEqual({ status: "ready" });
  });

  it("answers an unknown API route with a problem+json 404", async () => {
    const res = await t.client().get("/api/v1/nowhere");
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 404, code: "not_found", title: expect.any(String) });
  });

  it("names every answer's request id, errors included, and takes the caller's own", async () => {
    const ok = await t.client().get("/healthz");
    expect(ok.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await t.client().get("/api/v1/nowhere");
    expect(missing.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await t.client().post("/api/v1/me/notifications/read", {}, { noCsrf: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.headers["x-request-id"]).not.toBe(missing.headers["x-request-id"]);
    const theirs = await t.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "trace-42" },
    });
    expect(theirs.headers["x-request-id"]).toBe("trace-42");
  });

  it("sets a readable CSRF cookie on the first response", async () => {
    const c = t.client();
    const res = await c.get("/healthz");
    const csrf = res.cookies.find((k) => k.name === "oc_csrf");
    expect(csrf?.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(csrf?.httpOnly).toBeFalsy();
  });

  it("refuses an unsafe request without the CSRF header", async () => {
    const c = t.client();
    const res = await c.post("/api/v1/me/notifications/read", {}, { noCsrf: true });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("csrf_failed");
  });

  it("publishes an OpenAPI 3.1 document", async () => {
    const res = await t.client().get("/api/v1/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/me/notifications");
  });

  it("exposes Prometheus metrics", async () => {
    await t.client().get("/healthz");
    const res = await t.client().get("/metrics");
    expect(res.body).toContain("http_request_duration_seconds_bucket");
  });

  it("validates a query string and names the failing field", async () => {
    const res = await t.client().get("/api/v1/dev/messages?limit=9999");
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: "validation_failed",
      errors: [expect.objectContaining({ path: "limit" })],
    });
  });

  it("refuses a body over 1 MB with 413 payload_too_large and writes nothing", async () => {
    const before = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const res = await t.client().post("/api/v1/auth/register", {
      phone: "13800000001",
      password: "x".repeat(1_100_000),
      otp: "123456",
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: "payload_too_large", status: 413 });
    const after = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("answers malformed JSON with a problem+json 400", async () => {
    const res = await t
      .client()
      .post("/api/v1/auth/login", "{not json", { headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().code).toBe("bad_request");
  });
});
