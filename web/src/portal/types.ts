// Shapes of the API answers the portal reads (docs/api.md).
export type Me = {
  id: string;
  kind: "customer" | "staff";
  phone: string | null;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  idNumber: string | null;
  roles: string[];
  status: "active" | "frozen" | "disabled";
  verificationLevel: number;
  hasPaymentPassword: boolean;
  totpEnabled: boolean;
  preferences: unknown;
  createdAt: string;
};

export type LoginAnswer = { user: Me; next: null | "enroll_totp" };

export type Notification = {
  id: string;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
  read: boolean;
};
export type NotificationPage = { items: Notification[]; unread: number; nextCursor: string | null };

export type SessionItem = {
  id: string;
  current: boolean;
  device: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
};
export type LoginHistoryItem = { at: string; ip: string | null; device: string | null; result: string };
export type BankCard = {
  id: string;
  masked: string;
  holderName: string;
  bankName: string | null;
  createdAt: string;
};
export type ChangeRequest = {
  id: string;
  field: "name" | "idNumber";
  value: string;
  status: "pending" | "approved" | "rejected";
  reason: string | null;
  createdAt: string;
  decidedAt: string | null;
};
