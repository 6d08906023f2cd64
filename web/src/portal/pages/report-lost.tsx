import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { post } from "../../common/api";
import { TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { useSubmit } from "../../common/ui/use-submit";
import { freezeAfterConfirming } from "../confirm-freeze";
import { CurrentPasswordField } from "../current-password-field";
import { FormEnd } from "../form-end";
import { Page } from "../layout";

export function ReportLostPage() {
  const { t } = useTranslation();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const submit = useSubmit();

  async function freeze(e: FormEvent) {
    e.preventDefault();
    await freezeAfterConfirming(t, submit, async () => {
      await post("/api/v1/auth/freeze", { login: login.trim(), password });
    });
  }

  return (
    <Page title={t("freeze.lostTitle")} back="/login">
      {submit.done ? (
        <>
          <Notice tone="success">{t("freeze.done")}</Notice>
          <Link to="/unfreeze" className="oc-button">
            {t("login.requestUnfreeze")}
          </Link>
        </>
      ) : (
        <form className="oc-form" onSubmit={freeze} noValidate aria-label={t("freeze.lostTitle")}>
          <Notice tone="warning">{t("freeze.warning")}</Notice>
          <TextField
            label={t("login.login")}
            value={login}
            onChange={setLogin}
            autoComplete="username"
            required
          />
          <CurrentPasswordField value={password} onChange={setPassword} required />
          <FormEnd submit={submit} label={t("freeze.button")} color="danger" size="large" />
        </form>
      )}
    </Page>
  );
}
