import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { post } from "../../common/api";
import { ChoiceGroup } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { useSubmit } from "../../common/ui/use-submit";
import { DestinationWithCode } from "../destination-code";
import { FormEnd } from "../form-end";
import { Page } from "../layout";
import { NewPasswordField } from "../password-hint";

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<"sms" | "email">("sms");
  const [to, setTo] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const submit = useSubmit();

  function reset(e: FormEvent) {
    e.preventDefault();
    void submit.run(async () => {
      await post("/api/v1/auth/password-reset", {
        channel,
        to: to.trim(),
        otp: otp.trim(),
        newPassword: password,
      });
    });
  }

  return (
    <Page title={t("reset.title")} back="/login">
      {submit.done ? (
        <>
          <Notice tone="success">{t("reset.done")}</Notice>
          <Link to="/login" className="oc-button">
            {t("reset.toLogin")}
          </Link>
        </>
      ) : (
        <form className="oc-form" onSubmit={reset} noValidate aria-label={t("reset.title")}>
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
          <DestinationWithCode
            channel={channel}
            purpose="reset_password"
            to={to}
            onTo={setTo}
            toLabel={channel === "sms" ? t("reset.phone") : t("reset.email")}
            otp={otp}
            onOtp={setOtp}
            otpLabel={t("reset.otp")}
            onError={submit.onError}
            required
          />
          <NewPasswordField label={t("reset.newPassword")} value={password} onChange={setPassword} required />
          <FormEnd submit={submit} label={t("reset.submit")} size="large" />
        </form>
      )}
    </Page>
  );
}
