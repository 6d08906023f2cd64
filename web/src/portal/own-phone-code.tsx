// A code sent to the customer's own bound phone. The server knows the number, so nobody types it;
// the answer names it masked, and that is all the page shows.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../common/api";
import { CodeField } from "../common/ui/fields";
import { SendCodeButton } from "../common/ui/send-code-button";
import { useSession } from "./session";

export type OwnOtpPurpose = "reset_password" | "payment_password" | "change_phone" | "withdrawal";

type SentCode = { expiresIn: number; resendIn: number; to: string };

export function OwnPhoneCode({
  purpose,
  otp,
  onOtp,
  onError,
  otpLabel,
}: {
  purpose: OwnOtpPurpose;
  otp: string;
  onOtp: (v: string) => void;
  onError: (err: unknown) => void;
  otpLabel?: string;
}) {
  const { t } = useTranslation();
  const { me } = useSession();
  const [sentTo, setSentTo] = useState("");
  const hint = sentTo
    ? t("security.codeSentTo", { to: sentTo })
    : me?.phone
      ? t("security.ownPhoneHint", { phone: me.phone })
      : undefined;
  return (
    <CodeField
      label={otpLabel ?? t("security.smsCode")}
      value={otp}
      onChange={onOtp}
      hint={hint}
      trailing={
        <SendCodeButton
          send={async () => {
            const sent = await post<SentCode>("/api/v1/me/otp", { purpose, channel: "sms" });
            setSentTo(sent.to);
            return sent;
          }}
          onError={onError}
        />
      }
    />
  );
}
