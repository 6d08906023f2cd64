// The live-chat socket as both faces use it (portal chat, console inbox). It reconnects by itself
// with growing pauses, resubscribes "after" the last message id it holds (so nothing is lost),
// and keeps every message it sent until the server acknowledges it: on reconnect it sends them
// again with the same clientId, which the server stores once (so nothing is sent twice).

export type ChatAuthorKind = "customer" | "agent" | "bot" | "system";

export type ChatMessage = {
  id: string;
  conversationId: string;
  author: { kind: ChatAuthorKind; id: string | null };
  clientId: string | null;
  body: string;
  attachmentId: string | null;
  payload: unknown;
  helpful: boolean | null;
  createdAt: string;
};

export type ChatConversation = {
  id: string;
  customerId: string;
  channel: string;
  status: "bot" | "queued" | "assigned" | "closed";
  team: string;
  assignedAgentId: string | null;
  handoverReason: string | null;
  createdAt: string;
  updatedAt: string;
};

export type ConsentScope = "profile" | "balance" | "transactions";
export type Consent = {
  id: string;
  conversationId: string;
  agentId: string;
  scopes: ConsentScope[];
  minutes: number;
  status: "requested" | "granted" | "refused" | "revoked" | "cancelled" | "expired";
  requestedAt: string;
  decidedAt: string | null;
  grantedVia: "portal" | "phone_code" | null;
  expiresAt: string | null;
  revokedAt: string | null;
  requestExpiresAt: string;
};

export type BotArticle = { slug: string; title: string; snippet: string };

export type ConnectionState = "connecting" | "open" | "closed";

export type ChatListeners = {
  onMessage?: (m: ChatMessage) => void;
  onConversation?: (c: ChatConversation) => void;
  onTyping?: (conversationId: string, by: "customer" | "agent") => void;
  onReceipt?: (r: {
    conversationId: string;
    readerKind: "customer" | "agent";
    readerId: string;
    deliveredUpTo: string;
    readUpTo: string;
  }) => void;
  onViewers?: (conversationId: string, agentIds: string[]) => void;
  onAck?: (clientId: string, m: ChatMessage) => void;
  onError?: (code: string, detail?: string) => void;
  onState?: (state: ConnectionState) => void;
  onReady?: (party: { kind: "customer" | "agent"; id: string }) => void;
};

type SendFrame = {
  type: "send";
  conversationId: string;
  clientId: string;
  body?: string;
  attachmentId?: string;
};

/** A clientId unique to this message: the same one goes with every retry. */
export function newClientId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Whether message id a comes after b (ids are decimal strings of bigints). */
export function idAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

export class ChatClient {
  private ws: WebSocket | null = null;
  private readonly lastId = new Map<string, string>();
  private readonly subscribed = new Set<string>();
  private readonly outbox = new Map<string, SendFrame>();
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly listeners: ChatListeners,
    private readonly url = ChatClient.defaultUrl(),
  ) {}

  static defaultUrl(): string {
    const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${window.location.host}/api/v1/support/socket`;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  /** Messages not yet acknowledged by the server. */
  get pending(): SendFrame[] {
    return [...this.outbox.values()];
  }

  private open() {
    if (this.stopped) return;
    this.listeners.onState?.("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
    };
    ws.onmessage = (ev) => this.onFrame(String(ev.data));
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.listeners.onState?.("closed");
      // 4401/4403: signed out or refused; retrying would not help.
      if (this.stopped || ev.code === 4401 || ev.code === 4403) return;
      this.timer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5_000);
    };
  }

  /** Drops the connection (as a network loss would); the client reconnects and resumes. */
  reconnect(): void {
    this.ws?.close();
  }

  private write(frame: Record<string, unknown>): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private onFrame(text: string) {
    let f: { type: string; [k: string]: unknown };
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    const l = this.listeners;
    switch (f.type) {
      case "ready": {
        this.listeners.onState?.("open");
        l.onReady?.(f.party as { kind: "customer" | "agent"; id: string });
        for (const c of this.subscribed)
          this.write({ type: "subscribe", conversationId: c, after: this.lastId.get(c) ?? "0" });
        // What was not acknowledged goes again, with the same clientId: stored once.
        for (const frame of this.outbox.values()) this.write(frame);
        return;
      }
      case "message": {
        const m = f.message as ChatMessage;
        const last = this.lastId.get(m.conversationId) ?? "0";
        if (idAfter(m.id, last)) this.lastId.set(m.conversationId, m.id);
        if (m.clientId && this.outbox.has(m.clientId)) this.outbox.delete(m.clientId);
        l.onMessage?.(m);
        return;
      }
      case "ack": {
        const m = f.message as ChatMessage;
        this.outbox.delete(String(f.clientId));
        l.onAck?.(String(f.clientId), m);
        return;
      }
      case "conversation":
        l.onConversation?.(f.conversation as ChatConversation);
        return;
      case "typing":
        l.onTyping?.(String(f.conversationId), f.by as "customer" | "agent");
        return;
      case "receipt":
        l.onReceipt?.(f as never);
        return;
      case "viewers":
        l.onViewers?.(String(f.conversationId), f.agentIds as string[]);
        return;
      case "error":
        l.onError?.(String(f.code), f.detail ? String(f.detail) : undefined);
        return;
      default:
        return;
    }
  }

  subscribe(conversationId: string): void {
    this.subscribed.add(conversationId);
    this.write({ type: "subscribe", conversationId, after: this.lastId.get(conversationId) ?? "0" });
  }

  unsubscribe(conversationId: string): void {
    this.subscribed.delete(conversationId);
    this.write({ type: "unsubscribe", conversationId });
  }

  /** Queues a message and sends it when connected; returns its clientId. */
  send(conversationId: string, content: { body?: string; attachmentId?: string }): string {
    const clientId = newClientId();
    const frame: SendFrame = { type: "send", conversationId, clientId, ...content };
    this.outbox.set(clientId, frame);
    this.write(frame);
    return clientId;
  }

  /** Forgets a message the server refused (it will not be retried). */
  drop(clientId: string): void {
    this.outbox.delete(clientId);
  }

  typing(conversationId: string): void {
    this.write({ type: "typing", conversationId });
  }

  read(conversationId: string, upTo: string): void {
    this.write({ type: "read", conversationId, upTo });
  }
}
