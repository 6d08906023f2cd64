import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import { type ChainedFields, chainHash, GENESIS_HASH } from "./chain.js";

// One lock id for the chain: appends are serialised so every row links to the one before it.
const AUDIT_CHAIN_LOCK = 7_270_001;

export async function insertAuditRow(tx: Executor, fields: ChainedFields): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(tx);
  const last = await tx
    .selectFrom("audit_log")
    .select("hash")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  await tx
    .insertInto("audit_log")
    .values({
      at: fields.at,
      actor_id: fields.actorId,
      actor_kind: fields.actorKind,
      action: fields.action,
      target_type: fields.targetType,
      target_id: fields.targetId,
      ip: fields.ip,
      details: JSON.stringify(fields.details),
      prev_hash: prevHash,
      hash: chainHash(prevHash, fields),
    })
    .execute();
}

export type AuditRow = {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

export async function* streamAuditRows(db: Executor, batch = 1000): AsyncGenerator<AuditRow> {
  let after = "0";
  for (;;) {
    const rows = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("id", ">", after)
      .orderBy("id")
      .limit(batch)
      .execute();
    for (const r of rows) yield r;
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    after = last.id;
  }
}

export type AuditQuery = {
  cursor?: string;
  limit: number;
  actorId?: string;
  action?: string;
  targetId?: string;
};

export function listAuditRows(db: Executor, q: AuditQuery): Promise<AuditRow[]> {
  let query = db
    .selectFrom("audit_log")
    .selectAll()
    .orderBy("id", "desc")
    .limit(q.limit + 1);
  if (q.cursor) query = query.where("id", "<", q.cursor);
  if (q.actorId) query = query.where("actor_id", "=", q.actorId);
  if (q.action) query = query.where("action", "like", `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (q.targetId) query = query.where("target_id", "=", q.targetId);
  return query.execute();
}
