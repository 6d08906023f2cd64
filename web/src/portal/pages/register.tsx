import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { post } from "../../common/api";
import { TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { useSubmit } from "../../common/ui/use-submit";
import { DestinationWithCode } from "../destination-code";
import { FormEnd } from "../form-end";
import { Page } from "../layout";
import { NewPasswordField } from "../password-hint";
import { useSession } from "../session";

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { refresh } = useSession();
  const [phone, setPhone] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [info, setInfo] = useState("");
  const submit = useSubmit();

  function register(e: FormEvent) {
    e.preventDefault();
    if (!phone.trim() || !otp.trim() || !password) {
      submit.setError(t("register.fillAll"));
      return;
    }
    void submit.run(async () => {
      await post("/api/v1/auth/register", {
        phone: phone.trim(),
        otp: otp.trim(),
        password,
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      await refresh();
      navigate("/", { replace: true });
    });
  }

  return (
    <Page title={t("register.title")} back="/login">
      <form className="oc-form" onSubmit={register} noValidate aria-label={t("register.title")}>
        <DestinationWithCode
          channel="sms"
          purpose="register"
          to={phone}
          onTo={setPhone}
          toLabel={t("register.phone")}
          inputMode="tel"
          canSend={(value) => /^\+?\d{6,}$/.test(value.trim())}
          otp={otp}
          onOtp={setOtp}
          otpLabel={t("register.otp")}
          onSending={() => {
            submit.setError("");
            setInfo("");
          }}
          onSent={() => setInfo(t("register.codeSent"))}
          onError={submit.onError}
          required
        />
        <NewPasswordField label={t("register.password")} value={password} onChange={setPassword} required />
        <TextField label={t("register.name")} value={name} onChange={setName} autoComplete="name" />
        {info ? <Notice tone="info">{info}</Notice> : null}
        <FormEnd submit={submit} label={t("register.submit")} size="large" />
      </form>
      <div className="oc-links">
        <Link to="/login">{t("register.toLogin")}</Link>
      </div>
    </Page>
  );
}
