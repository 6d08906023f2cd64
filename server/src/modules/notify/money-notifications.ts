// Balance-change notices: every ledger entry on a customer account becomes exactly one notice
// (in-app always; SMS/email as the customer subscribed to "balance"). A pg-boss job calls
// notifyBalanceChanges; a cursor row says how far the ledger has been read.
import { setTimeout as delay } from "node:timers/promises";
import type { AppContext } from "../../context.js";
import type { LedgerTransferType } from "../../db/schema.js";
import {
  type BalanceEntry,
  busyTransactions,
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
  | { outcome: "done"; notified: number; cursor: bigint; more: boolean };

export type BalanceNoticeOptions = {
  /** Entries read per transaction; `more` says whether another run would find some. */
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
  const batchSize = opts.batchSize ?? 500;
  const high = await highestEntryId(ctx.db);
  const writers = await busyTransactions(ctx.db);
  const deadline = Date.now() + (opts.settleTimeoutMs ?? 5_000);
  while (writers.length > 0 && (await stillBusy(ctx.db, writers))) {
    if (Date.now() > deadline) return { outcome: "waiting" };
    await delay(10);
  }

  return ctx.db.transaction().execute(async (tx) => {
    const cursor = await lockCursor(tx);
    if (cursor === null) return { outcome: "busy" } as const;
    if (cursor >= high) return { outcome: "done", notified: 0, cursor, more: false } as const;
    const entries = await unnotifiedEntries(tx, cursor, high, batchSize);
    // Most customers keep balance notices in the app: those go in one insert per batch, so the
    // notifier keeps up with the payment load without taking much from it. The few who asked
    // for SMS or email go through the notifier, which writes the inbox row and the outbox.
    const inAppOnly: { userId: string; item: ReturnType<typeof balanceNotice> }[] = [];
    for (const entry of entries) {
      const channels = effectiveSubscriptions(entry.preferences?.notifications).balance;
      const item = balanceNotice(entry);
      if (!channels.sms && !channels.email) {
        inAppOnly.push({ userId: entry.userId, item });
        continue;
      }
      await ctx.notifier.notifyUser(
        tx,
        { id: entry.userId, phone: entry.phone, email: entry.email },
        {
          ...item,
          ...channels,
        },
      );
    }
    await insertInboxItems(tx, inAppOnly);
    const full = entries.length === batchSize;
    const last = entries.at(-1);
    const next = full && last ? last.entryId : high;
    await moveCursor(tx, next, ctx.clock.now());
    return { outcome: "done", notified: entries.length, cursor: next, more: full } as const;
  });
}

/** Runs until the notices have caught up with the ledger (or another process holds the cursor). */
export async function notifyAllBalanceChanges(
  ctx: Pick<AppContext, "db" | "notifier" | "clock">,
  opts: BalanceNoticeOptions = {},
): Promise<number> {
  let total = 0;
  for (;;) {
    const run = await notifyBalanceChanges(ctx, opts);
    if (run.outcome !== "done") return total;
    total += run.notified;
    if (!run.more) return total;
  }
}

type Language = "zh-CN" | "en";

const labels: Record<LedgerTransferType, Record<"in" | "out", Record<Language, string>>> = {
  topup: { in: { "zh-CN": "充值", en: "Top-up" }, out: { "zh-CN": "充值退回", en: "Top-up returned" } },
  payment: { in: { "zh-CN": "收款", en: "Payment received" }, out: { "zh-CN": "付款", en: "Payment" } },
  transfer: { in: { "zh-CN": "转入", en: "Transfer in" }, out: { "zh-CN": "转出", en: "Transfer out" } },
  withdrawal: {
    in: { "zh-CN": "提现退回", en: "Withdrawal returned" },
    out: { "zh-CN": "提现", en: "Withdrawal" },
  },
  refund: { in: { "zh-CN": "退款", en: "Refund" }, out: { "zh-CN": "退款", en: "Refund" } },
  fee: { in: { "zh-CN": "手续费退回", en: "Fee returned" }, out: { "zh-CN": "手续费", en: "Fee" } },
  adjustment: {
    in: { "zh-CN": "调账转入", en: "Adjustment in" },
    out: { "zh-CN": "调账转出", en: "Adjustment out" },
  },
  reversal: {
    in: { "zh-CN": "冲正转入", en: "Reversal in" },
    out: { "zh-CN": "冲正转出", en: "Reversal out" },
  },
};

/** "余额变动：转入 ¥12.34，余额 ¥56.78" in the customer's language (Chinese unless they chose English). */
export function balanceNotice(
  entry: Pick<BalanceEntry, "amount" | "balanceAfter" | "currency" | "type" | "preferences">,
) {
  const lang: Language = entry.preferences?.language === "en" ? "en" : "zh-CN";
  const direction = entry.amount > 0n ? "in" : "out";
  const label = labels[entry.type][direction][lang];
  const amount = formatMoney(entry.amount < 0n ? -entry.amount : entry.amount, entry.currency);
  const balance = formatMoney(entry.balanceAfter, entry.currency);
  return lang === "en"
    ? {
        kind: "wallet.balance_changed",
        title: "Balance change",
        body: `${label} ${amount}, balance ${balance}`,
      }
    : { kind: "wallet.balance_changed", title: "余额变动", body: `${label} ${amount}，余额 ${balance}` };
}

/** ¥1,234.56 for CNY; other currencies by code. Minor units are hundredths. */
export function formatMoney(minor: bigint, currency: string): string {
  const sign = minor < 0n ? "-" : "";
  const abs = minor < 0n ? -minor : minor;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = String(abs % 100n).padStart(2, "0");
  return currency === "CNY" ? `${sign}¥${whole}.${cents}` : `${sign}${currency} ${whole}.${cents}`;
}
