// The audit trail's hash chain: each row's hash covers its content and the previous row's hash.
import { sha256Hex } from "../../crypto.js";

export const GENESIS_HASH = "0".repeat(64);

export type ChainedFields = {
  at: Date;
  actorId: string | null;
  actorKind: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

/** JSON with object keys sorted at every depth, so jsonb's reordering cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function chainHash(prevHash: string, f: ChainedFields): string {
  return sha256Hex(
    canonicalJson([
      prevHash,
      f.at.toISOString(),
      f.actorId,
      f.actorKind,
      f.action,
      f.targetType,
      f.targetId,
      f.ip,
      f.details,
    ]),
  );
}
