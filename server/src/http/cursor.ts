// Keyset cursors for lists sorted by a time and then an id (newest first, or oldest first): the
// cursor is the sort key of the page's last row, opaque to clients (base64url of JSON), so a page
// boundary between rows of the same time neither skips nor repeats a row.
import { DomainError } from "./errors.js";

export type TimeCursor = { at: Date; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

/** The sort key a cursor names; 400 bad_request for anything this server did not issue. */
export function decodeTimeCursor(cursor: string): TimeCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [at, id] = parsed;
      const time = typeof at === "string" ? new Date(at) : new Date(Number.NaN);
      if (!Number.isNaN(time.getTime()) && typeof id === "string" && UUID.test(id)) return { at: time, id };
    }
  } catch {
    // fall through to the one error below
  }
  throw new DomainError("bad_request", { detail: "The cursor is not one this server issued" });
}
