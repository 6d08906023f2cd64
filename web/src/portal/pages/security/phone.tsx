import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { SendCodeButton } from "../../../common/ui/send-code-button";
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
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    setDone(false);
    setBusy(true);
    try {
      await post("/api/v1/me/phone", {
        password,
        oldOtp: oldOtp.trim(),
        newPhone: newPhone.trim(),
        newOtp: newOtp.trim(),
      });
      setDone(true);
      await refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t("security.phone")} back="/security">
      <form className="oc-form" onSubmit={submit} noValidate aria-label={t("security.phone")}>
        <TextField
          label={t("login.password")}
          value={password}
          onChange={setPassword}
          type="password"
          autoComplete="current-password"
        />
        <OwnPhoneCode
          purpose="change_phone"
          otp={oldOtp}
          onOtp={setOldOtp}
          otpLabel={t("phone.oldCode")}
          onError={(err) => setError(errorText(t, err))}
        />
        <TextField
          label={t("phone.new")}
          value={newPhone}
          onChange={setNewPhone}
          type="tel"
          autoComplete="off"
          trailing={
            <SendCodeButton
              disabled={!newPhone.trim()}
              send={() =>
                post<{ resendIn?: number }>("/api/v1/auth/otp", {
                  channel: "sms",
                  to: newPhone.trim(),
                  purpose: "change_phone",
                })
              }
              onError={(err) => setError(errorText(t, err))}
            />
          }
        />
        <TextField
          label={t("phone.newCode")}
          value={newOtp}
          onChange={setNewOtp}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
        />
        {error ? <Notice tone="error">{error}</Notice> : null}
        {done ? <Notice tone="success">{t("phone.saved")}</Notice> : null}
        <Button type="submit" color="primary" block loading={busy}>
          {t("phone.submit")}
        </Button>
      </form>
    </Page>
  );
}
