import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../../common/api";
import { CodeField, TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useSubmit } from "../../../common/ui/use-submit";
import { CurrentPasswordField } from "../../current-password-field";
import { Page, Section } from "../../layout";
import { useSession } from "../../session";

type Setup = { secret: string; otpauthUrl: string };

export function TwoStepPage() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [backupCodes, setBackupCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState("");
  const submit = useSubmit();

  async function run(action: () => Promise<void>) {
    setNotice("");
    await submit.run(action);
  }

  const begin = () =>
    run(async () => {
      setSetup(await post<Setup>("/api/v1/me/totp/setup"));
    });

  const enable = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const answer = await post<{ backupCodes: string[] }>("/api/v1/me/totp/enable", { code: code.trim() });
      setBackupCodes(answer.backupCodes);
      setSetup(null);
      setCode("");
      await refresh();
    });
  };

  const disable = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      await post("/api/v1/me/totp/disable", { password, code: code.trim() });
      setPassword("");
      setCode("");
      setNotice(t("twoStep.disabled"));
      await refresh();
    });
  };

  return (
    <Page title={t("security.twoStep")} back="/security">
      <p>{t("twoStep.intro")}</p>
      {backupCodes ? (
        <Section title={t("twoStep.backupTitle")}>
          <Notice tone="warning">{t("twoStep.backupOnce")}</Notice>
          <ul className="oc-code-list" aria-label={t("twoStep.backupTitle")}>
            {backupCodes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <button type="button" className="oc-button" onClick={() => setBackupCodes(null)}>
            {t("twoStep.backupSaved")}
          </button>
        </Section>
      ) : null}
      {submit.error ? <Notice tone="error">{submit.error}</Notice> : null}
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {me?.totpEnabled && !backupCodes ? (
        <Section title={t("twoStep.disableTitle")}>
          <p>{t("twoStep.isOn")}</p>
          <form className="oc-form" onSubmit={disable} noValidate aria-label={t("twoStep.disableTitle")}>
            <CurrentPasswordField value={password} onChange={setPassword} />
            <TextField
              label={t("twoStep.code")}
              value={code}
              onChange={setCode}
              inputMode="numeric"
              autoComplete="one-time-code"
            />
            <Button type="submit" color="danger" block loading={submit.busy}>
              {t("twoStep.disable")}
            </Button>
          </form>
        </Section>
      ) : null}
      {!me?.totpEnabled && !setup && !backupCodes ? (
        <Button color="primary" block onClick={begin} loading={submit.busy}>
          {t("twoStep.start")}
        </Button>
      ) : null}
      {setup ? (
        <Section title={t("twoStep.setupTitle")}>
          <p>{t("twoStep.scanOrType")}</p>
          <p>
            {t("twoStep.secret")}: <span className="oc-secret">{setup.secret}</span>
          </p>
          <p>
            <a href={setup.otpauthUrl}>{t("twoStep.openApp")}</a>
          </p>
          <form className="oc-form" onSubmit={enable} noValidate aria-label={t("twoStep.setupTitle")}>
            <CodeField label={t("twoStep.code")} value={code} onChange={setCode} />
            <Button type="submit" color="primary" block loading={submit.busy}>
              {t("twoStep.enable")}
            </Button>
          </form>
        </Section>
      ) : null}
    </Page>
  );
}
