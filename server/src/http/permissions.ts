// Every route names the permission it needs; roles grant permissions. Nothing is allowed by default.
export const roles = [
  "customer",
  "agent",
  "supervisor",
  "reviewer",
  "finance",
  "technician",
  "admin",
] as const;
export type Role = (typeof roles)[number];
export const staffRoles = roles.filter((r): r is Exclude<Role, "customer"> => r !== "customer");

export const permissions = [
  /** Anyone, logged in or not. */
  "public",
  /** A staff member who logged in but has not set up two-step verification yet. */
  "mfa_enroll",
  /** Any fully logged-in person: their own profile, sessions, security settings. */
  "self",
  /** Customer-only self-service: bank cards, payment password, freeze, change requests. */
  "customer",
  "reviews:read",
  "reviews:decide",
  "customers:read",
  "audit:read",
  "staff:manage",
  /** Read the ledger: accounts, transfers, entries, holds. */
  "ledger:read",
  /** Propose a manual adjustment (a second person approves it in the review queue). */
  "ledger:adjust",
  /** See reconciliation runs and resolve their exceptions; start a run. */
  "reconciliation:manage",
  /** Answer customers: chat inbox, conversations (account data only inside a consent). */
  "support:handle",
  /** Write the help centre: categories and articles, drafts and publishing, in both languages. */
  "help:manage",
] as const;
export type Permission = (typeof permissions)[number];

const grants: Record<Role, readonly Permission[]> = {
  customer: ["self", "customer"],
  agent: ["self", "customers:read", "support:handle"],
  supervisor: ["self", "customers:read", "audit:read", "ledger:read", "support:handle", "help:manage"],
  reviewer: ["self", "reviews:read", "reviews:decide", "customers:read"],
  finance: [
    "self",
    "reviews:read",
    "reviews:decide",
    "customers:read",
    "ledger:read",
    "ledger:adjust",
    "reconciliation:manage",
  ],
  technician: ["self"],
  admin: [
    "self",
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

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function permissionsOf(userRoles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of userRoles) if (isRole(r)) for (const p of grants[r]) out.add(p);
  return out;
}

export function roleGrants(role: Role, permission: Permission): boolean {
  return grants[role].includes(permission);
}
