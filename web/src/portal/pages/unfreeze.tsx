import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { post } from "../../common/api";
import { Notice } from "../../common/ui/notice";
import { useSubmit } from "../../common/ui/use-submit";
import { CurrentPasswordField } from "../current-password-field";
import { DestinationWithCode } from "../destination-code";
import { FormEnd } from "../form-end";
import { Page } from "../layout";

export function UnfreezePage() {
  const { t } = useTranslation();
  const [phone, setPhone] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const submit = useSubmit();

  function request(e: FormEvent) {
    e.preventDefault();
    void submit.run(async () => {
      await post("/api/v1/auth/unfreeze-requests", { phone: phone.trim(), otp: otp.trim(), password });
    });
  }

  return (
    <Page title={t("unfreeze.title")} back="/login">
      {submit.done ? (
        <>
          <Notice tone="success">{t("unfreeze.submitted")}</Notice>
          <Link to="/login" className="oc-button">
            {t("reset.toLogin")}
          </Link>
        </>
      ) : (
        <form className="oc-form" onSubmit={request} noValidate aria-label={t("unfreeze.title")}>
          <p>{t("unfreeze.intro")}</p>
          <DestinationWithCode
            channel="sms"
            purpose="unfreeze"
            to={phone}
            onTo={setPhone}
            toLabel={t("unfreeze.phone")}
            otp={otp}
            onOtp={setOtp}
            otpLabel={t("unfreeze.otp")}
            onError={submit.onError}
            required
          />
          <CurrentPasswordField
            value={password}
            onChange={setPassword}
            label={t("unfreeze.password")}
            required
          />
          <FormEnd submit={submit} label={t("unfreeze.submit")} size="large" />
        </form>
      )}
    </Page>
  );
}
