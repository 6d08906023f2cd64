// Display names for the closed sets the server uses; keys stay literal so the translation test can see them.
import type { TFunction } from "i18next";

export function roleLabel(t: TFunction, role: string): string {
  switch (role) {
    case "agent":
      return t("roles.agent");
    case "supervisor":
      return t("roles.supervisor");
    case "reviewer":
      return t("roles.reviewer");
    case "finance":
      return t("roles.finance");
    case "technician":
      return t("roles.technician");
    case "admin":
      return t("roles.admin");
    default:
      return role;
  }
}

export function reviewStatusLabel(t: TFunction, status: string): string {
  switch (status) {
    case "pending":
      return t("reviews.status.pending");
    case "approved":
      return t("reviews.status.approved");
    case "rejected":
      return t("reviews.status.rejected");
    case "cancelled":
      return t("reviews.status.cancelled");
    default:
      return status;
  }
}

export function reviewKindLabel(t: TFunction, kind: string): string {
  switch (kind) {
    case "profile_change":
    case "change_request":
      return t("reviews.kind.profileChange");
    case "name_change":
      return t("reviews.kind.nameChange");
    case "id_number_change":
      return t("reviews.kind.idNumberChange");
    case "unfreeze":
    case "unfreeze_request":
      return t("reviews.kind.unfreeze");
    case "withdrawal":
      return t("reviews.kind.withdrawal");
    case "refund":
      return t("reviews.kind.refund");
    case "ledger_adjustment":
      return t("reviews.kind.ledgerAdjustment");
    default:
      return kind;
  }
}

export function accountStatusLabel(t: TFunction, status: string | undefined): string {
  switch (status) {
    case "active":
      return t("status.active");
    case "frozen":
      return t("status.frozen");
    case "disabled":
      return t("status.disabled");
    case "locked":
      return t("status.locked");
    case undefined:
      return "—";
    default:
      return status;
  }
}

/** "5 minutes", "3 hours", "2 days": how long something has waited. */
export function ageLabel(t: TFunction, since: string, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  if (minutes < 60) return t("time.minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("time.hours", { count: hours });
  return t("time.days", { count: Math.floor(hours / 24) });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The badge colour for a review item's status. */
export function statusBadge(status: string): "processing" | "success" | "error" | "default" {
  switch (status) {
    case "pending":
      return "processing";
    case "approved":
      return "success";
    case "rejected":
      return "error";
    default:
      return "default";
  }
}

/** Labels for the keys a review handler puts in an item's summary. */
export function summaryLabel(t: TFunction, key: string): string {
  switch (key) {
    case "field":
      return t("reviews.summary.field");
    case "value":
      return t("reviews.summary.value");
    case "phone":
      return t("reviews.summary.phone");
    case "frozenAt":
      return t("reviews.summary.frozenAt");
    case "account":
      return t("reviews.summary.account");
    case "customer":
      return t("reviews.summary.customer");
    case "direction":
      return t("reviews.summary.direction");
    case "amount":
      return t("reviews.summary.amount");
    case "reason":
      return t("reviews.summary.reason");
    default:
      return key;
  }
}

export function summaryValue(t: TFunction, key: string, value: string): string {
  if (key === "field" && value === "name") return t("reviews.summary.fieldName");
  if (key === "field" && value === "idNumber") return t("reviews.summary.fieldIdNumber");
  if (key === "frozenAt") return formatTime(value);
  return value;
}

export function countLabel(t: TFunction, key: string): string {
  switch (key) {
    case "bankCards":
      return t("customers.bankCards");
    default:
      return key;
  }
}
