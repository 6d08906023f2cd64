import { Button } from "antd-mobile";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { Notice } from "../../common/ui/notice";
import { useCursorList } from "../../common/ui/use-list";
import { Page } from "../layout";
import { useSession } from "../session";
import type { Notification, NotificationPage } from "../types";

export function NotificationsPage() {
  const { t } = useTranslation();
  const { refreshUnread } = useSession();
  const inbox = useCursorList<Notification, NotificationPage>("/api/v1/me/notifications");
  const [markError, setMarkError] = useState("");
  const unread = inbox.last?.unread ?? 0;

  async function markAll() {
    try {
      await post("/api/v1/me/notifications/read", {});
      await inbox.reload();
      await refreshUnread();
    } catch (err) {
      setMarkError(errorText(t, err));
    }
  }

  const error = markError || inbox.error;
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
      {inbox.items.length === 0 && !error ? <p>{t("inbox.empty")}</p> : null}
      <ul className="oc-list oc-card">
        {inbox.items.map((n) => (
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
      {inbox.more ? (
        <button type="button" className="oc-button" onClick={inbox.more}>
          {t("common.more")}
        </button>
      ) : null}
    </Page>
  );
}
