// The monthly statement: opening and closing balance from the ledger, every transaction of the
// month (China time), totals in and out. statements-pdf.ts turns it into a PDF.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { maskName, maskPhone } from "../identity/index.js";
import { balanceOf } from "../ledger/index.js";
import { type ExportLanguage, takeExport, transactionPages } from "./exports.js";
import { countTransactionEntries, findStatementHolder } from "./exports-store.js";
import type { WalletTransaction } from "./service.js";
import { renderStatementPdf } from "./statements-pdf.js";
import { listCustomerAccounts } from "./store.js";

/** A month with more rows than this is a job for the CSV export, not a PDF of hundreds of pages. */
export const STATEMENT_MAX_ROWS = 5_000;

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

export type StatementMonth = { year: number; month: number };

export type Statement = {
  language: ExportLanguage;
  holderName: string;
  maskedPhone: string | null;
  accountId: string | null;
  currency: "CNY";
  month: string;
  /** First moment of the month in China, inclusive. */
  periodStart: Date;
  /** First moment of the next month in China, exclusive. */
  periodEnd: Date;
  openingBalance: bigint;
  closingBalance: bigint;
  totalIn: bigint;
  totalOut: bigint;
  countIn: number;
  countOut: number;
  /** Oldest first, as a statement reads. */
  transactions: WalletTransaction[];
  generatedAt: Date;
};

/** "2026-10" → the month; anything else (including month 13) is a validation error. */
export function parseStatementMonth(text: string): StatementMonth {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) {
    throw new DomainError("validation_failed", { detail: "month must look like 2026-10", field: "month" });
  }
  return { year: Number(match[1]), month: Number(match[2]) };
}

/** Midnight at the start of the month, China time, as a UTC instant. */
export function chinaMonthStart(m: StatementMonth): Date {
  return new Date(Date.UTC(m.year, m.month - 1, 1) - CHINA_OFFSET_MS);
}

function nextMonth(m: StatementMonth): StatementMonth {
  return m.month === 12 ? { year: m.year + 1, month: 1 } : { year: m.year, month: m.month + 1 };
}

/**
 * The statement for one China-time month. A month that has not begun is refused; a month
 * before the account existed is a statement with zero balances and no activity.
 */
export async function buildStatement(
  ctx: AppContext,
  userId: string,
  monthText: string,
  bounds: { maxRows: number } = { maxRows: STATEMENT_MAX_ROWS },
): Promise<Statement> {
  const month = parseStatementMonth(monthText);
  const periodStart = chinaMonthStart(month);
  const periodEnd = chinaMonthStart(nextMonth(month));
  const now = ctx.clock.now();
  if (periodStart > now) {
    throw new DomainError("validation_failed", {
      detail: "There is no statement for a month that has not begun",
      field: "month",
      reason: "future_month",
    });
  }
  const holder = await findStatementHolder(ctx.db, userId);
  if (!holder) throw new DomainError("unauthenticated");
  await takeExport(ctx, userId);

  const account = (await listCustomerAccounts(ctx.db, userId)).find((a) => a.currency.trim() === "CNY");
  const accountIds = account ? [account.id] : [];
  const rows = await countTransactionEntries(ctx.db, accountIds, { from: periodStart, to: periodEnd });
  if (rows > bounds.maxRows) {
    throw new DomainError("validation_failed", {
      detail: `This month has ${rows} transactions, more than a statement shows (${bounds.maxRows}); export it as CSV instead`,
      field: "month",
      reason: "too_many_rows",
      rows,
      maxRows: bounds.maxRows,
    });
  }

  const transactions: WalletTransaction[] = [];
  for await (const page of transactionPages(ctx, userId, { from: periodStart, to: periodEnd })) {
    transactions.push(...page);
  }
  transactions.reverse();
  // Only the CNY account is on a statement (the only currency the wallet offers).
  const onStatement = transactions.filter((t) => t.currency === "CNY");

  // Entries carry millisecond times from the clock, so "at or before the last millisecond" is
  // exactly "before the bound": the same cut the history filter makes.
  const balanceAt = (bound: Date) =>
    account ? balanceOf(ctx, account.id, { at: new Date(bound.getTime() - 1) }) : Promise.resolve(0n);
  const openingBalance = await balanceAt(periodStart);
  const closingBalance = await balanceAt(periodEnd);

  let totalIn = 0n;
  let totalOut = 0n;
  let countIn = 0;
  let countOut = 0;
  for (const t of onStatement) {
    if (t.direction === "in") {
      totalIn += t.amount;
      countIn++;
    } else {
      totalOut += t.amount;
      countOut++;
    }
  }

  return {
    language: holder.preferences.language === "en" ? "en" : "zh-CN",
    holderName: holder.name ? maskName(holder.name) : holder.phone ? maskPhone(holder.phone) : "—",
    maskedPhone: holder.phone ? maskPhone(holder.phone) : null,
    accountId: account?.id ?? null,
    currency: "CNY",
    month: monthText,
    periodStart,
    periodEnd,
    openingBalance,
    closingBalance,
    totalIn,
    totalOut,
    countIn,
    countOut,
    transactions: onStatement,
    generatedAt: now,
  };
}

/** The statement as PDF bytes, with a filename for the download. */
export async function statementPdf(
  ctx: AppContext,
  userId: string,
  monthText: string,
): Promise<{ filename: string; pdf: Buffer }> {
  const statement = await buildStatement(ctx, userId, monthText);
  return {
    filename: `opencounter-statement-${statement.month}.pdf`,
    pdf: await renderStatementPdf(statement),
  };
}
