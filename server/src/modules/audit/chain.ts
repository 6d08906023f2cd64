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
  // Loops and string concatenation rather than map/entries/filter/join: every ledger transfer is
  // hashed twice through here on the payment path. The output is the same as ever.
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // A hole stays empty, as Array.prototype.map and join leave it.
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    let out = "{";
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v === undefined) continue;
      if (out.length > 1) out += ",";
      out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
    }
    return `${out}}`;
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
