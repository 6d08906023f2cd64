import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { ChoiceGroup, SwitchField, TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { Page } from "../../layout";
import { OwnPhoneCode } from "../../own-phone-code";
import { PasswordHint } from "../../password-hint";

export function ChangePasswordPage() {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"current" | "sms">("current");
  const [current, setCurrent] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const [keep, setKeep] = useState(true);
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    setDone(false);
    setBusy(true);
    try {
      await put("/api/v1/me/password", {
        ...(mode === "current" ? { currentPassword: current } : { otp: otp.trim() }),
        newPassword: password,
        keepThisSession: keep,
      });
      setDone(true);
      setCurrent("");
      setOtp("");
      setPassword("");
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("security.password")} back="/security">
      <form className="oc-form" onSubmit={submit} noValidate aria-label={t("security.password")}>
        <ChoiceGroup
          legend={t("password.how")}
          name="mode"
          value={mode}
          onChange={setMode}
          options={[
            { value: "current", label: t("password.withCurrent") },
            { value: "sms", label: t("password.withSms") },
          ]}
        />
        {mode === "current" ? (
          <TextField
            label={t("password.current")}
            value={current}
            onChange={setCurrent}
            type="password"
            autoComplete="current-password"
          />
        ) : (
          <OwnPhoneCode
            purpose="reset_password"
            otp={otp}
            onOtp={setOtp}
            onError={(err) => setError(errorText(t, err))}
          />
        )}
        <TextField
          label={t("password.new")}
          value={password}
          onChange={setPassword}
          type="password"
          autoComplete="new-password"
          hint={<PasswordHint password={password} />}
        />
        <SwitchField
          label={t("password.keepSession")}
          checked={keep}
          onChange={setKeep}
          description={t("password.keepSessionHint")}
        />
        {error ? <Notice tone="error">{error}</Notice> : null}
        {done ? <Notice tone="success">{t("password.changed")}</Notice> : null}
        <Button type="submit" color="primary" block loading={busy}>
          {t("password.submit")}
        </Button>
      </form>
    </Page>
  );
}
