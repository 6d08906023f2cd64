// The console's ticket stream over a real socket: an agent's open stream hears of every ticket
// that changes, whoever changed it (the API, or SQL as a job would), as the change commits, and
// nothing of what it says; customers and callers without a session get none.
import http from "node:http";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOnce } from "../../../test/chat-socket.js";
import { createCustomer, createStaff, type LoggedIn } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { TicketEventStreams } from "./ticket-events.js";

let t: TestApp;
let base: string;
let agent: LoggedIn;

beforeAll(async () => {
  t = await createTestApp();
  base = (await listenOnce(t.app)).replace("ws://", "http://");
  agent = await createStaff(t, { roles: ["agent"], name: "王坐席" });
});
afterAll(async () => {
  await t.close();
});

type Opened = {
  status: number;
  contentType: string;
  events: { event: string; data: string }[];
  close(): void;
};

/** Opens the stream with the client's cookies and collects its events as they arrive. */
function openStream(client: TestClient): Promise<Opened> {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return new Promise((resolve, reject) => {
    const headers = { cookie, accept: "text/event-stream" };
    const req = http.get(`${base}/api/v1/console/support/tickets/events`, { headers }, (res) => {
      const opened: Opened = {
        status: res.statusCode ?? 0,
        contentType: String(res.headers["content-type"] ?? ""),
        events: [],
        close: () => req.destroy(),
      };
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) opened.events.push({ event, data });
        }
      });
      res.on("error", () => {});
      resolve(opened);
    });
    req.on("error", reject);
  });
}

async function until<T>(what: () => T | undefined, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = what();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the ticket stream", () => {
  it("tells an agent of each ticket that changes as it commits — ids only — whoever changed it", async () => {
    const stream = await openStream(agent.client);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain("text/event-stream");
      const customer = await createCustomer(t, { name: "张阿姨" });
      const logged = await agent.client.post("/api/v1/console/support/tickets", {
        channel: "phone",
        phone: customer.user.phone,
        subject: "来电",
        body: "客户来电：想了解提现到账时间",
      });
      expect(logged.statusCode).toBe(201);
      const ticketId = (logged.json() as { ticket: { id: string } }).ticket.id;
      const heard = await until(() => stream.events.find((e) => e.event === "ticket"));
      expect(JSON.parse(heard.data)).toEqual({ ticketId });

      // A change made outside the API (a job, a person in psql) is heard too — after it commits.
      stream.events.length = 0;
      const committed = await t.db.transaction().execute(async (tx) => {
        await sql`update support_tickets set priority = 'high' where id = ${ticketId}`.execute(tx);
        await new Promise((r) => setTimeout(r, 200));
        return stream.events.length;
      });
      expect(committed).toBe(0);
      const later = await until(() => stream.events.find((e) => e.event === "ticket"));
      expect(JSON.parse(later.data)).toEqual({ ticketId });
      // Nothing of the ticket travels: no subject, no body, no customer.
      expect(later.data).not.toContain("来电");
    } finally {
      stream.close();
    }
  });

  it("answers 406 to an agent who does not ask for an event stream", async () => {
    const res = await agent.client.get("/api/v1/console/support/tickets/events");
    expect(res.statusCode).toBe(406);
    expect(res.json()).toMatchObject({ code: "not_acceptable" });
  });

  it("is refused to a customer and to a caller without a session", async () => {
    const customer = await createCustomer(t);
    const asCustomer = await openStream(customer.client);
    asCustomer.close();
    expect(asCustomer.status).toBe(403);
    const anonymous = await new Promise<number>((resolve, reject) => {
      http
        .get(`${base}/api/v1/console/support/tickets/events`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    expect(anonymous).toBe(401);
  });
});

describe("a stream's session", () => {
  it("ends the stream at the next heartbeat once the agent has logged out", async () => {
    const who = await createStaff(t, { roles: ["agent"] });
    const token = who.client.cookies.get("oc_session") ?? "";
    const streams = new TicketEventStreams(t.ctx, { heartbeatMs: 50 });
    const server = http.createServer((_req, res) => void streams.open(res, {}, token));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const ended = new Promise<string>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/`, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => {
              text += c;
            });
            res.on("end", () => resolve(text));
          })
          .on("error", reject);
      });
      // Still open across heartbeats while the session lives.
      await new Promise((r) => setTimeout(r, 200));
      expect(streams.size).toBe(1);
      const out = await who.client.post("/api/v1/auth/logout", {});
      expect(out.statusCode).toBeLessThan(300);
      const text = await ended;
      expect(text).toContain(": ping");
      expect(streams.size).toBe(0);
    } finally {
      streams.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
