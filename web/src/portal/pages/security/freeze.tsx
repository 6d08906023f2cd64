import { Button, Dialog } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { post } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { Page } from "../../layout";
import { useSession } from "../../session";

export function FreezePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { forget } = useSession();
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    const sure = await Dialog.confirm({
      title: t("freeze.confirmTitle"),
      content: t("freeze.warning"),
      confirmText: t("freeze.confirm"),
      cancelText: t("common.cancel"),
    });
    if (!sure) return;
    setBusy(true);
    try {
      await post("/api/v1/me/freeze", { password });
      forget();
      navigate("/login", { replace: true, state: { notice: "frozen" } });
    } catch (err) {
      setError(errorText(t, err));
      setBusy(false);
    }
  }

  return (
    <Page title={t("security.freeze")} back="/security">
      <Notice tone="warning">{t("freeze.warning")}</Notice>
      <form className="oc-form" onSubmit={submit} noValidate aria-label={t("security.freeze")}>
        <TextField
          label={t("login.password")}
          value={password}
          onChange={setPassword}
          type="password"
          autoComplete="current-password"
        />
        {error ? <Notice tone="error">{error}</Notice> : null}
        <Button type="submit" color="danger" block size="large" loading={busy}>
          {t("freeze.button")}
        </Button>
      </form>
    </Page>
  );
}
