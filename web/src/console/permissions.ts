// Mirrors server/src/http/permissions.ts so the menu shows only what the server would allow.
export const staffRoles = ["agent", "supervisor", "reviewer", "finance", "technician", "admin"] as const;
export type StaffRole = (typeof staffRoles)[number];

export type ConsolePermission =
  | "reviews:read"
  | "reviews:decide"
  | "customers:read"
  | "audit:read"
  | "staff:manage"
  | "ledger:read"
  | "ledger:adjust"
  | "reconciliation:manage"
  | "support:handle"
  | "help:manage";

const grants: Record<StaffRole, readonly ConsolePermission[]> = {
  agent: ["customers:read", "support:handle"],
  supervisor: ["customers:read", "audit:read", "ledger:read", "support:handle", "help:manage"],
  reviewer: ["reviews:read", "reviews:decide", "customers:read"],
  finance: [
    "reviews:read",
    "reviews:decide",
    "customers:read",
    "ledger:read",
    "ledger:adjust",
    "reconciliation:manage",
  ],
  technician: [],
  admin: [
    "reviews:read",
    "reviews:decide",
    "customers:read",
    "audit:read",
    "staff:manage",
    "ledger:read",
    "ledger:adjust",
    "reconciliation:manage",
  ],
};

export function isStaffRole(value: string): value is StaffRole {
  return (staffRoles as readonly string[]).includes(value);
}

export function permissionsOf(roles: readonly string[]): Set<ConsolePermission> {
  const out = new Set<ConsolePermission>();
  for (const r of roles) if (isStaffRole(r)) for (const p of grants[r]) out.add(p);
  return out;
}
