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
  // Each level joins its parts once (map/entries/filter and pieces built by += cost several times
  // the output in garbage): every ledger transfer is hashed twice through here on the payment
  // path. The output is the same as ever.
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    const parts = new Array<string>(value.length);
    // A hole stays empty, as Array.prototype.map and join leave it.
    for (let i = 0; i < value.length; i++) parts[i] = i in value ? canonicalJson(value[i]) : "";
    return `[${parts.join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(",")}}`;
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
