// Staff log in: password, then the two-step code (or a backup code), or first-time enrolment.
import { Alert, Button, Card, Form, Input, Space, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, get, post } from "../../common/api";
import type { Captcha, LoginResult } from "../api-types";
import { useLanguage } from "../language";
import { useSession } from "../session";
import { useErrorText } from "../use-error-text";
import { TotpEnrolment } from "./totp-enrolment";

type Credentials = { login: string; password: string };
type Step = "password" | "totp";

export function LoginPage({ enrolling }: { enrolling: boolean }) {
  const { t } = useTranslation();
  const { language, switchTo } = useLanguage();
  const { refresh } = useSession();
  const errorText = useErrorText();
  const [step, setStep] = useState<Step>("password");
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [captcha, setCaptcha] = useState<Captcha | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [enrol, setEnrol] = useState(enrolling);
  const [passwordForm] = Form.useForm<Credentials & { captcha?: string }>();
  const [totpForm] = Form.useForm<{ totp: string; captcha?: string }>();

  const loadCaptcha = useCallback(async () => {
    try {
      setCaptcha(await get<Captcha>("/api/v1/auth/captcha"));
    } catch (err) {
      setError(errorText(err));
    }
  }, [errorText]);

  async function attempt(creds: Credentials, extra: { totp?: string; captcha?: string }) {
    setBusy(true);
    setError(null);
    try {
      const body = {
        ...creds,
        ...(extra.totp ? { totp: extra.totp.replace(/\s+/g, "") } : {}),
        ...(captcha && extra.captcha ? { captchaId: captcha.id, captcha: extra.captcha } : {}),
      };
      const result = await post<LoginResult>("/api/v1/auth/login", body);
      if (result.next === "enroll_totp") setEnrol(true);
      else await refresh();
    } catch (err) {
      const code = err instanceof ApiError ? err.code : undefined;
      if (code === "mfa_required") {
        setCredentials(creds);
        setStep("totp");
      } else if (code === "captcha_required" || code === "invalid_captcha") {
        setError(errorText(err));
        await loadCaptcha();
      } else if (code === "account_locked" && err instanceof ApiError) {
        const seconds = Number(err.problem.retryAfter);
        const minutes = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds / 60) : null;
        setError(minutes === null ? errorText(err) : t("login.lockedFor", { minutes }));
      } else {
        setError(errorText(err));
        // A used or failed captcha cannot be answered twice.
        if (captcha) await loadCaptcha();
      }
      passwordForm.setFieldValue("captcha", "");
      totpForm.setFieldsValue({ captcha: "", totp: "" });
    } finally {
      setBusy(false);
    }
  }

  const captchaFields = captcha ? (
    <>
      <Space align="center" style={{ marginBottom: 8 }}>
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(captcha.svg)}`}
          alt={t("login.captchaImage")}
          height={50}
          style={{ border: "1px solid #d9d9d9", borderRadius: 6, background: "#fff" }}
        />
        <Button onClick={() => void loadCaptcha()}>{t("login.captchaRefresh")}</Button>
      </Space>
      <Form.Item
        label={t("login.captcha")}
        name="captcha"
        rules={[{ required: true, message: t("login.captchaRequired") }]}
      >
        <Input autoComplete="off" />
      </Form.Item>
    </>
  ) : null;

  return (
    <div style={{ minHeight: "100vh", background: "#f5f5f5", display: "flex", flexDirection: "column" }}>
      <header style={{ display: "flex", justifyContent: "flex-end", padding: 16 }}>
        <Button
          type="link"
          lang={language === "en" ? "zh-CN" : "en"}
          onClick={() => switchTo(language === "en" ? "zh-CN" : "en")}
        >
          {t("language.switchTo")}
        </Button>
      </header>
      <main
        style={{
          flex: 1,
          display: "flex",
          justifyContent: "center",
          alignItems: "flex-start",
          paddingTop: 48,
        }}
      >
        <Card style={{ width: enrol ? 520 : 400, maxWidth: "calc(100vw - 32px)" }}>
          <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
            {t("app.consoleTitle")}
          </Typography.Title>
          {enrol ? (
            <TotpEnrolment onDone={refresh} />
          ) : step === "password" ? (
            <Form
              form={passwordForm}
              layout="vertical"
              requiredMark={false}
              onFinish={(v) =>
                void attempt({ login: v.login.trim(), password: v.password }, { captcha: v.captcha })
              }
            >
              <Typography.Title level={2} style={{ fontSize: 18 }}>
                {t("login.title")}
              </Typography.Title>
              <Form.Item
                label={t("login.email")}
                name="login"
                rules={[{ required: true, message: t("login.emailRequired") }]}
              >
                <Input autoComplete="username" type="email" />
              </Form.Item>
              <Form.Item
                label={t("login.password")}
                name="password"
                rules={[{ required: true, message: t("login.passwordRequired") }]}
              >
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              {captchaFields}
              {error && (
                <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />
              )}
              <Button type="primary" htmlType="submit" block loading={busy}>
                {t("login.submit")}
              </Button>
            </Form>
          ) : (
            <Form
              form={totpForm}
              layout="vertical"
              requiredMark={false}
              onFinish={(v) => credentials && void attempt(credentials, { totp: v.totp, captcha: v.captcha })}
            >
              <Typography.Title level={2} style={{ fontSize: 18 }}>
                {t("login.totpTitle")}
              </Typography.Title>
              <Typography.Paragraph>{t("login.totpHint")}</Typography.Paragraph>
              <Form.Item
                label={t("login.totpCode")}
                name="totp"
                rules={[{ required: true, message: t("login.totpRequired") }]}
              >
                <Input autoComplete="one-time-code" autoFocus maxLength={24} />
              </Form.Item>
              {captchaFields}
              {error && (
                <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />
              )}
              <Space direction="vertical" style={{ width: "100%" }}>
                <Button type="primary" htmlType="submit" block loading={busy}>
                  {t("login.verify")}
                </Button>
                <Button
                  block
                  onClick={() => {
                    setStep("password");
                    setCredentials(null);
                    setError(null);
                  }}
                >
                  {t("login.back")}
                </Button>
              </Space>
            </Form>
          )}
        </Card>
      </main>
    </div>
  );
}
