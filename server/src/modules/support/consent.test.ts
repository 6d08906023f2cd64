// Consent before account access, as agents and customers use it over HTTP and the chat socket:
// nothing without a grant, masked data within it, every view audited, and access that ends on
// revocation, at expiry, and for anyone but the agent who asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatSocket, isMessage, listenOnce } from "../../../test/chat-socket.js";
import { createStaff, type LoggedIn, latestCode } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { type Customer, fundedCustomer } from "../wallet/test-support.js";
import { importHelpCentre } from "./import.js";

let t: TestApp;
let base: string;
const sockets: ChatSocket[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await importHelpCentre(t.ctx);
  base = await listenOnce(t.app);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
});

async function onlineAgent(): Promise<LoggedIn> {
  const a = await createStaff(t, { roles: ["agent"], name: `坐席${Math.random().toString(36).slice(2, 6)}` });
  expect((await a.client.put("/api/v1/console/support/me", { status: "online" })).statusCode).toBe(200);
  return a;
}

/** A funded customer whose chat has been handed to a fresh agent (the only one online). */
async function handedOver(fen = 12_345n): Promise<{ agent: LoggedIn; customer: Customer; id: string }> {
  await t.db.updateTable("support_agents").set({ status: "offline" }).execute();
  const agent = await onlineAgent();
  const customer = await fundedCustomer(t, fen, { name: "王小明" });
  const id = (await customer.client.post("/api/v1/support/conversations")).json().id as string;
  const res = await customer.client.post(`/api/v1/support/conversations/${id}/messages`, {
    clientId: "h",
    body: "转人工",
  });
  expect(res.statusCode).toBe(201);
  const c = await t.db
    .selectFrom("support_conversations")
    .select("assigned_agent_id")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  expect(c.assigned_agent_id).toBe(agent.user.id);
  return { agent, customer, id };
}

const ask = (agent: LoggedIn, id: string, scopes: string[], minutes = 10) =>
  agent.client.post(`/api/v1/console/support/conversations/${id}/consents`, { scopes, minutes });
const look = (agent: LoggedIn, id: string, scope: string) =>
  agent.client.get(`/api/v1/console/support/conversations/${id}/customer`, { query: { scope } });

async function viewsAudited(agentId: string) {
  return t.db
    .selectFrom("audit_log")
    .select(["action", "target_type", "target_id", "details"])
    .where("actor_id", "=", agentId)
    .where("action", "=", "support.customer_viewed")
    .execute();
}

describe("asking and granting in the portal", () => {
  it("shows the request in the chat, and after the grant the agent sees masked data only, every view audited", async () => {
    const { agent, customer, id } = await handedOver();
    const cs = await ChatSocket.open(base, customer.client);
    sockets.push(cs);
    cs.send({ type: "subscribe", conversationId: id });
    await cs.next((f) => f.type === "conversation");

    const before = await look(agent, id, "balance");
    expect(before.statusCode).toBe(403);
    expect(before.json().code).toBe("consent_required");

    const asked = await ask(agent, id, ["balance", "profile", "transactions"], 15);
    expect(asked.statusCode).toBe(201);
    const consentId = asked.json().id as string;
    expect(asked.json()).toMatchObject({
      status: "requested",
      scopes: ["profile", "balance", "transactions"],
    });

    // The customer sees the request live, with what it covers and for how long.
    const card = await cs.next(
      isMessage(id, (m) => m.author.kind === "system" && m.body.includes("申请查看")),
    );
    const payload = (card.message as { payload: { event: string; consent: { id: string; minutes: number } } })
      .payload;
    expect(payload.event).toBe("consent_requested");
    expect(payload.consent).toMatchObject({ id: consentId, minutes: 15 });

    const granted = await customer.client.post(`/api/v1/support/consents/${consentId}/grant`);
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ status: "granted", grantedVia: "portal" });
    expect(new Date(granted.json().expiresAt).getTime() - t.clock.now().getTime()).toBe(15 * 60_000);
    await cs.next(isMessage(id, (m) => m.author.kind === "system" && m.body.includes("您已同意")));

    const seen = await look(agent, id, "profile,balance,transactions");
    expect(seen.statusCode).toBe(200);
    const view = seen.json();
    expect(view.profile).toMatchObject({
      name: "王*明",
      phone: `${customer.phone.slice(0, 3)}****${customer.phone.slice(-4)}`,
    });
    expect(view.balance.accounts).toEqual([{ currency: "CNY", available: 12_345, pending: 0 }]);
    expect(view.transactions.items[0]).toMatchObject({ type: "adjustment", direction: "in", amount: 12_345 });
    const text = JSON.stringify(view);
    expect(text).not.toContain(customer.phone);
    expect(text).not.toContain("王小明");
    expect(text).not.toMatch(/id_?number|password|memo/i);

    const audited = await viewsAudited(agent.user.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ target_type: "user", target_id: customer.user.id });
    expect(audited[0]?.details).toMatchObject({
      conversationId: id,
      consentId,
      scopes: ["profile", "balance", "transactions"],
    });
    await look(agent, id, "balance");
    expect(await viewsAudited(agent.user.id)).toHaveLength(2);
  });

  it("keeps to the scopes granted: balance only does not open the transactions", async () => {
    const { agent, customer, id } = await handedOver();
    const consentId = (await ask(agent, id, ["balance"], 5)).json().id;
    await customer.client.post(`/api/v1/support/consents/${consentId}/grant`);
    expect((await look(agent, id, "balance")).statusCode).toBe(200);
    const wider = await look(agent, id, "balance,transactions");
    expect(wider.statusCode).toBe(403);
    expect(wider.json().code).toBe("consent_required");
    expect((await look(agent, id, "profile")).statusCode).toBe(403);
    expect((await look(agent, id, "secrets")).statusCode).toBe(400);
    // Refused reads are not views: only the one allowed read is in the trail.
    expect(await viewsAudited(agent.user.id)).toHaveLength(1);
  });

  it("ends by itself at expiry (by the clock, nothing needs to run)", async () => {
    const { agent, customer, id } = await handedOver();
    const consentId = (await ask(agent, id, ["balance"], 2)).json().id;
    await customer.client.post(`/api/v1/support/consents/${consentId}/grant`);
    t.clock.advance(119_000);
    expect((await look(agent, id, "balance")).statusCode).toBe(200);
    t.clock.advance(1_000);
    const late = await look(agent, id, "balance");
    expect(late.statusCode).toBe(403);
    expect(late.json().code).toBe("consent_required");
    const listed = await agent.client.get(`/api/v1/console/support/conversations/${id}/consents`);
    expect(listed.json().items[0]).toMatchObject({ id: consentId, status: "expired" });
  });

  it("ends at once when the customer revokes, and says so in the chat", async () => {
    const { agent, customer, id } = await handedOver();
    const consentId = (await ask(agent, id, ["balance"], 30)).json().id;
    await customer.client.post(`/api/v1/support/consents/${consentId}/grant`);
    expect((await look(agent, id, "balance")).statusCode).toBe(200);
    const revoked = await customer.client.post(`/api/v1/support/consents/${consentId}/revoke`);
    expect(revoked.json()).toMatchObject({ status: "revoked" });
    expect((await look(agent, id, "balance")).statusCode).toBe(403);
    const messages = await customer.client.get(`/api/v1/support/conversations/${id}/messages`);
    const events = messages
      .json()
      .items.filter((m: { author: { kind: string } }) => m.author.kind === "system")
      .map((m: { payload: { event: string } }) => m.payload.event);
    expect(events).toEqual(
      expect.arrayContaining(["consent_requested", "consent_granted", "consent_revoked"]),
    );
    const actions = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "support.consent_%")
      .where("details", "@>", JSON.stringify({ consentId }) as never)
      .orderBy("id")
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      "support.consent_requested",
      "support.consent_granted",
      "support.consent_revoked",
    ]);
  });

  it("gives nothing after a refusal, and a refused request cannot be granted later", async () => {
    const { agent, customer, id } = await handedOver();
    const consentId = (await ask(agent, id, ["profile"], 5)).json().id;
    const refused = await customer.client.post(`/api/v1/support/consents/${consentId}/refuse`);
    expect(refused.json()).toMatchObject({ status: "refused" });
    expect((await customer.client.post(`/api/v1/support/consents/${consentId}/grant`)).statusCode).toBe(409);
    expect((await look(agent, id, "profile")).statusCode).toBe(403);
  });
});

describe("who may use a grant", () => {
  it("is the asking agent only: not another agent, not after the conversation moved on", async () => {
    const { agent, customer, id } = await handedOver();
    const other = await onlineAgent();
    const consentId = (await ask(agent, id, ["balance"], 30)).json().id;
    await customer.client.post(`/api/v1/support/consents/${consentId}/grant`);
    expect((await look(other, id, "balance")).statusCode).toBe(403);

    const moved = await agent.client.post(`/api/v1/console/support/conversations/${id}/transfer`, {
      agentId: other.user.id,
    });
    expect(moved.statusCode).toBe(200);
    // The new agent did not get the customer's permission, and the old one no longer has the chat.
    expect((await look(other, id, "balance")).statusCode).toBe(403);
    expect((await look(agent, id, "balance")).statusCode).toBe(403);
    expect(await viewsAudited(other.user.id)).toEqual([]);
  });

  it("lets only the customer of the conversation answer, and only the agent who has it ask", async () => {
    const { agent, id } = await handedOver();
    const stranger = await fundedCustomer(t);
    const bystander = await onlineAgent();
    expect((await ask(bystander, id, ["balance"])).statusCode).toBe(409);
    expect((await ask(agent, id, ["balance"], 31)).statusCode).toBe(400);
    expect((await ask(agent, id, [])).statusCode).toBe(400);
    const consentId = (await ask(agent, id, ["balance"])).json().id;
    expect((await stranger.client.post(`/api/v1/support/consents/${consentId}/grant`)).statusCode).toBe(404);
    expect((await stranger.client.get(`/api/v1/support/conversations/${id}/consents`)).statusCode).toBe(404);
  });

  it("replaces an open request with a newer one, and lets an unanswered one lapse", async () => {
    const { agent, customer, id } = await handedOver();
    const first = (await ask(agent, id, ["balance"])).json().id;
    t.clock.advance(1_000);
    const second = (await ask(agent, id, ["profile"])).json().id;
    expect((await customer.client.post(`/api/v1/support/consents/${first}/grant`)).statusCode).toBe(409);
    t.clock.advance(10 * 60_000);
    expect((await customer.client.post(`/api/v1/support/consents/${second}/grant`)).statusCode).toBe(409);
    const listed = await customer.client.get(`/api/v1/support/conversations/${id}/consents`);
    expect(listed.json().items.map((c: { status: string }) => c.status)).toEqual(["expired", "cancelled"]);
  });
});

describe("granting by a code to the bound phone", () => {
  it("grants when the agent enters the code the customer read out; wrong codes count", async () => {
    const { agent, customer, id } = await handedOver(500n);
    const consentId = (await ask(agent, id, ["balance"], 10)).json().id;
    const sent = await agent.client.post(`/api/v1/console/support/consents/${consentId}/code`);
    expect(sent.statusCode).toBe(200);
    expect(sent.json().sentTo).toBe(`${customer.phone.slice(0, 3)}****${customer.phone.slice(-4)}`);
    expect((await agent.client.post(`/api/v1/console/support/consents/${consentId}/code`)).statusCode).toBe(
      429,
    );
    const code = await latestCode(t, customer.phone);

    const other = await onlineAgent();
    expect(
      (await other.client.post(`/api/v1/console/support/consents/${consentId}/verify`, { code })).statusCode,
    ).toBe(404);
    const wrong = await agent.client.post(`/api/v1/console/support/consents/${consentId}/verify`, {
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: "invalid_otp", attemptsLeft: 4 });

    const ok = await agent.client.post(`/api/v1/console/support/consents/${consentId}/verify`, { code });
    expect(ok.json()).toMatchObject({ status: "granted", grantedVia: "phone_code" });
    const seen = await look(agent, id, "balance");
    expect(seen.json().balance.accounts[0]).toMatchObject({ available: 500 });
    // The code is spent with the grant.
    expect(
      (await agent.client.post(`/api/v1/console/support/consents/${consentId}/verify`, { code })).statusCode,
    ).toBe(409);
  });

  it("burns the code after five wrong tries", async () => {
    const { agent, customer, id } = await handedOver();
    const consentId = (await ask(agent, id, ["profile"], 10)).json().id;
    await agent.client.post(`/api/v1/console/support/consents/${consentId}/code`);
    const code = await latestCode(t, customer.phone);
    const wrongCode = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      await agent.client.post(`/api/v1/console/support/consents/${consentId}/verify`, { code: wrongCode });
    }
    const late = await agent.client.post(`/api/v1/console/support/consents/${consentId}/verify`, { code });
    expect(late.json().code).toBe("invalid_otp");
    expect((await look(agent, id, "profile")).statusCode).toBe(403);
  });
});

describe("rating the chat", () => {
  it("takes one rating from the customer once the chat has ended", async () => {
    const { agent, customer, id } = await handedOver();
    const early = await customer.client.post(`/api/v1/support/conversations/${id}/rating`, { rating: 5 });
    expect(early.statusCode).toBe(409);
    await agent.client.post(`/api/v1/console/support/conversations/${id}/close`);
    const stranger = await fundedCustomer(t);
    expect(
      (await stranger.client.post(`/api/v1/support/conversations/${id}/rating`, { rating: 1 })).statusCode,
    ).toBe(404);
    expect(
      (await customer.client.post(`/api/v1/support/conversations/${id}/rating`, { rating: 6 })).statusCode,
    ).toBe(400);
    const rated = await customer.client.post(`/api/v1/support/conversations/${id}/rating`, {
      rating: 4,
      comment: " 很快解决了 ",
    });
    expect(rated.statusCode).toBe(201);
    expect(rated.json()).toMatchObject({ rating: 4, comment: "很快解决了" });
    expect(
      (await customer.client.post(`/api/v1/support/conversations/${id}/rating`, { rating: 1 })).statusCode,
    ).toBe(409);
    const shown = await customer.client.get(`/api/v1/support/conversations/${id}/rating`);
    expect(shown.json().rating).toMatchObject({ rating: 4 });
  });
});
