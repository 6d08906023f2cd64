import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { ChoiceGroup, TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { SendCodeButton } from "../../common/ui/send-code-button";
import { Page } from "../layout";
import { PasswordHint } from "../password-hint";

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<"sms" | "email">("sms");
  const [to, setTo] = useState("");
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
      await post("/api/v1/auth/password-reset", {
        channel,
        to: to.trim(),
        otp: otp.trim(),
        newPassword: password,
      });
      setDone(true);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("reset.title")} back="/login">
      {done ? (
        <>
          <Notice tone="success">{t("reset.done")}</Notice>
          <Link to="/login" className="oc-button">
            {t("reset.toLogin")}
          </Link>
        </>
      ) : (
        <form className="oc-form" onSubmit={submit} noValidate aria-label={t("reset.title")}>
          <ChoiceGroup
            legend={t("reset.channel")}
            name="channel"
            value={channel}
            onChange={(v) => {
              setChannel(v);
              setTo("");
            }}
            options={[
              { value: "sms", label: t("reset.bySms") },
              { value: "email", label: t("reset.byEmail") },
            ]}
          />
          <TextField
            label={channel === "sms" ? t("reset.phone") : t("reset.email")}
            value={to}
            onChange={setTo}
            type={channel === "sms" ? "tel" : "email"}
            autoComplete={channel === "sms" ? "tel" : "email"}
            required
            trailing={
              <SendCodeButton
                disabled={!to.trim()}
                send={() =>
                  post<{ resendIn?: number }>("/api/v1/auth/otp", {
                    channel,
                    to: to.trim(),
                    purpose: "reset_password",
                  })
                }
                onError={(err) => setError(errorText(t, err))}
              />
            }
          />
          <TextField
            label={t("reset.otp")}
            value={otp}
            onChange={setOtp}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
          />
          <TextField
            label={t("reset.newPassword")}
            value={password}
            onChange={setPassword}
            type="password"
            autoComplete="new-password"
            hint={<PasswordHint password={password} />}
            required
          />
          {error ? <Notice tone="error">{error}</Notice> : null}
          <Button type="submit" color="primary" block size="large" loading={busy}>
            {t("reset.submit")}
          </Button>
        </form>
      )}
    </Page>
  );
}
