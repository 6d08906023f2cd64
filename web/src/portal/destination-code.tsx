// A phone number or email address with its "get code" button, and the box for the code that comes to it.
import { post } from "../common/api";
import { CodeField, TextField } from "../common/ui/fields";
import { SendCodeButton, type SendCodeResult } from "../common/ui/send-code-button";

export type CodeChannel = "sms" | "email";
export type CodePurpose = "register" | "reset_password" | "unfreeze" | "verify_email" | "change_phone";

export function DestinationWithCode({
  channel,
  purpose,
  to,
  onTo,
  toLabel,
  otp,
  onOtp,
  otpLabel,
  onError,
  canSend = (value) => value.trim() !== "",
  onSending,
  onSent,
  autoComplete,
  inputMode,
  required,
}: {
  channel: CodeChannel;
  purpose: CodePurpose;
  to: string;
  onTo: (value: string) => void;
  toLabel: string;
  otp: string;
  onOtp: (value: string) => void;
  otpLabel: string;
  onError: (err: unknown) => void;
  /** Whether the address looks complete enough to send to; by default anything typed. */
  canSend?: (to: string) => boolean;
  onSending?: () => void;
  onSent?: () => void;
  /** The browser's autofill hint for the address; by default "tel" or "email" after the channel. */
  autoComplete?: string;
  inputMode?: "tel" | "email";
  required?: boolean;
}) {
  async function send(): Promise<SendCodeResult> {
    onSending?.();
    const sent = await post<SendCodeResult>("/api/v1/auth/otp", { channel, to: to.trim(), purpose });
    onSent?.();
    return sent;
  }
  const kind = channel === "sms" ? "tel" : "email";
  return (
    <>
      <TextField
        label={toLabel}
        value={to}
        onChange={onTo}
        type={kind}
        inputMode={inputMode}
        autoComplete={autoComplete ?? kind}
        required={required}
        trailing={<SendCodeButton disabled={!canSend(to)} send={send} onError={onError} />}
      />
      <CodeField label={otpLabel} value={otp} onChange={onOtp} required={required} />
    </>
  );
}
