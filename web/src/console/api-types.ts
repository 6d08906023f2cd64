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
  decidedBy: PersonRef | string | null;
  decidedAt: string | null;
  reason: string | null;
  proofUrl?: string | null;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export type CustomerMatch = {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  status?: string;
  createdAt?: string;
};

export type LoginRecord = { at: string; ip: string | null; device: string | null; result: string };

export type CustomerDetail = CustomerMatch & {
  verificationLevel?: number | string;
  idNumber?: string | null;
  bindings?: number;
  bindingsCount?: number;
  counts?: Record<string, number>;
  recentLogins?: LoginRecord[];
};

export type AuditEntry = {
  id: string;
  at: string;
  actor?: { id: string | null; kind: string; name?: string | null; email?: string | null } | null;
  actorId?: string | null;
  actorKind?: string;
  action: string;
  target?: { type: string; id: string } | null;
  targetType?: string | null;
  targetId?: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

export type AuditVerification = { ok: boolean; rows: number; brokenAt?: string; reason?: string };

export type StaffMember = {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  status?: string;
  disabled?: boolean;
  totpEnabled?: boolean;
  createdAt?: string;
  lastLoginAt?: string | null;
};
