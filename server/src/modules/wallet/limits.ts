// Transfer limits, checked inside the transaction that moves the money.
//
// Deliberately simple for now: one daily cap on customer-to-customer transfers, by
// verification level. The full PBOC 2015 No. 43 classes (cumulative and yearly caps), limits
// per business and customer-set limits are a later step; they slot in beside this table.

/** Daily cap on transfers to other customers, in fen, by the payer's verification level. */
export const DAILY_TRANSFER_LIMITS: Readonly<Record<number, bigint>> = {
  0: 500_000n, // ¥5,000
  1: 500_000n, // ¥5,000
};

/** The cap for any level the table does not name. */
export const DEFAULT_DAILY_TRANSFER_LIMIT = 500_000n;

export function dailyTransferLimit(verificationLevel: number): bigint {
  return DAILY_TRANSFER_LIMITS[verificationLevel] ?? DEFAULT_DAILY_TRANSFER_LIMIT;
}

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight in China (UTC+8, no daylight saving) at or before `now`: when the day's limit resets. */
export function startOfChinaDay(now: Date): Date {
  const local = now.getTime() + CHINA_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - CHINA_OFFSET_MS);
}
