// Email tickets over a real SMTP exchange on loopback: the test runs the outside world's mail
// server (smtp-server) that OpenCounter's replies go to, and sends customers' mail into
// OpenCounter's own listener with nodemailer. Threading is checked both ways.
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, type LoggedIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { type InboundSmtp, signInboundEmail, startInboundSmtp } from "./email-inbound.js";

const SUPPORT = "support@opencounter.local";

let t: TestApp;
let agent: LoggedIn;
let outside: SMTPServer;
let inbound: InboundSmtp;
/** What the outside world's mail server received from OpenCounter. */
const received: Array<{ to: string[]; mail: ParsedMail }> = [];

beforeAll(async () => {
  outside = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => outside.listen(0, "127.0.0.1", resolve));
  const outsidePort = (outside.server.address() as AddressInfo).port;
  t = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${outsidePort}` });
  inbound = await startInboundSmtp(t.ctx, { port: 0, host: "127.0.0.1" });
  agent = await createStaff(t, { roles: ["agent"], name: "邮件坐席" });
});
afterAll(async () => {
  await inbound.close();
  await t.close();
  await new Promise<void>((resolve) => outside.close(() => resolve()));
});

/** A customer's mail client, sending into OpenCounter's listener. */
function mailClient() {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: inbound.port,
    secure: false,
    ignoreTLS: true,
  });
}

async function ticketById(id: string) {
  const res = await agent.client.get(`/api/v1/console/support/tickets/${id}`);
  expect(res.statusCode).toBe(200);
  return res.json() as {
    ticket: {
      id: string;
      number: string;
      customerId: string | null;
      requesterEmail: string | null;
      status: string;
    };
    messages: Array<{
      kind: string;
      body: string;
      emailMessageId: string | null;
      emailStatus: string | null;
    }>;
  };
}

async function ticketOfMessage(messageId: string): Promise<string> {
  const row = await t.db
    .selectFrom("support_ticket_messages")
    .select("ticket_id")
    .where("email_message_id", "=", messageId)
    .executeTakeFirstOrThrow();
  return row.ticket_id;
}

describe("email in and out, threaded", () => {
  it("opens a ticket from a customer's mail, replies with the thread's headers, and files their answer on the same ticket", async () => {
    const customer = await createCustomer(t, { email: "li.ming@example.com", name: "李明" });
    const first = "<q1.li-ming@mail.example.com>";
    await mailClient().sendMail({
      from: "李明 <li.ming@example.com>",
      to: SUPPORT,
      subject: "营业时间咨询",
      text: "你好，请问营业时间是几点到几点？",
      messageId: first,
    });
    const ticketId = await ticketOfMessage(first);
    const opened = await ticketById(ticketId);
    expect(opened.ticket).toMatchObject({
      customerId: customer.user.id,
      requesterEmail: "li.ming@example.com",
    });

    const reply = await agent.client.post(`/api/v1/console/support/tickets/${ticketId}/replies`, {
      body: "您好，每天 08:00–22:00 都有人工客服。",
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().emailStatus).toBe("sent");
    const out = received.at(-1);
    expect(out?.to).toEqual(["li.ming@example.com"]);
    expect(out?.mail.subject).toBe(`Re: 营业时间咨询 [#${opened.ticket.number}]`);
    expect(out?.mail.inReplyTo).toBe(first);
    expect([out?.mail.references].flat()).toContain(first);
    expect(out?.mail.messageId).toBe(reply.json().emailMessageId);
    expect(out?.mail.messageId).toMatch(/@opencounter\.local>$/);
    expect(out?.mail.from?.value[0]?.address).toBe(SUPPORT);

    // The customer answers from their mail client, quoting us.
    const ours = out?.mail.messageId ?? "";
    await mailClient().sendMail({
      from: "li.ming@example.com",
      to: SUPPORT,
      subject: `Re: 营业时间咨询 [#${opened.ticket.number}]`,
      text: `周末也一样吗？\n\n在 2026年11月22日 写道：\n> 您好，每天 08:00–22:00 都有人工客服。`,
      messageId: "<q2.li-ming@mail.example.com>",
      inReplyTo: ours,
      references: [first, ours],
    });
    expect(await ticketOfMessage("<q2.li-ming@mail.example.com>")).toBe(ticketId);
    const after = await ticketById(ticketId);
    expect(after.messages.filter((m) => m.kind === "customer").map((m) => m.body)).toEqual([
      "你好，请问营业时间是几点到几点？",
      "周末也一样吗？",
    ]);

    // Our second reply carries the whole thread in References.
    await agent.client.post(`/api/v1/console/support/tickets/${ticketId}/replies`, { body: "周末也一样。" });
    const second = received.at(-1)?.mail;
    expect(second?.inReplyTo).toBe("<q2.li-ming@mail.example.com>");
    expect([second?.references].flat()).toEqual([first, ours, "<q2.li-ming@mail.example.com>"]);
  });

  it("ignores an out-of-office answer to our reply: nothing stored, the ticket stays resolved", async () => {
    await createCustomer(t, { email: "away@example.com" });
    await mailClient().sendMail({
      from: "away@example.com",
      to: SUPPORT,
      subject: "营业时间",
      text: "营业时间是几点到几点",
      messageId: "<away.1@example.com>",
    });
    const id = await ticketOfMessage("<away.1@example.com>");
    await agent.client.post(`/api/v1/console/support/tickets/${id}/replies`, { body: "每天 08:00–22:00。" });
    const resolved = await agent.client.patch(`/api/v1/console/support/tickets/${id}`, {
      status: "resolved",
    });
    expect(resolved.json().status).toBe("resolved");
    const ours = received.at(-1)?.mail.messageId ?? "";
    await mailClient().sendMail({
      from: "away@example.com",
      to: SUPPORT,
      subject: "自动回复: 营业时间",
      text: "我正在休假，11月30日回来。",
      messageId: "<away.auto@example.com>",
      inReplyTo: ours,
      references: ["<away.1@example.com>", ours],
      headers: { "Auto-Submitted": "auto-replied" },
    });
    const after = await ticketById(id);
    expect(after.ticket.status).toBe("resolved");
    expect(after.messages.some((m) => m.body.includes("休假"))).toBe(false);
  });

  it("stores a mail delivered twice once", async () => {
    const send = () =>
      mailClient().sendMail({
        from: "twice@example.com",
        to: SUPPORT,
        subject: "手续费",
        text: "提现手续费是多少",
        messageId: "<twice.1@example.com>",
      });
    await send();
    await send();
    const rows = await t.db
      .selectFrom("support_ticket_messages")
      .select("id")
      .where("email_message_id", "=", "<twice.1@example.com>")
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("keeps an unknown sender's ticket on the address until an agent matches it to a customer", async () => {
    await mailClient().sendMail({
      from: "stranger@example.org",
      to: SUPPORT,
      subject: "账户被冻结",
      text: "我的账户被冻结了，怎么解冻？",
      messageId: "<stranger.1@example.org>",
    });
    const id = await ticketOfMessage("<stranger.1@example.org>");
    const before = await ticketById(id);
    expect(before.ticket).toMatchObject({ customerId: null, requesterEmail: "stranger@example.org" });
    const customer = await createCustomer(t);
    const matched = await agent.client.patch(`/api/v1/console/support/tickets/${id}`, {
      customerId: customer.user.id,
    });
    expect(matched.statusCode).toBe(200);
    expect(matched.json().customerId).toBe(customer.user.id);
    // Account request by email: no resolving before the code to the bound phone.
    const refused = await agent.client.patch(`/api/v1/console/support/tickets/${id}`, { status: "resolved" });
    expect(refused.json().code).toBe("customer_not_verified");
  });

  it("refuses mail for any other address: the listener is not a relay", async () => {
    await expect(
      mailClient().sendMail({
        from: "x@example.com",
        to: "someone@elsewhere.example",
        subject: "hi",
        text: "hi",
      }),
    ).rejects.toThrow(/550/);
  });
});

describe("the inbound webhook", () => {
  const raw = [
    "From: Wang <wang.hook@example.com>",
    `To: ${SUPPORT}`,
    "Subject: =?UTF-8?B?6L2s6LSm5aSx6LSl?=",
    "Message-ID: <hook.1@example.com>",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "转账显示失败但是钱扣了",
  ].join("\r\n");

  function signed(body: string, at = t.clock.now()) {
    const ts = String(Math.floor(at.getTime() / 1000));
    return { "x-oc-timestamp": ts, "x-oc-signature": signInboundEmail(t.ctx, ts, body) };
  }

  it("opens a ticket from a signed message, threads a signed reply, and refuses a bad or stale signature", async () => {
    const res = await t.client().post("/api/v1/support/inbound-email", { raw }, { headers: signed(raw) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: true, duplicate: false });
    const ticket = await ticketById(res.json().ticketId);
    expect(ticket.ticket).toMatchObject({ requesterEmail: "wang.hook@example.com" });
    expect(ticket.messages[0]?.body).toBe("转账显示失败但是钱扣了");

    const replyRaw = raw
      .replace(
        "Message-ID: <hook.1@example.com>",
        "Message-ID: <hook.2@example.com>\r\nIn-Reply-To: <hook.1@example.com>",
      )
      .replace("转账显示失败但是钱扣了", "补充：是昨天下午的转账");
    const reply = await t
      .client()
      .post("/api/v1/support/inbound-email", { raw: replyRaw }, { headers: signed(replyRaw) });
    expect(reply.json()).toMatchObject({ ticketId: res.json().ticketId, created: false });

    const forged = await t
      .client()
      .post(
        "/api/v1/support/inbound-email",
        { raw: replyRaw.replace("hook.2", "hook.3") },
        { headers: signed(replyRaw) },
      );
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe("invalid_signature");
    const stale = await t
      .client()
      .post(
        "/api/v1/support/inbound-email",
        { raw },
        { headers: signed(raw, new Date(t.clock.now().getTime() - 10 * 60_000)) },
      );
    expect(stale.statusCode).toBe(401);
  });
});
