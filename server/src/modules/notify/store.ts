import type { Executor } from "../../db/database.js";
import type { TimeCursor } from "../../http/cursor.js";
import { uuidv7 } from "../../ids.js";

export type OutboundMessage = {
  channel: "sms" | "email";
  destination: string;
  subject: string | null;
  body: string;
};

export async function insertOutbound(db: Executor, m: OutboundMessage): Promise<string> {
  const row = await db.insertInto("outbound_messages").values(m).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export async function markOutbound(db: Executor, id: string, result: { sentAt?: Date; error?: string }) {
  await db
    .updateTable("outbound_messages")
    .set({ sent_at: result.sentAt ?? null, error: result.error ?? null })
    .where("id", "=", id)
    .execute();
}

export function listOutbound(db: Executor, to: string | undefined, limit: number) {
  let q = db
    .selectFrom("outbound_messages")
    .select(["destination", "channel", "subject", "body", "created_at"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit);
  if (to) q = q.where("destination", "=", to);
  return q.execute();
}

/**
 * A notice in the customer's inbox. `at` is when what it tells of happened (default: now): the
 * inbox lists notices in that order, so a notice written a moment late (a balance notice from the
 * notice loop) still sits where its money movement happened, not above later ones.
 */
export type InboxItem = { kind: string; title: string; body: string; at?: Date };

export async function insertNotification(db: Executor, userId: string, item: InboxItem) {
  await db
    .insertInto("notifications")
    .values({
      // Time-ordered, as inboxInsert's: notices of the same moment list in the order written.
      id: uuidv7(),
      user_id: userId,
      kind: item.kind,
      title: item.title,
      body: item.body,
      ...(item.at ? { created_at: item.at } : {}),
    })
    .execute();
}

/** Newest first by when it happened; after the cursor's notice (keyset on time and id). */
export function listNotifications(
  db: Executor,
  userId: string,
  after: TimeCursor | undefined,
  limit: number,
) {
  let q = db
    .selectFrom("notifications")
    .select(["id", "kind", "title", "body", "created_at", "read_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb("created_at", "<", after.at),
        eb.and([eb("created_at", "=", after.at), eb("id", "<", after.id)]),
      ]),
    );
  }
  return q.execute();
}

export async function markNotificationsRead(db: Executor, userId: string, ids: string[] | "all", at: Date) {
  let q = db
    .updateTable("notifications")
    .set({ read_at: at })
    .where("user_id", "=", userId)
    .where("read_at", "is", null);
  if (ids !== "all") q = q.where("id", "in", ids.length ? ids : ["00000000-0000-0000-0000-000000000000"]);
  await q.execute();
}

export async function countUnread(db: Executor, userId: string): Promise<number> {
  const r = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export function claimUnsentEmails(tx: Executor, limit: number) {
  return tx
    .selectFrom("outbound_messages")
    .select(["id", "destination", "subject", "body"])
    .where("channel", "=", "email")
    .where("sent_at", "is", null)
    .where("error", "is", null)
    .orderBy("created_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}
