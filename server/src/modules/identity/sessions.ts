// Browser sessions: a random cookie token whose SHA-256 is the row id.
import { sql } from "kysely";
import type { Clock } from "../../clock.js";
import { randomToken, sha256Hex } from "../../crypto.js";
import { type Executor, preparedStatement } from "../../db/database.js";

export const SESSION_COOKIE = "oc_session";
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reads do not each cost a write. */
export const TOUCH_INTERVAL_MS = 60 * 1000;

export type SessionStage = "full" | "mfa_enroll";

export type SessionUser = {
  id: string;
  kind: "customer" | "staff";
  roles: string[];
  status: "active" | "frozen" | "disabled";
  name: string | null;
  phone: string | null;
  email: string | null;
};

/**
 * A live session. `endsAt` is when it ends if nothing else happens: the earlier of its absolute
 * expiry and its idle deadline as of this load (a cached copy is not used past it).
 */
export type LoadedSession = { id: string; stage: SessionStage; user: SessionUser; endsAt: Date };

export type ClientInfo = { ip: string | null; userAgent: string | null };

/** A short human label for the device list: "Chrome on Android". */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /MicroMessenger/i.test(ua)
      ? "WeChat"
      : /Chrome\//.test(ua)
        ? "Chrome"
        : /Firefox\//.test(ua)
          ? "Firefox"
          : /Safari\//.test(ua)
            ? "Safari"
            : /curl|node|undici|axios/i.test(ua)
              ? "Script"
              : "Browser";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad|iOS/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X|Macintosh/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "unknown OS";
  return `${browser} on ${os}`;
}

export async function createSession(
  db: Executor,
  clock: Clock,
  userId: string,
  client: ClientInfo,
  stage: SessionStage = "full",
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = randomToken(32);
  const id = sha256Hex(token);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS);
  await db
    .insertInto("sessions")
    .values({
      id,
      user_id: userId,
      stage,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
      device: describeDevice(client.userAgent),
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, id, expiresAt };
}

type SessionRow = {
  id: string;
  stage: SessionStage;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  user_id: string;
  kind: SessionUser["kind"];
  roles: string[];
  status: SessionUser["status"];
  name: string | null;
  phone: string | null;
  email: string | null;
};

/** The sessions (with their users) under these ids, in one statement. */
async function readSessionRows(db: Executor, ids: string[]): Promise<SessionRow[]> {
  // Each user through its primary key: as a plain join, a read of a few dozen sessions let the
  // planner hash the whole users table (auto_explain under bench:payments).
  const result = await sql<SessionRow>`${preparedStatement}
    select s.id, s.stage, s.last_seen_at, s.expires_at, s.revoked_at,
      u.id as user_id, u.kind, u.roles, u.status, u.name, u.phone, u.email
    from sessions s
    cross join lateral (
      select u.id, u.kind, u.roles, u.status, u.name, u.phone, u.email
      from users u where u.id = s.user_id limit 1
    ) u
    where s.id = any(${ids}::text[])`.execute(db);
  return result.rows;
}

/**
 * What a session row means now: null if it is missing, revoked, expired, idle too long (it is
 * revoked then) or its user is not active; otherwise the session, its last_seen_at touched at
 * most once a TOUCH_INTERVAL.
 */
async function settleSession(
  db: Executor,
  clock: Clock,
  row: SessionRow | undefined,
): Promise<LoadedSession | null> {
  if (!row || row.revoked_at) return null;
  const now = clock.now();
  if (row.expires_at <= now) return null;
  if (now.getTime() - row.last_seen_at.getTime() > IDLE_TIMEOUT_MS) {
    await revokeSession(db, clock, row.id, "idle_timeout");
    return null;
  }
  if (row.status !== "active") return null;
  let lastSeen = row.last_seen_at.getTime();
  if (now.getTime() - lastSeen > TOUCH_INTERVAL_MS) {
    await db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", row.id).execute();
    lastSeen = now.getTime();
  }
  return {
    id: row.id,
    stage: row.stage,
    endsAt: new Date(Math.min(row.expires_at.getTime(), lastSeen + IDLE_TIMEOUT_MS)),
    user: {
      id: row.user_id,
      kind: row.kind,
      roles: row.roles,
      status: row.status,
      name: row.name,
      phone: row.phone,
      email: row.email,
    },
  };
}

export async function loadSession(db: Executor, clock: Clock, token: string): Promise<LoadedSession | null> {
  if (token.length < 20 || token.length > 100) return null;
  const id = sha256Hex(token);
  const [row] = await readSessionRows(db, [id]);
  return settleSession(db, clock, row);
}

/**
 * loadSession for a busy server: the lookups that arrive in one turn of the event loop are read
 * with one statement, not one round trip (and one parse and plan in the database) each. Every
 * lookup still reads the database after it was asked, so it sees what was committed before.
 */
export function createSessionLoader(
  db: Executor,
  clock: Clock,
): (token: string) => Promise<LoadedSession | null> {
  type Answer = { row: SessionRow | undefined } | { error: unknown };
  // Per session id in the batch: how to hand it its row, and the settled session every lookup of
  // that id shares (so a duplicate does not touch or revoke the row twice).
  type Entry = { answer: (a: Answer) => void; session: Promise<LoadedSession | null> };
  let pending: Map<string, Entry> | null = null;
  const flush = async (batch: Map<string, Entry>) => {
    let rows: Map<string, SessionRow>;
    try {
      rows = new Map((await readSessionRows(db, [...batch.keys()])).map((r) => [r.id, r]));
    } catch (error) {
      for (const entry of batch.values()) entry.answer({ error });
      return;
    }
    for (const [id, entry] of batch) entry.answer({ row: rows.get(id) });
  };
  return async (token) => {
    if (token.length < 20 || token.length > 100) return null;
    const id = sha256Hex(token);
    if (!pending) {
      const batch = new Map<string, Entry>();
      pending = batch;
      setImmediate(() => {
        pending = null;
        void flush(batch);
      });
    }
    let entry = pending.get(id);
    if (!entry) {
      let answer: (a: Answer) => void = () => {};
      const row = new Promise<SessionRow | undefined>((resolve, reject) => {
        answer = (a) => ("error" in a ? reject(a.error) : resolve(a.row));
      });
      entry = { answer, session: row.then((r) => settleSession(db, clock, r)) };
      pending.set(id, entry);
    }
    return entry.session;
  };
}

export async function revokeSession(db: Executor, clock: Clock, id: string, reason: string): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ revoked_at: clock.now(), revoked_reason: reason })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .execute();
}

/** Ends every live session of a user, except `keepId` when given. Returns how many ended. */
export async function revokeUserSessions(
  db: Executor,
  clock: Clock,
  userId: string,
  reason: string,
  keepId?: string,
): Promise<number> {
  let q = db
    .updateTable("sessions")
    .set({ revoked_at: clock.now(), revoked_reason: reason })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null);
  if (keepId) q = q.where("id", "!=", keepId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function listLiveSessions(db: Executor, clock: Clock, userId: string) {
  const now = clock.now();
  return db
    .selectFrom("sessions")
    .select(["id", "ip", "device", "user_agent", "created_at", "last_seen_at"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .where("last_seen_at", ">", new Date(now.getTime() - IDLE_TIMEOUT_MS))
    .orderBy("last_seen_at", "desc")
    .execute();
}
