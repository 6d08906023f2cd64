// Fixed-window counters in PostgreSQL, so every server process shares one limit.
import { sql } from "kysely";
import type { Clock } from "../../clock.js";
import type { Executor } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";

/**
 * Counts one event under `key` in the current window and throws 429 `rate_limited` (with
 * Retry-After) when the window already holds `max`.
 */
export async function takeFromWindow(
  db: Executor,
  clock: Clock,
  limit: { key: string; max: number; windowMs: number },
): Promise<void> {
  const now = clock.now().getTime();
  const start = now - (now % limit.windowMs);
  const row = await db
    .insertInto("rate_counters")
    .values({ key: limit.key, window_start: new Date(start), count: 1 })
    .onConflict((oc) =>
      oc.columns(["key", "window_start"]).doUpdateSet({ count: sql<number>`rate_counters.count + 1` }),
    )
    .returning("count")
    .executeTakeFirstOrThrow();
  if (row.count > limit.max) {
    const wait = Math.max(1, Math.ceil((start + limit.windowMs - now) / 1000));
    throw new DomainError(
      "rate_limited",
      { detail: `Too many requests; try again in ${wait} s`, retryAfter: wait },
      { "retry-after": String(wait) },
    );
  }
}
