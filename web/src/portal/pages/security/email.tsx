import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { SendCodeButton } from "../../../common/ui/send-code-button";
import { Page } from "../../layout";
import { useSession } from "../../session";

export function EmailPage() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const [email, setEmail] = useState("");
  const [otp, setOtp] = useState("");
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    setDone(false);
    setBusy(true);
    try {
      await post("/api/v1/me/email", { email: email.trim(), otp: otp.trim() });
      setDone(true);
      setEmail("");
      setOtp("");
      await refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("security.email")} back="/security">
      <p>{me?.email ? t("email.current", { email: me.email }) : t("email.none")}</p>
      <form className="oc-form" onSubmit={submit} noValidate aria-label={t("security.email")}>
        <TextField
          label={t("email.new")}
          value={email}
          onChange={setEmail}
          type="email"
          autoComplete="email"
          trailing={
            <SendCodeButton
              disabled={!email.includes("@")}
              send={() =>
                post<{ resendIn?: number }>("/api/v1/auth/otp", {
                  channel: "email",
                  to: email.trim(),
                  purpose: "verify_email",
                })
              }
              onError={(err) => setError(errorText(t, err))}
            />
          }
        />
        <TextField
          label={t("email.code")}
          value={otp}
          onChange={setOtp}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
        />
        {error ? <Notice tone="error">{error}</Notice> : null}
        {done ? <Notice tone="success">{t("email.saved")}</Notice> : null}
        <Button type="submit" color="primary" block loading={busy}>
          {t("email.submit")}
        </Button>
      </form>
    </Page>
  );
}
