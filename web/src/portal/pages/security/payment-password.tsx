import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../../common/api";
import { SixDigitField } from "../../../common/ui/fields";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page } from "../../layout";
import { OwnPhoneCode } from "../../own-phone-code";
import { useSession } from "../../session";

export function PaymentPasswordPage() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const [otp, setOtp] = useState("");
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const submit = useSubmit();

  function save(e: FormEvent) {
    e.preventDefault();
    submit.reset();
    if (pin.length !== 6) return submit.setError(t("payPin.sixDigits"));
    if (pin !== again) return submit.setError(t("payPin.mismatch"));
    void submit.run(async () => {
      await put("/api/v1/me/payment-password", { password: pin, otp: otp.trim() });
      setPin("");
      setAgain("");
      setOtp("");
      await refresh();
    });
  }

  return (
    <Page title={t("security.paymentPassword")} back="/security">
      <p>{me?.hasPaymentPassword ? t("payPin.changeIntro") : t("payPin.setIntro")}</p>
      <form className="oc-form" onSubmit={save} noValidate aria-label={t("security.paymentPassword")}>
        <OwnPhoneCode purpose="payment_password" otp={otp} onOtp={setOtp} onError={submit.onError} />
        <SixDigitField label={t("payPin.new")} value={pin} onChange={setPin} hint={t("payPin.hint")} />
        <SixDigitField label={t("payPin.again")} value={again} onChange={setAgain} />
        <FormEnd submit={submit} label={t("payPin.submit")} success={t("payPin.saved")} />
      </form>
    </Page>
  );
}
