// A code sent to the customer's own phone. The profile only shows the phone masked, so the number is
// remembered from login/registration in this tab, or typed again.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../common/api";
import { TextField } from "../common/ui/fields";
import { SendCodeButton } from "../common/ui/send-code-button";
import { phoneMemory, useSession } from "./session";

export type OtpPurpose = "reset_password" | "payment_password" | "change_phone";

export function OwnPhoneCode({
  purpose,
  otp,
  onOtp,
  onError,
  otpLabel,
}: {
  purpose: OtpPurpose;
  otp: string;
  onOtp: (v: string) => void;
  onError: (err: unknown) => void;
  otpLabel?: string;
}) {
  const { t } = useTranslation();
  const { me } = useSession();
  const [phone, setPhone] = useState(phoneMemory.get());
  return (
    <>
      <TextField
        label={t("security.ownPhone")}
        value={phone}
        onChange={setPhone}
        type="tel"
        autoComplete="tel"
        hint={t("security.ownPhoneHint", { phone: me?.phone ?? "" })}
        trailing={
          <SendCodeButton
            disabled={!phone.trim()}
            send={async () => {
              const answer = await post<{ resendIn?: number }>("/api/v1/auth/otp", {
                channel: "sms",
                to: phone.trim(),
                purpose,
              });
              phoneMemory.set(phone.trim());
              return answer;
            }}
            onError={onError}
          />
        }
      />
      <TextField
        label={otpLabel ?? t("security.smsCode")}
        value={otp}
        onChange={onOtp}
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
      />
    </>
  );
}
