// Deny by default, proved: every registered route, called by every role, answers as the table
// of intended permissions says. A route missing from the table fails the test, so a new route
// cannot ship without someone deciding who may call it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Permission, type Role, roleGrants, roles } from "../src/http/permissions.js";
import { createSession, SESSION_COOKIE } from "../src/modules/identity/index.js";
import { createTestApp, type TestApp, type TestClient } from "./harness.js";

/**
 * The permission each API route is meant to need, from docs/api.md. Add a line here when you
 * add a route; the key is "METHOD path" exactly as registered (":id" for parameters).
 */
const intended: Record<string, Permission> = {
  // Authentication
  "GET /api/v1/auth/captcha": "public",
  "POST /api/v1/auth/otp": "public",
  "POST /api/v1/auth/register": "public",
  "POST /api/v1/auth/login": "public",
  "POST /api/v1/auth/logout": "public",
  "GET /api/v1/auth/session": "public",
  "POST /api/v1/auth/password-reset": "public",
  "POST /api/v1/auth/freeze": "public",
  "POST /api/v1/auth/unfreeze-requests": "public",
  // The signed-in person
  "GET /api/v1/me": "self",
  "PUT /api/v1/me/password": "self",
  "POST /api/v1/me/otp": "self",
  "GET /api/v1/me/sessions": "self",
  "DELETE /api/v1/me/sessions/:id": "self",
  "POST /api/v1/me/sessions/revoke-others": "self",
  "GET /api/v1/me/login-history": "self",
  "POST /api/v1/me/totp/setup": "mfa_enroll",
  "POST /api/v1/me/totp/enable": "mfa_enroll",
  "POST /api/v1/me/totp/disable": "self",
  "PUT /api/v1/me/preferences": "self",
  "GET /api/v1/me/notifications": "self",
  "POST /api/v1/me/notifications/read": "self",
  // Notification subscriptions (issue 3, back office helper B)
  "GET /api/v1/me/notification-subscriptions": "customer",
  "PUT /api/v1/me/notification-subscriptions": "customer",
  "PUT /api/v1/me/payment-password": "customer",
  "POST /api/v1/me/payment-password/verify": "customer",
  "POST /api/v1/me/email": "self",
  "POST /api/v1/me/phone": "customer",
  "GET /api/v1/me/bank-cards": "customer",
  "POST /api/v1/me/bank-cards": "customer",
  "DELETE /api/v1/me/bank-cards/:id": "customer",
  "POST /api/v1/me/change-requests": "customer",
  "GET /api/v1/me/change-requests": "customer",
  "POST /api/v1/me/freeze": "customer",
  // Wallet
  "GET /api/v1/wallet": "customer",
  "GET /api/v1/wallet/transactions": "customer",
  "GET /api/v1/wallet/transactions/:id": "customer",
  "GET /api/v1/wallet/payees": "customer",
  "POST /api/v1/wallet/transfers": "customer",
  // Wallet exports: history as CSV/XLSX, monthly PDF statement
  "GET /api/v1/wallet/transactions/export": "customer",
  "GET /api/v1/wallet/statements/:month": "customer",
  // Limits and 小额免密 (helper L)
  "GET /api/v1/wallet/limits": "customer",
  "PUT /api/v1/wallet/limits/transfer-daily": "customer",
  "GET /api/v1/wallet/password-free": "customer",
  "PUT /api/v1/wallet/password-free": "customer",
  // Merchant payments (helper S)
  "GET /api/v1/wallet/merchants": "customer",
  "POST /api/v1/wallet/payments": "customer",
  // Top-ups and gateway callbacks
  "POST /api/v1/wallet/topups": "customer",
  "GET /api/v1/wallet/topups/:id": "customer",
  // Withdrawals to a bound bank card
  "GET /api/v1/wallet/withdrawals/quote": "customer",
  "GET /api/v1/wallet/withdrawals/max": "customer",
  "POST /api/v1/wallet/withdrawals": "customer",
  "GET /api/v1/wallet/withdrawals": "customer",
  "GET /api/v1/wallet/withdrawals/:id": "customer",
  "POST /api/v1/gateways/sandbox/notify": "public",
  // Alipay and reconciliation (issue 3, helper R)
  "POST /api/v1/gateways/alipay/notify": "public",
  "POST /api/v1/wallet/topups/:id/alipay-qr": "customer",
  "GET /api/v1/console/reconciliation/runs": "reconciliation:manage",
  "POST /api/v1/console/reconciliation/runs": "reconciliation:manage",
  "GET /api/v1/console/reconciliation/runs/:id": "reconciliation:manage",
  "GET /api/v1/console/reconciliation/exceptions": "reconciliation:manage",
  "POST /api/v1/console/reconciliation/exceptions/:id/resolve": "reconciliation:manage",
  // Console
  "GET /api/v1/console/reviews": "reviews:read",
  "GET /api/v1/console/reviews/:id": "reviews:read",
  "GET /api/v1/console/reviews/:id/proof": "reviews:read",
  "POST /api/v1/console/reviews/:id/approve": "reviews:decide",
  "POST /api/v1/console/reviews/:id/reject": "reviews:decide",
  "GET /api/v1/console/customers": "customers:read",
  "GET /api/v1/console/customers/:id": "customers:read",
  // Back office: ledger explorer and manual adjustments (issue 3, helper B)
  "GET /api/v1/console/ledger/accounts": "ledger:read",
  "GET /api/v1/console/ledger/accounts/:id": "ledger:read",
  "GET /api/v1/console/ledger/transfers/:id": "ledger:read",
  "GET /api/v1/console/ledger/holds": "ledger:read",
  "POST /api/v1/console/ledger/adjustments": "ledger:adjust",
  "GET /api/v1/console/audit": "audit:read",
  "GET /api/v1/console/audit/verify": "audit:read",
  "GET /api/v1/console/staff": "staff:manage",
  "POST /api/v1/console/staff": "staff:manage",
  "PATCH /api/v1/console/staff/:id": "staff:manage",
  // Live chat (support)
  "GET /api/v1/support/socket": "self",
  "POST /api/v1/support/conversations": "customer",
  "GET /api/v1/support/conversations": "customer",
  "GET /api/v1/support/conversations/:id/messages": "customer",
  "POST /api/v1/support/conversations/:id/messages": "customer",
  "POST /api/v1/support/messages/:id/feedback": "customer",
  "POST /api/v1/support/conversations/:id/close": "customer",
  "POST /api/v1/support/attachments": "self",
  "GET /api/v1/support/attachments/:id": "self",
  "GET /api/v1/console/support/conversations": "support:handle",
  "GET /api/v1/console/support/conversations/:id/messages": "support:handle",
  "POST /api/v1/console/support/conversations/:id/messages": "support:handle",
  "POST /api/v1/console/support/conversations/:id/claim": "support:handle",
  "POST /api/v1/console/support/conversations/:id/transfer": "support:handle",
  "POST /api/v1/console/support/conversations/:id/close": "support:handle",
  "PUT /api/v1/console/support/me": "support:handle",
  "GET /api/v1/console/support/agents": "support:handle",
  // Consent before account access (support)
  "GET /api/v1/support/conversations/:id/consents": "customer",
  "POST /api/v1/support/consents/:id/grant": "customer",
  "POST /api/v1/support/consents/:id/refuse": "customer",
  "POST /api/v1/support/consents/:id/revoke": "customer",
  "GET /api/v1/console/support/conversations/:id/consents": "support:handle",
  "POST /api/v1/console/support/conversations/:id/consents": "support:handle",
  "POST /api/v1/console/support/consents/:id/code": "support:handle",
  "POST /api/v1/console/support/consents/:id/verify": "support:handle",
  "GET /api/v1/console/support/conversations/:id/customer": "support:handle",
  "POST /api/v1/support/conversations/:id/rating": "customer",
  "GET /api/v1/support/conversations/:id/rating": "customer",
  // Tickets and SLA (support, issue 4 section 4 and 6)
  "GET /api/v1/console/support/tickets/events": "support:handle",
  "GET /api/v1/console/support/tickets": "support:handle",
  "POST /api/v1/console/support/tickets/category-suggestion": "support:handle",
  "GET /api/v1/console/support/colleagues": "support:handle",
  "POST /api/v1/console/support/tickets": "support:handle",
  "GET /api/v1/console/support/tickets/:id": "support:handle",
  "PATCH /api/v1/console/support/tickets/:id": "support:handle",
  "POST /api/v1/console/support/tickets/:id/replies": "support:handle",
  "POST /api/v1/console/support/tickets/:id/notes": "support:handle",
  "POST /api/v1/console/support/tickets/:id/merge": "support:handle",
  "POST /api/v1/console/support/tickets/:id/links": "support:handle",
  "POST /api/v1/console/support/tickets/:id/verification": "support:handle",
  "POST /api/v1/console/support/tickets/:id/verification/confirm": "support:handle",
  "POST /api/v1/console/support/conversations/:id/ticket": "support:handle",
  "GET /api/v1/console/support/canned-responses": "support:handle",
  "POST /api/v1/console/support/canned-responses": "support:handle",
  "PUT /api/v1/console/support/canned-responses/:id": "support:handle",
  "DELETE /api/v1/console/support/canned-responses/:id": "support:handle",
  "GET /api/v1/console/support/sla-policies": "support:handle",
  "GET /api/v1/console/support/reports": "support:handle",
  "GET /api/v1/support/tickets": "customer",
  "POST /api/v1/support/tickets": "customer",
  "GET /api/v1/support/tickets/:id": "customer",
  "POST /api/v1/support/tickets/:id/messages": "customer",
  "POST /api/v1/support/tickets/:id/survey": "customer",
  "POST /api/v1/support/inbound-email": "public",
  // Help centre
  "GET /api/v1/help/search": "public",
  "GET /api/v1/help/categories": "public",
  "GET /api/v1/help/articles": "public",
  "GET /api/v1/help/articles/:slug": "public",
  "POST /api/v1/help/articles/:slug/feedback": "public",
  // Help-centre editor in the console (issue 4)
  "GET /api/v1/console/help/articles": "help:manage",
  "POST /api/v1/console/help/articles": "help:manage",
  "GET /api/v1/console/help/articles/:id": "help:manage",
  "PUT /api/v1/console/help/articles/:id": "help:manage",
  "POST /api/v1/console/help/articles/:id/publish": "help:manage",
  "POST /api/v1/console/help/articles/:id/unpublish": "help:manage",
  "GET /api/v1/console/help/categories": "help:manage",
  "POST /api/v1/console/help/categories": "help:manage",
  "PUT /api/v1/console/help/categories/:slug": "help:manage",
  "PUT /api/v1/console/help/category-order": "help:manage",
  // Development stand-ins and the contract itself
  "GET /api/v1/dev/messages": "public",
  "GET /api/v1/openapi.json": "public",
};

/** Routes outside /api carry no session rights; each one is listed so none appears unnoticed. */
const outsideApi = [
  "/healthz",
  "/readyz",
  "/metrics",
  "/dev/mailbox",
  "/docs",
  "/docs/*",
  "/sandbox-gateway/*",
];

type Caller = "anonymous" | Role | "mfa_enroll";
const callers: Caller[] = ["anonymous", ...roles, "mfa_enroll"];
const DENIALS = new Set(["unauthenticated", "forbidden", "mfa_enrollment_required", "csrf_failed"]);

type Route = { method: string; url: string };

/**
 * Every registered route, from Fastify's own route tree. printRoutes draws a tree whose nodes
 * hold path fragments; each level indents by four characters.
 */
function registeredRoutes(tree: string): Route[] {
  const out: Route[] = [];
  const prefixAt: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? "").length / 4;
    const full = (depth > 0 ? (prefixAt[depth - 1] ?? "") : "") + (m[2] ?? "");
    prefixAt[depth] = full;
    prefixAt.length = depth + 1;
    for (const method of (m[3] ?? "").split(",").map((s) => s.trim())) {
      if (method && method !== "HEAD") out.push({ method, url: full });
    }
  }
  return out;
}

function expectedDenial(caller: Caller, permission: Permission): string | null {
  if (permission === "public") return null;
  if (caller === "anonymous") return "unauthenticated";
  if (caller === "mfa_enroll") return permission === "mfa_enroll" ? null : "mfa_enrollment_required";
  if (permission === "mfa_enroll") return null; // a full session may also (re)enrol
  return roleGrants(caller, permission) ? null : "forbidden";
}

let t: TestApp;
let emptyWebDist: string;
let passwordHash: string;
let routes: Route[];
let sequence = 0;

beforeAll(async () => {
  // No web build, so static files do not add routes of their own to the list.
  emptyWebDist = mkdtempSync(path.join(tmpdir(), "oc-no-web-"));
  t = await createTestApp({ webDist: emptyWebDist });
  passwordHash = await t.ctx.crypto.hashPassword("a password nobody uses here");
  routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
});
afterAll(async () => {
  await t.close();
  rmSync(emptyWebDist, { recursive: true, force: true });
});

/** A fresh person and session for each call, so a call that logs out or freezes harms no other. */
async function clientFor(caller: Caller): Promise<TestClient> {
  const client = t.client();
  sequence += 1;
  // Spread callers over addresses so per-IP rate limits measure nothing here.
  client.ip = `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}`;
  if (caller === "anonymous") return client;
  const now = t.clock.now();
  const isCustomer = caller === "customer";
  const user = await t.db
    .insertInto("users")
    .values({
      kind: isCustomer ? "customer" : "staff",
      phone: isCustomer ? `170${String(sequence).padStart(8, "0")}` : null,
      email: isCustomer ? null : `perm-${sequence}@example.com`,
      name: `Caller ${sequence}`,
      password_hash: passwordHash,
      roles: caller === "mfa_enroll" ? ["admin"] : [caller],
      totp_enabled_at: isCustomer || caller === "mfa_enroll" ? null : now,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const stage = caller === "mfa_enroll" ? "mfa_enroll" : "full";
  const session = await createSession(
    t.db,
    t.clock,
    user.id,
    { ip: client.ip, userAgent: client.userAgent },
    stage,
  );
  client.cookies.set(SESSION_COOKIE, session.token);
  return client;
}

function concrete(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, () => crypto.randomUUID());
}

describe("deny by default", () => {
  it("finds every route of the OpenAPI document in the route tree it walks", async () => {
    const doc = (await t.client().get("/api/v1/openapi.json")).json() as { paths: Record<string, object> };
    const walked = new Set(routes.map((r) => `${r.method} ${r.url}`));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((d) => !walked.has(d))).toEqual([]);
  });

  it("has an intended permission for every API route, and no stale entries", () => {
    const api = routes.filter((r) => r.url.startsWith("/api/")).map((r) => `${r.method} ${r.url}`);
    expect(
      api.filter((k) => !(k in intended)),
      "routes missing from the table in permissions.test.ts",
    ).toEqual([]);
    expect(
      Object.keys(intended).filter((k) => !api.includes(k)),
      "table entries for routes that no longer exist",
    ).toEqual([]);
  });

  it("knows every route outside the API", () => {
    const others = [...new Set(routes.filter((r) => !r.url.startsWith("/api/")).map((r) => r.url))];
    const unknown = others.filter(
      (u) => !outsideApi.some((k) => u === k || (k.endsWith("/*") && u.startsWith(k.slice(0, -1)))),
    );
    expect(unknown).toEqual([]);
  });

  it("answers every API route, for every role, exactly as the table says", async () => {
    const mismatches: string[] = [];
    for (const route of routes.filter((r) => r.url.startsWith("/api/"))) {
      const permission = intended[`${route.method} ${route.url}`];
      if (!permission) continue; // reported by the test above
      await Promise.all(
        callers.map(async (caller) => {
          const client = await clientFor(caller);
          const method = route.method as "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
          const res = await client.request(method, concrete(route.url), method === "GET" ? undefined : {});
          const code = String(res.headers["content-type"] ?? "").includes("problem+json")
            ? (res.json() as { code?: string }).code
            : undefined;
          const denial = expectedDenial(caller, permission);
          const where = `${route.method} ${route.url} as ${caller} (${permission})`;
          if (denial) {
            const status = denial === "unauthenticated" ? 401 : 403;
            if (res.statusCode !== status || code !== denial)
              mismatches.push(`${where}: expected ${status} ${denial}, got ${res.statusCode} ${code ?? ""}`);
          } else if (code && DENIALS.has(code)) {
            mismatches.push(`${where}: expected to pass the guard, got ${res.statusCode} ${code}`);
          } else if (res.statusCode >= 500) {
            mismatches.push(`${where}: server error ${res.statusCode}`);
          }
        }),
      );
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
