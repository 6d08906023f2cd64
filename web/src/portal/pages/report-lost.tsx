// 挂失 without being logged in: a lost phone should not need the phone to freeze the account.
import { Button, Dialog } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { Page } from "../layout";

export function ReportLostPage() {
  const { t } = useTranslation();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
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
      await post("/api/v1/auth/freeze", { login: login.trim(), password });
      setDone(true);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("freeze.lostTitle")} back="/login">
      {done ? (
        <>
          <Notice tone="success">{t("freeze.done")}</Notice>
          <Link to="/unfreeze" className="oc-button">
            {t("login.requestUnfreeze")}
          </Link>
        </>
      ) : (
        <form className="oc-form" onSubmit={submit} noValidate aria-label={t("freeze.lostTitle")}>
          <Notice tone="warning">{t("freeze.warning")}</Notice>
          <TextField
            label={t("login.login")}
            value={login}
            onChange={setLogin}
            autoComplete="username"
            required
          />
          <TextField
            label={t("login.password")}
            value={password}
            onChange={setPassword}
            type="password"
            autoComplete="current-password"
            required
          />
          {error ? <Notice tone="error">{error}</Notice> : null}
          <Button type="submit" color="danger" block size="large" loading={busy}>
            {t("freeze.button")}
          </Button>
        </form>
      )}
    </Page>
  );
}
