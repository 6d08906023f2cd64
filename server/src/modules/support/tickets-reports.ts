// The support desk's figures for a period: volume by category and channel, first-response and
// resolution times (business minutes, median and p90), SLA breaches, satisfaction and agent
// load. Times are counted on the SLA calendar, so a ticket that arrived at night is not
// blamed for the hours nobody was at the desk.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import { businessMinutesBetween } from "./business-hours.js";
import { SLA_CALENDAR } from "./sla.js";
import { OPEN_STATUSES } from "./tickets-store.js";

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

export type Percentiles = { count: number; median: number | null; p90: number | null };

export type SupportReport = {
  from: string;
  to: string;
  volume: {
    total: number;
    byCategory: Record<string, number>;
    byChannel: Record<string, number>;
    /** Tickets per China-time calendar day, oldest first (days without tickets left out). */
    byDay: Array<{ date: string; count: number }>;
  };
  firstResponseMinutes: Percentiles;
  resolutionMinutes: Percentiles;
  slaBreaches: { total: number; byTarget: Record<string, number>; byPriority: Record<string, number> };
  satisfaction: {
    answered: number;
    average: number | null;
    distribution: Record<"1" | "2" | "3" | "4" | "5", number>;
  };
  agents: Array<{
    agentId: string;
    name: string | null;
    openNow: number;
    repliesInPeriod: number;
    resolvedInPeriod: number;
  }>;
};

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

function summarise(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { count: sorted.length, median: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)) };
}

export async function supportReport(db: Executor, from: Date, to: Date): Promise<SupportReport> {
  const tickets = await db
    .selectFrom("support_tickets")
    .select(["category", "channel", "created_at", "first_response_at", "resolved_at"])
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .where("merged_into_id", "is", null)
    .execute();
  const byCategory: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  const firstResponse: number[] = [];
  const resolution: number[] = [];
  const byDay = new Map<string, number>();
  for (const t of tickets) {
    const day = new Date(t.created_at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + 1);
    byCategory[t.category] = (byCategory[t.category] ?? 0) + 1;
    byChannel[t.channel] = (byChannel[t.channel] ?? 0) + 1;
    if (t.first_response_at)
      firstResponse.push(businessMinutesBetween(SLA_CALENDAR, t.created_at, t.first_response_at));
    if (t.resolved_at) resolution.push(businessMinutesBetween(SLA_CALENDAR, t.created_at, t.resolved_at));
  }

  const breaches = await db
    .selectFrom("support_sla_timers")
    .select(["target", "priority", (eb) => eb.fn.countAll<string>().as("n")])
    .where("breached_at", ">=", from)
    .where("breached_at", "<", to)
    .groupBy(["target", "priority"])
    .execute();
  const byTarget: Record<string, number> = {};
  const byPriority: Record<string, number> = {};
  let breachTotal = 0;
  for (const b of breaches) {
    const n = Number(b.n);
    breachTotal += n;
    byTarget[b.target] = (byTarget[b.target] ?? 0) + n;
    byPriority[b.priority] = (byPriority[b.priority] ?? 0) + n;
  }

  const ratings = await db
    .selectFrom("support_surveys")
    .select(["rating", (eb) => eb.fn.countAll<string>().as("n")])
    .where("answered_at", ">=", from)
    .where("answered_at", "<", to)
    .where("rating", "is not", null)
    .groupBy("rating")
    .execute();
  const distribution = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  let answered = 0;
  let sum = 0;
  for (const r of ratings) {
    const n = Number(r.n);
    const key = String(r.rating) as keyof typeof distribution;
    if (key in distribution) distribution[key] = n;
    answered += n;
    sum += (r.rating ?? 0) * n;
  }

  const agents = await db
    .selectFrom("users as u")
    .select([
      "u.id",
      "u.name",
      sql<number>`(select count(*)::int from support_tickets t
                   where t.assignee_id = u.id and t.status in (${sql.join(OPEN_STATUSES)}))`.as("open_now"),
      sql<number>`(select count(*)::int from support_ticket_messages m
                   where m.author_id = u.id and m.kind = 'agent'
                     and m.created_at >= ${from} and m.created_at < ${to})`.as("replies"),
      sql<number>`(select count(*)::int from support_tickets t
                   where t.assignee_id = u.id and t.resolved_at >= ${from} and t.resolved_at < ${to})`.as(
        "resolved",
      ),
    ])
    .where("u.kind", "=", "staff")
    .where(sql<boolean>`u.roles && array['agent', 'supervisor']::text[]`)
    .orderBy("u.name")
    .execute();

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    volume: {
      total: tickets.length,
      byCategory,
      byChannel,
      byDay: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([date, count]) => ({ date, count })),
    },
    firstResponseMinutes: summarise(firstResponse),
    resolutionMinutes: summarise(resolution),
    slaBreaches: { total: breachTotal, byTarget, byPriority },
    satisfaction: {
      answered,
      average: answered ? Math.round((sum / answered) * 100) / 100 : null,
      distribution,
    },
    agents: agents
      .filter((a) => a.open_now > 0 || a.replies > 0 || a.resolved > 0)
      .map((a) => ({
        agentId: a.id,
        name: a.name,
        openNow: a.open_now,
        repliesInPeriod: a.replies,
        resolvedInPeriod: a.resolved,
      })),
  };
}

function csvCell(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The same figures as rows of section, key, value — one table a spreadsheet opens as is. */
export function reportCsv(r: SupportReport): string {
  const rows: Array<[string, string, string | number | null]> = [
    ["period", "from", r.from],
    ["period", "to", r.to],
    ["volume", "total", r.volume.total],
    ...Object.entries(r.volume.byCategory).map(([k, v]): [string, string, number] => [
      "volume_by_category",
      k,
      v,
    ]),
    ...Object.entries(r.volume.byChannel).map(([k, v]): [string, string, number] => [
      "volume_by_channel",
      k,
      v,
    ]),
    ...r.volume.byDay.map((d): [string, string, number] => ["volume_by_day", d.date, d.count]),
    ["first_response_minutes", "count", r.firstResponseMinutes.count],
    ["first_response_minutes", "median", r.firstResponseMinutes.median],
    ["first_response_minutes", "p90", r.firstResponseMinutes.p90],
    ["resolution_minutes", "count", r.resolutionMinutes.count],
    ["resolution_minutes", "median", r.resolutionMinutes.median],
    ["resolution_minutes", "p90", r.resolutionMinutes.p90],
    ["sla_breaches", "total", r.slaBreaches.total],
    ...Object.entries(r.slaBreaches.byTarget).map(([k, v]): [string, string, number] => [
      "sla_breaches_by_target",
      k,
      v,
    ]),
    ...Object.entries(r.slaBreaches.byPriority).map(([k, v]): [string, string, number] => [
      "sla_breaches_by_priority",
      k,
      v,
    ]),
    ["satisfaction", "answered", r.satisfaction.answered],
    ["satisfaction", "average", r.satisfaction.average],
    ...Object.entries(r.satisfaction.distribution).map(([k, v]): [string, string, number] => [
      "satisfaction_distribution",
      k,
      v,
    ]),
    ...r.agents.flatMap(
      (a): Array<[string, string, number]> => [
        ["agent_open_now", `${a.name ?? ""} (${a.agentId})`, a.openNow],
        ["agent_replies", `${a.name ?? ""} (${a.agentId})`, a.repliesInPeriod],
        ["agent_resolved", `${a.name ?? ""} (${a.agentId})`, a.resolvedInPeriod],
      ],
    ),
  ];
  return `\uFEFFsection,key,value\r\n${rows.map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
