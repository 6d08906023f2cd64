// A message with an icon and words (never colour alone); errors are announced at once.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

export type NoticeTone = "error" | "success" | "info" | "warning";

const icons: Record<NoticeTone, string> = { error: "⚠", success: "✓", info: "ℹ", warning: "!" };

export function Notice({ tone, children }: { tone: NoticeTone; children: ReactNode }) {
  const { t } = useTranslation();
  const prefix = (() => {
    switch (tone) {
      case "error":
        return t("ui.errorPrefix");
      case "success":
        return t("ui.successPrefix");
      case "info":
        return t("ui.infoPrefix");
      case "warning":
        return t("ui.warningPrefix");
      default: {
        const unknown: never = tone;
        return String(unknown);
      }
    }
  })();
  return (
    <div className={`oc-notice oc-notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <span className="oc-notice-icon" aria-hidden="true">
        {icons[tone]}
      </span>
      <span>
        <span className="oc-visually-hidden">{prefix}</span>
        {children}
      </span>
    </div>
  );
}
