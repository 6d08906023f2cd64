// The sockets of one server process. Events come from the bus (so from every process) and go
// to the sockets subscribed to that conversation, each message once and in order. A socket
// that falls behind is closed rather than buffered without end; its client reconnects and
// resumes from the last message id it has.
import type { WebSocket } from "ws";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { loadSession } from "../identity/sessions.js";
import {
  announceTyping,
  announceViewing,
  CHAT_CHANNEL,
  type ChatEvent,
  type ChatMessage,
  conversationFor,
  markReceived,
  type Party,
  sendAgentMessage,
  sendCustomerMessage,
  toChatConversation,
  toChatMessage,
} from "./chat.js";
import { findMessage, listMessagesAfter } from "./chat-store.js";

/** Messages sent when a socket subscribes; older history comes over HTTP. */
export const BACKLOG_LIMIT = 200;
/** A socket with more than this unsent is too slow: closed, and it resumes on reconnect. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 30_000;
const TYPING_EVERY_MS = 1_000;
/** Close codes: the client should not retry (4401, 4403), or may (1013). */
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_SLOW = 1013;

const id = z.string().min(1).max(64);
const messageId = z.string().regex(/^\d{1,18}$/);
const frame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), conversationId: id, after: messageId.optional() }),
  z.object({ type: z.literal("unsubscribe"), conversationId: id }),
  z.object({
    type: z.literal("send"),
    conversationId: id,
    clientId: z.string().min(1).max(64),
    body: z.string().max(4_000).optional(),
    attachmentId: z.uuid().optional(),
  }),
  z.object({ type: z.literal("typing"), conversationId: id }),
  z.object({ type: z.literal("delivered"), conversationId: id, upTo: messageId }),
  z.object({ type: z.literal("read"), conversationId: id, upTo: messageId }),
  z.object({ type: z.literal("ping") }),
]);
type Frame = z.infer<typeof frame>;

type Subscription = {
  lastSent: bigint;
  /** Events that arrived while the backlog was being read; sent after it. */
  buffered: ChatMessage[] | null;
};

type Peer = {
  socket: WebSocket;
  party: Party;
  sessionToken: string;
  subs: Map<string, Subscription>;
  lastTyping: number;
  alive: boolean;
};

export class ChatHub {
  private readonly byConversation = new Map<string, Set<Peer>>();
  private readonly agents = new Set<Peer>();
  private readonly peers = new Set<Peer>();
  /** Agents with each conversation open, from every process: the collision warning. */
  private readonly viewers = new Map<string, Set<string>>();
  private stopBus: (() => void) | null = null;
  private stopReconnect: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: AppContext) {}

  async start(): Promise<void> {
    this.stopBus = await this.ctx.events.subscribe(CHAT_CHANNEL, (p) => {
      this.onEvent(p as ChatEvent).catch((err: unknown) => this.warn(err));
    });
    this.stopReconnect = this.ctx.events.onReconnect(() => {
      this.resyncAll().catch((err: unknown) => this.warn(err));
    });
    this.heartbeat = setInterval(() => {
      this.beat().catch((err: unknown) => this.warn(err));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  stop(): void {
    this.stopBus?.();
    this.stopReconnect?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const p of this.peers) p.socket.close(1001, "server going away");
  }

  get socketCount(): number {
    return this.peers.size;
  }

  private warn(err: unknown) {
    // Logging goes through Fastify's logger where there is one; the hub must never crash.
    process.emitWarning(err instanceof Error ? err : new Error(String(err)), "ChatHubWarning");
  }

  attach(socket: WebSocket, party: Party, sessionToken: string): void {
    const peer: Peer = { socket, party, sessionToken, subs: new Map(), lastTyping: 0, alive: true };
    this.peers.add(peer);
    if (party.kind === "agent") this.agents.add(peer);
    socket.on("pong", () => {
      peer.alive = true;
    });
    socket.on("message", (data, isBinary) => {
      if (isBinary)
        return this.sendTo(peer, { type: "error", code: "bad_request", detail: "Send JSON text" });
      this.onFrame(peer, data.toString()).catch((err: unknown) => {
        const code = err instanceof DomainError ? err.code : "internal_error";
        const detail = err instanceof DomainError ? err.message : undefined;
        if (!(err instanceof DomainError)) this.warn(err);
        this.sendTo(peer, { type: "error", code, detail });
      });
    });
    socket.on("close", () => this.detach(peer));
    this.sendTo(peer, { type: "ready", party: { kind: party.kind, id: party.id } });
  }

  private detach(peer: Peer) {
    if (!this.peers.delete(peer)) return;
    this.agents.delete(peer);
    for (const c of peer.subs.keys()) {
      this.byConversation.get(c)?.delete(peer);
      if (peer.party.kind === "agent") announceViewing(this.ctx, peer.party, c, false).catch(() => {});
    }
  }

  private send(peer: Peer, text: string) {
    if (peer.socket.readyState !== peer.socket.OPEN) return;
    if (peer.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      peer.socket.close(CLOSE_TOO_SLOW, "too slow; reconnect and resume");
      return;
    }
    peer.socket.send(text);
  }

  private sendTo(peer: Peer, frameOut: Record<string, unknown>) {
    this.send(peer, JSON.stringify(frameOut));
  }

  private async onFrame(peer: Peer, text: string) {
    let parsed: Frame;
    try {
      parsed = frame.parse(JSON.parse(text));
    } catch {
      throw new DomainError("validation_failed", { detail: "Not a frame this socket understands" });
    }
    const { ctx } = this;
    switch (parsed.type) {
      case "ping":
        return this.sendTo(peer, { type: "pong" });
      case "subscribe":
        return this.subscribe(peer, parsed.conversationId, BigInt(parsed.after ?? "0"));
      case "unsubscribe": {
        peer.subs.delete(parsed.conversationId);
        this.byConversation.get(parsed.conversationId)?.delete(peer);
        if (peer.party.kind === "agent") await announceViewing(ctx, peer.party, parsed.conversationId, false);
        return;
      }
      case "send": {
        const input = { clientId: parsed.clientId, body: parsed.body, attachmentId: parsed.attachmentId };
        const result =
          peer.party.kind === "customer"
            ? await sendCustomerMessage(ctx, peer.party, parsed.conversationId, input)
            : await sendAgentMessage(ctx, peer.party, parsed.conversationId, input);
        return this.sendTo(peer, { type: "ack", clientId: parsed.clientId, message: result.message });
      }
      case "typing": {
        this.requireSubscribed(peer, parsed.conversationId);
        const now = Date.now();
        if (now - peer.lastTyping < TYPING_EVERY_MS) return;
        peer.lastTyping = now;
        return announceTyping(ctx, peer.party, parsed.conversationId);
      }
      case "delivered":
      case "read": {
        this.requireSubscribed(peer, parsed.conversationId);
        const upTo = BigInt(parsed.upTo);
        await markReceived(
          ctx,
          peer.party,
          parsed.conversationId,
          parsed.type === "read" ? { read: upTo } : { delivered: upTo },
        );
        return;
      }
      default: {
        const unexpected: never = parsed;
        throw new Error(`unknown frame ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private requireSubscribed(peer: Peer, conversationId: string) {
    if (!peer.subs.has(conversationId)) {
      throw new DomainError("conflict", { detail: "Subscribe to the conversation first" });
    }
  }

  private async subscribe(peer: Peer, conversationId: string, after: bigint) {
    const conversation = await conversationFor(this.ctx.db, peer.party, conversationId);
    const sub: Subscription = { lastSent: after, buffered: [] };
    peer.subs.set(conversationId, sub);
    let set = this.byConversation.get(conversationId);
    if (!set) {
      set = new Set();
      this.byConversation.set(conversationId, set);
    }
    set.add(peer);
    this.sendTo(peer, { type: "conversation", conversation: toChatConversation(conversation) });
    await this.catchUp(peer, conversationId, sub);
    if (peer.party.kind === "agent") {
      await announceViewing(this.ctx, peer.party, conversationId, true);
      this.sendTo(peer, {
        type: "viewers",
        conversationId,
        agentIds: [...(this.viewers.get(conversationId) ?? [])],
      });
    }
  }

  /** Sends what the subscription has not seen yet from the database, then what arrived meanwhile. */
  private async catchUp(peer: Peer, conversationId: string, sub: Subscription) {
    sub.buffered ??= [];
    let more = true;
    while (more) {
      const rows = await listMessagesAfter(this.ctx.db, conversationId, sub.lastSent, BACKLOG_LIMIT);
      for (const row of rows) this.deliver(peer, sub, toChatMessage(row), true);
      more = rows.length === BACKLOG_LIMIT;
    }
    const waiting = sub.buffered;
    sub.buffered = null;
    for (const m of waiting) this.deliver(peer, sub, m, false);
  }

  private deliver(peer: Peer, sub: Subscription, m: ChatMessage, fromBacklog: boolean, text?: string) {
    if (sub.buffered && !fromBacklog) {
      sub.buffered.push(m);
      return;
    }
    const idNum = BigInt(m.id);
    if (idNum <= sub.lastSent) return;
    sub.lastSent = idNum;
    this.send(peer, text ?? JSON.stringify({ type: "message", message: m }));
  }

  private async onEvent(event: ChatEvent) {
    switch (event.t) {
      case "m": {
        const peers = this.byConversation.get(event.c);
        if (!peers || peers.size === 0) return;
        let m = event.m;
        if (!m) {
          const row = await findMessage(this.ctx.db, BigInt(event.id));
          if (!row) return;
          m = toChatMessage(row);
        }
        // One serialisation for every socket.
        const text = JSON.stringify({ type: "message", message: m });
        for (const peer of peers) {
          const sub = peer.subs.get(event.c);
          if (sub) this.deliver(peer, sub, m, false, text);
        }
        return;
      }
      case "cv": {
        const text = JSON.stringify({ type: "conversation", conversation: event.conv });
        const targets = new Set<Peer>([...(this.byConversation.get(event.c) ?? []), ...this.agents]);
        for (const peer of targets) this.send(peer, text);
        return;
      }
      case "ty": {
        const text = JSON.stringify({ type: "typing", conversationId: event.c, by: event.k });
        for (const peer of this.byConversation.get(event.c) ?? [])
          if (peer.party.id !== event.u) this.send(peer, text);
        return;
      }
      case "rc": {
        const text = JSON.stringify({
          type: "receipt",
          conversationId: event.c,
          readerKind: event.k,
          readerId: event.u,
          deliveredUpTo: event.d,
          readUpTo: event.r,
        });
        for (const peer of this.byConversation.get(event.c) ?? []) this.send(peer, text);
        return;
      }
      case "vw": {
        let set = this.viewers.get(event.c);
        if (!set) {
          set = new Set();
          this.viewers.set(event.c, set);
        }
        if (event.on) set.add(event.u);
        else set.delete(event.u);
        if (set.size === 0) this.viewers.delete(event.c);
        const text = JSON.stringify({ type: "viewers", conversationId: event.c, agentIds: [...set] });
        for (const peer of this.byConversation.get(event.c) ?? [])
          if (peer.party.kind === "agent") this.send(peer, text);
        return;
      }
      default: {
        const unexpected: never = event;
        throw new Error(`unknown chat event ${JSON.stringify(unexpected)}`);
      }
    }
  }

  /** After the bus was down: every subscription reads what it missed from the database. */
  private async resyncAll() {
    for (const peer of this.peers) {
      for (const [conversationId, sub] of peer.subs) await this.catchUp(peer, conversationId, sub);
    }
  }

  /** Drops dead sockets and sockets whose session has ended (logout, revocation, freeze). */
  private async beat() {
    for (const peer of this.peers) {
      if (!peer.alive) {
        peer.socket.terminate();
        continue;
      }
      peer.alive = false;
      peer.socket.ping();
      const session = await loadSession(this.ctx.db, this.ctx.clock, peer.sessionToken);
      if (session?.stage !== "full") peer.socket.close(CLOSE_UNAUTHENTICATED, "session ended");
    }
  }
}
