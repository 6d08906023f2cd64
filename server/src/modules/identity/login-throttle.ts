// Failed-login state per login key, kept identically whether or not an account exists.
import type { Clock } from "../../clock.js";
import type { Crypto } from "../../crypto.js";
import type { Executor } from "../../db/database.js";

export const CAPTCHA_AFTER_FAILURES = 3;
/** Failures older than this (and not locked) are forgotten: a typo last month is no threat. */
const FAILURE_MEMORY_MS = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

/**
 * The lockout ladder: the 5th failure locks for 5 minutes, the 10th for 30 minutes, and the
 * 15th and every 5th after it for 24 hours. Failures keep counting across locks until a
 * successful login (or a password reset) clears them.
 */
export function lockForFailures(failures: number): number | null {
  if (failures <= 0 || failures % 5 !== 0) return null;
  if (failures === 5) return 5 * MINUTE;
  if (failures === 10) return 30 * MINUTE;
  return 24 * 60 * MINUTE;
}

/** The throttle key: an HMAC of the normalised login, so the table holds no phone numbers. */
export function loginKey(crypto: Crypto, normalisedLogin: string): string {
  return crypto.lookupHash(`login\n${normalisedLogin}`);
}

export type ThrottleState = { failures: number; lockedUntil: Date | null };

export async function readThrottle(db: Executor, clock: Clock, key: string): Promise<ThrottleState> {
  const row = await db
    .selectFrom("login_throttle")
    .select(["failures", "locked_until", "updated_at"])
    .where("key", "=", key)
    .executeTakeFirst();
  if (!row) return { failures: 0, lockedUntil: null };
  const now = clock.now();
  const locked = row.locked_until && row.locked_until > now ? row.locked_until : null;
  if (!locked && now.getTime() - row.updated_at.getTime() > FAILURE_MEMORY_MS) {
    return { failures: 0, lockedUntil: null };
  }
  return { failures: row.failures, lockedUntil: locked };
}

/** Counts one failure atomically; returns the new count and the lock it triggered, if any. */
export async function recordFailure(
  db: Executor,
  clock: Clock,
  key: string,
): Promise<{ failures: number; lockMs: number | null }> {
  const before = await readThrottle(db, clock, key);
  const now = clock.now();
  const row = await db
    .insertInto("login_throttle")
    .values({ key, failures: before.failures + 1, updated_at: now })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        failures: before.failures === 0 ? eb.val(1) : eb("login_throttle.failures", "+", 1),
        updated_at: now,
      })),
    )
    .returning("failures")
    .executeTakeFirstOrThrow();
  const lockMs = lockForFailures(row.failures);
  if (lockMs !== null) {
    await db
      .updateTable("login_throttle")
      .set((eb) => ({
        locked_until: new Date(now.getTime() + lockMs),
        lock_level: eb("lock_level", "+", 1),
      }))
      .where("key", "=", key)
      .execute();
  }
  return { failures: row.failures, lockMs };
}

export async function clearThrottle(db: Executor, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom("login_throttle").where("key", "in", keys).execute();
}
