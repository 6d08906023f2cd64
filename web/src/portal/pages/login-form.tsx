// Log in with phone or email and password; meets captcha, lockout, two-step and frozen accounts on the way.
import { Button } from "antd-mobile";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, get, post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { CurrentPasswordField } from "../current-password-field";
import type { LoginAnswer } from "../types";

type Captcha = { id: string; svg: string };
type Problem =
  | { kind: "none" }
  | { kind: "error"; text: string }
  | { kind: "locked"; minutes: number }
  | { kind: "frozen" };

export function LoginForm({
  onLoggedIn,
  unfreezeLink,
}: {
  onLoggedIn: (answer: LoginAnswer) => void;
  /** Where a frozen account goes to ask for unfreezing (a router link in the portal, a page link elsewhere). */
  unfreezeLink: ReactNode;
}) {
  const { t } = useTranslation();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [captcha, setCaptcha] = useState<Captcha | null>(null);
  const [captchaAnswer, setCaptchaAnswer] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [totp, setTotp] = useState("");
  const [problem, setProblem] = useState<Problem>({ kind: "none" });
  const [busy, setBusy] = useState(false);

  async function loadCaptcha() {
    setCaptchaAnswer("");
    try {
      setCaptcha(await get<Captcha>("/api/v1/auth/captcha"));
    } catch (err) {
      setProblem({ kind: "error", text: errorText(t, err) });
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!login.trim() || !password) {
      setProblem({ kind: "error", text: t("login.fillBoth") });
      return;
    }
    setBusy(true);
    setProblem({ kind: "none" });
    try {
      const answer = await post<LoginAnswer>("/api/v1/auth/login", {
        login: login.trim(),
        password,
        ...(captcha ? { captchaId: captcha.id, captcha: captchaAnswer.trim() } : {}),
        ...(needTotp && totp ? { totp: totp.trim() } : {}),
      });
      onLoggedIn(answer);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : "network";
      if (captcha || code === "captcha_required") await loadCaptcha();
      if (err instanceof ApiError && code === "account_locked") {
        const seconds = Number(err.problem.retryAfter ?? 300);
        setProblem({ kind: "locked", minutes: Math.max(1, Math.ceil(seconds / 60)) });
      } else if (code === "account_frozen") {
        setProblem({ kind: "frozen" });
      } else if (code === "mfa_required") {
        setNeedTotp(true);
        setProblem({ kind: "error", text: t("login.enterTotp") });
      } else {
        setProblem({ kind: "error", text: errorText(t, err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="oc-form" onSubmit={submit} noValidate aria-label={t("login.formLabel")}>
      <TextField
        label={t("login.login")}
        value={login}
        onChange={setLogin}
        autoComplete="username"
        placeholder={t("login.loginPlaceholder")}
        required
      />
      <CurrentPasswordField value={password} onChange={setPassword} required />
      {captcha ? (
        <div className="oc-field">
          <div className="oc-captcha">
            <img
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(captcha.svg)}`}
              alt={t("login.captchaAlt")}
            />
            <button type="button" className="oc-button" onClick={loadCaptcha}>
              {t("login.captchaRefresh")}
            </button>
          </div>
          <TextField
            label={t("login.captcha")}
            value={captchaAnswer}
            onChange={setCaptchaAnswer}
            autoComplete="off"
            required
          />
        </div>
      ) : null}
      {needTotp ? (
        <TextField
          label={t("login.totp")}
          value={totp}
          onChange={setTotp}
          inputMode="numeric"
          autoComplete="one-time-code"
          hint={t("login.totpHint")}
        />
      ) : null}
      {problem.kind === "error" ? <Notice tone="error">{problem.text}</Notice> : null}
      {problem.kind === "locked" ? (
        <Notice tone="error">
          {t("login.locked")} {t("login.retryInMinutes", { minutes: problem.minutes })}
        </Notice>
      ) : null}
      {problem.kind === "frozen" ? (
        <Notice tone="warning">
          {t("login.frozen")} {unfreezeLink}
        </Notice>
      ) : null}
      <Button type="submit" color="primary" block size="large" loading={busy}>
        {t("login.submit")}
      </Button>
    </form>
  );
}
