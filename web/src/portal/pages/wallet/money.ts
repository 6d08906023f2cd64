// Money on the customer's screens: amounts travel as integer fen and are typed and shown in yuan;
// every money POST carries one Idempotency-Key per intent, kept when the same intent is retried.
import { useCallback, useRef } from "react";
import { ApiError, api } from "../../../common/api";

/** ¥1,234.50 from 123450 fen; integers only, so no float ever touches an amount. */
export function formatYuan(fen: number, currency = "CNY"): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100).toLocaleString("en-US");
  const symbol = currency === "CNY" ? "¥" : `${currency} `;
  return `${sign}${symbol}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}

/** Fen from what a person typed in yuan ("100", "99.5", "0.01"); null when it is not an amount. */
export function parseYuan(text: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/[,，\s]/g, ""));
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(fen) && fen > 0 ? fen : null;
}

/** The yuan text for an amount in fen, for filling an input ("12.5" → "12.50"). */
export function yuanText(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export type IntentKeys = {
  /** The key for this intent: the same as last time while the intent is unchanged. */
  keyFor: (intent: unknown) => string;
  /** The intent went through; the next one gets a fresh key. */
  finished: () => void;
};

/**
 * One Idempotency-Key per thing the customer means to do. A retry after a network failure or a
 * wrong payment password sends the same key, so the server does it at most once; changing the
 * amount or the payee is a new intent and gets a new key.
 */
export function useIntentKeys(): IntentKeys {
  const current = useRef<{ intent: string; key: string } | null>(null);
  const keyFor = useCallback((intent: unknown) => {
    const text = JSON.stringify(intent);
    if (!current.current || current.current.intent !== text)
      current.current = { intent: text, key: newKey() };
    return current.current.key;
  }, []);
  const finished = useCallback(() => {
    current.current = null;
  }, []);
  return { keyFor, finished };
}

export function postMoney<T>(path: string, body: unknown, key: string): Promise<T> {
  return api<T>("POST", path, body, { headers: { "idempotency-key": key } });
}

/** A number the problem carries as an extension member, if it does. */
export function problemNumber(err: unknown, name: string): number | null {
  if (!(err instanceof ApiError)) return null;
  const v = err.problem[name];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function problemString(err: unknown, name: string): string | null {
  if (!(err instanceof ApiError)) return null;
  const v = err.problem[name];
  return typeof v === "string" ? v : null;
}

/** Midnight in China of a yyyy-mm-dd date, as the ISO instant the API wants. */
export function chinaMidnight(date: string, plusDays = 0): string {
  const d = new Date(`${date}T00:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString();
}
