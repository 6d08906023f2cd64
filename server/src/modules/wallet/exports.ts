// The customer's history as a file: CSV or XLSX, the same rows as GET /wallet/transactions,
// streamed page by page through the history's own keyset paging.
import { PassThrough, Readable } from "node:stream";
import ExcelJS from "exceljs";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { takeFromWindow } from "../identity/rate-window.js";
import { countTransactionEntries, findStatementHolder } from "./exports-store.js";
import { ledgerTypes, listTransactions, type TransactionType, type WalletTransaction } from "./service.js";
import { listCustomerAccounts } from "./store.js";

/** More rows than this is not a download but a data request; the customer narrows the range. */
export const EXPORT_MAX_ROWS = 50_000;
/** The longest range one file covers (a leap year, plus a day of slack for time zones). */
export const EXPORT_MAX_RANGE_MS = 367 * 24 * 60 * 60 * 1000;
/** Files (exports and statements together) per customer per hour: each one reads a lot. */
export const EXPORTS_PER_HOUR = 20;
/** Rows read per round trip while streaming. */
const PAGE_SIZE = 500;

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type ExportFormat = "csv" | "xlsx";
export type ExportLanguage = "zh-CN" | "en";

export type ExportQuery = {
  format: ExportFormat;
  type?: TransactionType;
  from?: Date;
  to?: Date;
  direction?: "in" | "out";
};

export type ExportFile = {
  filename: string;
  contentType: string;
  rows: number;
  body: Readable;
};

/** Counts one heavy file for the customer; 429 rate_limited past EXPORTS_PER_HOUR. */
export function takeExport(ctx: AppContext, userId: string): Promise<void> {
  return takeFromWindow(ctx.db, ctx.clock, {
    key: `wallet:export:${userId}`,
    max: EXPORTS_PER_HOUR,
    windowMs: 60 * 60 * 1000,
  });
}

/** The holder's language for headers and labels: English only when they chose it. */
export async function exportLanguage(ctx: AppContext, userId: string): Promise<ExportLanguage> {
  const holder = await findStatementHolder(ctx.db, userId);
  return holder?.preferences.language === "en" ? "en" : "zh-CN";
}

// --- formatting ---

/** "2026-11-22 21:05:09" on the wall clock in China (UTC+8, no daylight saving). */
export function chinaDateTime(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Fen as yuan with two decimals, no symbol or grouping, so spreadsheets read it as a number. */
export function yuanText(fen: bigint): string {
  const sign = fen < 0n ? "-" : "";
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/**
 * Text a spreadsheet would run as a formula (= + - @, or a leading tab or CR) gets a leading
 * apostrophe (OWASP "CSV injection"). Only free text passes through here; the number columns
 * are written by yuanText and String(bigint), which never produce anything but a number.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, and its quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const TYPE_LABELS: Record<ExportLanguage, Record<TransactionType, string>> = {
  "zh-CN": {
    topup: "充值",
    payment: "消费",
    transfer: "转账",
    withdrawal: "提现",
    refund: "退款",
    fee: "手续费",
    adjustment: "调整",
  },
  en: {
    topup: "Top-up",
    payment: "Payment",
    transfer: "Transfer",
    withdrawal: "Withdrawal",
    refund: "Refund",
    fee: "Fee",
    adjustment: "Adjustment",
  },
};

export function typeLabel(lang: ExportLanguage, type: TransactionType): string {
  return TYPE_LABELS[lang][type];
}

export function directionLabel(lang: ExportLanguage, direction: "in" | "out"): string {
  if (lang === "en") return direction === "in" ? "In" : "Out";
  return direction === "in" ? "收入" : "支出";
}

function statusLabel(lang: ExportLanguage, status: WalletTransaction["status"]): string {
  return lang === "en" ? "Succeeded" : status === "succeeded" ? "成功" : status;
}

/** The columns, in order; amounts are signed (money out is negative) so a column sums to the net. */
const HEADERS: Record<ExportLanguage, string[]> = {
  "zh-CN": [
    "交易时间（北京时间）",
    "交易时间（ISO 8601 UTC）",
    "交易号",
    "类型",
    "收/支",
    "对方",
    "金额（元，支出为负）",
    "金额（分）",
    "币种",
    "状态",
    "备注",
  ],
  en: [
    "Time (China, UTC+8)",
    "Time (ISO 8601, UTC)",
    "Transaction ID",
    "Type",
    "Direction",
    "Counterparty",
    "Amount (yuan, out is negative)",
    "Amount (fen)",
    "Currency",
    "Status",
    "Memo",
  ],
};

export function exportHeaders(lang: ExportLanguage): string[] {
  return HEADERS[lang];
}

function signed(t: WalletTransaction): bigint {
  return t.direction === "out" ? -t.amount : t.amount;
}

function csvLine(lang: ExportLanguage, t: WalletTransaction): string {
  const fen = signed(t);
  const cells = [
    chinaDateTime(t.createdAt),
    t.createdAt.toISOString(),
    t.id,
    guardFormula(typeLabel(lang, t.type)),
    guardFormula(directionLabel(lang, t.direction)),
    guardFormula(t.counterparty),
    yuanText(fen),
    String(fen),
    guardFormula(t.currency),
    guardFormula(statusLabel(lang, t.status)),
    guardFormula(t.memo ?? ""),
  ];
  return `${cells.map(csvField).join(",")}\r\n`;
}

// --- reading ---

type Range = { from: Date; to: Date };

/**
 * The range a file covers: `to` defaults to now, `from` to a year before `to`; a longer range
 * is refused, so every file is bounded in time as well as in rows.
 */
export function exportRange(now: Date, q: { from?: Date; to?: Date }): Range {
  // Without `to`, everything up to now, including what happened in this very millisecond.
  const to = q.to ?? new Date(now.getTime() + 1);
  const from = q.from ?? new Date(to.getTime() - 365 * DAY_MS);
  if (from > to) {
    throw new DomainError("validation_failed", { detail: "from must not be after to", field: "from" });
  }
  if (to.getTime() - from.getTime() > EXPORT_MAX_RANGE_MS) {
    throw new DomainError("validation_failed", {
      detail: "An export covers at most one year; choose a shorter range",
      field: "from",
      reason: "range_too_long",
    });
  }
  return { from, to };
}

/** Every matching transaction, newest first, one history page at a time. */
export async function* transactionPages(
  ctx: AppContext,
  userId: string,
  q: Omit<ExportQuery, "format"> & Range,
): AsyncGenerator<WalletTransaction[]> {
  let cursor: string | undefined;
  do {
    const page = await listTransactions(ctx, userId, { ...q, cursor, limit: PAGE_SIZE });
    if (page.items.length > 0) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

function filename(range: Range, format: ExportFormat): string {
  // The last day covered: `to` is exclusive.
  const last = new Date(Math.max(range.from.getTime(), range.to.getTime() - 1));
  return `opencounter-transactions-${chinaDate(range.from)}_${chinaDate(last)}.${format}`;
}

/**
 * Checks the range and the row count before anything is written (a refusal is a clean
 * problem+json), then returns the file as a stream.
 */
export async function exportTransactions(
  ctx: AppContext,
  userId: string,
  q: ExportQuery,
  bounds: { maxRows: number } = { maxRows: EXPORT_MAX_ROWS },
): Promise<ExportFile> {
  const range = exportRange(ctx.clock.now(), q);
  await takeExport(ctx, userId);
  const accountIds = (await listCustomerAccounts(ctx.db, userId)).map((a) => a.id);
  const rows = await countTransactionEntries(ctx.db, accountIds, {
    types: q.type ? ledgerTypes(q.type) : undefined,
    from: range.from,
    to: range.to,
    direction: q.direction,
  });
  if (rows > bounds.maxRows) {
    throw new DomainError("validation_failed", {
      detail: `An export holds at most ${bounds.maxRows} rows and this range has ${rows}; choose a shorter range`,
      field: "from",
      reason: "too_many_rows",
      rows,
      maxRows: bounds.maxRows,
    });
  }
  const lang = await exportLanguage(ctx, userId);
  const filter = { type: q.type, direction: q.direction, ...range };
  const pages = transactionPages(ctx, userId, filter);
  switch (q.format) {
    case "csv":
      return {
        filename: filename(range, "csv"),
        contentType: "text/csv; charset=utf-8",
        rows,
        body: Readable.from(csvChunks(lang, pages)),
      };
    case "xlsx":
      return {
        filename: filename(range, "xlsx"),
        contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        rows,
        body: xlsxStream(lang, pages),
      };
    default: {
      const unexpected: never = q.format;
      throw new Error(`unknown export format ${String(unexpected)}`);
    }
  }
}

// --- writing ---

async function* csvChunks(lang: ExportLanguage, pages: AsyncIterable<WalletTransaction[]>) {
  // The byte-order mark makes Excel (set to Chinese) read the file as UTF-8, not GBK.
  yield `\uFEFF${HEADERS[lang].map(csvField).join(",")}\r\n`;
  for await (const page of pages) {
    yield page.map((t) => csvLine(lang, t)).join("");
  }
}

/** Excel has no time zones: a cell shows the Date's UTC fields, so China time is shifted in. */
function excelChinaTime(at: Date): Date {
  return new Date(at.getTime() + CHINA_OFFSET_MS);
}

const YUAN_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00';

function xlsxStream(lang: ExportLanguage, pages: AsyncIterable<WalletTransaction[]>): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  workbook.creator = "OpenCounter";
  const sheet = workbook.addWorksheet(lang === "en" ? "Transactions" : "交易明细", {
    views: [{ state: "frozen", ySplit: 1 }],
  });
  const [time, iso, id, type, direction, counterparty, yuan, fen, currency, status, memo] = HEADERS[lang];
  sheet.columns = [
    { header: time, key: "time", width: 22, style: { numFmt: "yyyy-mm-dd hh:mm:ss" } },
    { header: iso, key: "iso", width: 26 },
    { header: id, key: "id", width: 38 },
    { header: type, key: "type", width: 10 },
    { header: direction, key: "direction", width: 8 },
    { header: counterparty, key: "counterparty", width: 14 },
    { header: yuan, key: "yuan", width: 18, style: { numFmt: YUAN_FORMAT } },
    { header: fen, key: "fen", width: 14, style: { numFmt: "0" } },
    { header: currency, key: "currency", width: 8 },
    { header: status, key: "status", width: 8 },
    { header: memo, key: "memo", width: 30 },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();

  const write = async () => {
    for await (const page of pages) {
      // The client went away: stop reading pages nobody will receive.
      if (out.destroyed) return;
      for (const t of page) {
        const fenAmount = signed(t);
        // Typed cells: numbers and dates, so nothing here is ever read as a formula; memo
        // text is guarded anyway for anyone who saves the sheet as CSV.
        sheet
          .addRow({
            time: excelChinaTime(t.createdAt),
            iso: t.createdAt.toISOString(),
            id: t.id,
            type: typeLabel(lang, t.type),
            direction: directionLabel(lang, t.direction),
            counterparty: guardFormula(t.counterparty),
            yuan: Number(fenAmount) / 100,
            fen: Number(fenAmount),
            currency: t.currency,
            status: statusLabel(lang, t.status),
            memo: guardFormula(t.memo ?? ""),
          })
          .commit();
      }
    }
    sheet.commit();
    await workbook.commit();
  };
  write().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
