import { Button, Dialog } from "antd-mobile";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { del, post } from "../../../common/api";
import { Notice } from "../../../common/ui/notice";
import { useList } from "../../../common/ui/use-list";
import { useSubmit } from "../../../common/ui/use-submit";
import { Page } from "../../layout";
import type { SessionItem } from "../../types";

export function DevicesPage() {
  const { t } = useTranslation();
  const sessions = useList<SessionItem>("/api/v1/me/sessions");
  const [notice, setNotice] = useState("");
  const submit = useSubmit();

  async function act(action: () => Promise<unknown>, done: string) {
    setNotice("");
    await submit.attempt(async () => {
      await action();
      setNotice(done);
      await sessions.reload();
    });
  }

  const error = submit.error || sessions.error;
  return (
    <Page title={t("security.devices")} back="/security">
      {error ? <Notice tone="error">{error}</Notice> : null}
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <ul className="oc-list oc-card">
        {sessions.items.map((s) => (
          <li key={s.id}>
            <div className="oc-list-title">
              {s.device ?? t("devices.unknownDevice")}
              {s.current ? <span className="oc-status">✓ {t("devices.thisDevice")}</span> : null}
            </div>
            <div className="oc-weak">
              {t("devices.ip")}: {s.ip ?? "—"} · {t("devices.lastSeen")}:{" "}
              {new Date(s.lastSeenAt).toLocaleString()}
            </div>
            {!s.current ? (
              <button
                type="button"
                className="oc-button"
                onClick={() =>
                  act(() => del(`/api/v1/me/sessions/${encodeURIComponent(s.id)}`), t("devices.revoked"))
                }
              >
                {t("devices.revoke")}
                <span className="oc-visually-hidden"> {s.device ?? ""}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <Button
        block
        onClick={async () => {
          const sure = await Dialog.confirm({
            content: t("devices.confirmOthers"),
            confirmText: t("devices.revokeOthers"),
            cancelText: t("common.cancel"),
          });
          if (sure) await act(() => post("/api/v1/me/sessions/revoke-others"), t("devices.othersRevoked"));
        }}
      >
        {t("devices.revokeOthers")}
      </Button>
    </Page>
  );
}
