// A chat socket as the portal or console opens it, for tests: connects with the client's
// session cookie and keeps every frame it receives, so a test can wait for the one it expects.
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import type { TestClient } from "./harness.js";

export type Frame = { type: string; [key: string]: unknown };

/** Starts `app` on a free loopback port (once) and returns its base ws:// URL. */
export async function listenOnce(app: FastifyInstance): Promise<string> {
  const address = app.server.address();
  if (address && typeof address === "object") return `ws://127.0.0.1:${address.port}`;
  await app.listen({ port: 0, host: "127.0.0.1" });
  const now = app.server.address();
  if (!now || typeof now !== "object") throw new Error("no port");
  return `ws://127.0.0.1:${now.port}`;
}

export class ChatSocket {
  readonly frames: Frame[] = [];
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static async open(base: string, client: TestClient, opts: { origin?: string } = {}): Promise<ChatSocket> {
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const ws = new WebSocket(`${base}/api/v1/support/socket`, {
      headers: { cookie, ...(opts.origin ? { origin: opts.origin } : {}) },
    });
    const socket = new ChatSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (req, res) => {
        // Read and drop the refusal, or the connection stays open and the server cannot close.
        res.resume();
        req.destroy();
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
    });
    // The server may refuse after the upgrade by closing at once: then the socket comes back closed.
    await Promise.race([
      socket.next((f) => f.type === "ready"),
      new Promise<void>((resolve) => ws.once("close", () => resolve())),
    ]);
    return socket;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches. */
  next(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching frame; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Frames of type `message` for one conversation, in arrival order. */
  messages(conversationId: string): Array<{ id: string; body: string; author: { kind: string } }> {
    return this.frames
      .filter((f) => f.type === "message")
      .map((f) => f.message as { id: string; body: string; conversationId: string; author: { kind: string } })
      .filter((m) => m.conversationId === conversationId);
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket still open");
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}

export const isMessage =
  (conversationId: string, pred: (m: { body: string; author: { kind: string } }) => boolean) =>
  (f: Frame) => {
    if (f.type !== "message") return false;
    const m = f.message as { conversationId: string; body: string; author: { kind: string } };
    return m.conversationId === conversationId && pred(m);
  };
