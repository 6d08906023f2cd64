// Small pieces the help-centre editor's screens share.
import { Tag } from "antd";
import { useTranslation } from "react-i18next";
import { type HelpFeedback, type HelpStatus, statusLabel } from "./help-api";

// Dark text on a light tint: antd's preset tag colours are too faint for small text (WCAG AA).
const tones = {
  published: { color: "#135200", background: "#f6ffed", borderColor: "#b7eb8f" },
  draft: { color: "#262626", background: "#f5f5f5", borderColor: "#d9d9d9" },
} as const;

/** The state in words; the colour only repeats it. */
export function StatusTag({ status }: { status: HelpStatus }) {
  const { t } = useTranslation();
  return <Tag style={tones[status]}>{statusLabel(t, status)}</Tag>;
}

export function FeedbackCounts({ feedback }: { feedback: HelpFeedback }) {
  const { t } = useTranslation();
  return (
    <span>{t("help.feedbackCounts", { helpful: feedback.helpful, notHelpful: feedback.notHelpful })}</span>
  );
}

/** Antd's empty-table text is too faint for WCAG AA; this reads at full contrast. */
export function EmptyText({ children }: { children: string }) {
  return <span style={{ color: "rgba(0, 0, 0, 0.72)" }}>{children}</span>;
}
