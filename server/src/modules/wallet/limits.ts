// Payment limits, enforced inside the transaction that moves the money (docs/limits.md).
//
// - By class (PBOC 2015 No. 43): Class I ¥1,000 since the account opened, Class II ¥100,000 a
//   year, Class III ¥200,000 a year; and a daily cap by the verification factors a payment used:
//   ¥5,000 a day in all, of which at most ¥1,000 may be single-factor (password-free).
// - By business: a single-payment cap for each, and phone top-up ¥500 a time, ¥2,000 a day.
// - The customer's own daily transfer cap, and 小额免密 (password-free payments) with the
//   customer's per-payment and daily caps.
//
// Usage lives in one row per customer with a column per counter (limits-store.ts): a payment
// locks its payer's row, rolls it into the current period, checks, and adds. No sum over history.
import type { RawBuilder } from "kysely";
import { type Executor, type PipelineResult, pipeline, type Tx } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import {
  type LimitProfileRow,
  loadLimitProfiles,
  readUsage,
  type UsageRow,
  usageLock,
  usageWrite,
} from "./limits-store.js";

export type LimitBusiness = "transfer" | "payment" | "phone_topup";
export type LimitRequest = { userId: string; business: LimitBusiness; amount: bigint; passwordFree: boolean };
export type LimitClass = "I" | "II" | "III";
export type LimitScope = "all" | "one_factor" | LimitBusiness | "password_free";
export type LimitPeriod = "single" | "day" | "year" | "lifetime";

const YUAN = 100n;

// --- the tables: the one place the figures live ---

/** What OpenCounter knows about who the customer is; the class follows from it. */
export type IdentityFacts = {
  /** Real name and ID number approved by a reviewer against the customer's ID document. */
  idVerified: boolean;
  /** A mobile number bound by SMS code (the carrier knows its subscriber). */
  phoneBound: boolean;
  /** An email address proved by a code sent to it. */
  emailVerified: boolean;
  /** Live bank cards whose holder is the customer's verified name (each a bank's check). */
  matchingCards: number;
};

/**
 * The classes, strongest first; a customer is in the first class whose requirements all hold.
 * PBOC No. 43 asks for at least three external sources for Class II and five for Class III:
 * here the ID document (checked by a reviewer), the phone's carrier and a bank card in the
 * same name make three; a second such card and a verified email make five.
 */
export const CLASS_TABLE: readonly {
  class: LimitClass;
  requires: IdentityFacts;
  /** Cumulative cap since the account opened (Class I), or null. */
  lifetime: bigint | null;
  /** Cap per calendar year in China time (Classes II and III), or null. */
  annual: bigint | null;
}[] = [
  {
    class: "III",
    requires: { idVerified: true, phoneBound: true, emailVerified: true, matchingCards: 2 },
    lifetime: null,
    annual: 200_000n * YUAN,
  },
  {
    class: "II",
    requires: { idVerified: true, phoneBound: true, emailVerified: false, matchingCards: 1 },
    lifetime: null,
    annual: 100_000n * YUAN,
  },
  {
    class: "I",
    requires: { idVerified: false, phoneBound: false, emailVerified: false, matchingCards: 0 },
    lifetime: 1_000n * YUAN,
    annual: null,
  },
];

/**
 * Daily caps by verification factors (PBOC No. 43, art. 24). A payment made with the payment
 * password from a logged-in session uses two factors (the session's device and the password):
 * ¥5,000 a day. A password-free payment uses one (the session alone): ¥1,000 a day, counted
 * inside the ¥5,000.
 */
export const DAILY_TWO_FACTOR_LIMIT = 5_000n * YUAN;
export const DAILY_ONE_FACTOR_LIMIT = 1_000n * YUAN;

/** Per business: the most one payment may be, and a daily cap where there is one. */
export const BUSINESS_LIMITS: Readonly<Record<LimitBusiness, { single: bigint; daily: bigint | null }>> = {
  transfer: { single: 5_000n * YUAN, daily: null },
  payment: { single: 5_000n * YUAN, daily: null },
  phone_topup: { single: 500n * YUAN, daily: 2_000n * YUAN },
};

/** Bounds and defaults of the customer's 小额免密 caps; the daily cap stays within one-factor's. */
export const PASSWORD_FREE_BOUNDS = {
  maxPerPayment: 1_000n * YUAN,
  maxDaily: DAILY_ONE_FACTOR_LIMIT,
  defaultPerPayment: 200n * YUAN,
  defaultDaily: 1_000n * YUAN,
} as const;

/** Businesses a password-free payment may be used for: never a transfer to another person. */
const PASSWORD_FREE_BUSINESSES: readonly LimitBusiness[] = ["payment", "phone_topup"];

export function classOf(facts: IdentityFacts): LimitClass {
  for (const row of CLASS_TABLE) {
    const r = row.requires;
    if (r.idVerified && !facts.idVerified) continue;
    if (r.phoneBound && !facts.phoneBound) continue;
    if (r.emailVerified && !facts.emailVerified) continue;
    if (facts.matchingCards < r.matchingCards) continue;
    return row.class;
  }
  return "I";
}

function classRow(cls: LimitClass) {
  const row = CLASS_TABLE.find((r) => r.class === cls);
  if (!row) throw new Error(`no class ${cls}`);
  return row;
}

// --- periods ---

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const LIFETIME_START = new Date(0);

/** Midnight in China (UTC+8, no daylight saving) at or before `now`: when the day's limits reset. */
export function startOfChinaDay(now: Date): Date {
  const local = now.getTime() + CHINA_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - CHINA_OFFSET_MS);
}

/** 1 January, midnight in China, of the year `now` is in (China time). */
export function startOfChinaYear(now: Date): Date {
  const year = new Date(now.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
  return new Date(Date.UTC(year, 0, 1) - CHINA_OFFSET_MS);
}

function periodStart(period: Exclude<LimitPeriod, "single">, now: Date): Date {
  if (period === "day") return startOfChinaDay(now);
  if (period === "year") return startOfChinaYear(now);
  return LIFETIME_START;
}

// --- counters ---

/** The usage counters, each a column of the customer's usage row; each limit with a period reads one. */
const COUNTERS = {
  allDay: { name: "day_all", period: "day" },
  allYear: { name: "year_all", period: "year" },
  allLifetime: { name: "lifetime_all", period: "lifetime" },
  oneFactorDay: { name: "day_one_factor", period: "day" },
  transferDay: { name: "day_transfer", period: "day" },
  phoneTopupDay: { name: "day_phone_topup", period: "day" },
} as const;
type CounterName = (typeof COUNTERS)[keyof typeof COUNTERS]["name"];
type Figures = Record<CounterName, bigint>;

/** What a request adds to: every balance payment counts towards the class caps, whatever its kind. */
function countersFor(req: LimitRequest): CounterName[] {
  const names: CounterName[] = [COUNTERS.allDay.name, COUNTERS.allYear.name, COUNTERS.allLifetime.name];
  if (req.business === "transfer") names.push(COUNTERS.transferDay.name);
  if (req.business === "phone_topup") names.push(COUNTERS.phoneTopupDay.name);
  if (req.passwordFree) names.push(COUNTERS.oneFactorDay.name);
  return names;
}

/** The stored figures as they stand in the periods `now` is in: a period that has ended counts zero. */
function currentFigures(row: UsageRow | null, now: Date): Figures {
  const day = row !== null && row.day_start.getTime() >= periodStart("day", now).getTime();
  const year = row !== null && row.year_start.getTime() >= periodStart("year", now).getTime();
  return {
    day_all: day ? (row?.day_all ?? 0n) : 0n,
    day_one_factor: day ? (row?.day_one_factor ?? 0n) : 0n,
    day_transfer: day ? (row?.day_transfer ?? 0n) : 0n,
    day_phone_topup: day ? (row?.day_phone_topup ?? 0n) : 0n,
    year_all: year ? (row?.year_all ?? 0n) : 0n,
    lifetime_all: row?.lifetime_all ?? 0n,
  };
}

// --- the limits that apply to a customer ---

export type CustomerLimits = {
  cls: LimitClass;
  transferDailyLimit: bigint | null;
  passwordFree: { enabled: boolean; perPayment: bigint; daily: bigint };
};

function toCustomerLimits(p: LimitProfileRow): CustomerLimits {
  return {
    cls: classOf({
      idVerified: p.id_verified,
      phoneBound: p.phone_bound,
      emailVerified: p.email_verified,
      matchingCards: Number(p.matching_cards),
    }),
    transferDailyLimit: p.transfer_daily_limit,
    passwordFree: {
      enabled: p.password_free_enabled ?? false,
      perPayment: p.password_free_per_payment ?? PASSWORD_FREE_BOUNDS.defaultPerPayment,
      daily: p.password_free_daily ?? PASSWORD_FREE_BOUNDS.defaultDaily,
    },
  };
}

/**
 * One limit as it applies to a customer. `counter` null: a cap on one payment. `kind`
 * "password_free": passing it is what lets a payment go without the password; failing it
 * asks for the password (password_required) rather than refusing the payment.
 */
type Limit = {
  code: string;
  scope: LimitScope;
  period: LimitPeriod;
  amount: bigint;
  counter: CounterName | null;
  kind: "hard" | "password_free";
  appliesTo: (req: LimitRequest) => boolean;
};

/** Every limit on the customer, in the order GET /wallet/limits lists them. */
function limitsOf(c: CustomerLimits): Limit[] {
  const all = () => true;
  const cls = classRow(c.cls);
  const out: Limit[] = [];
  if (cls.lifetime !== null) {
    out.push({
      code: "class_lifetime",
      scope: "all",
      period: "lifetime",
      amount: cls.lifetime,
      counter: COUNTERS.allLifetime.name,
      kind: "hard",
      appliesTo: all,
    });
  }
  if (cls.annual !== null) {
    out.push({
      code: "class_annual",
      scope: "all",
      period: "year",
      amount: cls.annual,
      counter: COUNTERS.allYear.name,
      kind: "hard",
      appliesTo: all,
    });
  }
  out.push({
    code: "class_daily",
    scope: "all",
    period: "day",
    amount: DAILY_TWO_FACTOR_LIMIT,
    counter: COUNTERS.allDay.name,
    kind: "hard",
    appliesTo: all,
  });
  out.push({
    code: "class_daily_one_factor",
    scope: "one_factor",
    period: "day",
    amount: DAILY_ONE_FACTOR_LIMIT,
    counter: COUNTERS.oneFactorDay.name,
    kind: "password_free",
    appliesTo: (r) => r.passwordFree,
  });
  if (c.transferDailyLimit !== null) {
    out.push({
      code: "transfer_daily_custom",
      scope: "transfer",
      period: "day",
      amount: c.transferDailyLimit,
      counter: COUNTERS.transferDay.name,
      kind: "hard",
      appliesTo: (r) => r.business === "transfer",
    });
  }
  for (const business of Object.keys(BUSINESS_LIMITS) as LimitBusiness[]) {
    const b = BUSINESS_LIMITS[business];
    out.push({
      code: `business:${business}:single`,
      scope: business,
      period: "single",
      amount: b.single,
      counter: null,
      kind: "hard",
      appliesTo: (r) => r.business === business,
    });
    if (b.daily !== null) {
      if (business !== "phone_topup") throw new Error(`no daily counter for ${business}`);
      out.push({
        code: `business:${business}:daily`,
        scope: business,
        period: "day",
        amount: b.daily,
        counter: COUNTERS.phoneTopupDay.name,
        kind: "hard",
        appliesTo: (r) => r.business === business,
      });
    }
  }
  if (c.passwordFree.enabled) {
    out.push({
      code: "password_free:single",
      scope: "password_free",
      period: "single",
      amount: c.passwordFree.perPayment,
      counter: null,
      kind: "password_free",
      appliesTo: (r) => r.passwordFree,
    });
    out.push({
      code: "password_free:daily",
      scope: "password_free",
      period: "day",
      amount: c.passwordFree.daily,
      counter: COUNTERS.oneFactorDay.name,
      kind: "password_free",
      appliesTo: (r) => r.passwordFree,
    });
  }
  return out;
}

// The limits depend on a handful of values, which nearly all customers share: a batch of payers
// reuses one list per combination instead of building a dozen objects and closures per payer.
const limitLists = new Map<string, readonly Limit[]>();
const LIMIT_LISTS_MAX = 1_000;

/** limitsOf, shared between customers with the same class and settings; never to be changed. */
function sharedLimitsOf(c: CustomerLimits): readonly Limit[] {
  const pf = c.passwordFree;
  const key = `${c.cls}|${c.transferDailyLimit}|${pf.enabled}|${pf.perPayment}|${pf.daily}`;
  let limits = limitLists.get(key);
  if (!limits) {
    if (limitLists.size >= LIMIT_LISTS_MAX) limitLists.clear();
    limits = Object.freeze(limitsOf(c));
    limitLists.set(key, limits);
  }
  return limits;
}

/** ¥1,234.50 style, for messages. */
export function formatFen(fen: bigint): string {
  const yuan = (fen / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `¥${yuan}.${String(fen % 100n).padStart(2, "0")}`;
}

const periodText: Record<LimitPeriod, string> = {
  single: "per payment",
  day: "daily",
  year: "yearly",
  lifetime: "cumulative",
};

function remainingOf(limit: Limit, used: bigint): bigint {
  if (limit.counter === null) return limit.amount;
  return used >= limit.amount ? 0n : limit.amount - used;
}

function refusal(limit: Limit, remaining: bigint): DomainError {
  return new DomainError("limit_exceeded", {
    detail: `This payment would pass your ${periodText[limit.period]} limit of ${formatFen(limit.amount)} (${limit.code})`,
    limit: limit.code,
    remaining: Number(remaining),
    limitAmount: Number(limit.amount),
    period: limit.period,
    currency: "CNY",
  });
}

function passwordRequired(reason: string, limit?: Limit, remaining?: bigint): DomainError {
  return new DomainError("password_required", {
    detail: "This payment needs the payment password",
    reason,
    ...(limit ? { limit: limit.code, remaining: Number(remaining ?? 0n) } : {}),
  });
}

// --- checking and counting ---

/** null when the request fits; otherwise the error to send. Refusals that limit money win. */
function check(req: LimitRequest, limits: readonly Limit[], figures: Figures): DomainError | null {
  if (req.amount <= 0n) {
    return new DomainError("validation_failed", { detail: "amount must be positive", field: "amount" });
  }
  const used = (l: Limit) => (l.counter ? figures[l.counter] : 0n);
  const fails = (l: Limit) => (l.counter ? used(l) + req.amount > l.amount : req.amount > l.amount);
  // Of the hard limits this payment would pass, name the tightest: its `remaining` is then the
  // most that can be paid now.
  let worst: { limit: Limit; remaining: bigint } | null = null;
  for (const l of limits) {
    if (l.kind !== "hard" || !l.appliesTo(req) || !fails(l)) continue;
    const remaining = remainingOf(l, used(l));
    if (!worst || remaining < worst.remaining) worst = { limit: l, remaining };
  }
  if (worst) return refusal(worst.limit, worst.remaining);
  if (!req.passwordFree) return null;
  if (!PASSWORD_FREE_BUSINESSES.includes(req.business)) return passwordRequired("not_for_business");
  if (!limits.some((l) => l.code === "password_free:single")) return passwordRequired("not_enabled");
  for (const l of limits) {
    if (l.kind === "password_free" && l.appliesTo(req) && fails(l)) {
      return passwordRequired("over_password_free_limit", l, remainingOf(l, used(l)));
    }
  }
  return null;
}

/**
 * The limits of a money transaction, opened on its payers: their usage rows are locked and read.
 * `admit` checks one request against every limit that applies and, when it fits, counts it (in
 * memory); `write` is the statement that stores what was counted, to run before commit — on its
 * own, or inside the ledger batch's write statement. Call them in the order the money moves.
 */
export type LimitGate = {
  /** null = allowed and counted; otherwise the DomainError("limit_exceeded"|"password_required") to send. */
  admit(req: LimitRequest): DomainError | null;
  write(): RawBuilder<unknown> | null;
};

/**
 * Locks the payers' usage rows in user-id order — before the ledger locks any account, as in
 * every money transaction, so batches and single payments cannot deadlock on them — and returns
 * their gate. A payment that turns out to be an idempotent replay moves nothing: opening the gate
 * for it only locks its payer's row until commit, and counts nothing unless `admit` is asked.
 */
export async function openLimitGate(
  tx: Tx,
  userIds: string[],
  now: Date,
  /** Customers known to have a usage row (lockUsage); kept across transactions by the caller. */
  knownUsageRows?: Set<string>,
): Promise<LimitGate> {
  const plan = planLimitGate(userIds, now, knownUsageRows);
  return plan.open(await pipeline(tx, plan.statements));
}

/**
 * openLimitGate as statements to send in a pipeline (db/database.ts) with others — the ledger
 * batch sends them with its key claim and account locks, one round trip — and the gate opened
 * from their answers (exactly those, in order).
 */
export function planLimitGate(
  userIds: string[],
  now: Date,
  knownUsageRows?: Set<string>,
): { statements: RawBuilder<unknown>[]; open(results: PipelineResult[]): LimitGate } {
  const sorted = [...new Set(userIds)].sort();
  const dayStart = periodStart("day", now);
  const yearStart = periodStart("year", now);
  const lock = usageLock(sorted, { dayStart, yearStart }, knownUsageRows);
  return {
    statements: lock.statements,
    open(results) {
      const customers = new Map(
        lock.rows(results).map((r) => [
          r.user_id,
          {
            limits: sharedLimitsOf(toCustomerLimits(r.profile)),
            figures: currentFigures(r, now),
            touched: false,
          },
        ]),
      );
      return {
        admit(req) {
          const c = customers.get(req.userId);
          if (!c) return new DomainError("not_found", { detail: "no such customer" });
          const error = check(req, c.limits, c.figures);
          if (error) return error;
          for (const counter of countersFor(req)) c.figures[counter] += req.amount;
          c.touched = true;
          return null;
        },
        write() {
          const rows: UsageRow[] = [];
          for (const [userId, c] of customers) {
            if (c.touched)
              rows.push({ user_id: userId, day_start: dayStart, year_start: yearStart, ...c.figures });
          }
          return usageWrite(rows);
        },
      };
    },
  };
}

/**
 * Inside the money transaction: locks the customers' usage, checks every limit that applies,
 * records the use. Returns one result per request in order: null = allowed (and counted), or the
 * DomainError("limit_exceeded"|"password_required") to send. A refused request counts nothing.
 */
export async function consumeLimits(
  tx: Tx,
  reqs: LimitRequest[],
  now: Date,
): Promise<(DomainError | null)[]> {
  if (reqs.length === 0) return [];
  const gate = await openLimitGate(
    tx,
    reqs.map((r) => r.userId),
    now,
  );
  const results = reqs.map((req) => gate.admit(req));
  const write = gate.write();
  if (write) await write.execute(tx);
  return results;
}

// --- what the customer sees ---

export type LimitOverviewItem = {
  code: string;
  scope: LimitScope;
  period: LimitPeriod;
  limit: bigint;
  used: bigint;
  remaining: bigint;
};

export async function customerLimits(db: Executor, userId: string): Promise<CustomerLimits> {
  const [profile] = await loadLimitProfiles(db, [userId]);
  if (!profile) throw new DomainError("not_found", { detail: "no such customer" });
  return toCustomerLimits(profile);
}

/** The customer's class and every limit on them, with what is used and what remains now. */
export async function limitsOverview(
  db: Executor,
  userId: string,
  now: Date,
): Promise<{ cls: LimitClass; items: LimitOverviewItem[] }> {
  const c = await customerLimits(db, userId);
  const figures = currentFigures(await readUsage(db, userId), now);
  const items = limitsOf(c).map((l) => {
    const u = l.counter ? figures[l.counter] : 0n;
    return {
      code: l.code,
      scope: l.scope,
      period: l.period,
      limit: l.amount,
      used: u,
      remaining: remainingOf(l, u),
    };
  });
  return { cls: c.cls, items };
}

/** What the customer has paid password-free today (China time). */
export async function passwordFreeUsedToday(db: Executor, userId: string, now: Date): Promise<bigint> {
  return currentFigures(await readUsage(db, userId), now).day_one_factor;
}
