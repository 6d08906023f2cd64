// "Get code" with the resend countdown the server asks for (60 s unless it says otherwise).
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api";

export type SendCodeResult = { resendIn?: number } | undefined;

export function SendCodeButton({
  send,
  onError,
  disabled,
  label,
}: {
  send: () => Promise<SendCodeResult>;
  onError: (err: unknown) => void;
  disabled?: boolean;
  label?: string;
}) {
  const { t } = useTranslation();
  const [left, setLeft] = useState(0);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((s) => s - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);

  async function click() {
    setBusy(true);
    try {
      const result = await send();
      setLeft(result?.resendIn ?? 60);
    } catch (err) {
      if (err instanceof ApiError && err.code === "otp_resend_too_soon") {
        const wait = Number(err.problem.retryAfter ?? err.problem.resendIn ?? 60);
        setLeft(Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : 60);
      }
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <button type="button" className="oc-button" disabled={disabled || busy || left > 0} onClick={click}>
      {left > 0 ? t("ui.resendIn", { seconds: left }) : (label ?? t("ui.sendCode"))}
    </button>
  );
}
