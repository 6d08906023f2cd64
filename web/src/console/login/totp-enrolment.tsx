// First login of a new staff member: set up the authenticator app, confirm a code, keep the backup codes.
import { Alert, Button, Checkbox, Form, Input, QRCode, Spin, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../common/api";
import { useErrorText } from "../use-error-text";

type Setup = { secret: string; otpauthUrl: string };

export function TotpEnrolment({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [backupCodes, setBackupCodes] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One secret per visit: a second setup call would replace the secret already shown.
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    post<Setup>("/api/v1/me/totp/setup")
      .then(setSetup)
      .catch((err: unknown) => setError(errorText(err)));
  }, [errorText]);

  async function enable(code: string) {
    setBusy(true);
    setError(null);
    try {
      const result = await post<{ backupCodes: string[] }>("/api/v1/me/totp/enable", { code: code.trim() });
      setBackupCodes(result.backupCodes);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  if (backupCodes) {
    return (
      <section aria-labelledby="backup-codes-title">
        <Typography.Title level={2} id="backup-codes-title" style={{ fontSize: 18 }}>
          {t("enrol.backupTitle")}
        </Typography.Title>
        <Typography.Paragraph>{t("enrol.backupHint")}</Typography.Paragraph>
        <ul
          aria-label={t("enrol.backupListLabel")}
          style={{
            columns: 2,
            fontFamily: "monospace",
            fontSize: 16,
            background: "#fafafa",
            padding: "12px 12px 12px 32px",
            border: "1px solid #d9d9d9",
            borderRadius: 6,
          }}
        >
          {backupCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <Checkbox checked={saved} onChange={(e) => setSaved(e.target.checked)}>
          {t("enrol.savedThem")}
        </Checkbox>
        <Button
          type="primary"
          block
          disabled={!saved}
          style={{ marginTop: 16 }}
          onClick={() => void onDone()}
        >
          {t("enrol.continue")}
        </Button>
      </section>
    );
  }

  return (
    <section aria-labelledby="enrol-title">
      <Typography.Title level={2} id="enrol-title" style={{ fontSize: 18 }}>
        {t("enrol.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("enrol.intro")}</Typography.Paragraph>
      {!setup && !error && <Spin />}
      {setup && (
        <>
          <div style={{ display: "flex", gap: 16, alignItems: "center", flexWrap: "wrap", marginBottom: 16 }}>
            <div role="img" aria-label={t("enrol.qrLabel")}>
              <div aria-hidden="true">
                <QRCode value={setup.otpauthUrl} size={160} bordered />
              </div>
            </div>
            <div style={{ flex: 1, minWidth: 200 }}>
              <Typography.Text>{t("enrol.secretLabel")}</Typography.Text>
              <Typography.Paragraph copyable={{ text: setup.secret }} code style={{ wordBreak: "break-all" }}>
                <span data-testid="totp-secret">{setup.secret}</span>
              </Typography.Paragraph>
              <Typography.Paragraph style={{ wordBreak: "break-all", fontSize: 12 }}>
                <a href={setup.otpauthUrl}>{t("enrol.openInApp")}</a>
              </Typography.Paragraph>
            </div>
          </div>
          <Form
            layout="vertical"
            requiredMark={false}
            onFinish={(v: { code: string }) => void enable(v.code)}
          >
            <Form.Item
              label={t("enrol.code")}
              name="code"
              rules={[
                { required: true, message: t("enrol.codeRequired") },
                { pattern: /^\s*\d{6}\s*$/, message: t("enrol.codeFormat") },
              ]}
            >
              <Input autoComplete="one-time-code" inputMode="numeric" maxLength={8} />
            </Form.Item>
            {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t("enrol.confirm")}
            </Button>
          </Form>
        </>
      )}
      {!setup && error && <Alert type="error" showIcon title={error} role="alert" />}
    </section>
  );
}
