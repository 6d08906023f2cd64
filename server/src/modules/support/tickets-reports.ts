// The support desk's figures for a period: volume by category and channel, first-response and
// resolution times (business minutes, median and p90), SLA breaches and escalations, satisfaction (ticket surveys
// and chat ratings, apart and together), live chats handed to a person, and agent load. Ticket
// times are counted on the SLA calendar, so a ticket that arrived at night is not blamed for the
// hours nobody was at the desk; a live chat's wait is wall-clock time, as the customer waited.
import { sql } from "kysely";
import { z } from "zod";
import type { Executor } from "../../db/database.js";
import { businessMinutesBetween } from "./business-hours.js";
import { SLA_CALENDAR } from "./sla.js";
import { OPEN_STATUSES } from "./tickets-store.js";

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

const percentiles = z.object({
  count: z.number(),
  median: z.number().nullable(),
  p90: z.number().nullable(),
});
export type Percentiles = z.infer<typeof percentiles>;

export const RATINGS = ["1", "2", "3", "4", "5"] as const;
const ratingSummary = z.object({
  answered: z.number(),
  average: z.number().nullable(),
  distribution: z.record(z.enum(RATINGS), z.number()),
});
export type RatingSummary = z.infer<typeof ratingSummary>;

/** The report as JSON; the route's response schema. */
export const supportReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  volume: z.object({
    total: z.number(),
    byCategory: z.record(z.string(), z.number()),
    byChannel: z.record(z.string(), z.number()),
    byDay: z
      .array(z.object({ date: z.string(), count: z.number() }))
      .describe("Tickets per China-time calendar day, oldest first (days without tickets left out)"),
  }),
  firstResponseMinutes: percentiles.describe("Business minutes"),
  resolutionMinutes: percentiles.describe("Business minutes"),
  slaBreaches: z.object({
    total: z.number(),
    byTarget: z.record(z.string(), z.number()),
    byPriority: z.record(z.string(), z.number()),
  }),
  escalations: z
    .object({
      total: z.number(),
      toSupervisors: z.number(),
      toTechnical: z.number(),
      afterBadRating: z.number(),
    })
    .describe(
      "Escalations in the period: SLA breaches to supervisors or the technical team, and tickets a 1–2 survey sent back to supervisors",
    ),
  satisfaction: ratingSummary
    .extend({ tickets: ratingSummary, chats: ratingSummary })
    .describe("Ticket surveys and chat ratings together, and each apart"),
  chats: z
    .object({
      handedOver: z.number(),
      byReason: z.record(z.string(), z.number()),
      firstReplyMinutes: percentiles.describe(
        "Wall-clock minutes from the hand-over to the first agent reply",
      ),
    })
    .describe("Live chats handed to a person in the period (the bot's own conversations left out)"),
  agents: z.array(
    z.object({
      agentId: z.string(),
      name: z.string().nullable(),
      openNow: z.number(),
      repliesInPeriod: z.number(),
      resolvedInPeriod: z.number(),
      openChatsNow: z.number(),
      chatsAnsweredInPeriod: z.number(),
      chatRepliesInPeriod: z.number(),
    }),
  ),
});
export type SupportReport = z.infer<typeof supportReportSchema>;

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
    .select(["target", "priority", "escalated_to", (eb) => eb.fn.countAll<string>().as("n")])
    .where("breached_at", ">=", from)
    .where("breached_at", "<", to)
    .groupBy(["target", "priority", "escalated_to"])
    .execute();
  const byTarget: Record<string, number> = {};
  const byPriority: Record<string, number> = {};
  let breachTotal = 0;
  const escalatedTo = { supervisor: 0, technical: 0 };
  for (const b of breaches) {
    const n = Number(b.n);
    breachTotal += n;
    if (b.escalated_to === "supervisor" || b.escalated_to === "technical") escalatedTo[b.escalated_to] += n;
    byTarget[b.target] = (byTarget[b.target] ?? 0) + n;
    byPriority[b.priority] = (byPriority[b.priority] ?? 0) + n;
  }

  const ticketRatings = await db
    .selectFrom("support_surveys")
    .select(["rating", (eb) => eb.fn.countAll<string>().as("n")])
    .where("answered_at", ">=", from)
    .where("answered_at", "<", to)
    .where("rating", "is not", null)
    .groupBy("rating")
    .execute();
  const chatRatings = await db
    .selectFrom("support_chat_ratings")
    .select(["rating", (eb) => eb.fn.countAll<string>().as("n")])
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .groupBy("rating")
    .execute();
  const ticketSatisfaction = rateSummary(ticketRatings);
  // A survey of 1 or 2 reopens the ticket to the supervisors (tickets.ts answerSurvey).
  const afterBadRating = ticketSatisfaction.distribution["1"] + ticketSatisfaction.distribution["2"];
  const chatSatisfaction = rateSummary(chatRatings);

  const chats = await db
    .selectFrom("support_conversations")
    .select(["handover_reason", "queued_at", "first_agent_reply_at"])
    .where("queued_at", ">=", from)
    .where("queued_at", "<", to)
    .execute();
  const byReason: Record<string, number> = {};
  const chatFirstReply: number[] = [];
  for (const c of chats) {
    const reason = c.handover_reason ?? "unknown";
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    if (c.queued_at && c.first_agent_reply_at) {
      chatFirstReply.push(Math.max(0, c.first_agent_reply_at.getTime() - c.queued_at.getTime()) / 60_000);
    }
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
  const openChats = await db
    .selectFrom("support_conversations")
    .select(["assigned_agent_id", (eb) => eb.fn.countAll<string>().as("n")])
    .where("status", "=", "assigned")
    .groupBy("assigned_agent_id")
    .execute();
  // A closed chat no longer names its agent; who answered it is in the messages.
  const chatWork = await db
    .selectFrom("support_messages")
    .select([
      "author_id",
      (eb) => eb.fn.countAll<string>().as("replies"),
      sql<string>`count(distinct conversation_id)`.as("conversations"),
    ])
    .where("author_kind", "=", "agent")
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .groupBy("author_id")
    .execute();
  const openChatsOf = new Map(openChats.map((r) => [r.assigned_agent_id, Number(r.n)]));
  const chatWorkOf = new Map(
    chatWork.map((r) => [
      r.author_id,
      { replies: Number(r.replies), conversations: Number(r.conversations) },
    ]),
  );

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
    escalations: {
      total: escalatedTo.supervisor + escalatedTo.technical + afterBadRating,
      toSupervisors: escalatedTo.supervisor,
      toTechnical: escalatedTo.technical,
      afterBadRating,
    },
    satisfaction: {
      ...combine(ticketSatisfaction, chatSatisfaction),
      tickets: ticketSatisfaction,
      chats: chatSatisfaction,
    },
    chats: { handedOver: chats.length, byReason, firstReplyMinutes: summarise(chatFirstReply) },
    agents: agents
      .map((a) => ({
        agentId: a.id,
        name: a.name,
        openNow: a.open_now,
        repliesInPeriod: a.replies,
        resolvedInPeriod: a.resolved,
        openChatsNow: openChatsOf.get(a.id) ?? 0,
        chatsAnsweredInPeriod: chatWorkOf.get(a.id)?.conversations ?? 0,
        chatRepliesInPeriod: chatWorkOf.get(a.id)?.replies ?? 0,
      }))
      .filter(
        (a) =>
          a.openNow > 0 ||
          a.repliesInPeriod > 0 ||
          a.resolvedInPeriod > 0 ||
          a.openChatsNow > 0 ||
          a.chatRepliesInPeriod > 0,
      ),
  };
}

function average(sum: number, answered: number): number | null {
  return answered ? Math.round((sum / answered) * 100) / 100 : null;
}

function rateSummary(rows: Array<{ rating: number | null; n: string }>): RatingSummary {
  const distribution = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  let answered = 0;
  let sum = 0;
  for (const r of rows) {
    const key = String(r.rating);
    if (r.rating === null || !(key in distribution)) continue;
    const n = Number(r.n);
    distribution[key as keyof typeof distribution] = n;
    answered += n;
    sum += r.rating * n;
  }
  return { answered, average: average(sum, answered), distribution };
}

/** Ticket surveys and chat ratings as one: every answer weighs the same. */
function combine(a: RatingSummary, b: RatingSummary): RatingSummary {
  const distribution = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  let sum = 0;
  for (const k of RATINGS) {
    distribution[k] = a.distribution[k] + b.distribution[k];
    sum += Number(k) * distribution[k];
  }
  const answered = a.answered + b.answered;
  return { answered, average: average(sum, answered), distribution };
}

function csvCell(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function ratingRows(section: string, s: RatingSummary): Array<[string, string, number | null]> {
  return [
    [section, "answered", s.answered],
    [section, "average", s.average],
    ...RATINGS.map((k): [string, string, number] => [`${section}_distribution`, k, s.distribution[k]]),
  ];
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
    ["escalations", "total", r.escalations.total],
    ["escalations", "sla_to_supervisors", r.escalations.toSupervisors],
    ["escalations", "sla_to_technical", r.escalations.toTechnical],
    ["escalations", "after_bad_rating", r.escalations.afterBadRating],
    ...ratingRows("satisfaction", r.satisfaction),
    ...ratingRows("satisfaction_tickets", r.satisfaction.tickets),
    ...ratingRows("satisfaction_chats", r.satisfaction.chats),
    ["chats", "handed_over", r.chats.handedOver],
    ...Object.entries(r.chats.byReason).map(([k, v]): [string, string, number] => ["chats_by_reason", k, v]),
    ["chat_first_reply_minutes", "count", r.chats.firstReplyMinutes.count],
    ["chat_first_reply_minutes", "median", r.chats.firstReplyMinutes.median],
    ["chat_first_reply_minutes", "p90", r.chats.firstReplyMinutes.p90],
    ...r.agents.flatMap((a): Array<[string, string, number]> => {
      const who = `${a.name ?? ""} (${a.agentId})`;
      return [
        ["agent_open_now", who, a.openNow],
        ["agent_replies", who, a.repliesInPeriod],
        ["agent_resolved", who, a.resolvedInPeriod],
        ["agent_open_chats_now", who, a.openChatsNow],
        ["agent_chats_answered", who, a.chatsAnsweredInPeriod],
        ["agent_chat_replies", who, a.chatRepliesInPeriod],
      ];
    }),
  ];
  return `\uFEFFsection,key,value\r\n${rows.map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
