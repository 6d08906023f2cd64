// How many different reviewers have approved an item and how many must ("1/2"), and the labels
// of withdrawal items' summaries.
import { Tag } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { ReviewItem } from "../api-types";
import { summaryLabel } from "../labels";

export type Approvals = {
  required: number;
  count: number;
  by: { id: string; name: string | null; at: string; reason: string | null }[];
};

/** A review item as the server sends it, with its approvals (an older server may leave them out). */
export type ReviewWithApprovals = ReviewItem & { approvals?: Approvals };

export function approvalsOf(item: ReviewWithApprovals): Approvals {
  return item.approvals ?? { required: 1, count: 0, by: [] };
}

/** True while an item that needs several approvals has some but not all of them. */
export function partlyApproved(item: ReviewWithApprovals): boolean {
  const a = approvalsOf(item);
  return item.status === "pending" && a.count > 0 && a.count < a.required;
}

const partlyStyle = { color: "#874d00", background: "#fffbe6", borderColor: "#ffd666" };

/** "1/2 approvals", highlighted while an item is partly approved. */
export function ApprovalCount({ item }: { item: ReviewWithApprovals }) {
  const { t } = useTranslation();
  const a = approvalsOf(item);
  const text = t("reviews.approvalsCount", { count: a.count, required: a.required });
  // Dark gold on light gold: AntD's preset gold tag is too faint for WCAG AA contrast.
  return partlyApproved(item) ? <Tag style={partlyStyle}>{text}</Tag> : <span>{text}</span>;
}

const withdrawalKeys: readonly string[] = ["amount", "fee", "total", "card", "holder"];

/** Summary labels, including the keys withdrawal items use. */
export function reviewSummaryLabel(t: TFunction, key: string): string {
  return withdrawalKeys.includes(key) ? t(`reviews.summary.${key}`) : summaryLabel(t, key);
}
