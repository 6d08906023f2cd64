// SLA clocks on the manual clock, no sleeps: the warning goes to the assignee, the breach is
// recorded once and escalated (supervisors; the technical team for a system fault), answers
// stop the clocks, and closed hours do not count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, type LoggedIn, logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { checkSlaTimers } from "./sla.js";

let t: TestApp;
let agent: LoggedIn;
let supervisor: LoggedIn;
let technician: LoggedIn;
const MINUTE = 60_000;

beforeAll(async () => {
  // 10:00 on a Sunday in Beijing; the desk is staffed 08:00–22:00 every day.
  t = await createTestApp();
  agent = await createStaff(t, { roles: ["agent"], name: "SLA坐席" });
  supervisor = await createStaff(t, { roles: ["supervisor"], name: "SLA主管" });
  technician = await createStaff(t, { roles: ["technician"], name: "SLA技术" });
});
afterAll(async () => {
  await t.close();
});

async function everyoneLogsInAgain() {
  for (const who of [agent, supervisor, technician]) who.client = await logIn(t, who.user.id);
}

/** A customer leaves a request in the portal; the agent takes it. */
async function request(body: string) {
  const customer = await createCustomer(t);
  const res = await customer.client.post("/api/v1/support/tickets", { subject: body.slice(0, 20), body });
  expect(res.statusCode).toBe(201);
  const ticket = res.json().ticket as { id: string; priority: string; category: string };
  const taken = await agent.client.patch(`/api/v1/console/support/tickets/${ticket.id}`, {
    assigneeId: agent.user.id,
  });
  expect(taken.statusCode).toBe(200);
  return { customer, ticket };
}

/** An agent logs a phone call: the call itself was the first response. */
async function logCall(body: string) {
  const customer = await createCustomer(t);
  const res = await agent.client.post("/api/v1/console/support/tickets", {
    channel: "phone",
    customerId: customer.user.id,
    subject: "来电",
    body,
  });
  expect(res.statusCode).toBe(201);
  return { customer, ticket: res.json().ticket as { id: string; priority: string; category: string } };
}

async function timersOf(ticketId: string) {
  return t.db
    .selectFrom("support_sla_timers")
    .selectAll()
    .where("ticket_id", "=", ticketId)
    .orderBy("id")
    .execute();
}

async function kindsFor(userId: string) {
  const rows = await t.db.selectFrom("notifications").select("kind").where("user_id", "=", userId).execute();
  return rows.map((r) => r.kind);
}

describe("SLA clocks", () => {
  it("warns the assignee before the first-response deadline, then records the breach once and tells the supervisors", async () => {
    const { ticket } = await request("有一笔不是我操作的转账，账号好像被盗了");
    expect(ticket).toMatchObject({ category: "security_alert", priority: "urgent" });
    const [first] = await timersOf(ticket.id);
    expect(first).toMatchObject({ target: "first_response", priority: "urgent" });
    // Urgent: 15 business minutes, warned at 75 %.
    expect(first?.due_at.getTime()).toBe(t.clock.now().getTime() + 15 * MINUTE);
    expect(first?.warn_at.getTime()).toBe(t.clock.now().getTime() + 11.25 * MINUTE);

    t.clock.advance(11 * MINUTE);
    await checkSlaTimers(t.ctx);
    expect((await timersOf(ticket.id))[0]?.warned_at).toBeNull();

    t.clock.advance(1 * MINUTE);
    await checkSlaTimers(t.ctx);
    expect((await timersOf(ticket.id))[0]?.warned_at).not.toBeNull();
    expect(await kindsFor(agent.user.id)).toContain("support_sla_warning");

    t.clock.advance(4 * MINUTE);
    await checkSlaTimers(t.ctx);
    await checkSlaTimers(t.ctx);
    const [breached] = await timersOf(ticket.id);
    expect(breached).toMatchObject({ escalated_to: "supervisor" });
    expect(breached?.breached_at?.getTime()).toBe(t.clock.now().getTime());
    expect((await kindsFor(supervisor.user.id)).filter((k) => k === "support_sla_breach")).toHaveLength(1);

    const seen = await agent.client.get(`/api/v1/console/support/tickets/${ticket.id}`);
    expect(seen.json().ticket.escalatedAt).not.toBeNull();
    expect(seen.json().messages.at(-1).body).toContain("超时");
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", ticket.id)
      .where("action", "=", "support.sla_breached")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("escalates a system fault past its deadline to the technical team", async () => {
    const { ticket } = await request("点提交按钮报错，显示系统错误");
    expect(ticket).toMatchObject({ category: "system_fault", priority: "high" });
    t.clock.advance(61 * MINUTE);
    await checkSlaTimers(t.ctx);
    await everyoneLogsInAgain();
    const seen = await agent.client.get(`/api/v1/console/support/tickets/${ticket.id}`);
    expect(seen.json().ticket.team).toBe("technical");
    expect(seen.json().timers[0]).toMatchObject({ target: "first_response", escalatedTo: "technical" });
    expect(await kindsFor(technician.user.id)).toContain("support_sla_breach");
  });

  it("stops the first-response clock when the agent answers, and owes the next answer when the customer writes again", async () => {
    await everyoneLogsInAgain();
    const { customer, ticket } = await request("提现一直没到账");
    await agent.client.post(`/api/v1/console/support/tickets/${ticket.id}/replies`, {
      body: "正在为您查询。",
    });
    t.clock.advance(5 * MINUTE);
    const written = await customer.client.post(`/api/v1/support/tickets/${ticket.id}/messages`, {
      body: "查到了吗？",
    });
    expect(written.statusCode).toBe(201);
    t.clock.advance(2 * 60 * MINUTE);
    await checkSlaTimers(t.ctx);
    const timers = await timersOf(ticket.id);
    const byTarget = Object.fromEntries(timers.map((x) => [x.target, x]));
    expect(byTarget.first_response?.stopped_at).not.toBeNull();
    expect(byTarget.first_response?.breached_at).toBeNull();
    // High: next response within 120 business minutes of the customer's message, now past.
    expect(byTarget.next_response?.breached_at).not.toBeNull();
    expect(byTarget.resolution?.breached_at).toBeNull();
  });

  it("moves the deadlines when the priority changes, and pauses the next-response clock while waiting on the customer", async () => {
    await everyoneLogsInAgain();
    const { customer, ticket } = await request("积分可以兑换什么");
    expect(ticket.priority).toBe("low");
    const before = (await timersOf(ticket.id))[0];
    const raised = await agent.client.patch(`/api/v1/console/support/tickets/${ticket.id}`, {
      priority: "urgent",
    });
    expect(raised.statusCode).toBe(200);
    const after = (await timersOf(ticket.id))[0];
    expect(after?.due_at.getTime()).toBe((before?.started_at.getTime() ?? 0) + 15 * MINUTE);

    await agent.client.post(`/api/v1/console/support/tickets/${ticket.id}/replies`, {
      body: "请提供您的会员号。",
    });
    await customer.client.post(`/api/v1/support/tickets/${ticket.id}/messages`, {
      body: "会员号是多少在哪看？",
    });
    await agent.client.patch(`/api/v1/console/support/tickets/${ticket.id}`, { status: "pending" });
    t.clock.advance(60 * MINUTE);
    await checkSlaTimers(t.ctx);
    const next = (await timersOf(ticket.id)).find((x) => x.target === "next_response");
    expect(next?.stopped_at).not.toBeNull();
    expect(next?.breached_at).toBeNull();
  });
});

describe("business hours", () => {
  it("does not count the night: a ticket at 21:50 is due the next morning", async () => {
    // 21:50 Beijing = 13:50 UTC; the desk closes at 22:00 and opens at 08:00.
    const at = new Date(t.clock.now());
    at.setUTCHours(13, 50, 0, 0);
    if (at <= t.clock.now()) at.setUTCDate(at.getUTCDate() + 1);
    t.clock.set(at);
    await everyoneLogsInAgain();
    const { ticket } = await request("想改一下登录密码");
    expect(ticket.priority).toBe("normal");
    const [first] = await timersOf(ticket.id);
    // Normal: 240 business minutes = 10 tonight + 230 from 08:00 = 11:50 Beijing next day.
    const expected = new Date(at.getTime() + (10 + 10 * 60 + 230) * MINUTE);
    expect(first?.due_at.toISOString()).toBe(expected.toISOString());

    t.clock.set(new Date(expected.getTime() - MINUTE));
    await checkSlaTimers(t.ctx);
    expect((await timersOf(ticket.id))[0]?.breached_at).toBeNull();
    t.clock.set(expected);
    await checkSlaTimers(t.ctx);
    expect((await timersOf(ticket.id))[0]?.breached_at?.toISOString()).toBe(expected.toISOString());
  });
});

describe("the reports", () => {
  it("count the breaches recorded in the period", async () => {
    await everyoneLogsInAgain();
    const from = new Date(t.clock.now().getTime() - 7 * 24 * 60 * MINUTE).toISOString();
    const to = new Date(t.clock.now().getTime() + MINUTE).toISOString();
    const res = await supervisor.client.get("/api/v1/console/support/reports", { query: { from, to } });
    const breaches = await t.db
      .selectFrom("support_sla_timers")
      .select("id")
      .where("breached_at", "is not", null)
      .execute();
    expect(res.json().slaBreaches.total).toBe(breaches.length);
    expect(res.json().slaBreaches.byTarget.next_response).toBeGreaterThanOrEqual(1);
  });
});

describe("a logged phone call", () => {
  it("counts the call as the first response: only the resolution clock runs", async () => {
    await everyoneLogsInAgain();
    const { ticket } = await logCall("提现失败了，钱去哪了");
    expect((await timersOf(ticket.id)).map((x) => x.target)).toEqual(["resolution"]);
  });
});
