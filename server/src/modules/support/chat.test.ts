// Live chat as customers and agents use it: over real sockets, through the real HTTP stack,
// with two server processes on one database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatSocket, isMessage, listenOnce } from "../../../test/chat-socket.js";
import { createCustomer, createStaff, type LoggedIn } from "../../../test/factories.js";
import { createPeerApp, createTestApp, type TestApp } from "../../../test/harness.js";
import { importHelpCentre } from "./import.js";

let t: TestApp;
let peer: Awaited<ReturnType<typeof createPeerApp>>;
let baseA: string;
let baseB: string;
const sockets: ChatSocket[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await importHelpCentre(t.ctx);
  peer = await createPeerApp(t);
  baseA = await listenOnce(t.app);
  baseB = await listenOnce(peer.app);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await peer.close();
  await t.close();
});

async function open(base: string, who: LoggedIn, opts: { origin?: string } = {}) {
  const s = await ChatSocket.open(base, who.client, opts);
  sockets.push(s);
  return s;
}

async function agent(opts: { online?: boolean; maxChats?: number } = {}): Promise<LoggedIn> {
  const a = await createStaff(t, { roles: ["agent"], name: `坐席${Math.random().toString(36).slice(2, 6)}` });
  if (opts.online !== false) {
    const res = await a.client.put("/api/v1/console/support/me", {
      status: "online",
      ...(opts.maxChats ? { maxChats: opts.maxChats } : {}),
    });
    expect(res.statusCode).toBe(200);
  }
  return a;
}

async function openChat(customer: LoggedIn): Promise<string> {
  const res = await customer.client.post("/api/v1/support/conversations");
  expect(res.statusCode).toBe(200);
  return res.json().id;
}

/** Every agent goes offline, so tests that count assignments start from a quiet desk. */
async function everyoneOffline() {
  await t.db.updateTable("support_agents").set({ status: "offline" }).execute();
}

describe("chat with the bot", () => {
  it("greets a new chat, answers a question over the socket with articles, and resumes the same chat", async () => {
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    expect(await openChat(customer)).toBe(id);

    const s = await open(baseA, customer);
    s.send({ type: "subscribe", conversationId: id });
    await s.next(isMessage(id, (m) => m.author.kind === "bot" && m.body.includes("智能助手")));

    s.send({ type: "send", conversationId: id, clientId: "q1", body: "我想把钱包里的钱转到银行卡要怎么弄" });
    const ack = await s.next((f) => f.type === "ack" && f.clientId === "q1");
    expect((ack.message as { body: string }).body).toContain("银行卡");
    const answer = await s.next(
      isMessage(id, (m) => m.author.kind === "bot" && m.body !== "" && !m.body.includes("智能助手")),
    );
    const payload = (answer.message as { payload: { reply: string; articles: Array<{ slug: string }> } })
      .payload;
    expect(payload.reply).toBe("answer");
    expect(payload.articles.map((a) => a.slug)).toContain("bind-unbind-bank-card");
  });

  it("brings in a person after two answers marked unhelpful", async () => {
    await everyoneOffline();
    const a = await agent();
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    const answers: string[] = [];
    for (const q of ["怎么提现", "提现多久到账"]) {
      const res = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
        clientId: q,
        body: q,
      });
      expect(res.statusCode).toBe(201);
      answers.push(res.json().replies[0].id);
    }
    const first = await customer.client.post(`/api/v1/support/messages/${answers[0]}/feedback`, {
      helpful: false,
    });
    expect(first.json().replies).toEqual([]);
    const again = await customer.client.post(`/api/v1/support/messages/${answers[0]}/feedback`, {
      helpful: false,
    });
    expect(again.statusCode).toBe(409);
    const second = await customer.client.post(`/api/v1/support/messages/${answers[1]}/feedback`, {
      helpful: false,
    });
    expect(second.json().replies[0].payload).toMatchObject({ reply: "handover", reason: "unhelpful" });
    const inbox = await a.client.get("/api/v1/console/support/conversations?view=mine");
    expect(inbox.json().items.map((c: { id: string }) => c.id)).toContain(id);
  });

  it("stores a message sent twice with the same client id once", async () => {
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    const body = { clientId: "same-1", body: "你好" };
    const one = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, body);
    const two = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, body);
    expect(one.statusCode).toBe(201);
    expect(two.statusCode).toBe(200);
    expect(two.json().message.id).toBe(one.json().message.id);
    expect(two.json().replies).toEqual([]);
    const rows = await t.db
      .selectFrom("support_messages")
      .select("id")
      .where("conversation_id", "=", id)
      .where("client_id", "=", "same-1")
      .execute();
    expect(rows).toHaveLength(1);
  });
});

describe("a person takes over, across two server processes", () => {
  it("hands over on 转人工; the agent on the other process answers; typing and read receipts cross", async () => {
    await everyoneOffline();
    const a = await agent();
    const customer = await createCustomer(t);
    const id = await openChat(customer);

    const cs = await open(baseA, customer); // the customer is on process A
    const as = await open(baseB, a); // the agent is on process B
    cs.send({ type: "subscribe", conversationId: id });
    await cs.next((f) => f.type === "conversation");

    cs.send({ type: "send", conversationId: id, clientId: "h1", body: "转人工" });
    const assigned = await as.next(
      (f) =>
        f.type === "conversation" &&
        (f.conversation as { id: string; status: string }).id === id &&
        (f.conversation as { status: string }).status === "assigned",
    );
    expect((assigned.conversation as { assignedAgentId: string }).assignedAgentId).toBe(a.user.id);

    as.send({ type: "subscribe", conversationId: id });
    await as.next(isMessage(id, (m) => m.body === "转人工"));
    as.send({ type: "typing", conversationId: id });
    await cs.next((f) => f.type === "typing" && f.by === "agent");

    as.send({
      type: "send",
      conversationId: id,
      clientId: "a1",
      body: "您好，我是人工客服，请问有什么可以帮您？",
    });
    const got = await cs.next(isMessage(id, (m) => m.author.kind === "agent"));
    const agentMessageId = (got.message as { id: string }).id;

    cs.send({ type: "read", conversationId: id, upTo: agentMessageId });
    const receipt = await as.next((f) => f.type === "receipt" && f.readerKind === "customer");
    expect(receipt.readUpTo).toBe(agentMessageId);
    expect(receipt.deliveredUpTo).toBe(agentMessageId);

    cs.send({ type: "send", conversationId: id, clientId: "c2", body: "我的提现一直没到账" });
    await as.next(isMessage(id, (m) => m.body === "我的提现一直没到账"));
    // Once a person has the chat, the bot keeps quiet.
    const after = cs.messages(id).filter((m) => m.author.kind === "bot" && m.body.includes("找到"));
    expect(after).toEqual([]);
  });

  it("resumes a reconnecting customer from the last message id: nothing lost, nothing twice", async () => {
    await everyoneOffline();
    const a = await agent();
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
      clientId: "p",
      body: "人工",
    });

    const first = await open(baseA, customer);
    first.send({ type: "subscribe", conversationId: id });
    await first.next(isMessage(id, (m) => m.author.kind === "system"));
    const seen = first.messages(id);
    const lastId = seen[seen.length - 1]?.id ?? "0";
    first.close();

    for (const n of [1, 2, 3]) {
      const res = await a.client.post(`/api/v1/console/support/conversations/${id}/messages`, {
        clientId: `gap-${n}`,
        body: `第${n}条`,
      });
      expect(res.statusCode).toBe(201);
    }

    const again = await open(baseB, customer);
    again.send({ type: "subscribe", conversationId: id, after: lastId });
    await again.next(isMessage(id, (m) => m.body === "第3条"));
    a.client.post(`/api/v1/console/support/conversations/${id}/messages`, {
      clientId: "gap-4",
      body: "第4条",
    });
    await again.next(isMessage(id, (m) => m.body === "第4条"));
    expect(again.messages(id).map((m) => m.body)).toEqual(["第1条", "第2条", "第3条", "第4条"]);
  });

  it("warns agents who open the same conversation", async () => {
    const a1 = await agent();
    const a2 = await agent();
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    const s1 = await open(baseA, a1);
    const s2 = await open(baseB, a2);
    s1.send({ type: "subscribe", conversationId: id });
    await s1.next((f) => f.type === "viewers");
    s2.send({ type: "subscribe", conversationId: id });
    const warning = await s1.next(
      (f) => f.type === "viewers" && (f.agentIds as string[]).includes(a2.user.id),
    );
    expect(warning.agentIds).toEqual(expect.arrayContaining([a1.user.id, a2.user.id]));
  });
});

describe("assignment", () => {
  it("gives chats to the least-loaded online agent, queues when all are full, and frees a place on close", async () => {
    await everyoneOffline();
    const busy = await agent({ maxChats: 2 });
    const other = await agent({ maxChats: 1 });
    await agent({ online: false });
    const customers = await Promise.all([1, 2, 3, 4].map(() => createCustomer(t)));
    const ids: string[] = [];
    for (const c of customers) {
      const id = await openChat(c);
      ids.push(id);
      await c.client.post(`/api/v1/support/conversations/${id}/messages`, { clientId: "h", body: "转人工" });
    }
    const rows = await t.db
      .selectFrom("support_conversations")
      .select(["id", "status", "assigned_agent_id"])
      .where("id", "in", ids)
      .execute();
    const loadOf = (agentId: string) => rows.filter((r) => r.assigned_agent_id === agentId).length;
    expect(loadOf(busy.user.id)).toBe(2);
    expect(loadOf(other.user.id)).toBe(1);
    const waiting = rows.filter((r) => r.status === "queued");
    expect(waiting).toHaveLength(1);

    const mine = rows.find((r) => r.assigned_agent_id === other.user.id);
    const closed = await other.client.post(`/api/v1/console/support/conversations/${mine?.id}/close`);
    expect(closed.json().status).toBe("closed");
    const now = await t.db
      .selectFrom("support_conversations")
      .select(["status", "assigned_agent_id"])
      .where("id", "=", waiting[0]?.id ?? "")
      .executeTakeFirstOrThrow();
    expect(now).toEqual({ status: "assigned", assigned_agent_id: other.user.id });
  });

  it("lets an agent pass a chat to another online agent but not to one who is away", async () => {
    await everyoneOffline();
    const from = await agent();
    const to = await agent({ online: false });
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
      clientId: "h",
      body: "人工服务",
    });
    const refused = await from.client.post(`/api/v1/console/support/conversations/${id}/transfer`, {
      agentId: to.user.id,
    });
    expect(refused.statusCode).toBe(409);
    await to.client.put("/api/v1/console/support/me", { status: "online" });
    const moved = await from.client.post(`/api/v1/console/support/conversations/${id}/transfer`, {
      agentId: to.user.id,
    });
    expect(moved.json().assignedAgentId).toBe(to.user.id);
    const late = await from.client.post(`/api/v1/console/support/conversations/${id}/messages`, {
      clientId: "x",
      body: "我还在",
    });
    expect(late.statusCode).toBe(409);
  });
});

describe("who may see what", () => {
  it("does not let one customer read or join another's chat", async () => {
    const owner = await createCustomer(t);
    const stranger = await createCustomer(t);
    const id = await openChat(owner);
    const res = await stranger.client.get(`/api/v1/support/conversations/${id}/messages`);
    expect(res.statusCode).toBe(404);
    const s = await open(baseA, stranger);
    s.send({ type: "subscribe", conversationId: id });
    const err = await s.next((f) => f.type === "error");
    expect(err.code).toBe("not_found");
  });

  it("refuses a socket without a session and one opened from another site", async () => {
    const customer = await createCustomer(t);
    const anonymous = { ...customer, client: t.client() };
    await expect(ChatSocket.open(baseA, anonymous.client)).rejects.toThrow(/401/);
    const s = await ChatSocket.open(baseA, customer.client, { origin: "https://evil.example" });
    expect((await s.waitClosed()).code).toBe(4403);
    expect(s.frames.filter((f) => f.type === "ready")).toEqual([]);
  });

  it("accepts pictures only, checked by their bytes, and shows them to the conversation only", async () => {
    const customer = await createCustomer(t);
    const stranger = await createCustomer(t);
    const id = await openChat(customer);
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const upload = async (who: LoggedIn, data: Buffer, name: string) => {
      const boundary = "----oc-test";
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return who.client.post("/api/v1/support/attachments", body, {
        headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      });
    };
    const notAPicture = await upload(customer, Buffer.from("<script>alert(1)</script>"), "x.png");
    expect(notAPicture.statusCode).toBe(415);
    const up = await upload(customer, png, "photo.png");
    expect(up.statusCode).toBe(201);
    const fileId = up.json().id;
    const sent = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
      clientId: "pic",
      attachmentId: fileId,
    });
    expect(sent.statusCode).toBe(201);
    expect((await customer.client.get(`/api/v1/support/attachments/${fileId}`)).statusCode).toBe(200);
    expect((await stranger.client.get(`/api/v1/support/attachments/${fileId}`)).statusCode).toBe(404);
    const stolen = await stranger.client.post(
      `/api/v1/support/conversations/${await openChat(stranger)}/messages`,
      { clientId: "steal", attachmentId: fileId },
    );
    expect(stolen.statusCode).toBe(400);
  });
});

describe("out of hours", () => {
  it("takes a message instead of promising a person at night", async () => {
    await everyoneOffline();
    t.clock.set(new Date("2026-11-22T15:30:00Z")); // 23:30 in Beijing
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    const res = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
      clientId: "n",
      body: "转人工",
    });
    expect(res.json().replies[0].payload).toMatchObject({ reply: "take_message" });
    expect(res.json().replies[0].body).toContain("08:00–22:00");
    const c = await t.db
      .selectFrom("support_conversations")
      .select(["status", "handover_reason"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(c).toEqual({ status: "queued", handover_reason: "after_hours" });
  });

  it("still hands over at night when an agent is online", async () => {
    await everyoneOffline();
    t.clock.set(new Date("2026-11-22T15:40:00Z")); // 23:40 in Beijing
    const nightOwl = await agent();
    const customer = await createCustomer(t);
    const id = await openChat(customer);
    const res = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
      clientId: "n2",
      body: "转人工",
    });
    expect(res.json().replies[0].payload).toMatchObject({ reply: "handover", reason: "asked" });
    const c = await t.db
      .selectFrom("support_conversations")
      .select(["status", "assigned_agent_id"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(c).toEqual({ status: "assigned", assigned_agent_id: nightOwl.user.id });
  });
});
