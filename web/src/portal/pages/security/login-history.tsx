import { useTranslation } from "react-i18next";
import { Notice } from "../../../common/ui/notice";
import { useCursorList } from "../../../common/ui/use-list";
import { Page } from "../../layout";
import type { LoginHistoryItem } from "../../types";

type HistoryPage = { items: LoginHistoryItem[]; nextCursor: string | null };

export function LoginHistoryPage() {
  const { t } = useTranslation();
  const history = useCursorList<LoginHistoryItem, HistoryPage>("/api/v1/me/login-history");
  const { items, error } = history;

  return (
    <Page title={t("security.history")} back="/security">
      {error ? <Notice tone="error">{error}</Notice> : null}
      <ul className="oc-list oc-card">
        {items.map((h) => (
          <li key={`${h.at}-${h.ip}-${h.result}`}>
            <div className="oc-list-title">
              {new Date(h.at).toLocaleString()}
              <span className="oc-status">
                {h.result === "success" || h.result === "succeeded" ? "✓ " : "✕ "}
                {h.result === "success" || h.result === "succeeded"
                  ? t("history.success")
                  : t("history.failure")}
              </span>
            </div>
            <div className="oc-weak">
              {h.device ?? t("devices.unknownDevice")} · {h.ip ?? "—"}
            </div>
          </li>
        ))}
      </ul>
      {items.length === 0 && !error ? <p>{t("history.empty")}</p> : null}
      {history.more ? (
        <button type="button" className="oc-button" onClick={history.more}>
          {t("common.more")}
        </button>
      ) : null}
    </Page>
  );
}
