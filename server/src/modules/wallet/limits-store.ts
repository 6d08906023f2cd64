// The limit tables: per-customer usage counters and the customer's own settings. Only
// limits.ts and password-free.ts use these; the counters are written inside money transactions.
import { type RawBuilder, sql } from "kysely";
import {
  type Executor,
  type PipelineResult,
  pgArray,
  pipeline,
  preparedStatement,
  type Tx,
} from "../../db/database.js";

/** A customer's usage figures as stored: the day's and the year's belong to the periods starting at day_start / year_start. */
export type UsageRow = {
  user_id: string;
  day_start: Date;
  day_all: bigint;
  day_one_factor: bigint;
  day_transfer: bigint;
  day_phone_topup: bigint;
  year_start: Date;
  year_all: bigint;
  lifetime_all: bigint;
};

// What the limits need to know about a customer, read beside their usage. A card counts when its
// holder is the customer's own (reviewed) name, compared the way bank-cards.ts normalises names:
// trimmed, runs of white space as one space.
const profileColumns = sql`
  u.id, u.kind,
  (u.id_number_hash is not null and u.name is not null) as id_verified,
  (u.phone is not null) as phone_bound,
  (u.email is not null and u.email_verified_at is not null) as email_verified,
  (
    select count(distinct c.card_hash)::int from bank_cards c
    where c.user_id = u.id and c.removed_at is null and u.id_number_hash is not null
      and c.holder_name = regexp_replace(regexp_replace(u.name, '^\\s+|\\s+$', '', 'g'), '\\s+', ' ', 'g')
  ) as matching_cards,
  s.transfer_daily_limit, s.password_free_enabled, s.password_free_per_payment, s.password_free_daily`;

/**
 * Locks the customers' usage rows, creating the missing ones (with the given period starts and
 * zero figures), and returns each with the customer's limit profile. Rows are locked in user-id
 * order (the caller passes `userIds` sorted: every money transaction takes these locks in user-id
 * order, and before any ledger account). Ids that are not users are left out.
 *
 * Two statements, sent as one pipeline (one round trip): the missing rows are inserted first (a
 * probe of the primary key per id, nothing written), then every row is locked with `select … for update`, which in READ COMMITTED waits
 * for a concurrent writer and returns the figures it committed. Locking by a no-op `insert … on
 * conflict do update` instead, as before, wrote a new version of every row (and its WAL) only
 * for the batch's own update to write another one.
 *
 * `known` (optional, kept by the caller across transactions) holds customers whose row another
 * transaction had committed: rows are never deleted but with their customer, so when every id is
 * known the insert is skipped. A row this transaction inserted is not
 * added: it is gone if the transaction rolls back.
 */
export async function lockUsage(
  tx: Tx,
  userIds: string[],
  fresh: { dayStart: Date; yearStart: Date },
  known?: Set<string>,
): Promise<LockedUsageRow[]> {
  const lock = usageLock(userIds, fresh, known);
  return lock.rows(await pipeline(tx, lock.statements));
}

export type LockedUsageRow = UsageRow & { profile: LimitProfileRow };

/**
 * lockUsage as statements to run in a pipeline (db/database.ts) with others, and the reading of
 * their answers: `rows` takes the answers to exactly `statements`, in order.
 */
export function usageLock(
  userIds: string[],
  fresh: { dayStart: Date; yearStart: Date },
  known?: Set<string>,
): { statements: RawBuilder<unknown>[]; rows(results: PipelineResult[]): LockedUsageRow[] } {
  if (userIds.length === 0) return { statements: [], rows: () => [] };
  const ids = pgArray(userIds);
  const statements: RawBuilder<unknown>[] = [];
  const inserts = !known || userIds.some((id) => !known.has(id));
  if (inserts) {
    statements.push(sql<{ user_id: string }>`${preparedStatement}
      insert into limit_usage (user_id, day_start, year_start)
      select x.u, ${fresh.dayStart}::timestamptz, ${fresh.yearStart}::timestamptz
      from unnest(${ids}::uuid[]) as x(u)
      where not exists (select 1 from limit_usage l where l.user_id = x.u)
        and exists (select 1 from users where id = x.u)
      order by x.u
      on conflict (user_id) do nothing
      returning user_id`);
  }
  // The period starts as epoch milliseconds (float8): node-postgres parses a timestamptz from
  // its text by hand, two per payer and batch.
  statements.push(sql`${preparedStatement}
    select l.user_id, (extract(epoch from l.day_start) * 1000)::float8 as day_start_ms, l.day_all,
      l.day_one_factor, l.day_transfer, l.day_phone_topup,
      (extract(epoch from l.year_start) * 1000)::float8 as year_start_ms, l.year_all, l.lifetime_all, p.*
    from limit_usage l
    cross join lateral (
      select ${profileColumns}
      from users u left join limit_settings s on s.user_id = u.id
      where u.id = l.user_id
      -- One customer per row, through both primary keys. As a plain join the planner hashed the
      -- whole users and limit_settings tables once a batch passed about a hundred payers
      -- (auto_explain under bench:payments); the limit keeps the lookup per row.
      limit 1
    ) p
    where l.user_id = any(${ids}::uuid[])
    order by l.user_id
    for update of l`);
  return {
    statements,
    rows(results) {
      const answer = <R>(i: number): R[] => (results[i]?.rows ?? []) as R[];
      const inserted = inserts ? new Set(answer<{ user_id: string }>(0).map((r) => r.user_id)) : null;
      const locked = answer<
        Omit<UsageRow, "day_start" | "year_start"> &
          LimitProfileRow & { day_start_ms: number; year_start_ms: number }
      >(inserts ? 1 : 0);
      if (known) {
        if (known.size >= KNOWN_USAGE_ROWS_MAX) known.clear();
        for (const r of locked) if (!inserted?.has(r.user_id)) known.add(r.user_id);
      }
      return locked.map((r) => ({
        user_id: r.user_id,
        day_start: new Date(r.day_start_ms),
        day_all: r.day_all,
        day_one_factor: r.day_one_factor,
        day_transfer: r.day_transfer,
        day_phone_topup: r.day_phone_topup,
        year_start: new Date(r.year_start_ms),
        year_all: r.year_all,
        lifetime_all: r.lifetime_all,
        profile: profileOf(r),
      }));
    },
  };
}

const KNOWN_USAGE_ROWS_MAX = 200_000;

/** The customer's stored usage (not locked); null when they never paid from the balance. */
export async function readUsage(db: Executor, userId: string): Promise<UsageRow | null> {
  const row = await db.selectFrom("limit_usage").selectAll().where("user_id", "=", userId).executeTakeFirst();
  return row ?? null;
}

/**
 * The statement that stores new figures (and, when a period rolled over, its new start) for
 * rows locked by lockUsage: run on its own, or as part of a larger statement.
 */
export function usageWrite(rows: UsageRow[]): RawBuilder<unknown> | null {
  if (rows.length === 0) return null;
  const col = <K extends keyof UsageRow>(k: K) => rows.map((r) => r[k]);
  const ids = pgArray(col("user_id"));
  return sql`
    update limit_usage as l
    set day_start = v.day_start, day_all = v.day_all, day_one_factor = v.day_one_factor,
      day_transfer = v.day_transfer, day_phone_topup = v.day_phone_topup,
      year_start = v.year_start, year_all = v.year_all, lifetime_all = v.lifetime_all
    from unnest(${ids}::uuid[], ${pgArray(col("day_start"))}::timestamptz[], ${pgArray(col("day_all"))}::bigint[],
      ${pgArray(col("day_one_factor"))}::bigint[], ${pgArray(col("day_transfer"))}::bigint[], ${pgArray(col("day_phone_topup"))}::bigint[],
      ${pgArray(col("year_start"))}::timestamptz[], ${pgArray(col("year_all"))}::bigint[], ${pgArray(col("lifetime_all"))}::bigint[])
      as v(user_id, day_start, day_all, day_one_factor, day_transfer, day_phone_topup, year_start, year_all,
        lifetime_all)
    -- The ids again, so the planner reaches the rows through the primary key (it cannot count
    -- unnest's rows, and would otherwise scan the whole table to join them).
    where l.user_id = v.user_id and l.user_id = any(${ids}::uuid[])`;
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
  const result = await sql<LimitProfileRow>`
    select ${profileColumns}
    from users u left join limit_settings s on s.user_id = u.id
    where u.id = any(${pgArray(userIds)}::uuid[])`.execute(db);
  return result.rows.map(profileOf);
}

function profileOf(r: LimitProfileRow): LimitProfileRow {
  return {
    id: r.id,
    kind: r.kind,
    id_verified: r.id_verified,
    phone_bound: r.phone_bound,
    email_verified: r.email_verified,
    matching_cards: Number(r.matching_cards),
    transfer_daily_limit: r.transfer_daily_limit,
    password_free_enabled: r.password_free_enabled,
    password_free_per_payment: r.password_free_per_payment,
    password_free_daily: r.password_free_daily,
  };
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
