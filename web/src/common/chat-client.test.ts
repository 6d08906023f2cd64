// The chat client across a dropped connection: it comes back by itself, resumes after the last
// message it holds, and sends an unacknowledged message again with the same clientId.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatClient, type ChatMessage } from "./chat-client";

class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.drop(1000);
  }
  // --- what the server (or the network) does ---
  accept() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
    this.frame({ type: "ready", party: { kind: "customer", id: "c1" } });
  }
  frame(f: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const message = (id: string, clientId: string | null = null): ChatMessage => ({
  id,
  conversationId: "conv",
  author: { kind: clientId ? "customer" : "agent", id: null },
  clientId,
  body: `m${id}`,
  attachmentId: null,
  payload: null,
  helpful: null,
  createdAt: new Date(0).toISOString(),
});

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("ChatClient", () => {
  it("reconnects, resumes after the last message id and resends what was not acknowledged, once", () => {
    const got: string[] = [];
    const states: string[] = [];
    const client = new ChatClient(
      { onMessage: (m) => got.push(m.id), onState: (s) => states.push(s) },
      "ws://test/api/v1/support/socket",
    );
    client.start();
    client.subscribe("conv");
    const first = FakeSocket.all[0];
    if (!first) throw new Error("no socket");
    first.accept();
    expect(first.sent).toEqual([{ type: "subscribe", conversationId: "conv", after: "0" }]);
    first.frame({ type: "message", message: message("41") });
    first.frame({ type: "message", message: message("42") });

    // A message goes out, and the line drops before the server's ack.
    const clientId = client.send("conv", { body: "还在吗" });
    expect(first.sent.at(-1)).toEqual({ type: "send", conversationId: "conv", clientId, body: "还在吗" });
    first.drop();
    expect(client.pending.map((p) => p.clientId)).toEqual([clientId]);

    // It comes back by itself after a pause.
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(500);
    const second = FakeSocket.all[1];
    if (!second) throw new Error("no reconnect");
    second.accept();
    expect(second.sent).toEqual([
      { type: "subscribe", conversationId: "conv", after: "42" },
      { type: "send", conversationId: "conv", clientId, body: "还在吗" },
    ]);
    second.frame({ type: "ack", clientId, message: message("43", clientId) });
    expect(client.pending).toEqual([]);

    // After the ack, another drop sends nothing again.
    second.drop();
    vi.advanceTimersByTime(500);
    const third = FakeSocket.all[2];
    if (!third) throw new Error("no reconnect");
    third.accept();
    expect(third.sent).toEqual([{ type: "subscribe", conversationId: "conv", after: "42" }]);
    expect(got).toEqual(["41", "42"]);
    expect(states).toEqual([
      "connecting",
      "open",
      "closed",
      "connecting",
      "open",
      "closed",
      "connecting",
      "open",
    ]);
    client.stop();
  });

  it("does not retry when the server refused the session", () => {
    const client = new ChatClient({}, "ws://test/api/v1/support/socket");
    client.start();
    FakeSocket.all[0]?.drop(4401);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});
