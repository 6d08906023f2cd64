// Re-entering the login password for a sensitive step (freeze, phone change): wrong guesses
// count in the same throttle as login, so a stolen session cannot be used to guess it.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { normaliseLogin } from "./login.js";
import { loginKey, readThrottle, recordFailure } from "./login-throttle.js";

/** Throttle keys of every login the account has: a lock on any of them applies. */
export function loginKeysOf(ctx: AppContext, account: { phone: string | null; email: string | null }) {
  return [account.phone, account.email]
    .filter((v): v is string => typeof v === "string")
    .map((v) => loginKey(ctx.crypto, normaliseLogin(v)));
}

function lockedError(until: Date, now: Date): DomainError {
  const retryAfter = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new DomainError("account_locked", { retryAfter }, { "retry-after": String(retryAfter) });
}

/** Throws 423 `account_locked` when any of `keys` is locked. */
export async function assertNotLocked(ctx: AppContext, keys: string[]): Promise<void> {
  const now = ctx.clock.now();
  for (const key of keys) {
    const state = await readThrottle(ctx.db, ctx.clock, key);
    if (state.lockedUntil) throw lockedError(state.lockedUntil, now);
  }
}

/**
 * Checks `password` against `passwordHash` (or burns the same time when there is no account),
 * and on a wrong one counts a failure under each key and throws 401 `invalid_credentials`,
 * or 423 `account_locked` when that failure triggered a lock.
 */
export async function checkLoginPassword(
  ctx: AppContext,
  keys: string[],
  passwordHash: string | null,
  password: string,
): Promise<void> {
  await assertNotLocked(ctx, keys);
  const ok = passwordHash
    ? await ctx.crypto.verifyPassword(passwordHash, password)
    : await burnPasswordCheck(ctx, password);
  if (ok) return;
  let lockMs: number | null = null;
  for (const key of keys) {
    const result = await recordFailure(ctx.db, ctx.clock, key);
    lockMs = lockMs ?? result.lockMs;
  }
  if (lockMs !== null) {
    const now = ctx.clock.now();
    throw lockedError(new Date(now.getTime() + lockMs), now);
  }
  throw new DomainError("invalid_credentials");
}

let dummyHash: Promise<string> | undefined;

/** Spends an argon2 verification on nothing, so "no such login" takes as long as "wrong password". */
async function burnPasswordCheck(ctx: AppContext, password: string): Promise<false> {
  dummyHash ??= ctx.crypto.hashPassword("opencounter-timing-equaliser");
  await ctx.crypto.verifyPassword(await dummyHash, password);
  return false;
}
