// Several server processes on one database: only one listens for inbound mail, and another
// takes over when it stops or its database connection is cut.
import { connect } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import {
  INBOUND_SMTP_APPLICATION_NAME,
  type InboundSmtp,
  type InboundSmtpLeader,
  startInboundSmtpOnce,
} from "./email-inbound.js";

let t: TestApp;
const started: InboundSmtpLeader[] = [];

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  for (const l of started) await l.close();
  await t.close();
});

/** One server process's listener, with a promise for each change it reports. */
function aProcess() {
  const changes: Array<InboundSmtp | null> = [];
  const waiting: Array<(l: InboundSmtp | null) => void> = [];
  const leader = startInboundSmtpOnce(t.ctx, {
    databaseUrl: t.databaseUrl,
    port: 0,
    host: "127.0.0.1",
    retryMs: 50,
    onChange: (l) => {
      const next = waiting.shift();
      if (next) next(l);
      else changes.push(l);
    },
  });
  started.push(leader);
  const nextChange = () =>
    changes.length > 0
      ? Promise.resolve(changes.shift() ?? null)
      : new Promise<InboundSmtp | null>((resolve) => waiting.push(resolve));
  return { leader, nextChange };
}

/** The SMTP greeting on that port, as a sending mail server first hears it. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("data", (d) => {
      resolve(d.toString());
      socket.end();
    });
    socket.once("error", reject);
  });
}

describe("the inbound SMTP listener with several processes on one database", () => {
  it("listens in one process only, and another takes over when that one stops", async () => {
    const first = aProcess();
    const listener = await first.nextChange();
    expect(listener).not.toBeNull();
    expect(await greeting(listener?.port ?? 0)).toMatch(/^220 /);

    const second = aProcess();
    await second.leader.ready;
    expect(second.leader.listening).toBeNull();

    await first.leader.close();
    const takenOver = await second.nextChange();
    expect(takenOver).not.toBeNull();
    expect(second.leader.listening).toBe(takenOver);
    expect(await greeting(takenOver?.port ?? 0)).toMatch(/^220 /);
    await second.leader.close();
  });

  it("stops listening when its database connection is cut, and another process takes over", async () => {
    const first = aProcess();
    const listener = await first.nextChange();
    expect(listener).not.toBeNull();
    const second = aProcess();
    await second.leader.ready;
    expect(second.leader.listening).toBeNull();

    // As when the holder's host drops off the network: PostgreSQL ends its session. Exactly one
    // session of ours holds the lock.
    const holders = await sql<{ pid: number }>`
      select a.pid from pg_stat_activity a join pg_locks l on l.pid = a.pid
      where l.locktype = 'advisory' and l.granted and a.datname = current_database()
        and a.application_name = ${INBOUND_SMTP_APPLICATION_NAME}`.execute(t.db);
    expect(holders.rows).toHaveLength(1);
    await sql`select pg_terminate_backend(${holders.rows[0]?.pid ?? 0})`.execute(t.db);

    expect(await first.nextChange()).toBeNull();
    const takenOver = await second.nextChange();
    expect(takenOver).not.toBeNull();
    expect(await greeting(takenOver?.port ?? 0)).toMatch(/^220 /);
  });
});
