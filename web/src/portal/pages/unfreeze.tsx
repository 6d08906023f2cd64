import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { SendCodeButton } from "../../common/ui/send-code-button";
import { Page } from "../layout";

export function UnfreezePage() {
  const { t } = useTranslation();
  const [phone, setPhone] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    setBusy(true);
    try {
      await post("/api/v1/auth/unfreeze-requests", { phone: phone.trim(), otp: otp.trim(), password });
      setDone(true);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("unfreeze.title")} back="/login">
      {done ? (
        <>
          <Notice tone="success">{t("unfreeze.submitted")}</Notice>
          <Link to="/login" className="oc-button">
            {t("reset.toLogin")}
          </Link>
        </>
      ) : (
        <form className="oc-form" onSubmit={submit} noValidate aria-label={t("unfreeze.title")}>
          <p>{t("unfreeze.intro")}</p>
          <TextField
            label={t("unfreeze.phone")}
            value={phone}
            onChange={setPhone}
            type="tel"
            autoComplete="tel"
            required
            trailing={
              <SendCodeButton
                disabled={!phone.trim()}
                send={() =>
                  post<{ resendIn?: number }>("/api/v1/auth/otp", {
                    channel: "sms",
                    to: phone.trim(),
                    purpose: "unfreeze",
                  })
                }
                onError={(err) => setError(errorText(t, err))}
              />
            }
          />
          <TextField
            label={t("unfreeze.otp")}
            value={otp}
            onChange={setOtp}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
          />
          <TextField
            label={t("unfreeze.password")}
            value={password}
            onChange={setPassword}
            type="password"
            autoComplete="current-password"
            required
          />
          {error ? <Notice tone="error">{error}</Notice> : null}
          <Button type="submit" color="primary" block size="large" loading={busy}>
            {t("unfreeze.submit")}
          </Button>
        </form>
      )}
    </Page>
  );
}
