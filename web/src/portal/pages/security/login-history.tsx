import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { Notice } from "../../../common/ui/notice";
import { Page } from "../../layout";
import type { LoginHistoryItem } from "../../types";

type HistoryPage = { items: LoginHistoryItem[]; nextCursor: string | null };

export function LoginHistoryPage() {
  const { t } = useTranslation();
  const [items, setItems] = useState<LoginHistoryItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState("");

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await get<HistoryPage>(
          `/api/v1/me/login-history?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ""}`,
        );
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (err) {
        setError(errorText(t, err));
      }
    },
    [t],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

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
      {cursor ? (
        <button type="button" className="oc-button" onClick={() => load(cursor)}>
          {t("common.more")}
        </button>
      ) : null}
    </Page>
  );
}
