// Shapes of the console ledger API (server/src/modules/backoffice/routes.ts) and money display.
import type { TFunction } from "i18next";

export type LedgerAccountKind =
  | "customer"
  | "gateway_clearing"
  | "withdrawal_clearing"
  | "fees"
  | "merchant"
  | "adjustments"
  | "settlement";

export const ledgerAccountKinds: LedgerAccountKind[] = [
  "customer",
  "gateway_clearing",
  "withdrawal_clearing",
  "fees",
  "merchant",
  "adjustments",
  "settlement",
];

export type LedgerAccount = {
  id: string;
  code: string | null;
  kind: LedgerAccountKind;
  currency: string;
  allowNegative: boolean;
  owner: { id: string; name: string | null; phone: string | null } | null;
  balance: number;
  pendingDebits: number;
  pendingCredits: number;
  available: number;
  createdAt: string;
};

export type LedgerEntry = {
  id: string;
  transferId: string;
  type: string;
  amount: number;
  balanceAfter: number;
  counterpartyAccountId: string;
  memo: string | null;
  createdAt: string;
};

export type LedgerHold = {
  id: string;
  type: string;
  currency: string;
  amount: number;
  debitAccountId: string;
  creditAccountId: string;
  status: "pending" | "posted" | "voided" | "expired";
  postedAmount: number;
  postingTransferId: string | null;
  expiresAt: string | null;
  createdAt: string;
};

export type LedgerAccountDetail = {
  account: LedgerAccount;
  entries: LedgerEntry[];
  nextCursor: string | null;
  holds: LedgerHold[];
};

export type LedgerTransfer = {
  id: string;
  seq: string;
  type: string;
  currency: string;
  amount: number;
  debitAccountId: string;
  creditAccountId: string;
  status: "posted" | "pending";
  memo: string | null;
  metadata: Record<string, unknown>;
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  holdId: string | null;
  reversesTransferId: string | null;
  reversedByTransferId: string | null;
  entries: { id: string; accountId: string; amount: number; balanceAfter: number; createdAt: string }[];
  holdEvent: {
    outcome: "posted" | "voided" | "expired";
    postedAmount: number;
    postingTransferId: string | null;
    reason: string | null;
    createdAt: string;
  } | null;
};

/** Minor units as ¥1,234.56 (other currencies by code); negative amounts keep their sign. */
export function formatMoney(minor: number, currency = "CNY"): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  const cents = String(abs % 100).padStart(2, "0");
  return currency === "CNY" ? `${sign}¥${whole}.${cents}` : `${sign}${currency} ${whole}.${cents}`;
}

export function accountKindLabel(t: TFunction, kind: string): string {
  switch (kind) {
    case "customer":
      return t("ledger.kind.customer");
    case "gateway_clearing":
      return t("ledger.kind.gateway_clearing");
    case "withdrawal_clearing":
      return t("ledger.kind.withdrawal_clearing");
    case "fees":
      return t("ledger.kind.fees");
    case "merchant":
      return t("ledger.kind.merchant");
    case "adjustments":
      return t("ledger.kind.adjustments");
    case "settlement":
      return t("ledger.kind.settlement");
    default:
      return kind;
  }
}

export function transferTypeLabel(t: TFunction, type: string): string {
  switch (type) {
    case "topup":
      return t("ledger.type.topup");
    case "payment":
      return t("ledger.type.payment");
    case "transfer":
      return t("ledger.type.transfer");
    case "withdrawal":
      return t("ledger.type.withdrawal");
    case "refund":
      return t("ledger.type.refund");
    case "fee":
      return t("ledger.type.fee");
    case "adjustment":
      return t("ledger.type.adjustment");
    case "reversal":
      return t("ledger.type.reversal");
    default:
      return type;
  }
}

export function holdStatusLabel(t: TFunction, status: string): string {
  switch (status) {
    case "pending":
      return t("ledger.holdStatus.pending");
    case "posted":
      return t("ledger.holdStatus.posted");
    case "voided":
      return t("ledger.holdStatus.voided");
    case "expired":
      return t("ledger.holdStatus.expired");
    default:
      return status;
  }
}

/** The owner's masked name and phone, or the system account's code. */
export function accountName(a: Pick<LedgerAccount, "owner" | "code" | "id">): string {
  if (a.owner) return [a.owner.name, a.owner.phone].filter(Boolean).join(" ") || a.owner.id;
  return a.code ?? a.id;
}
