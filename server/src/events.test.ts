// Two event buses on one database stand for two server processes.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../test/harness.js";
import { createEventBus, type EventBus, eventFits, MAX_EVENT_BYTES } from "./events.js";

let t: TestApp;
let a: EventBus;
let b: EventBus;
beforeAll(async () => {
  t = await createTestApp();
  a = createEventBus({ databaseUrl: t.databaseUrl, retryMs: 20 });
  b = createEventBus({ databaseUrl: t.databaseUrl, retryMs: 20 });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await t.close();
});

/** Subscribes; `done` resolves with the events seen once `count` have arrived. */
async function collect(bus: EventBus, channel: string, count: number): Promise<{ done: Promise<unknown[]> }> {
  const seen: unknown[] = [];
  let resolve: (v: unknown[]) => void = () => {};
  const done = new Promise<unknown[]>((r) => {
    resolve = r;
  });
  await bus.subscribe(channel, (p) => {
    seen.push(p);
    if (seen.length === count) resolve(seen);
  });
  return { done };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the event bus", () => {
  it("delivers an event to every process, and one sent in a rolled-back transaction to none", async () => {
    const atA = await collect(a, "test_fanout", 2);
    const atB = await collect(b, "test_fanout", 2);
    await t.db
      .transaction()
      .execute(async (tx) => {
        await a.publish(tx, "test_fanout", { n: "lost" });
        throw new Error("roll back");
      })
      .catch(() => {});
    await a.publish(t.db, "test_fanout", { n: 1 });
    await t.db.transaction().execute((tx) => b.publish(tx, "test_fanout", { n: 2 }));
    expect(await atA.done).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await atB.done).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("listens again after its connection is killed, and says so", async () => {
    let reconnected = 0;
    a.onReconnect(() => {
      reconnected += 1;
    });
    const seen: unknown[] = [];
    await a.subscribe("test_reconnect", (p) => seen.push(p));
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`.execute(
      t.db,
    );
    await waitFor(() => reconnected > 0, "the reconnect");
    await waitFor(async () => {
      await b.publish(t.db, "test_reconnect", { after: "reconnect" });
      return seen.length > 0;
    }, "an event after the reconnect");
    expect(seen[0]).toEqual({ after: "reconnect" });
  });

  it("refuses a payload PostgreSQL would refuse, and bad channel names", async () => {
    const big = { body: "字".repeat(MAX_EVENT_BYTES / 3 + 10) };
    expect(eventFits(big)).toBe(false);
    await expect(a.publish(t.db, "test_fanout", big)).rejects.toThrow(/too large/);
    await expect(a.publish(t.db, "bad; drop table users", {})).rejects.toThrow(/channel/);
  });
});
