// Balance-change notices: every ledger entry on a customer account becomes exactly one notice
// (in-app always; SMS/email as the customer subscribed to "balance") saying what happened —
// 充值, 转账给张*三, 收到李*四转账, 付款给<merchant>, 退款, 调账 — with the amount and the balance
// after. It is the only notice of that money event: the flows that move money send none of their
// own (a withdrawal's payout is told by the withdrawals module and left out here). A pg-boss job
// calls notifyBalanceChanges; a cursor row says how far the ledger has been read.
import { setTimeout as delay } from "node:timers/promises";
import type { AppContext } from "../../context.js";
import type { Preferences } from "../../db/schema.js";
import { maskName, maskPhone } from "../identity/mask.js";
import {
  type BalanceEntry,
  busyTransactions,
  type Counterparty,
  highestEntryId,
  insertInboxItems,
  lockCursor,
  moveCursor,
  stillBusy,
  unnotifiedEntries,
} from "./money-notifications-store.js";
import { effectiveSubscriptions } from "./subscriptions.js";

export type BalanceNoticeRun =
  /** Another process holds the cursor; it will send these notices. */
  | { outcome: "busy" }
  /** A writer that may still add entries below the newest one has not finished; try again later. */
  | { outcome: "waiting" }
  | { outcome: "done"; notified: number; cursor: bigint };

export type BalanceNoticeOptions = {
  /**
   * Entry ids covered per transaction (so at most this many entries). A run covers every entry
   * up to the newest one at its start, in as many transactions as that takes.
   */
  batchSize?: number;
  /** How long to wait for in-flight ledger writes before giving up this run (real time). */
  settleTimeoutMs?: number;
};

/**
 * Why the wait: entry ids are taken when a row is inserted, but transactions commit in another
 * order, so entry 41 can become visible after entry 42. A cursor at 42 would skip 41 for ever.
 * So the run first reads the newest entry id, then waits until every transaction that was
 * writing in this database at that moment has ended; after that no entry at or below that id can
 * still appear. (Ledger writers take their transaction id before they insert entries: they claim
 * the idempotency key and lock the accounts first.)
 */
export async function notifyBalanceChanges(
  ctx: Pick<AppContext, "db" | "notifier" | "clock">,
  opts: BalanceNoticeOptions = {},
): Promise<BalanceNoticeRun> {
  const batchSize = BigInt(opts.batchSize ?? 500);
  const high = await highestEntryId(ctx.db);
  const writers = await busyTransactions(ctx.db);
  const deadline = Date.now() + (opts.settleTimeoutMs ?? 5_000);
  while (writers.length > 0 && (await stillBusy(ctx.db, writers))) {
    if (Date.now() > deadline) return { outcome: "waiting" };
    await delay(10);
  }
  // Everything up to `high` is settled now, so the run goes all the way there, window after
  // window, without waiting again. (Waiting before every window let a busy ledger, with a
  // batch always in flight, hold the notices to a few windows a second: under bench:payments
  // they fell 38,000 entries behind in 20 s.)
  let notified = 0;
  let cursor: bigint | null = null;
  for (;;) {
    const round = await notifyWindow(ctx, high, batchSize);
    if (round === null) {
      // Another process holds the cursor: it sends the rest.
      return cursor === null ? { outcome: "busy" } : { outcome: "done", notified, cursor };
    }
    notified += round.notified;
    cursor = round.cursor;
    if (cursor >= high) return { outcome: "done", notified, cursor };
  }
}

/**
 * One transaction: the notices for the entries after the cursor, up to `batchSize` entry ids
 * and never past `high`; null when another process holds the cursor.
 */
async function notifyWindow(
  ctx: Pick<AppContext, "db" | "notifier" | "clock">,
  high: bigint,
  batchSize: bigint,
): Promise<{ notified: number; cursor: bigint } | null> {
  return ctx.db.transaction().execute(async (tx) => {
    const cursor = await lockCursor(tx);
    if (cursor === null) return null;
    if (cursor >= high) return { notified: 0, cursor };
    // A window of entry ids, all of it handled in this round. Not "the next batchSize customer
    // entries after the cursor": with a limit over the whole range, statistics that lagged the
    // growing table made the planner join and sort every entry up to `high` (100-190 ms a
    // round under bench:payments); a window keeps the work bounded whatever the statistics say.
    const upTo = cursor + batchSize < high ? cursor + batchSize : high;
    const entries = await unnotifiedEntries(tx, cursor, upTo);
    // Most customers keep balance notices in the app: those go in one insert per batch, so the
    // notifier keeps up with the payment load without taking much from it. The few who asked
    // for SMS or email go through the notifier, which writes the inbox row and the outbox.
    const inAppOnly: { userId: string; item: ReturnType<typeof balanceNotice> }[] = [];
    for (const entry of entries) {
      // Dated by the money movement, so that it lists where it happened in the inbox.
      const item = { ...balanceNotice(entry), at: entry.createdAt };
      if (balanceNoticesInAppOnly(entry.preferences)) {
        inAppOnly.push({ userId: entry.userId, item });
        continue;
      }
      const channels = effectiveSubscriptions(entry.preferences?.notifications).balance;
      const user = { id: entry.userId, phone: entry.phone, email: entry.email };
      await ctx.notifier.notifyUser(tx, user, { ...item, ...channels });
    }
    await insertInboxItems(tx, inAppOnly);
    await moveCursor(tx, upTo, ctx.clock.now());
    return { notified: entries.length, cursor: upTo };
  });
}

/**
 * Catches the notices up with the ledger as it stands now; how many were sent (0 when another
 * process holds the cursor, or the writers in flight did not finish in time).
 */
export async function notifyAllBalanceChanges(
  ctx: Pick<AppContext, "db" | "notifier" | "clock">,
  opts: BalanceNoticeOptions = {},
): Promise<number> {
  const run = await notifyBalanceChanges(ctx, opts);
  return run.outcome === "done" ? run.notified : 0;
}

/**
 * Notices within about a second of the money moving, not at the next minute's job: each server
 * process runs this loop beside the scheduled job. A round with nothing new costs a few small
 * queries; when several processes run it, one takes the cursor and the others find it busy.
 */
export function startBalanceNoticeLoop(
  ctx: Pick<AppContext, "db" | "notifier" | "clock">,
  opts: { intervalMs?: number; batchSize?: number; onError?: (err: unknown) => void } = {},
): { stop(): Promise<void> } {
  const interval = opts.intervalMs ?? 1_000;
  // Small transactions: the notices share the process's event loop with the payments it
  // answers, and a window of 500 entries held it for long enough to show in their p99. Each
  // covers 200 entry ids: about 100 notices, as half of a payment's entries are the merchant's.
  const batchSize = opts.batchSize ?? 1000;
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await notifyAllBalanceChanges(ctx, { batchSize });
      } catch (err) {
        opts.onError?.(err);
      }
      await delay(interval, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}

type Language = "zh-CN" | "en";
type Text = Record<Language, string>;

/** Who the other side is, as the customer may see it: a masked person or a merchant's name. */
function otherSide(c: Counterparty, lang: Language): string {
  if (c.kind === "merchant") return c.merchantName ?? (lang === "en" ? "a merchant" : "商户");
  if (c.kind === "customer") {
    if (c.name) return maskName(c.name);
    if (c.phone) return maskPhone(c.phone);
    return lang === "en" ? "a customer" : "用户";
  }
  return "";
}

/** What happened, in business terms: a title and the phrase in front of the amount. */
function describe(entry: Pick<BalanceEntry, "type" | "amount" | "counterparty">, lang: Language) {
  const incoming = entry.amount > 0n;
  const who = otherSide(entry.counterparty, lang);
  const change: Text = { "zh-CN": "余额变动", en: "Balance change" };
  const pick = (title: Text, phrase: Text) => ({ title: title[lang], phrase: phrase[lang] });
  switch (entry.type) {
    case "topup":
      return incoming
        ? pick({ "zh-CN": "充值成功", en: "Top-up received" }, { "zh-CN": "充值", en: "Top-up" })
        : pick(change, { "zh-CN": "充值退回", en: "Top-up returned" });
    case "transfer":
      return incoming
        ? pick(
            { "zh-CN": "收到转账", en: "Transfer received" },
            { "zh-CN": `收到${who}转账`, en: `Transfer from ${who}` },
          )
        : pick(
            { "zh-CN": "转账成功", en: "Transfer sent" },
            { "zh-CN": `转账给${who}`, en: `Transfer to ${who}` },
          );
    case "payment":
      return incoming
        ? pick(
            { "zh-CN": "收到付款", en: "Payment received" },
            { "zh-CN": `收到${who}付款`, en: `Payment from ${who}` },
          )
        : pick(
            { "zh-CN": "付款成功", en: "Payment made" },
            { "zh-CN": `付款给${who}`, en: `Payment to ${who}` },
          );
    case "refund":
      return incoming
        ? pick(
            { "zh-CN": "退款到账", en: "Refund received" },
            { "zh-CN": `${who}退款`, en: `Refund from ${who}` },
          )
        : pick(change, { "zh-CN": `退款给${who}`, en: `Refund to ${who}` });
    case "withdrawal":
      return incoming
        ? pick(change, { "zh-CN": "提现退回", en: "Withdrawal returned" })
        : pick({ "zh-CN": "提现", en: "Withdrawal" }, { "zh-CN": "提现", en: "Withdrawal" });
    case "fee":
      return incoming
        ? pick(change, { "zh-CN": "手续费退回", en: "Fee returned" })
        : pick(change, { "zh-CN": "手续费", en: "Fee" });
    case "adjustment":
      return pick(
        { "zh-CN": "账户调整", en: "Account adjusted" },
        incoming
          ? { "zh-CN": "调账转入", en: "Adjustment in" }
          : { "zh-CN": "调账转出", en: "Adjustment out" },
      );
    case "reversal":
      return pick(
        { "zh-CN": "账户调整", en: "Account adjusted" },
        incoming ? { "zh-CN": "冲正转入", en: "Reversal in" } : { "zh-CN": "冲正转出", en: "Reversal out" },
      );
    default: {
      const unexpected: never = entry.type;
      throw new Error(`unknown transfer type ${String(unexpected)}`);
    }
  }
}

/**
 * The one notice of a balance change, saying what happened: title "收到转账", body
 * "收到李*四转账 ¥12.34，余额 ¥56.78" — in the customer's language (Chinese unless they chose English).
 */
export function balanceNotice(
  entry: Pick<BalanceEntry, "amount" | "balanceAfter" | "currency" | "type" | "counterparty" | "preferences">,
) {
  const lang: Language = entry.preferences?.language === "en" ? "en" : "zh-CN";
  const { title, phrase } = describe(entry, lang);
  const amount = formatMoney(entry.amount < 0n ? -entry.amount : entry.amount, entry.currency);
  const balance = formatMoney(entry.balanceAfter, entry.currency);
  return {
    kind: "wallet.balance_changed",
    title,
    body: lang === "en" ? `${phrase} ${amount}, balance ${balance}` : `${phrase} ${amount}，余额 ${balance}`,
  };
}

/**
 * Whether the customer takes balance notices in the app only (the default): then the transaction
 * that moves the money may write the inbox row itself (a payment's batch, ledger/batch.ts), with
 * balanceNotice's text. Otherwise the notice goes through the notifier on every channel they
 * chose, inbox row included — the loop below sends it.
 */
export function balanceNoticesInAppOnly(preferences: Preferences | null | undefined): boolean {
  const channels = effectiveSubscriptions(preferences?.notifications).balance;
  return !channels.sms && !channels.email;
}

/** ¥1,234.56 for CNY; other currencies by code. Minor units are hundredths. */
export function formatMoney(minor: bigint, currency: string): string {
  const sign = minor < 0n ? "-" : "";
  const abs = minor < 0n ? -minor : minor;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = String(abs % 100n).padStart(2, "0");
  return currency === "CNY" ? `${sign}¥${whole}.${cents}` : `${sign}${currency} ${whole}.${cents}`;
}
