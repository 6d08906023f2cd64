import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { SixDigitField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { Page } from "../../layout";
import { OwnPhoneCode } from "../../own-phone-code";
import { useSession } from "../../session";

export function PaymentPasswordPage() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const [otp, setOtp] = useState("");
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    setDone(false);
    if (pin.length !== 6) return setError(t("payPin.sixDigits"));
    if (pin !== again) return setError(t("payPin.mismatch"));
    setBusy(true);
    try {
      await put("/api/v1/me/payment-password", { password: pin, otp: otp.trim() });
      setDone(true);
      setPin("");
      setAgain("");
      setOtp("");
      await refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("security.paymentPassword")} back="/security">
      <p>{me?.hasPaymentPassword ? t("payPin.changeIntro") : t("payPin.setIntro")}</p>
      <form className="oc-form" onSubmit={submit} noValidate aria-label={t("security.paymentPassword")}>
        <OwnPhoneCode
          purpose="payment_password"
          otp={otp}
          onOtp={setOtp}
          onError={(err) => setError(errorText(t, err))}
        />
        <SixDigitField label={t("payPin.new")} value={pin} onChange={setPin} hint={t("payPin.hint")} />
        <SixDigitField label={t("payPin.again")} value={again} onChange={setAgain} />
        {error ? <Notice tone="error">{error}</Notice> : null}
        {done ? <Notice tone="success">{t("payPin.saved")}</Notice> : null}
        <Button type="submit" color="primary" block loading={busy}>
          {t("payPin.submit")}
        </Button>
      </form>
    </Page>
  );
}
