import { Button } from "antd-mobile";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { Notice } from "../../common/ui/notice";
import { Page } from "../layout";
import { useSession } from "../session";
import type { Notification, NotificationPage } from "../types";

export function NotificationsPage() {
  const { t } = useTranslation();
  const { refreshUnread } = useSession();
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState("");

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await get<NotificationPage>(
          `/api/v1/me/notifications?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ""}`,
        );
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setUnread(page.unread);
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

  async function markAll() {
    try {
      await post("/api/v1/me/notifications/read", {});
      await load(null);
      await refreshUnread();
    } catch (err) {
      setError(errorText(t, err));
    }
  }

  return (
    <Page title={t("inbox.title")}>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div className="oc-actions">
        <span>{unread > 0 ? t("home.unread", { count: unread }) : t("home.noUnread")}</span>
        {unread > 0 ? (
          <Button size="small" onClick={markAll}>
            {t("inbox.markAll")}
          </Button>
        ) : null}
      </div>
      {items.length === 0 && !error ? <p>{t("inbox.empty")}</p> : null}
      <ul className="oc-list oc-card">
        {items.map((n) => (
          <li key={n.id}>
            <div className="oc-list-title">
              {!n.read ? <span className="oc-unread-dot">● {t("inbox.unread")}</span> : null}
              {n.title}
            </div>
            <div>{n.body}</div>
            <div className="oc-weak">{new Date(n.createdAt).toLocaleString()}</div>
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" className="oc-button" onClick={() => load(cursor)}>
          {t("common.more")}
        </button>
      ) : null}
    </Page>
  );
}
