// Fan-out between server processes through PostgreSQL LISTEN/NOTIFY: any number of identical
// processes on one database behave as one. A NOTIFY sent inside a transaction is delivered when
// (and only if) it commits, in commit order. What a process missed while its listening
// connection was down is not replayed; subscribers are told through `onReconnect` and catch up
// from the database.
import { sql } from "kysely";
import pg from "pg";
import type { Executor } from "./db/database.js";

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
export const MAX_EVENT_BYTES = 7_900;

export type EventHandler = (payload: unknown) => void;

export type EventBus = {
  /** Queues an event on `db`: sent at commit when `db` is a transaction, at once otherwise. */
  publish(db: Executor, channel: string, payload: unknown): Promise<void>;
  /** Calls `handler` for every event on `channel` from any process; returns the unsubscribe. */
  subscribe(channel: string, handler: EventHandler): Promise<() => void>;
  /** Called after the listening connection came back: events in between were lost. */
  onReconnect(handler: () => void): () => void;
  close(): Promise<void>;
};

const CHANNEL = /^[a-z][a-z0-9_]{0,62}$/;

export function eventFits(payload: unknown): boolean {
  return Buffer.byteLength(JSON.stringify(payload)) < MAX_EVENT_BYTES;
}

export function createEventBus(opts: {
  databaseUrl: string;
  onError?: (err: unknown) => void;
  /** First wait before reconnecting; doubles up to 5 s. */
  retryMs?: number;
}): EventBus {
  const handlers = new Map<string, Set<EventHandler>>();
  const reconnectHandlers = new Set<() => void>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;
  let everConnected = false;
  let retry = opts.retryMs ?? 100;

  const report = (err: unknown) => opts.onError?.(err);

  const dispatch = (msg: pg.Notification) => {
    const set = handlers.get(msg.channel);
    if (!set || msg.payload === undefined) return;
    let payload: unknown;
    try {
      payload = JSON.parse(msg.payload);
    } catch (err) {
      report(err);
      return;
    }
    for (const h of set) {
      try {
        h(payload);
      } catch (err) {
        report(err);
      }
    }
  };

  const connect = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    if (connecting) return connecting;
    connecting = (async () => {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      c.on("notification", dispatch);
      c.on("error", (err) => {
        report(err);
        lost(c);
      });
      c.on("end", () => lost(c));
      await c.connect();
      for (const channel of handlers.keys()) await c.query(`listen ${channel}`);
      if (closed) {
        await c.end().catch(() => {});
        throw new Error("event bus closed");
      }
      client = c;
      retry = opts.retryMs ?? 100;
      if (everConnected) for (const h of reconnectHandlers) h();
      everConnected = true;
      return c;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    if (closed) return;
    const again = () => {
      if (closed || client || connecting) return;
      connect().catch((err: unknown) => {
        report(err);
        retry = Math.min(retry * 2, 5_000);
        setTimeout(again, retry).unref();
      });
    };
    setTimeout(again, retry).unref();
  };

  return {
    async publish(db, channel, payload) {
      if (!CHANNEL.test(channel)) throw new Error(`bad channel name ${channel}`);
      const text = JSON.stringify(payload);
      if (Buffer.byteLength(text) >= MAX_EVENT_BYTES) throw new Error("event payload too large for NOTIFY");
      await sql`select pg_notify(${channel}, ${text})`.execute(db);
    },
    async subscribe(channel, handler) {
      if (!CHANNEL.test(channel)) throw new Error(`bad channel name ${channel}`);
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        const c = await connect();
        // connect() listens to every known channel when it (re)connects; a channel added to an
        // already open connection is listened to here.
        if (client === c) await c.query(`listen ${channel}`);
      } else {
        await connect();
      }
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    async close() {
      closed = true;
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
