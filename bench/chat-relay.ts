// The chat benchmark's baseline: a bare WebSocket relay with the same frames and the same
// topology (sockets subscribe to conversations; a message goes to every subscriber), but no
// database, no sessions, no persistence. What OpenCounter adds on top of it is the price of
// keeping every message, in order, across processes. Run by bench/chat.ts.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const port = Number(process.env.PORT ?? 0);
const rooms = new Map<string, Set<import("ws").WebSocket>>();
let nextId = 1;

const server = createServer((_req, res) => {
  res.writeHead(200).end("ok");
});
const wss = new WebSocketServer({ server, path: "/api/v1/support/socket" });
wss.on("connection", (socket) => {
  const mine = new Set<string>();
  socket.send(JSON.stringify({ type: "ready" }));
  socket.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as {
      type: string;
      conversationId?: string;
      body?: string;
      clientId?: string;
    };
    if (frame.type === "subscribe" && frame.conversationId) {
      let room = rooms.get(frame.conversationId);
      if (!room) {
        room = new Set();
        rooms.set(frame.conversationId, room);
      }
      room.add(socket);
      mine.add(frame.conversationId);
    } else if (frame.type === "send" && frame.conversationId) {
      const message = { id: String(nextId++), conversationId: frame.conversationId, body: frame.body ?? "" };
      socket.send(JSON.stringify({ type: "ack", clientId: frame.clientId, message }));
      const text = JSON.stringify({ type: "message", message });
      for (const peer of rooms.get(frame.conversationId) ?? []) peer.send(text);
    }
  });
  socket.on("close", () => {
    for (const c of mine) rooms.get(c)?.delete(socket);
  });
});
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(`relay listening on ${address.port}`);
});
