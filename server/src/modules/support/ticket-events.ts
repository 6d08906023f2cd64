// Ticket changes, streamed to the console as they commit (server-sent events). Triggers on the
// ticket tables NOTIFY `oc_ticket_events` with the ticket's id (migration 0026); each process
// listens once, through the event bus, and passes the id on to its open streams. A stream carries
// ids only: the page that hears of a change reads the ticket through the API, under its own
// permissions. What a process missed while its listening connection was down is not replayed, so
// every stream is then told to read everything again ("resync"), as on its own reconnect.
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { permissionsOf } from "../../http/permissions.js";
import { loadSession } from "../identity/sessions.js";

export const TICKET_EVENTS_CHANNEL = "oc_ticket_events";
/** A comment line this often keeps proxies from closing an idle stream; the session is checked then too. */
export const HEARTBEAT_MS = 25_000;
/** A stream with this much unsent is too slow: closed, and its browser reconnects and reloads. */
const MAX_BUFFERED_BYTES = 256 * 1024;

const eventSchema = z.object({ ticketId: z.uuid() });

type Stream = { res: ServerResponse; sessionToken: string };

export class TicketEventStreams {
  private readonly streams = new Set<Stream>();
  private stopBus: (() => void) | null = null;
  private stopReconnect: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;

  private readonly heartbeatMs: number;

  constructor(
    private readonly ctx: AppContext,
    opts: { heartbeatMs?: number } = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Listens on the bus from the first stream on; idempotent. */
  private start(): Promise<void> {
    this.starting ??= (async () => {
      this.stopBus = await this.ctx.events.subscribe(TICKET_EVENTS_CHANNEL, (payload) => {
        const parsed = eventSchema.safeParse(payload);
        if (parsed.success) this.broadcast("ticket", { ticketId: parsed.data.ticketId });
      });
      this.stopReconnect = this.ctx.events.onReconnect(() => this.broadcast("resync", {}));
      this.heartbeat = setInterval(() => {
        this.beat().catch((err: unknown) => this.warn(err));
      }, this.heartbeatMs);
      this.heartbeat.unref();
    })().catch((err: unknown) => {
      // The next stream tries again (the bus could not listen: the database was away).
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  /**
   * Takes over a response whose request passed the route's permission check: sends the stream's
   * headers (with those the request's hooks set) and keeps it open until the client goes, the
   * session ends or the server closes.
   */
  async open(res: ServerResponse, headers: Record<string, string | string[] | number>, sessionToken: string) {
    await this.start();
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx and similar proxies would otherwise hold events back in their buffers.
      "x-accel-buffering": "no",
    });
    // How long the browser waits before reconnecting after the stream drops.
    res.write("retry: 3000\n\n");
    const stream: Stream = { res, sessionToken };
    this.streams.add(stream);
    res.on("close", () => this.streams.delete(stream));
  }

  private broadcast(event: "ticket" | "resync", data: object): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.streams) {
      if (s.res.writableLength > MAX_BUFFERED_BYTES) {
        this.end(s);
        continue;
      }
      s.res.write(frame);
    }
  }

  /** A comment to each stream, and each one's session checked: a stream ends with its session. */
  private async beat(): Promise<void> {
    for (const s of [...this.streams]) {
      const session = await loadSession(this.ctx.db, this.ctx.clock, s.sessionToken);
      if (session?.stage !== "full" || !permissionsOf(session.user.roles).has("support:handle")) {
        this.end(s);
        continue;
      }
      s.res.write(": ping\n\n");
    }
  }

  private end(s: Stream): void {
    this.streams.delete(s);
    s.res.end();
  }

  private warn(err: unknown): void {
    process.emitWarning(err instanceof Error ? err : new Error(String(err)), "TicketEventsWarning");
  }

  /** Ends every stream (server shutdown); browsers reconnect to another process. */
  stop(): void {
    this.stopBus?.();
    this.stopReconnect?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of [...this.streams]) this.end(s);
  }
}
