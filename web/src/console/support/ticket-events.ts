// The console's ticket stream (GET /api/v1/console/support/tickets/events, server-sent events):
// `onChange` hears the ids of the tickets that changed, gathered over a short while so that a
// burst of changes costs one read, or null when changes may have been missed — the server said
// so, or the stream dropped and came back — and everything shown should be read again. The
// browser reconnects a dropped stream by itself.
import { useEffect, useRef } from "react";

export const TICKET_EVENTS_URL = "/api/v1/console/support/tickets/events";

/** What is waiting to be told: nothing (undefined), some tickets, or everything (null). */
export type Pending = Set<string> | null | undefined;

/** Adds one event to what is waiting: a ticket id, or null for everything. */
export function gather(pending: Pending, ticketId: string | null): Set<string> | null {
  if (ticketId === null || pending === null) return null;
  const next = new Set(pending ?? []);
  next.add(ticketId);
  return next;
}

export function useTicketEvents(onChange: (ticketIds: Set<string> | null) => void, delayMs = 300): void {
  const handler = useRef(onChange);
  handler.current = onChange;

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(TICKET_EVENTS_URL);
    let pending: Pending;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dropped = false;
    const queue = (ticketId: string | null) => {
      pending = gather(pending, ticketId);
      timer ??= setTimeout(() => {
        timer = undefined;
        const told = pending;
        pending = undefined;
        if (told !== undefined) handler.current(told);
      }, delayMs);
    };
    source.addEventListener("ticket", (e) => {
      try {
        const { ticketId } = JSON.parse((e as MessageEvent<string>).data) as { ticketId?: unknown };
        if (typeof ticketId === "string") queue(ticketId);
      } catch {
        queue(null);
      }
    });
    source.addEventListener("resync", () => queue(null));
    source.onerror = () => {
      dropped = true;
    };
    source.onopen = () => {
      if (!dropped) return;
      dropped = false;
      queue(null);
    };
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [delayMs]);
}
