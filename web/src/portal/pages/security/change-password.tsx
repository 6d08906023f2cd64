import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../../common/api";
import { ChoiceGroup, SwitchField, TextField } from "../../../common/ui/fields";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page } from "../../layout";
import { OwnPhoneCode } from "../../own-phone-code";
import { NewPasswordField } from "../../password-hint";

export function ChangePasswordPage() {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"current" | "sms">("current");
  const [current, setCurrent] = useState("");
  const [otp, setOtp] = useState("");
  const [password, setPassword] = useState("");
  const [keep, setKeep] = useState(true);
  const submit = useSubmit();

  function change(e: FormEvent) {
    e.preventDefault();
    void submit.run(async () => {
      await put("/api/v1/me/password", {
        ...(mode === "current" ? { currentPassword: current } : { otp: otp.trim() }),
        newPassword: password,
        keepThisSession: keep,
      });
      setCurrent("");
      setOtp("");
      setPassword("");
    });
  }

  return (
    <Page title={t("security.password")} back="/security">
      <form className="oc-form" onSubmit={change} noValidate aria-label={t("security.password")}>
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
          <OwnPhoneCode purpose="reset_password" otp={otp} onOtp={setOtp} onError={submit.onError} />
        )}
        <NewPasswordField label={t("password.new")} value={password} onChange={setPassword} />
        <SwitchField
          label={t("password.keepSession")}
          checked={keep}
          onChange={setKeep}
          description={t("password.keepSessionHint")}
        />
        <FormEnd submit={submit} label={t("password.submit")} success={t("password.changed")} />
      </form>
    </Page>
  );
}
