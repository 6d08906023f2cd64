import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer } from "../../test/factories.js";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { sha256Hex } from "../crypto.js";
import { SESSION_COOKIE } from "../modules/identity/sessions.js";
import { createSessionCache, LIVENESS_MS, type SessionCache } from "./session-cache.js";

let t: TestApp;
let wall = 0;
let cache: SessionCache;

beforeAll(async () => {
  t = await createTestApp();
  wall = performance.now();
  // A TTL shorter than LIVENESS_MS, so the two can be seen apart.
  cache = createSessionCache(t.ctx, { ttlMs: 1_000, now: () => wall });
});
afterAll(async () => {
  await cache.close();
  await t.close();
});

async function untilLive(): Promise<void> {
  const started = Date.now();
  while (!cache.live() && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
  expect(cache.live()).toBe(true);
}

async function customerToken(): Promise<{ token: string; userId: string }> {
  const c = await createCustomer(t);
  const token = c.client.cookies.get(SESSION_COOKIE);
  if (!token) throw new Error("no session cookie");
  return { token, userId: c.user.id };
}

/** Ends the session without telling the caches, as if every notification were lost. */
async function revokeSilently(token: string): Promise<void> {
  await sql`alter table sessions disable trigger sessions_cache_invalidate`.execute(t.db);
  try {
    await sql`update sessions set revoked_at = now() where id = ${sha256Hex(token)}`.execute(t.db);
  } finally {
    await sql`alter table sessions enable trigger sessions_cache_invalidate`.execute(t.db);
  }
}

describe("the session cache", () => {
  it("never serves an entry older than its TTL, even when no notification arrives", async () => {
    await untilLive();
    const { token } = await customerToken();
    expect(await cache.load(token, { cached: true })).not.toBeNull();
    await revokeSilently(token);
    // Within the TTL the cached session still answers (nothing told this cache)…
    expect(await cache.load(token, { cached: true })).not.toBeNull();
    // …but not beyond it, though the listener is still trusted.
    wall += 1_001;
    expect(cache.live()).toBe(true);
    expect(await cache.load(token, { cached: true })).toBeNull();
  });

  it("never serves a session past its own end, however long its TTL", async () => {
    const long = createSessionCache(t.ctx, { ttlMs: 600_000, now: () => wall });
    try {
      const started = Date.now();
      while (!long.live() && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
      const { token } = await customerToken();
      // The session ends 30 s from now (set without telling the caches).
      await sql`alter table sessions disable trigger sessions_cache_invalidate`.execute(t.db);
      try {
        await sql`update sessions set expires_at = ${new Date(t.clock.now().getTime() + 30_000)}
          where id = ${sha256Hex(token)}`.execute(t.db);
      } finally {
        await sql`alter table sessions enable trigger sessions_cache_invalidate`.execute(t.db);
      }
      expect(await long.load(token, { cached: true })).not.toBeNull();
      t.clock.advance(29_000);
      expect(await long.load(token, { cached: true })).not.toBeNull();
      // Past its end: well within the TTL, and no notification came, but it is over.
      t.clock.advance(2_000);
      expect(await long.load(token, { cached: true })).toBeNull();
    } finally {
      await long.close();
    }
  });

  it("answers routes that do not opt in from the database", async () => {
    await untilLive();
    const { token } = await customerToken();
    expect(await cache.load(token, { cached: true })).not.toBeNull();
    await revokeSilently(token);
    expect(await cache.load(token, { cached: false })).toBeNull();
    // And that read dropped the entry for everyone.
    expect(await cache.load(token, { cached: true })).toBeNull();
  });

  it("goes to the database once its listener has not been heard from", async () => {
    await untilLive();
    const { token } = await customerToken();
    expect(await cache.load(token, { cached: true })).not.toBeNull();
    await revokeSilently(token);
    // No ping came back for longer than LIVENESS_MS: the cache is not trusted.
    wall += LIVENESS_MS + 1;
    expect(cache.live()).toBe(false);
    expect(await cache.load(token, { cached: true })).toBeNull();
  });

  it("drops a session as soon as its revocation commits anywhere", async () => {
    wall = performance.now() + 1_000_000; // a fresh wall clock the pings will catch up with
    await untilLive();
    const { token, userId } = await customerToken();
    expect(await cache.load(token, { cached: true })).not.toBeNull();
    await t.db
      .updateTable("sessions")
      .set({ revoked_at: new Date() })
      .where("user_id", "=", userId)
      .execute();
    const started = Date.now();
    let session = await cache.load(token, { cached: true });
    while (session && Date.now() - started < 2_000) {
      // Let the notification in, as a server's I/O between requests does.
      await new Promise((r) => setImmediate(r));
      session = await cache.load(token, { cached: true });
    }
    expect(session).toBeNull();
  });
});
