import type { Clock } from "../../clock.js";
import type { Db, Executor, Tx } from "../../db/database.js";
import { chainHash, GENESIS_HASH } from "./chain.js";
import { insertAuditRow, streamAuditRows } from "./store.js";

export type AuditActor = {
  id: string | null;
  kind: "customer" | "staff" | "system" | "anonymous";
  ip?: string | null;
};

export type AuditEntry = {
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string };
  details?: Record<string, unknown>;
};

export type AuditTrail = {
  /** Appends inside the caller's transaction, so the record and the change land together. */
  record(tx: Executor, entry: AuditEntry): Promise<void>;
};

export function createAuditTrail(db: Db, clock: Clock): AuditTrail {
  return {
    async record(tx, entry) {
      const fields = {
        at: clock.now(),
        actorId: entry.actor.id,
        actorKind: entry.actor.kind,
        action: entry.action,
        targetType: entry.target?.type ?? null,
        targetId: entry.target?.id ?? null,
        ip: entry.actor.ip ?? null,
        details: entry.details ?? {},
      };
      if (tx.isTransaction) await insertAuditRow(tx, fields);
      else await db.transaction().execute((t: Tx) => insertAuditRow(t, fields));
    },
  };
}

export type AuditVerification =
  | { ok: true; rows: number }
  | { ok: false; rows: number; brokenAt: string; reason: "prev_hash_mismatch" | "hash_mismatch" };

/** Recomputes the whole chain and names the first row whose link or content does not hold. */
export async function verifyAuditChain(db: Executor): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let rows = 0;
  for await (const r of streamAuditRows(db)) {
    rows++;
    // ids are bigint at runtime (see db/database.ts); callers print and serialise them.
    const id = String(r.id);
    if (r.prev_hash !== prev) return { ok: false, rows, brokenAt: id, reason: "prev_hash_mismatch" };
    const expected = chainHash(prev, {
      at: r.at,
      actorId: r.actor_id,
      actorKind: r.actor_kind,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      ip: r.ip,
      details: r.details,
    });
    if (expected !== r.hash) return { ok: false, rows, brokenAt: id, reason: "hash_mismatch" };
    prev = r.hash;
  }
  return { ok: true, rows };
}
