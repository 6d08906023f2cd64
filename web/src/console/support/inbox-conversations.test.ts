// The inbox lists follow the conversation events: a chat moves from waiting to mine to closed
// without a fetch, and a fetch that was already on its way cannot bring back an older state.
import { describe, expect, it } from "vitest";
import type { ChatConversation } from "../../common/chat-client";
import { fromFetch, inboxLists, type KnownConversations, learn } from "./inbox-conversations";

const ME = "agent-me";
const OTHER = "agent-other";

function conv(id: string, status: ChatConversation["status"], at: string, agent: string | null = null) {
  return {
    id,
    customerId: `customer-${id}`,
    channel: "chat",
    status,
    team: "general",
    assignedAgentId: agent,
    handoverReason: "asked",
    createdAt: "2026-11-22T08:00:00.000Z",
    updatedAt: `2026-11-22T${at}:00.000Z`,
  } satisfies ChatConversation;
}

const ids = (list: ChatConversation[]) => list.map((c) => c.id);

describe("the inbox lists kept from events", () => {
  it("moves a chat from waiting to mine to gone as its events arrive, newest activity first", () => {
    let known: KnownConversations = new Map();
    known = learn(known, conv("a", "queued", "09:00"));
    known = learn(known, conv("b", "queued", "09:01"));
    expect(ids(inboxLists(known, ME).queue)).toEqual(["b", "a"]);

    known = learn(known, conv("a", "assigned", "09:02", ME));
    known = learn(known, conv("b", "assigned", "09:03", OTHER));
    expect(inboxLists(known, ME)).toMatchObject({ queue: [], mine: [{ id: "a" }], others: [{ id: "b" }] });

    // Passed back to the queue by the other agent, and closed by me.
    known = learn(known, conv("b", "queued", "09:04"));
    known = learn(known, conv("a", "closed", "09:05"));
    expect(inboxLists(known, ME)).toMatchObject({ queue: [{ id: "b" }], mine: [], others: [] });
  });

  it("ignores a state older than the one it knows", () => {
    let known: KnownConversations = new Map();
    known = learn(known, conv("a", "assigned", "09:05", ME));
    known = learn(known, conv("a", "queued", "09:00"));
    expect(ids(inboxLists(known, ME).mine)).toEqual(["a"]);
  });

  it("keeps the events that came while a fetch was in flight over what the fetch saw", () => {
    // The fetch read "a" waiting; meanwhile I took it, and "c" arrived in the queue.
    const fetched = [[conv("a", "queued", "09:00"), conv("b", "queued", "08:59")], []];
    const meanwhile = [conv("a", "assigned", "09:01", ME), conv("c", "queued", "09:02")];
    const lists = inboxLists(fromFetch(fetched, meanwhile), ME);
    expect(ids(lists.queue)).toEqual(["c", "b"]);
    expect(ids(lists.mine)).toEqual(["a"]);
  });
});
