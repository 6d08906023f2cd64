// Shapes of the console's API responses (docs/api.md); optional fields are the ones the contract leaves open.
export type Me = {
  id: string;
  kind: "customer" | "staff";
  name: string | null;
  email: string | null;
  phone?: string | null;
  roles: string[];
  status?: string;
  totpEnabled?: boolean;
};

export type LoginResult = { user: { id: string; name?: string | null }; next: null | "enroll_totp" };

export type Captcha = { id: string; svg: string };

export type PersonRef = { id: string; name?: string | null; email?: string | null };

export type ReviewStatus = "pending" | "approved" | "rejected" | "cancelled";

export type ReviewItem = {
  id: string;
  kind: string;
  title: string;
  summary: Record<string, string>;
  subject: { id: string; name: string | null; phone: string | null } | null;
  status: ReviewStatus;
  createdAt: string;
  decidedBy: PersonRef | null;
  decidedAt: string | null;
  reason: string | null;
  proofUrl: string | null;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export type CustomerMatch = {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  status: "active" | "frozen" | "disabled";
  createdAt: string;
};

export type LoginRecord = { at: string; ip: string | null; device: string | null; result: string };

export type CustomerDetail = CustomerMatch & {
  emailVerified: boolean;
  idNumber: string | null;
  frozenAt: string | null;
  verificationLevel: number;
  totpEnabled: boolean;
  counts: Record<string, number>;
  recentLogins: LoginRecord[];
};

export type AuditEntry = {
  id: string;
  at: string;
  actorId: string | null;
  actorKind: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

export type AuditVerification = { ok: boolean; rows: number; brokenAt?: string; reason?: string };

export type StaffMember = {
  id: string;
  email: string | null;
  name: string | null;
  roles: string[];
  status: "active" | "frozen" | "disabled";
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
};
