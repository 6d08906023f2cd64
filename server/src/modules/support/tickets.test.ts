// Tickets as agents and customers use them, through the real HTTP stack: a phone call logged
// and verified by a code, one problem one ticket, notes with @mentions, canned responses,
// merge and link, a chat turned into a ticket, the survey after resolution, and the reports.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, type LoggedIn, latestCode, logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { ingestEmail } from "./email-inbound.js";
import { sendDueSurveys } from "./tickets.js";

let t: TestApp;
let agent: LoggedIn;
let supervisor: LoggedIn;

beforeAll(async () => {
  t = await createTestApp();
  agent = await createStaff(t, { roles: ["agent"], name: "王坐席", email: "wang.agent@example.com" });
  supervisor = await createStaff(t, { roles: ["supervisor"], name: "李主管" });
});
afterAll(async () => {
  await t.close();
});

/** Moves the clock a day on; sessions idle that long have ended, so everyone logs in again. */
async function aDayLater(customer: LoggedIn) {
  t.clock.advance(24 * 60 * 60 * 1000 + 60_000);
  for (const who of [customer, agent, supervisor]) who.client = await logIn(t, who.user.id);
}

async function notificationsOf(userId: string) {
  return t.db
    .selectFrom("notifications")
    .select(["kind", "title", "body"])
    .where("user_id", "=", userId)
    .execute();
}

async function logCall(customer: LoggedIn, body: string, subject = "来电") {
  const res = await agent.client.post("/api/v1/console/support/tickets", {
    channel: "phone",
    phone: customer.user.phone,
    subject,
    body,
  });
  expect(res.statusCode).toBe(201);
  return res.json() as {
    ticket: { id: string; number: string; category: string; priority: string; status: string };
    joined: boolean;
  };
}

describe("a phone call logged as a ticket", () => {
  it("suggests the category, and will not resolve an account request until the caller is verified by a code", async () => {
    const customer = await createCustomer(t, { name: "张阿姨" });
    const { ticket } = await logCall(customer, "客户来电：忘记密码了，想重置登录密码");
    expect(ticket).toMatchObject({ category: "account_password", priority: "normal", status: "open" });

    const refused = await agent.client.patch(`/api/v1/console/support/tickets/${ticket.id}`, {
      status: "resolved",
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("customer_not_verified");

    const sent = await agent.client.post(`/api/v1/console/support/tickets/${ticket.id}/verification`);
    expect(sent.statusCode).toBe(202);
    const code = await latestCode(t, customer.user.phone ?? "");
    const wrong = await agent.client.post(
      `/api/v1/console/support/tickets/${ticket.id}/verification/confirm`,
      {
        code: code === "000000" ? "111111" : "000000",
      },
    );
    expect(wrong.json().code).toBe("invalid_otp");
    const ok = await agent.client.post(`/api/v1/console/support/tickets/${ticket.id}/verification/confirm`, {
      code,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().verifiedBy).toBe(agent.user.id);
    expect(ok.json().verifiedAt).toBe(t.clock.now().toISOString());

    const resolved = await agent.client.patch(`/api/v1/console/support/tickets/${ticket.id}`, {
      status: "resolved",
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().status).toBe("resolved");

    // The customer sees the follow-up, not the agent's call note.
    const mine = await customer.client.get(`/api/v1/support/tickets/${ticket.id}`);
    expect(mine.statusCode).toBe(200);
    const kinds = mine.json().messages.map((m: { kind: string }) => m.kind);
    expect(kinds).not.toContain("note");
    expect(mine.json().messages.at(-1).body).toContain("已处理");
    expect((await notificationsOf(customer.user.id)).map((n) => n.kind)).toContain("support_ticket_resolved");
  });

  it("refuses the code from the public send-a-code endpoint: only the desk sends it", async () => {
    const customer = await createCustomer(t);
    const res = await t.client().post("/api/v1/auth/otp", {
      channel: "sms",
      to: customer.user.phone,
      purpose: "support_verify",
    });
    expect(res.statusCode).toBe(400);
  });

  it("makes a frozen customer's request urgent whatever it is about", async () => {
    const customer = await createCustomer(t);
    await t.db
      .updateTable("users")
      .set({ status: "frozen", frozen_at: t.clock.now() })
      .where("id", "=", customer.user.id)
      .execute();
    const { ticket } = await logCall(customer, "想问一下手续费怎么算");
    expect(ticket).toMatchObject({ category: "question", priority: "urgent" });
  });

  it("asks for an address to write back to when the caller's phone is no customer's", async () => {
    const unknown = await agent.client.post("/api/v1/console/support/tickets", {
      channel: "phone",
      phone: "13900000001",
      subject: "来电",
      body: "想了解开户流程",
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: "validation_failed" });
    const byEmail = await agent.client.post("/api/v1/console/support/tickets", {
      channel: "phone",
      requesterName: "刘女士",
      requesterEmail: "liu.caller@example.com",
      subject: "来电",
      body: "想了解开户流程",
    });
    expect(byEmail.statusCode).toBe(201);
    expect(byEmail.json().ticket).toMatchObject({
      customerId: null,
      requesterEmail: "liu.caller@example.com",
    });
  });

  it("does not show another customer's ticket", async () => {
    const owner = await createCustomer(t);
    const other = await createCustomer(t);
    const { ticket } = await logCall(owner, "提现失败了");
    expect((await other.client.get(`/api/v1/support/tickets/${ticket.id}`)).statusCode).toBe(404);
  });
});

describe("one problem, one ticket", () => {
  it("joins a second request on the same problem to the open ticket, and opens a new one for another problem", async () => {
    const customer = await createCustomer(t);
    const first = await customer.client.post("/api/v1/support/tickets", {
      subject: "转账失败",
      body: "转账显示失败但是钱扣了",
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      joined: false,
      ticket: { category: "dispute_failed", priority: "high" },
    });
    const again = await customer.client.post("/api/v1/support/tickets", {
      subject: "还没到账",
      body: "钱还是没到账，交易失败",
    });
    expect(again.json()).toMatchObject({ joined: true, ticket: { id: first.json().ticket.id } });
    // By phone too: the agent's call log joins it.
    const byPhone = await logCall(customer, "客户来电催促：转账失败的钱什么时候退回");
    expect(byPhone).toMatchObject({ joined: true, ticket: { id: first.json().ticket.id } });
    const seen = await customer.client.get(`/api/v1/support/tickets/${first.json().ticket.id}`);
    expect(seen.json().messages.some((m: { body: string }) => m.body.includes("客户来电催促"))).toBe(false);
    const other = await customer.client.post("/api/v1/support/tickets", {
      subject: "闪退",
      body: "打开app就闪退",
    });
    expect(other.json()).toMatchObject({
      joined: false,
      ticket: { category: "system_fault", team: "technical" },
    });

    const list = await customer.client.get("/api/v1/support/tickets");
    expect(list.json().items).toHaveLength(2);
  });
});

describe("one problem, one ticket, under load", () => {
  it("makes one ticket of five emails about the same problem stored at the same moment", async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        ingestEmail(t.ctx, {
          messageId: `<same-moment.${i}@example.com>`,
          inReplyTo: null,
          references: [],
          fromAddress: "same.moment@example.com",
          fromName: null,
          subject: "扣了两次",
          text: `同一笔钱扣了两次（第${i}封）`,
          automatic: false,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.ticket?.id)).size).toBe(1);
    expect(results.filter((r) => r.joined)).toHaveLength(4);
  });

  it("lets a customer leave ten requests an hour, not more", async () => {
    const customer = await createCustomer(t);
    for (let i = 0; i < 10; i++) {
      const res = await customer.client.post("/api/v1/support/tickets", {
        subject: "问题",
        body: `第${i}个问题`,
      });
      expect(res.statusCode).toBe(201);
    }
    const refused = await customer.client.post("/api/v1/support/tickets", {
      subject: "问题",
      body: "第十一个",
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe("rate_limited");
  });
});

describe("the agents' inbox", () => {
  it("finds a customer's tickets by phone, number or subject, pages through them and shows the running SLA clocks", async () => {
    const customer = await createCustomer(t);
    const phone = customer.user.phone ?? "";
    const password = await logCall(customer, "客户来电：忘记密码了，想重置登录密码", "重置密码 甲乙丙");
    const fault = await logCall(customer, "自助机卡死了，屏幕没反应", "自助机卡死");
    const question = await logCall(customer, "积分可以兑换什么", "积分兑换");
    expect([password.joined, fault.joined, question.joined]).toEqual([false, false, false]);

    const first = await agent.client.get(`/api/v1/console/support/tickets?q=${phone}&limit=2`);
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(2);
    expect(first.json().nextCursor).toEqual(expect.any(String));
    const second = await agent.client.get(
      `/api/v1/console/support/tickets?q=${phone}&limit=2&cursor=${first.json().nextCursor}`,
    );
    expect(second.json().items).toHaveLength(1);
    expect(second.json().nextCursor).toBeNull();
    const seen = [...first.json().items, ...second.json().items].map((i: { id: string }) => i.id);
    expect(seen.sort()).toEqual([password.ticket.id, fault.ticket.id, question.ticket.id].sort());

    // A logged call is its own first response: only the resolution clock runs.
    for (const item of [...first.json().items, ...second.json().items]) {
      expect(item.sla.map((s: { target: string }) => s.target)).toEqual(["resolution"]);
      expect(item.sla[0].breachedAt).toBeNull();
    }

    const byNumber = await agent.client.get(
      `/api/v1/console/support/tickets?view=all&q=${encodeURIComponent(`#${fault.ticket.number}`)}`,
    );
    expect(byNumber.json().items.map((i: { id: string }) => i.id)).toEqual([fault.ticket.id]);
    const bySubject = await agent.client.get(
      `/api/v1/console/support/tickets?q=${encodeURIComponent("甲乙丙")}`,
    );
    expect(bySubject.json().items.map((i: { id: string }) => i.id)).toEqual([password.ticket.id]);
    const high = await agent.client.get(`/api/v1/console/support/tickets?q=${phone}&priority=high`);
    expect(high.json().items.map((i: { id: string }) => i.id)).toEqual([fault.ticket.id]);
    const email = await agent.client.get(`/api/v1/console/support/tickets?q=${phone}&channel=email`);
    expect(email.json().items).toEqual([]);
    const unassigned = await agent.client.get(`/api/v1/console/support/tickets?q=${phone}&view=unassigned`);
    expect(unassigned.json().items).toEqual([]); // the agent who logs a call takes it
    const handedOver = await agent.client.patch(`/api/v1/console/support/tickets/${question.ticket.id}`, {
      assigneeId: supervisor.user.id,
    });
    expect(handedOver.statusCode).toBe(200);
    const hers = await agent.client.get(
      `/api/v1/console/support/tickets?q=${phone}&assigneeId=${supervisor.user.id}`,
    );
    expect(hers.json().items.map((i: { id: string }) => i.id)).toEqual([question.ticket.id]);

    const forged = await agent.client.get("/api/v1/console/support/tickets?cursor=bm90LWEtY3Vyc29y");
    expect(forged.statusCode).toBe(400);
    expect(forged.json().code).toBe("validation_failed");
  });

  it("suggests the category while the agent is still typing the call note", async () => {
    const res = await agent.client.post("/api/v1/console/support/tickets/category-suggestion", {
      text: "客户说收到短信提醒有人异地登录，怀疑被盗号",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ category: "security_alert", priority: "urgent" });
    expect(res.json().matched.length).toBeGreaterThan(0);
    const nothing = await agent.client.post("/api/v1/console/support/tickets/category-suggestion", {
      text: "",
    });
    expect(nothing.json()).toEqual({ category: "question", priority: "low", matched: [] });
  });

  it("lists the colleagues a ticket can go to or an @mention can reach, and no one else", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"], name: "周审核" });
    const res = await agent.client.get("/api/v1/console/support/colleagues");
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ id: string; name: string; handle: string }>;
    expect(items).toContainEqual({ id: agent.user.id, name: "王坐席", handle: "wang.agent" });
    expect(items.map((i) => i.id)).toContain(supervisor.user.id);
    expect(items.map((i) => i.id)).not.toContain(reviewer.user.id);
  });
});

describe("working a ticket", () => {
  it("tells a colleague named with @ in an internal note, which the customer never sees", async () => {
    const customer = await createCustomer(t);
    const colleague = await createStaff(t, {
      roles: ["agent"],
      name: "赵技术",
      email: "zhao.tech@example.com",
    });
    const { ticket } = await logCall(customer, "页面一直转圈加载不出来");
    const note = await agent.client.post(`/api/v1/console/support/tickets/${ticket.id}/notes`, {
      body: "@zhao.tech 请看一下这个页面加载问题，@李主管知悉",
    });
    expect(note.statusCode).toBe(201);
    expect(note.json().mentions.sort()).toEqual([colleague.user.id, supervisor.user.id].sort());
    expect((await notificationsOf(colleague.user.id)).map((n) => n.kind)).toContain("support_mention");
    const seen = await customer.client.get(`/api/v1/support/tickets/${ticket.id}`);
    expect(seen.json().messages.some((m: { body: string }) => m.body.includes("@zhao.tech"))).toBe(false);
  });

  it("answers with a canned response that greets the customer by name", async () => {
    const customer = await createCustomer(t, { name: "陈先生" });
    const created = await agent.client.post("/api/v1/console/support/canned-responses", {
      title: "手续费说明",
      body: "{customerName}您好，提现手续费为金额的 0.1%，最低 1 元。（工单 #{ticketNumber}）",
    });
    expect(created.statusCode).toBe(201);
    const dup = await agent.client.post("/api/v1/console/support/canned-responses", {
      title: "手续费说明",
      body: "x",
    });
    expect(dup.statusCode).toBe(409);
    const edited = await agent.client.put(`/api/v1/console/support/canned-responses/${created.json().id}`, {
      body: "{customerName}您好，提现手续费为金额的 0.1%，最低 1 元。",
    });
    expect(edited.statusCode).toBe(200);

    const { ticket } = await logCall(customer, "提现手续费是多少");
    const reply = await agent.client.post(`/api/v1/console/support/tickets/${ticket.id}/replies`, {
      cannedResponseId: created.json().id,
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().body).toBe("陈先生您好，提现手续费为金额的 0.1%，最低 1 元。");
    const list = await agent.client.get("/api/v1/console/support/canned-responses");
    expect(list.json().items.map((c: { title: string }) => c.title)).toContain("手续费说明");
    expect(
      (await agent.client.delete(`/api/v1/console/support/canned-responses/${created.json().id}`)).statusCode,
    ).toBe(204);
  });

  it("merges one ticket into another (messages move, the merged one closes pointing at it) and links related ones", async () => {
    const customer = await createCustomer(t);
    const a = await logCall(customer, "自助机卡死了，屏幕没反应");
    const b = await logCall(customer, "积分可以兑换什么");
    const c = await logCall(customer, "每天转账限额是多少", "限额");
    expect(c.joined).toBe(true); // same customer, same category (question) as b

    const merged = await agent.client.post(`/api/v1/console/support/tickets/${b.ticket.id}/merge`, {
      intoId: a.ticket.id,
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.json().source).toMatchObject({ status: "closed", mergedIntoId: a.ticket.id });
    const target = await agent.client.get(`/api/v1/console/support/tickets/${a.ticket.id}`);
    const bodies = target
      .json()
      .messages.map((m: { body: string }) => m.body)
      .join("\n");
    expect(bodies).toContain("积分可以兑换什么");
    expect(bodies).toContain(`工单 #${b.ticket.number} 已并入本工单`);
    const again = await agent.client.post(`/api/v1/console/support/tickets/${b.ticket.id}/merge`, {
      intoId: a.ticket.id,
    });
    expect(again.statusCode).toBe(409);

    const other = await logCall(await createCustomer(t), "自助机也卡死了");
    const link = await agent.client.post(`/api/v1/console/support/tickets/${a.ticket.id}/links`, {
      ticketId: other.ticket.id,
    });
    expect(link.statusCode).toBe(204);
    const linked = await agent.client.get(`/api/v1/console/support/tickets/${other.ticket.id}`);
    expect(linked.json().links.map((l: { id: string }) => l.id)).toEqual([a.ticket.id]);
  });

  it("turns a chat into a ticket carrying what the customer said", async () => {
    const customer = await createCustomer(t);
    const conv = await customer.client.post("/api/v1/support/conversations");
    await customer.client.post(`/api/v1/support/conversations/${conv.json().id}/messages`, {
      clientId: "c1",
      body: "同一笔钱扣了两次，请帮我查一下",
    });
    const res = await agent.client.post(`/api/v1/console/support/conversations/${conv.json().id}/ticket`);
    expect(res.statusCode).toBe(201);
    expect(res.json().ticket).toMatchObject({
      channel: "chat",
      conversationId: conv.json().id,
      category: "dispute_duplicate",
      customerId: customer.user.id,
    });
    const twice = await agent.client.post(`/api/v1/console/support/conversations/${conv.json().id}/ticket`);
    expect(twice.json()).toMatchObject({ joined: true, ticket: { id: res.json().ticket.id } });
  });
});

describe("after resolution", () => {
  async function resolvedTicket(customer: LoggedIn) {
    const opened = await customer.client.post("/api/v1/support/tickets", {
      subject: "营业时间",
      body: "营业时间是几点到几点",
    });
    const id = opened.json().ticket.id as string;
    await agent.client.post(`/api/v1/console/support/tickets/${id}/replies`, { body: "每天 08:00–22:00。" });
    const res = await agent.client.patch(`/api/v1/console/support/tickets/${id}`, { status: "resolved" });
    expect(res.statusCode).toBe(200);
    return id;
  }

  it("asks for a rating a day later; a 2 reopens the ticket for a supervisor", async () => {
    const customer = await createCustomer(t);
    const id = await resolvedTicket(customer);
    const early = await customer.client.post(`/api/v1/support/tickets/${id}/survey`, { rating: 5 });
    expect(early.statusCode).toBe(409);

    await aDayLater(customer);
    const run = await sendDueSurveys(t.ctx);
    expect(run.surveyed).toBeGreaterThanOrEqual(1);
    expect((await notificationsOf(customer.user.id)).map((n) => n.kind)).toContain("support_survey");

    const answer = await customer.client.post(`/api/v1/support/tickets/${id}/survey`, {
      rating: 2,
      comment: "回答太慢",
    });
    expect(answer.json()).toEqual({ reopened: true });
    const after = await agent.client.get(`/api/v1/console/support/tickets/${id}`);
    expect(after.json().ticket).toMatchObject({ status: "open", team: "supervisors", assigneeId: null });
    expect(after.json().survey).toMatchObject({ rating: 2, comment: "回答太慢" });
    expect((await notificationsOf(supervisor.user.id)).map((n) => n.kind)).toContain("support_dissatisfied");
    const twice = await customer.client.post(`/api/v1/support/tickets/${id}/survey`, { rating: 5 });
    expect(twice.statusCode).toBe(409);
  });

  it("leaves a well-rated ticket resolved, and the customer writing again reopens it", async () => {
    const customer = await createCustomer(t);
    const id = await resolvedTicket(customer);
    await aDayLater(customer);
    await sendDueSurveys(t.ctx);
    const answer = await customer.client.post(`/api/v1/support/tickets/${id}/survey`, { rating: 5 });
    expect(answer.json()).toEqual({ reopened: false });
    const wrote = await customer.client.post(`/api/v1/support/tickets/${id}/messages`, {
      body: "周末也是这个时间吗",
    });
    expect(wrote.statusCode).toBe(201);
    const after = await customer.client.get(`/api/v1/support/tickets/${id}`);
    expect(after.json().ticket.status).toBe("open");
  });
});

describe("reports", () => {
  it("gives volume, times, satisfaction and agent load for a period, as JSON and as CSV", async () => {
    const from = new Date(t.clock.now().getTime() - 30 * 24 * 3600 * 1000).toISOString();
    const to = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const res = await supervisor.client.get("/api/v1/console/support/reports", { query: { from, to } });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.volume.total).toBeGreaterThanOrEqual(10);
    expect(r.volume.byChannel.phone).toBeGreaterThan(0);
    expect(r.volume.byDay.reduce((n: number, d: { count: number }) => n + d.count, 0)).toBe(r.volume.total);
    expect(r.volume.byCategory.account_password).toBeGreaterThan(0);
    expect(r.firstResponseMinutes.count).toBeGreaterThan(0);
    expect(r.satisfaction.distribution).toMatchObject({ "2": 1, "5": 1 });
    expect(r.satisfaction.average).toBe(3.5);
    expect(
      r.agents.find((a: { agentId: string }) => a.agentId === agent.user.id).repliesInPeriod,
    ).toBeGreaterThan(0);

    const csv = await supervisor.client.get("/api/v1/console/support/reports", {
      query: { from, to, format: "csv" },
    });
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.body).toContain("satisfaction,average,3.5");
    expect(csv.body).toContain(`volume,total,${r.volume.total}`);

    const bad = await supervisor.client.get("/api/v1/console/support/reports", {
      query: { from: to, to: from },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe("out of hours", () => {
  it("opens a ticket when the bot takes a message at night, with what the customer asked", async () => {
    const night = new Date(t.clock.now());
    night.setUTCHours(15, 30, 0, 0); // 23:30 in Beijing
    if (night <= t.clock.now()) night.setUTCDate(night.getUTCDate() + 1);
    t.clock.set(night);
    const customer = await createCustomer(t);
    const conv = await customer.client.post("/api/v1/support/conversations");
    const sent = await customer.client.post(`/api/v1/support/conversations/${conv.json().id}/messages`, {
      clientId: "night-1",
      body: "转人工，我的账户被冻结了",
    });
    expect(sent.json().replies[0].payload).toMatchObject({ reply: "take_message" });
    const mine = await customer.client.get("/api/v1/support/tickets");
    expect(mine.json().items).toHaveLength(1);
    expect(mine.json().items[0]).toMatchObject({
      channel: "chat",
      conversationId: conv.json().id,
      category: "account_locked",
      status: "new",
    });
  });
});
