// A per-process cache of loaded sessions, so a busy API does not read the session row on every
// request. Security first: ending or changing a session or its user must take effect at once in
// every process, so
//
// - the database notifies `oc_session_invalidate` from triggers on `sessions` and `users`
//   (migration 0013) in the transaction that revokes, logs out, freezes, disables or changes
//   roles — whichever process or tool did it — and every process drops the entry when the
//   notification arrives, i.e. as that transaction commits;
// - the cache is used only while its listening connection is proven alive: a ping sent through
//   the database must come back within LIVENESS_MS, otherwise every lookup goes to the database
//   (and the cache is emptied) until one does;
// - an entry is never older than TTL_MS, nor used past the session's own end (its expiry or
//   idle deadline), whatever the notifications did;
// - a lookup that raced an invalidation (one arrived while it read the database) is not cached.
//
// Money cannot leave a frozen account through a cached session either way: the ledger checks the
// owner's status under the account lock. docs/benchmarks.md has the reasoning.
import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import { sha256Hex } from "../crypto.js";
import { createSessionLoader, type LoadedSession, TOUCH_INTERVAL_MS } from "../modules/identity/sessions.js";

export const SESSION_CACHE_CHANNEL = "oc_session_invalidate";
/**
 * The longest a cached session is used without reading the database again: the interval at which
 * a session's last_seen_at is written anyway, so a customer's session is read about once a
 * minute per process while they keep using it, and its idle clock moves as without the cache.
 * The invalidations above, not this bound, are what make a logout or a freeze take effect at
 * once. (It was 5 s: with customers paying every few seconds, most payments then read their
 * session from the database — under bench:payments about a fifth of the app's and the
 * database's CPU per payment.)
 */
export const TTL_MS = TOUCH_INTERVAL_MS;
/** The cache is trusted only if a ping through LISTEN/NOTIFY came back this recently. */
export const LIVENESS_MS = 2_000;
const PING_EVERY_MS = 500;
const MAX_ENTRIES = 100_000;

type Entry = { session: LoadedSession; at: number; atClock: number };

export type SessionCache = {
  /**
   * The session for a cookie token. `cached`: a fresh enough entry may answer (routes that opt
   * in with `config.sessionCache`); otherwise the database does, and the entry is refreshed —
   * or dropped, when the database no longer has a live session.
   */
  load(token: string, opts: { cached: boolean }): Promise<LoadedSession | null>;
  /** Drops the user's entries now (after anything in this process that may have changed them). */
  forgetUser(userId: string): void;
  /** True while invalidations are known to arrive (for tests and diagnostics). */
  live(): boolean;
  close(): Promise<void>;
};

export function createSessionCache(
  ctx: Pick<AppContext, "db" | "clock" | "events">,
  opts: { ttlMs?: number; now?: () => number } = {},
): SessionCache {
  const ttl = opts.ttlMs ?? TTL_MS;
  const now = opts.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  // user id → that user's cached session ids, so dropping a user costs no scan.
  const byUser = new Map<string, Set<string>>();
  const drop = (id: string) => {
    const e = entries.get(id);
    if (!e) return;
    entries.delete(id);
    const ids = byUser.get(e.session.user.id);
    ids?.delete(id);
    if (ids?.size === 0) byUser.delete(e.session.user.id);
  };
  const clear = () => {
    entries.clear();
    byUser.clear();
  };
  const nonce = randomUUID();
  let generation = 0;
  let lastPong = Number.NEGATIVE_INFINITY;
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let offReconnect: (() => void) | undefined;

  const forgetAll = () => {
    generation++;
    clear();
  };
  const live = () => !closed && now() - lastPong <= LIVENESS_MS;

  const forgetUser = (userId: string) => {
    for (const id of byUser.get(userId) ?? []) entries.delete(id);
    byUser.delete(userId);
  };

  const onMessage = (payload: unknown) => {
    const p = payload as { session?: string; user?: string; ping?: string };
    if (p.ping !== undefined) {
      if (p.ping === nonce) lastPong = now();
      return;
    }
    generation++;
    if (typeof p.session === "string") drop(p.session);
    if (typeof p.user === "string") forgetUser(p.user);
    if (p.session === undefined && p.user === undefined) clear();
  };

  const ping = () => {
    if (closed) return;
    // Anything missed while the listener was away is unknown: start empty once it is back.
    if (!live()) forgetAll();
    ctx.events.publish(ctx.db, SESSION_CACHE_CHANNEL, { ping: nonce }).catch(() => {});
  };
  const ready = ctx.events
    .subscribe(SESSION_CACHE_CHANNEL, onMessage)
    .then((off) => {
      unsubscribe = off;
      offReconnect = ctx.events.onReconnect(forgetAll);
      ping();
    })
    .catch(() => {});
  const timer = setInterval(ping, PING_EVERY_MS);
  // Entries of sessions no longer used are dropped once stale, not kept until the cache fills.
  const sweep = setInterval(() => {
    const at = now();
    for (const [id, e] of entries) if (at - e.at > ttl) drop(id);
  }, ttl);
  sweep.unref();
  // Misses that arrive together share one read (identity/sessions.ts).
  const loadSession = createSessionLoader(ctx.db, ctx.clock);
  timer.unref();

  return {
    async load(token, { cached }) {
      if (token.length < 20 || token.length > 100) return null;
      const id = sha256Hex(token);
      const hit = entries.get(id);
      if (hit) {
        // Young by the wall clock and by the app's clock (tests move the latter to expire sessions).
        const age = now() - hit.at;
        const clockNow = ctx.clock.now().getTime();
        const clockAge = clockNow - hit.atClock;
        const fresh =
          age <= ttl && clockAge >= 0 && clockAge <= ttl && clockNow < hit.session.endsAt.getTime();
        if (cached && fresh && live()) return hit.session;
        drop(id);
      }
      const before = generation;
      const session = await loadSession(token);
      // Only a session of an active user, read with no invalidation in between.
      if (session && session.user.status === "active" && generation === before && live()) {
        if (entries.size >= MAX_ENTRIES) clear();
        drop(id);
        entries.set(id, { session, at: now(), atClock: ctx.clock.now().getTime() });
        const ids = byUser.get(session.user.id) ?? new Set<string>();
        ids.add(id);
        byUser.set(session.user.id, ids);
      }
      return session;
    },
    forgetUser,
    live,
    async close() {
      closed = true;
      clearInterval(timer);
      clearInterval(sweep);
      await ready;
      unsubscribe?.();
      offReconnect?.();
      clear();
    },
  };
}
