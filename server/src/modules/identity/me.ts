// The signed-in person's sessions (devices) and login history.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { listLiveSessions, revokeSession, revokeUserSessions } from "./sessions.js";
import { listLoginEvents } from "./users-store.js";

export async function listMySessions(ctx: AppContext, userId: string, currentId: string) {
  const rows = await listLiveSessions(ctx.db, ctx.clock, userId);
  return rows.map((s) => ({
    id: s.id,
    current: s.id === currentId,
    device: s.device ?? "Unknown device",
    ip: s.ip,
    createdAt: s.created_at.toISOString(),
    lastSeenAt: s.last_seen_at.toISOString(),
  }));
}

/** Ends one of the caller's own sessions; anyone else's is "not found". */
export async function endMySession(
  ctx: AppContext,
  actor: { id: string; kind: "customer" | "staff"; ip: string | null },
  sessionId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("sessions")
      .select(["id"])
      .where("id", "=", sessionId)
      .where("user_id", "=", actor.id)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", ctx.clock.now())
      .executeTakeFirst();
    if (!row) throw new DomainError("not_found", { detail: "No such session" });
    await revokeSession(tx, ctx.clock, row.id, "revoked_by_user");
    await ctx.audit.record(tx, {
      actor,
      action: "auth.session.revoked",
      target: { type: "user", id: actor.id },
      details: { session: row.id.slice(0, 12) },
    });
  });
}

export async function endMyOtherSessions(
  ctx: AppContext,
  actor: { id: string; kind: "customer" | "staff"; ip: string | null },
  currentId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const ended = await revokeUserSessions(tx, ctx.clock, actor.id, "revoked_by_user", currentId);
    await ctx.audit.record(tx, {
      actor,
      action: "auth.session.revoked_others",
      target: { type: "user", id: actor.id },
      details: { sessionsEnded: ended },
    });
  });
}

export async function myLoginHistory(
  ctx: AppContext,
  userId: string,
  cursor: string | undefined,
  limit: number,
) {
  const rows = await listLoginEvents(
    ctx.db,
    userId,
    cursor === undefined ? undefined : BigInt(cursor),
    limit,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((e) => ({
      at: e.created_at.toISOString(),
      ip: e.ip,
      device: e.device,
      result: e.result,
    })),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  };
}
