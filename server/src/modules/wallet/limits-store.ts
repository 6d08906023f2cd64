// The limit tables: per-customer usage counters and the customer's own settings. Only
// limits.ts and password-free.ts use these; the counters are written inside money transactions.
import { sql } from "kysely";
import type { Executor, Tx } from "../../db/database.js";

export type CounterKey = { userId: string; counter: string; periodStart: Date };
export type CounterRow = { user_id: string; counter: string; period_start: Date; used: bigint };

/**
 * Locks the counters, creating the missing ones, in the order given (the caller sorts them:
 * every caller takes locks in the same order, so two batches cannot deadlock on them), and
 * returns their figures.
 *
 * One statement, one round trip: `insert … on conflict do update` inserts what is missing and
 * locks what exists, processing rows in the VALUES order, so the locks are taken in that order.
 * The no-op update (a HOT update: no indexed column changes, and the table leaves room) is what
 * makes RETURNING give the latest committed figures of an existing row once its lock is held.
 */
export async function lockCounters(tx: Tx, keys: CounterKey[]): Promise<CounterRow[]> {
  if (keys.length === 0) return [];
  const values = sql.join(
    keys.map((k) => sql`(${k.userId}::uuid, ${k.counter}, ${k.periodStart}::timestamptz, 0::bigint)`),
  );
  const result = await sql<CounterRow>`
    insert into limit_usage (user_id, counter, period_start, used)
    values ${values}
    on conflict (user_id, counter) do update set used = limit_usage.used
    returning user_id, counter, period_start, used
  `.execute(tx);
  return result.rows;
}

/** The counters' stored figures (not locked); a counter never used is absent. */
export async function readCounters(
  db: Executor,
  keys: { userId: string; counter: string }[],
): Promise<CounterRow[]> {
  if (keys.length === 0) return [];
  const userIds = [...new Set(keys.map((k) => k.userId))];
  const counters = [...new Set(keys.map((k) => k.counter))];
  return db
    .selectFrom("limit_usage")
    .select(["user_id", "counter", "period_start", "used"])
    .where("user_id", "in", userIds)
    .where("counter", "in", counters)
    .execute();
}

/** Writes the new figures (and, when a period rolled over, the new period start) in one statement. */
export async function writeCounters(tx: Tx, rows: CounterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map(
      (r) => sql`(${r.user_id}::uuid, ${r.counter}, ${r.period_start}::timestamptz, ${r.used}::bigint)`,
    ),
  );
  await sql`
    update limit_usage as l
    set used = v.used, period_start = v.period_start
    from (values ${values}) as v (user_id, counter, period_start, used)
    where l.user_id = v.user_id and l.counter = v.counter
  `.execute(tx);
}

/** What the limits need to know about a customer: identity facts for the class, and settings. */
export type LimitProfileRow = {
  id: string;
  kind: "customer" | "staff";
  id_verified: boolean;
  phone_bound: boolean;
  email_verified: boolean;
  matching_cards: number;
  transfer_daily_limit: bigint | null;
  password_free_enabled: boolean | null;
  password_free_per_payment: bigint | null;
  password_free_daily: bigint | null;
};

export async function loadLimitProfiles(db: Executor, userIds: string[]): Promise<LimitProfileRow[]> {
  if (userIds.length === 0) return [];
  // A card counts when its holder is the customer's own (reviewed) name, compared the way
  // bank-cards.ts normalises names: trimmed, runs of white space as one space.
  const rows = await db
    .selectFrom("users as u")
    .leftJoin("limit_settings as s", "s.user_id", "u.id")
    .select([
      "u.id",
      "u.kind",
      sql<boolean>`u.id_number_hash is not null and u.name is not null`.as("id_verified"),
      sql<boolean>`u.phone is not null`.as("phone_bound"),
      sql<boolean>`u.email is not null and u.email_verified_at is not null`.as("email_verified"),
      sql<number>`(
        select count(distinct c.card_hash)::int from bank_cards c
        where c.user_id = u.id and c.removed_at is null and u.id_number_hash is not null
          and c.holder_name = regexp_replace(regexp_replace(u.name, '^\\s+|\\s+$', '', 'g'), '\\s+', ' ', 'g')
      )`.as("matching_cards"),
      "s.transfer_daily_limit",
      "s.password_free_enabled",
      "s.password_free_per_payment",
      "s.password_free_daily",
    ])
    .where("u.id", "in", userIds)
    .execute();
  return rows as LimitProfileRow[];
}

export type LimitSettingsPatch = {
  transferDailyLimit?: bigint | null;
  passwordFree?: { enabled: boolean; perPayment: bigint; daily: bigint };
};

/** Locks the customer's settings row (creating it with the defaults) and returns it. */
export async function lockSettings(
  tx: Tx,
  userId: string,
  defaults: { perPayment: bigint; daily: bigint },
  now: Date,
) {
  await tx
    .insertInto("limit_settings")
    .values({
      user_id: userId,
      transfer_daily_limit: null,
      password_free_enabled: false,
      password_free_per_payment: defaults.perPayment,
      password_free_daily: defaults.daily,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  return tx
    .selectFrom("limit_settings")
    .selectAll()
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function updateSettings(tx: Tx, userId: string, patch: LimitSettingsPatch, now: Date) {
  await tx
    .updateTable("limit_settings")
    .set({
      ...(patch.transferDailyLimit !== undefined ? { transfer_daily_limit: patch.transferDailyLimit } : {}),
      ...(patch.passwordFree
        ? {
            password_free_enabled: patch.passwordFree.enabled,
            password_free_per_payment: patch.passwordFree.perPayment,
            password_free_daily: patch.passwordFree.daily,
          }
        : {}),
      updated_at: now,
    })
    .where("user_id", "=", userId)
    .execute();
}
