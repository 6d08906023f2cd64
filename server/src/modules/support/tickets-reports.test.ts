// The support reports on a known week of desk work, stored in PostgreSQL as the desk would have
// left it: tickets with their answers and surveys, SLA clocks, live chats with their replies and
// ratings. Every figure is checked against what a supervisor would count by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, type LoggedIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import type { SupportSlaTarget, SupportTicketPriority } from "../../db/schema.js";

let t: TestApp;
let agentA: LoggedIn;
let agentB: LoggedIn;
let supervisor: LoggedIn;
let idle: LoggedIn;

/** China time (UTC+8) as a Date: cst("11-17 10:00") is 2026-11-17 10:00 in Beijing. */
function cst(monthDayTime: string): Date {
  return new Date(`2026-${monthDayTime.replace(" ", "T")}:00+08:00`);
}
const minutes = (d: Date, n: number) => new Date(d.getTime() + n * 60_000);

const period = { from: cst("11-17 00:00").toISOString(), to: cst("11-19 00:00").toISOString() };

async function aTicket(opts: {
  customer: LoggedIn;
  channel: "chat" | "email" | "phone";
  category: "account_login" | "question" | "dispute_failed";
  createdAt: Date;
  firstResponseAt?: Date;
  resolvedAt?: Date;
  assignee?: LoggedIn;
  mergedInto?: string;
}): Promise<string> {
  const status = opts.mergedInto ? "closed" : opts.resolvedAt ? "resolved" : "open";
  const row = await t.db
    .insertInto("support_tickets")
    .values({
      customer_id: opts.customer.user.id,
      channel: opts.channel,
      subject: "问题",
      category: opts.category,
      priority: "normal",
      status,
      assignee_id: opts.assignee?.user.id ?? null,
      merged_into_id: opts.mergedInto ?? null,
      created_at: opts.createdAt,
      updated_at: opts.createdAt,
      first_response_at: opts.firstResponseAt ?? null,
      resolved_at: opts.resolvedAt ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function aTicketMessage(ticketId: string, by: LoggedIn, kind: "agent" | "note", at: Date) {
  await t.db
    .insertInto("support_ticket_messages")
    .values({
      ticket_id: ticketId,
      kind,
      author_id: by.user.id,
      channel: "console",
      body: "已处理",
      created_at: at,
    })
    .execute();
}

async function aSurvey(ticketId: string, customer: LoggedIn, rating: number | null, answeredAt: Date | null) {
  await t.db
    .insertInto("support_surveys")
    .values({
      ticket_id: ticketId,
      customer_id: customer.user.id,
      sent_at: answeredAt ?? cst("11-18 09:00"),
      rating,
      answered_at: answeredAt,
    })
    .execute();
}

async function aBreach(
  ticketId: string,
  target: SupportSlaTarget,
  priority: SupportTicketPriority,
  at: Date | null,
  escalatedTo: "supervisor" | "technical" | null = null,
) {
  await t.db
    .insertInto("support_sla_timers")
    .values({
      ticket_id: ticketId,
      target,
      priority,
      started_at: cst("11-17 08:00"),
      warn_at: cst("11-17 08:10"),
      due_at: at ?? cst("11-25 08:00"),
      breached_at: at,
      escalated_to: escalatedTo,
    })
    .execute();
}

/** A live chat; `queuedAt` null is one the bot kept to itself. */
async function aChat(opts: {
  customer: LoggedIn;
  status: "bot" | "queued" | "assigned" | "closed";
  agent?: LoggedIn;
  reason?: string;
  queuedAt: Date | null;
  firstReplyAfterMinutes?: number;
}): Promise<string> {
  const created = opts.queuedAt ?? cst("11-17 09:00");
  const row = await t.db
    .insertInto("support_conversations")
    .values({
      customer_id: opts.customer.user.id,
      status: opts.status,
      assigned_agent_id: opts.status === "assigned" ? (opts.agent?.user.id ?? null) : null,
      handover_reason: opts.reason ?? null,
      created_at: created,
      updated_at: created,
      queued_at: opts.queuedAt,
      first_agent_reply_at:
        opts.queuedAt && opts.firstReplyAfterMinutes !== undefined
          ? minutes(opts.queuedAt, opts.firstReplyAfterMinutes)
          : null,
      closed_at: opts.status === "closed" ? minutes(created, 30) : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function aChatMessage(
  conversationId: string,
  by: LoggedIn,
  authorKind: "agent" | "customer",
  at: Date,
) {
  await t.db
    .insertInto("support_messages")
    .values({
      conversation_id: conversationId,
      author_kind: authorKind,
      author_id: by.user.id,
      body: "您好",
      created_at: at,
    })
    .execute();
}

async function aChatRating(conversationId: string, customer: LoggedIn, rating: number, at: Date) {
  await t.db
    .insertInto("support_chat_ratings")
    .values({ conversation_id: conversationId, customer_id: customer.user.id, rating, created_at: at })
    .execute();
}

beforeAll(async () => {
  t = await createTestApp();
  agentA = await createStaff(t, { roles: ["agent"], name: "王坐席" });
  agentB = await createStaff(t, { roles: ["agent"], name: "=赵坐席" });
  supervisor = await createStaff(t, { roles: ["supervisor"], name: "李主管" });
  idle = await createStaff(t, { roles: ["agent"], name: "闲坐席" });
  const customers: LoggedIn[] = [];
  for (let i = 0; i < 7; i++) customers.push(await createCustomer(t));
  const [c1, c2, c3, c4, c5, c6, c7] = customers as [
    LoggedIn,
    LoggedIn,
    LoggedIn,
    LoggedIn,
    LoggedIn,
    LoggedIn,
    LoggedIn,
  ];

  // Tickets. Answers and resolutions in business minutes: 10/120, 20/60, 0/30 (a logged call),
  // and a chat ticket left at 23:30 and answered at 08:30 next morning: 30/120, not 540/630.
  const t1 = await aTicket({
    customer: c1,
    channel: "email",
    category: "account_login",
    createdAt: cst("11-17 10:00"),
    firstResponseAt: cst("11-17 10:10"),
    resolvedAt: cst("11-17 12:00"),
    assignee: agentA,
  });
  const t2 = await aTicket({
    customer: c2,
    channel: "email",
    category: "question",
    createdAt: cst("11-17 11:00"),
    firstResponseAt: cst("11-17 11:20"),
    resolvedAt: cst("11-17 12:00"),
    assignee: agentB,
  });
  const t3 = await aTicket({
    customer: c3,
    channel: "phone",
    category: "account_login",
    createdAt: cst("11-17 12:00"),
    firstResponseAt: cst("11-17 12:00"),
    resolvedAt: cst("11-17 12:30"),
  });
  const t4 = await aTicket({
    customer: c4,
    channel: "chat",
    category: "dispute_failed",
    createdAt: cst("11-17 23:30"),
    firstResponseAt: cst("11-18 08:30"),
    resolvedAt: cst("11-18 10:00"),
  });
  const t5 = await aTicket({
    customer: c5,
    channel: "email",
    category: "question",
    createdAt: cst("11-18 09:00"),
    assignee: agentA,
  });
  // Merged away, and after the period: neither counts.
  await aTicket({
    customer: c2,
    channel: "email",
    category: "question",
    createdAt: cst("11-18 09:30"),
    mergedInto: t2,
  });
  const late = await aTicket({
    customer: c6,
    channel: "phone",
    category: "question",
    createdAt: cst("11-20 10:00"),
    firstResponseAt: cst("11-20 10:00"),
    resolvedAt: cst("11-20 10:05"),
  });

  await aTicketMessage(t1, agentA, "agent", cst("11-17 10:10"));
  await aTicketMessage(t5, agentA, "agent", cst("11-18 09:40"));
  await aTicketMessage(t5, agentA, "note", cst("11-18 09:45"));
  await aTicketMessage(t2, agentB, "agent", cst("11-17 11:20"));

  await aSurvey(t1, c1, 5, cst("11-18 12:00"));
  await aSurvey(t2, c2, 2, cst("11-18 12:30"));
  await aSurvey(t3, c3, null, null);
  await aSurvey(late, c6, 1, cst("11-20 12:00"));

  await aBreach(t4, "first_response", "high", cst("11-18 08:15"), "supervisor");
  await aBreach(t5, "resolution", "low", cst("11-18 20:00"), "technical");
  await aBreach(t1, "next_response", "normal", cst("11-20 09:00"), "supervisor");
  await aBreach(t3, "resolution", "normal", null);

  // Live chats handed to a person: first replies after 1, 2, 3 and 10 minutes, one still waiting.
  const chat1 = await aChat({
    customer: c1,
    status: "closed",
    reason: "asked",
    queuedAt: cst("11-17 10:00"),
    firstReplyAfterMinutes: 1,
  });
  const chat2 = await aChat({
    customer: c2,
    status: "closed",
    reason: "low_confidence",
    queuedAt: cst("11-17 11:00"),
    firstReplyAfterMinutes: 2,
  });
  const chat3 = await aChat({
    customer: c3,
    status: "closed",
    reason: "asked",
    queuedAt: cst("11-18 10:00"),
    firstReplyAfterMinutes: 3,
  });
  const chat4 = await aChat({
    customer: c4,
    status: "assigned",
    agent: agentA,
    reason: "unhelpful",
    queuedAt: cst("11-18 12:00"),
    firstReplyAfterMinutes: 10,
  });
  await aChat({ customer: c5, status: "queued", reason: "asked", queuedAt: cst("11-18 13:00") });
  await aChat({ customer: c6, status: "bot", queuedAt: null });
  const lateChat = await aChat({
    customer: c7,
    status: "closed",
    reason: "asked",
    queuedAt: cst("11-20 10:00"),
    firstReplyAfterMinutes: 1,
  });

  await aChatMessage(chat1, agentA, "agent", cst("11-17 10:01"));
  await aChatMessage(chat1, agentA, "agent", cst("11-17 10:05"));
  await aChatMessage(chat1, c1, "customer", cst("11-17 10:03"));
  await aChatMessage(chat2, agentA, "agent", cst("11-17 11:02"));
  await aChatMessage(chat3, agentB, "agent", cst("11-18 10:03"));
  await aChatMessage(chat4, agentA, "agent", cst("11-18 12:10"));
  await aChatMessage(lateChat, agentA, "agent", cst("11-20 10:01"));

  await aChatRating(chat1, c1, 5, cst("11-17 10:40"));
  await aChatRating(chat2, c2, 4, cst("11-17 11:40"));
  await aChatRating(chat3, c3, 1, cst("11-18 10:40"));
  await aChatRating(lateChat, c7, 3, cst("11-20 10:40"));
});
afterAll(async () => {
  await t.close();
});

type Report = {
  volume: {
    total: number;
    byCategory: Record<string, number>;
    byChannel: Record<string, number>;
    byDay: Array<{ date: string; count: number }>;
  };
  firstResponseMinutes: { count: number; median: number | null; p90: number | null };
  resolutionMinutes: { count: number; median: number | null; p90: number | null };
  slaBreaches: { total: number; byTarget: Record<string, number>; byPriority: Record<string, number> };
  escalations: Record<string, number>;
  satisfaction: Record<string, unknown>;
  chats: Record<string, unknown>;
  agents: Array<Record<string, unknown>>;
};

async function report(): Promise<Report> {
  const res = await supervisor.client.get("/api/v1/console/support/reports", { query: period });
  expect(res.statusCode).toBe(200);
  return res.json() as Report;
}

async function csvRows(): Promise<string[]> {
  const res = await agentA.client.get("/api/v1/console/support/reports", {
    query: { ...period, format: "csv" },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
  expect(res.headers["content-disposition"]).toBe(
    'attachment; filename="support-report-2026-11-16-2026-11-18.csv"',
  );
  return res.body.split("\r\n");
}

describe("support reports", () => {
  it("counts the period's tickets by category, channel and China-time day, leaving out merged ones", async () => {
    const r = await report();
    expect(r.volume).toEqual({
      total: 5,
      byCategory: { account_login: 2, question: 2, dispute_failed: 1 },
      byChannel: { email: 3, phone: 1, chat: 1 },
      byDay: [
        { date: "2026-11-17", count: 4 },
        { date: "2026-11-18", count: 1 },
      ],
    });
  });

  it("gives first-response and resolution times in business minutes, median and p90", async () => {
    const r = await report();
    // First responses 0, 10, 20, 30; resolutions 30, 60, 120, 120 (nearest rank).
    expect(r.firstResponseMinutes).toEqual({ count: 4, median: 10, p90: 30 });
    expect(r.resolutionMinutes).toEqual({ count: 4, median: 60, p90: 120 });
  });

  it("counts SLA breaches recorded in the period by target and priority", async () => {
    const r = await report();
    expect(r.slaBreaches).toEqual({
      total: 2,
      byTarget: { first_response: 1, resolution: 1 },
      byPriority: { high: 1, low: 1 },
    });
  });

  it("counts escalations: SLA breaches by who heard of them, and tickets a bad survey sent back", async () => {
    const r = await report();
    // The 2-star survey on the email question reopened it to the supervisors.
    expect(r.escalations).toEqual({ total: 3, toSupervisors: 1, toTechnical: 1, afterBadRating: 1 });
  });

  it("counts ticket surveys and chat ratings apart and together", async () => {
    const r = await report();
    expect(r.satisfaction).toEqual({
      answered: 5,
      average: 3.4,
      distribution: { "1": 1, "2": 1, "3": 0, "4": 1, "5": 2 },
      tickets: { answered: 2, average: 3.5, distribution: { "1": 0, "2": 1, "3": 0, "4": 0, "5": 1 } },
      chats: { answered: 3, average: 3.33, distribution: { "1": 1, "2": 0, "3": 0, "4": 1, "5": 1 } },
    });
  });

  it("counts live chats handed to a person and how long they waited for a first reply", async () => {
    const r = await report();
    expect(r.chats).toEqual({
      handedOver: 5,
      byReason: { asked: 3, low_confidence: 1, unhelpful: 1 },
      firstReplyMinutes: { count: 4, median: 2, p90: 10 },
    });
  });

  it("shows each agent's tickets and chats, open now and worked in the period, and leaves out the idle", async () => {
    const r = await report();
    const byId = new Map(r.agents.map((a) => [a.agentId, a]));
    expect(byId.get(agentA.user.id)).toEqual({
      agentId: agentA.user.id,
      name: "王坐席",
      openNow: 1,
      repliesInPeriod: 2,
      resolvedInPeriod: 1,
      openChatsNow: 1,
      chatsAnsweredInPeriod: 3,
      chatRepliesInPeriod: 4,
    });
    expect(byId.get(agentB.user.id)).toMatchObject({
      openNow: 0,
      repliesInPeriod: 1,
      resolvedInPeriod: 1,
      openChatsNow: 0,
      chatsAnsweredInPeriod: 1,
      chatRepliesInPeriod: 1,
    });
    expect(byId.has(idle.user.id)).toBe(false);
    expect(byId.has(supervisor.user.id)).toBe(false);
  });

  it("gives the same figures as CSV rows a spreadsheet opens, with chat ratings beside ticket surveys", async () => {
    const rows = await csvRows();
    expect(rows[0]).toBe("\uFEFFsection,key,value");
    for (const row of [
      "volume,total,5",
      "volume_by_channel,email,3",
      "first_response_minutes,median,10",
      "resolution_minutes,p90,120",
      "sla_breaches_by_priority,high,1",
      "escalations,total,3",
      "escalations,sla_to_technical,1",
      "escalations,after_bad_rating,1",
      "satisfaction,answered,5",
      "satisfaction,average,3.4",
      "satisfaction_distribution,5,2",
      "satisfaction_tickets,average,3.5",
      "satisfaction_tickets_distribution,2,1",
      "satisfaction_chats,answered,3",
      "satisfaction_chats,average,3.33",
      "satisfaction_chats_distribution,1,1",
      "chats,handed_over,5",
      "chats_by_reason,asked,3",
      "chat_first_reply_minutes,median,2",
      "chat_first_reply_minutes,p90,10",
      `agent_open_chats_now,王坐席 (${agentA.user.id}),1`,
      `agent_chats_answered,王坐席 (${agentA.user.id}),3`,
      `agent_chat_replies,王坐席 (${agentA.user.id}),4`,
      // A name that a spreadsheet would run as a formula is quoted.
      `agent_replies,'=赵坐席 (${agentB.user.id}),1`,
    ]) {
      expect(rows).toContain(row);
    }
  });

  it("is for support staff only", async () => {
    const customer = await createCustomer(t);
    const res = await customer.client.get("/api/v1/console/support/reports", { query: period });
    expect(res.statusCode).toBe(403);
  });
});
