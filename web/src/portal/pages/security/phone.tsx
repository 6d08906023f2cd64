import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../../common/api";
import { useSubmit } from "../../../common/ui/use-submit";
import { CurrentPasswordField } from "../../current-password-field";
import { DestinationWithCode } from "../../destination-code";
import { FormEnd } from "../../form-end";
import { Page } from "../../layout";
import { OwnPhoneCode } from "../../own-phone-code";
import { useSession } from "../../session";

export function PhonePage() {
  const { t } = useTranslation();
  const { refresh } = useSession();
  const [password, setPassword] = useState("");
  const [oldOtp, setOldOtp] = useState("");
  const [newPhone, setNewPhone] = useState("");
  const [newOtp, setNewOtp] = useState("");
  const submit = useSubmit();

  function change(e: FormEvent) {
    e.preventDefault();
    void submit.run(async () => {
      await post("/api/v1/me/phone", {
        password,
        oldOtp: oldOtp.trim(),
        newPhone: newPhone.trim(),
        newOtp: newOtp.trim(),
      });
      await refresh();
    });
  }

  return (
    <Page title={t("security.phone")} back="/security">
      <form className="oc-form" onSubmit={change} noValidate aria-label={t("security.phone")}>
        <CurrentPasswordField value={password} onChange={setPassword} />
        <OwnPhoneCode
          purpose="change_phone"
          otp={oldOtp}
          onOtp={setOldOtp}
          otpLabel={t("phone.oldCode")}
          onError={submit.onError}
        />
        <DestinationWithCode
          channel="sms"
          purpose="change_phone"
          to={newPhone}
          onTo={setNewPhone}
          toLabel={t("phone.new")}
          autoComplete="off"
          otp={newOtp}
          onOtp={setNewOtp}
          otpLabel={t("phone.newCode")}
          onError={submit.onError}
        />
        <FormEnd submit={submit} label={t("phone.submit")} success={t("phone.saved")} />
      </form>
    </Page>
  );
}
