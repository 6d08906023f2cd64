import { type CompiledQuery, Kysely, PostgresDialect, sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { uniquePhone } from "../../../test/factories.js";
import { createTestDatabase } from "../../../test/harness.js";
import { type Clock, manualClock } from "../../clock.js";
import { randomToken, sha256Hex } from "../../crypto.js";
import { createDb, type Db } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import {
  createSession,
  createSessionLoader,
  IDLE_TIMEOUT_MS,
  type LoadedSession,
  revokeSession,
} from "./sessions.js";

let databaseUrl: string;
let db: Db;
/** Every statement `db` ran (successfully or not), in order. */
const statements: CompiledQuery[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  // The pool (and its error handlers) the app uses, behind a handle that logs each statement it runs.
  const { pool } = createDb(databaseUrl, 10);
  db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      statements.push(event.query);
    },
  });
});
afterAll(async () => {
  await db.destroy();
});
beforeEach(() => {
  statements.length = 0;
});

const touchesSessions = (q: CompiledQuery) => /\bsessions\b/i.test(q.sql);
// A read may start with a comment (the prepared-statement mark, db/database.ts).
const readsSessions = (q: CompiledQuery) =>
  /^\s*(\/\*.*?\*\/\s*)?select\b/i.test(q.sql) && /\bfrom\s+"?sessions\b/i.test(q.sql);
const sessionStatements = () => statements.filter(touchesSessions);
const sessionReads = () => statements.filter(readsSessions);

const client = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0" };

/** Customers inserted in one statement (the password hash is never checked here). */
async function createUsers(n: number): Promise<string[]> {
  const now = new Date();
  const rows = await db
    .insertInto("users")
    .values(
      Array.from({ length: n }, () => ({
        kind: "customer" as const,
        phone: uniquePhone(),
        email: null,
        name: null,
        password_hash: "not-a-real-hash",
        roles: ["customer"],
        created_at: now,
        updated_at: now,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

/** xs[i], which the test knows is there. */
function nth<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no element ${i}`);
  return x;
}

/** A customer and a full session of theirs. */
async function userWithSession(clock: Clock): Promise<{ userId: string; token: string; id: string }> {
  const userId = nth(await createUsers(1), 0);
  const session = await createSession(db, clock, userId, client);
  return { userId, token: session.token, id: session.id };
}

function newClock() {
  return manualClock(new Date());
}

/** Two users with a session each, a fresh loader, and the statement log emptied. */
async function twoSessions() {
  const clock = newClock();
  const sa = await userWithSession(clock);
  const sb = await userWithSession(clock);
  const load = createSessionLoader(db, clock);
  statements.length = 0;
  return { clock, sa, sb, a: sa.userId, b: sb.userId, load };
}

describe("createSessionLoader", () => {
  it("reads the lookups started in one tick with one statement, each getting its own session or null", async () => {
    const clock = newClock();
    const userIds = await createUsers(30);
    const sessions = await Promise.all(userIds.map((u) => createSession(db, clock, u, client)));
    const unknown = [randomToken(32), randomToken(32), randomToken(32)];
    const load = createSessionLoader(db, clock);
    statements.length = 0;

    const tokens = [...sessions.map((s) => s.token), nth(sessions, 7).token, ...unknown];
    const results = await Promise.all(tokens.map((token) => load(token)));

    sessions.forEach((s, i) => {
      expect(results[i]).toMatchObject({
        id: s.id,
        stage: "full",
        user: { id: userIds[i], status: "active" },
      });
    });
    expect(results[30]).toMatchObject({ id: nth(sessions, 7).id, user: { id: userIds[7] } });
    expect(results.slice(31)).toEqual([null, null, null]);

    // One statement on sessions, and no other (the sessions are fresh: nothing to touch).
    const onSessions = sessionStatements();
    expect(onSessions).toHaveLength(1);
    expect(readsSessions(nth(onSessions, 0))).toBe(true);
    // It asked for every distinct id once: 30 sessions and the 3 unknown tokens.
    const askedIds = nth(onSessions, 0).parameters[0] as string[];
    expect([...askedIds].sort()).toEqual(
      [...sessions.map((s) => s.id), ...unknown.map((tok) => sha256Hex(tok))].sort(),
    );
  });

  it("gives lookups in later ticks their own statement, so a revocation before the lookup is seen", async () => {
    const { clock, sa, sb, a, b, load } = await twoSessions();

    expect((await load(sa.token))?.user.id).toBe(a);
    expect((await load(sb.token))?.user.id).toBe(b);
    expect((await load(sa.token))?.user.id).toBe(a);
    expect(sessionReads()).toHaveLength(3);

    await revokeSession(db, clock, sa.id, "logout");
    expect(await load(sa.token)).toBeNull();
    expect((await load(sb.token))?.user.id).toBe(b);
    expect(sessionReads()).toHaveLength(5);
  });

  it("does not add a lookup to a batch whose statement is already under way", async () => {
    const { sa, sb, a, b, load } = await twoSessions();

    const first = load(sa.token);
    // One turn later the first batch has been sent, and its answer cannot have come back yet
    // (I/O is handled in a later phase of the event loop).
    await new Promise((r) => setImmediate(r));
    const second = load(sb.token);
    const [ra, rb] = await Promise.all([first, second]);

    expect(ra?.user.id).toBe(a);
    expect(rb?.user.id).toBe(b);
    const reads = sessionReads();
    expect(reads).toHaveLength(2);
    expect(reads.map((q) => q.parameters[0])).toEqual(expect.arrayContaining([[sa.id], [sb.id]]));
  });

  it("answers null for a user who is not active, an expired, revoked or idle session, and a malformed token", async () => {
    const clock = newClock();
    const sFrozen = await userWithSession(clock);
    const sDisabled = await userWithSession(clock);
    const sExpired = await userWithSession(clock);
    const sRevoked = await userWithSession(clock);
    const sFine = await userWithSession(clock);
    await db.updateTable("users").set({ status: "frozen" }).where("id", "=", sFrozen.userId).execute();
    await db.updateTable("users").set({ status: "disabled" }).where("id", "=", sDisabled.userId).execute();
    await db
      .updateTable("sessions")
      .set({ expires_at: new Date(clock.now().getTime() - 1_000) })
      .where("id", "=", sExpired.id)
      .execute();
    await revokeSession(db, clock, sRevoked.id, "logout");
    const load = createSessionLoader(db, clock);

    statements.length = 0;
    const results = await Promise.all(
      [sFrozen, sDisabled, sExpired, sRevoked, sFine].map((s) => load(s.token)),
    );
    expect(results.slice(0, 4)).toEqual([null, null, null, null]);
    expect(results[4]?.user.id).toBe(sFine.userId);
    expect(sessionStatements()).toHaveLength(1);

    // Tokens of an impossible length are refused without asking the database.
    statements.length = 0;
    expect(await load("too-short")).toBeNull();
    expect(await load("x".repeat(19))).toBeNull();
    expect(await load("x".repeat(101))).toBeNull();
    expect(await load("")).toBeNull();
    expect(statements).toHaveLength(0);

    // A session unused for longer than the idle timeout ends, and is revoked for it.
    const idleClock = newClock();
    const sIdle = await userWithSession(idleClock);
    const idleLoad = createSessionLoader(db, idleClock);
    idleClock.advance(IDLE_TIMEOUT_MS + 1_000);
    expect(await idleLoad(sIdle.token)).toBeNull();
    const row = await db
      .selectFrom("sessions")
      .select(["revoked_at", "revoked_reason"])
      .where("id", "=", sIdle.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
    expect(row.revoked_reason).toBe("idle_timeout");
  });

  it("writes last_seen_at at most once a minute", async () => {
    const clock = newClock();
    const s = await userWithSession(clock);
    const load = createSessionLoader(db, clock);
    const lastSeen = async () =>
      (
        await db
          .selectFrom("sessions")
          .select("last_seen_at")
          .where("id", "=", s.id)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    const created = await lastSeen();

    statements.length = 0;
    clock.advance(30_000);
    expect(await load(s.token)).not.toBeNull();
    expect(sessionStatements()).toHaveLength(1); // the read only
    expect(await lastSeen()).toEqual(created);

    statements.length = 0;
    clock.advance(31_000);
    expect(await load(s.token)).not.toBeNull();
    const onSessions = sessionStatements();
    expect(onSessions).toHaveLength(2);
    expect(nth(onSessions, 1).sql).toMatch(/^update "sessions"/);
    expect(await lastSeen()).toEqual(clock.now());

    statements.length = 0;
    clock.advance(59_000);
    expect(await load(s.token)).not.toBeNull();
    expect(sessionStatements()).toHaveLength(1);
  });

  it("settles a token looked up twice in one tick once: one read, one touch", async () => {
    const clock = newClock();
    const s = await userWithSession(clock);
    const load = createSessionLoader(db, clock);
    clock.advance(61_000);
    statements.length = 0;
    const [first, second] = await Promise.all([load(s.token), load(s.token)]);
    expect(first?.id).toBe(s.id);
    expect(second?.id).toBe(s.id);
    const onSessions = sessionStatements();
    expect(onSessions).toHaveLength(2);
    expect(nth(onSessions, 1).sql).toMatch(/^update "sessions"/);
  });

  it("rejects every waiter of a batch whose statement fails, and stays usable", async () => {
    const clock = newClock();
    const sa = await userWithSession(clock);
    const sb = await userWithSession(clock);
    const [a, b] = [sa.userId, sb.userId];
    const tokens = [sa.token, sb.token, sa.token, randomToken(32)];

    // A handle to a database that does not exist: connecting fails.
    const missing = new URL(databaseUrl);
    missing.pathname = `/oc_no_such_database_${randomToken(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "")}`;
    const broken = createDb(missing.toString(), 2).db;
    try {
      const brokenLoad = createSessionLoader(broken, clock);
      const settled = await Promise.allSettled(tokens.map((tok) => brokenLoad(tok)));
      expect(settled.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
      for (const r of settled) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Error);
        expect(String((r as PromiseRejectedResult).reason.message)).toMatch(/does not exist/);
      }
      // The next batch on the same loader is tried again (and fails again), not left hanging.
      await expect(brokenLoad(sa.token)).rejects.toThrow(/does not exist/);
    } finally {
      await broken.destroy();
    }

    // A handle whose pool has been ended.
    const ended = createDb(databaseUrl, 2).db;
    const endedLoad = createSessionLoader(ended, clock);
    expect((await endedLoad(sa.token))?.user.id).toBe(a);
    await ended.destroy();
    const afterEnd = await Promise.allSettled([endedLoad(sa.token), endedLoad(sb.token)]);
    expect(afterEnd.map((r) => r.status)).toEqual(["rejected", "rejected"]);

    // A healthy loader still answers, in one statement.
    const load = createSessionLoader(db, clock);
    statements.length = 0;
    const ok = await Promise.all([load(sa.token), load(sb.token)]);
    expect(ok.map((r: LoadedSession | null) => r?.user.id)).toEqual([a, b]);
    expect(sessionReads()).toHaveLength(1);
  });

  it("sees a user's new status on the next lookup", async () => {
    const clock = newClock();
    const s = await userWithSession(clock);
    const u = s.userId;
    const load = createSessionLoader(db, clock);
    expect((await load(s.token))?.user.status).toBe("active");
    await sql`update users set status = 'frozen' where id = ${u}`.execute(db);
    expect(await load(s.token)).toBeNull();
    await sql`update users set status = 'active' where id = ${u}`.execute(db);
    expect((await load(s.token))?.user.id).toBe(u);
  });
});
