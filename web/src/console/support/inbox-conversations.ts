// The agent inbox's lists (waiting, mine, other agents') kept from the conversation events the
// chat socket sends, rather than fetched again on each. One map holds the latest state known of
// every conversation; the lists are views of it.
import type { ChatConversation } from "../../common/chat-client";

export type KnownConversations = ReadonlyMap<string, ChatConversation>;

/**
 * The conversation's state, unless a later one is already known. A list fetched before an event
 * was sent can arrive after it; its older state must not undo the event.
 */
export function learn(known: KnownConversations, c: ChatConversation): KnownConversations {
  const had = known.get(c.id);
  if (had && Date.parse(had.updatedAt) > Date.parse(c.updatedAt)) return known;
  return new Map(known).set(c.id, c);
}

/**
 * What a fresh fetch of the lists says, with the events that came while it was in flight applied
 * on top (each only if newer than what the fetch saw).
 */
export function fromFetch(
  lists: ReadonlyArray<readonly ChatConversation[]>,
  eventsMeanwhile: readonly ChatConversation[],
): KnownConversations {
  let known: KnownConversations = new Map();
  for (const list of lists) for (const c of list) known = learn(known, c);
  for (const c of eventsMeanwhile) known = learn(known, c);
  return known;
}

const byActivity = (a: ChatConversation, b: ChatConversation) =>
  Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.id.localeCompare(b.id);

/** The three lists, newest activity first, as the server orders them. */
export function inboxLists(
  known: KnownConversations,
  meId: string,
): { queue: ChatConversation[]; mine: ChatConversation[]; others: ChatConversation[] } {
  const all = [...known.values()].sort(byActivity);
  return {
    queue: all.filter((c) => c.status === "queued"),
    mine: all.filter((c) => c.status === "assigned" && c.assignedAgentId === meId),
    others: all.filter((c) => c.status === "assigned" && c.assignedAgentId !== meId),
  };
}
