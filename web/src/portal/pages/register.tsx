import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { SendCodeButton } from "../../common/ui/send-code-button";
import { Page } from "../layout";
import { PasswordHint } from "../password-hint";
import { useSession } from "../session";

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { refresh } = useSession();
  const [phone, setPhone] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const [info, setInfo] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    if (!phone.trim() || !otp.trim() || !password) {
      setError(t("register.fillAll"));
      return;
    }
    setBusy(true);
    try {
      await post("/api/v1/auth/register", {
        phone: phone.trim(),
        otp: otp.trim(),
        password,
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      await refresh();
      navigate("/", { replace: true });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("register.title")} back="/login">
      <form className="oc-form" onSubmit={submit} noValidate aria-label={t("register.title")}>
        <TextField
          label={t("register.phone")}
          value={phone}
          onChange={setPhone}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          required
          trailing={
            <SendCodeButton
              disabled={!/^\+?\d{6,}$/.test(phone.trim())}
              send={() => {
                setError("");
                setInfo("");
                return post("/api/v1/auth/otp", {
                  channel: "sms",
                  to: phone.trim(),
                  purpose: "register",
                }).then((r) => {
                  setInfo(t("register.codeSent"));
                  return r as { resendIn?: number };
                });
              }}
              onError={(err) => setError(errorText(t, err))}
            />
          }
        />
        <TextField
          label={t("register.otp")}
          value={otp}
          onChange={setOtp}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
        />
        <TextField
          label={t("register.password")}
          value={password}
          onChange={setPassword}
          type="password"
          autoComplete="new-password"
          hint={<PasswordHint password={password} />}
          required
        />
        <TextField label={t("register.name")} value={name} onChange={setName} autoComplete="name" />
        {info ? <Notice tone="info">{info}</Notice> : null}
        {error ? <Notice tone="error">{error}</Notice> : null}
        <Button type="submit" color="primary" block size="large" loading={busy}>
          {t("register.submit")}
        </Button>
      </form>
      <div className="oc-links">
        <Link to="/login">{t("register.toLogin")}</Link>
      </div>
    </Page>
  );
}
