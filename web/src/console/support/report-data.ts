// The support report as the server sends it (GET /api/v1/console/support/reports), the period a
// supervisor picks in China dates, and the CSV download with the session.
import { ApiError, type Problem } from "../../common/api";

export type Percentiles = { count: number; median: number | null; p90: number | null };
export type Rating = "1" | "2" | "3" | "4" | "5";
export const RATINGS: Rating[] = ["1", "2", "3", "4", "5"];
export type RatingSummary = {
  answered: number;
  average: number | null;
  distribution: Record<Rating, number>;
};

export type SupportReport = {
  from: string;
  to: string;
  volume: {
    total: number;
    byCategory: Record<string, number>;
    byChannel: Record<string, number>;
    byDay: Array<{ date: string; count: number }>;
  };
  firstResponseMinutes: Percentiles;
  resolutionMinutes: Percentiles;
  slaBreaches: { total: number; byTarget: Record<string, number>; byPriority: Record<string, number> };
  escalations: { total: number; toSupervisors: number; toTechnical: number; afterBadRating: number };
  satisfaction: RatingSummary & { tickets: RatingSummary; chats: RatingSummary };
  chats: { handedOver: number; byReason: Record<string, number>; firstReplyMinutes: Percentiles };
  agents: Array<{
    agentId: string;
    name: string | null;
    openNow: number;
    repliesInPeriod: number;
    resolvedInPeriod: number;
    openChatsNow: number;
    chatsAnsweredInPeriod: number;
    chatRepliesInPeriod: number;
  }>;
};

const DAY_MS = 24 * 3_600_000;

/** Today's date in China (the desk's calendar), as YYYY-MM-DD. */
export function chinaToday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The last `days` China days, today included. */
export function lastDays(days: number, now = Date.now()): { from: string; to: string } {
  const to = chinaToday(now);
  return { from: addDays(to, -(days - 1)), to };
}

/** From the start of the first China day to the end of the last one. */
export function reportQuery(period: { from: string; to: string }, format?: "csv"): string {
  const q = new URLSearchParams({
    from: `${period.from}T00:00:00+08:00`,
    to: `${addDays(period.to, 1)}T00:00:00+08:00`,
  });
  if (format) q.set("format", format);
  return `/api/v1/console/support/reports?${q}`;
}

/** Fetches the CSV with the session cookie and hands it to the browser as a file. */
export async function downloadReportCsv(period: { from: string; to: string }): Promise<string> {
  const res = await fetch(reportQuery(period, "csv"), {
    credentials: "same-origin",
    headers: { accept: "text/csv, application/problem+json" },
  });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as Partial<Problem>;
    throw new ApiError({
      type: p.type ?? "about:blank",
      title: p.title ?? res.statusText,
      status: p.status ?? res.status,
      code: p.code ?? "internal_error",
      ...p,
    } as Problem);
  }
  const name = `support-report-${period.from}-${period.to}.csv`;
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has started the download; the URL can go once this task is over.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
  return name;
}
