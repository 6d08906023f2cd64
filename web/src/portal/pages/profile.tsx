import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { api } from "../../common/api";
import { ChoiceGroup, TextField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { useList } from "../../common/ui/use-list";
import { useSubmit } from "../../common/ui/use-submit";
import { FormEnd } from "../form-end";
import { Page, Section } from "../layout";
import { useSession } from "../session";
import type { ChangeRequest } from "../types";

const MAX_PROOF_BYTES = 5 * 1024 * 1024;
const PROOF_TYPES = ["image/png", "image/jpeg", "application/pdf"];

export function ProfilePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { me, signOut } = useSession();
  const requests = useList<ChangeRequest>("/api/v1/me/change-requests");

  if (!me) return null;
  return (
    <Page title={t("profile.title")}>
      <Section title={t("profile.details")}>
        <dl className="oc-rows">
          <dt>{t("profile.phone")}</dt>
          <dd>{me.phone ?? t("common.notSet")}</dd>
          <dt>{t("profile.email")}</dt>
          <dd>
            {me.email ?? t("common.notSet")}
            {me.email ? ` (${me.emailVerified ? t("profile.verified") : t("profile.unverified")})` : ""}
          </dd>
          <dt>{t("profile.name")}</dt>
          <dd>{me.name ?? t("common.notSet")}</dd>
          <dt>{t("profile.idNumber")}</dt>
          <dd>{me.idNumber ?? t("common.notSet")}</dd>
          <dt>{t("profile.verification")}</dt>
          <dd>
            {me.verificationLevel > 0
              ? t("profile.levelN", { level: me.verificationLevel })
              : t("profile.notVerified")}
          </dd>
        </dl>
      </Section>
      <ChangeRequestForm onSubmitted={requests.reload} />
      <Section title={t("profile.requests")}>
        {requests.error ? <Notice tone="error">{requests.error}</Notice> : null}
        {requests.items.length === 0 ? <p>{t("profile.noRequests")}</p> : null}
        <ul className="oc-list">
          {requests.items.map((r) => (
            <li key={r.id}>
              <div className="oc-list-title">
                {r.field === "name" ? t("profile.name") : t("profile.idNumber")}: {r.value}
                <RequestStatus status={r.status} />
              </div>
              <div className="oc-weak">{new Date(r.createdAt).toLocaleString()}</div>
              {r.reason ? (
                <div>
                  {t("profile.reason")}: {r.reason}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t("profile.more")}>
        <ul className="oc-menu">
          <li>
            <Link to="/security">{t("modules.security")}</Link>
          </li>
          <li>
            <Link to="/settings">{t("nav.settings")}</Link>
          </li>
          <li>
            <button
              type="button"
              className="oc-menu-item"
              onClick={async () => {
                await signOut();
                navigate("/login", { replace: true });
              }}
            >
              {t("profile.logout")}
            </button>
          </li>
        </ul>
      </Section>
    </Page>
  );
}

function RequestStatus({ status }: { status: ChangeRequest["status"] }) {
  const { t } = useTranslation();
  switch (status) {
    case "pending":
      return <span className="oc-status">⏳ {t("profile.statusPending")}</span>;
    case "approved":
      return <span className="oc-status">✓ {t("profile.statusApproved")}</span>;
    case "rejected":
      return <span className="oc-status">✕ {t("profile.statusRejected")}</span>;
    default: {
      const unknown: never = status;
      return <span className="oc-status">{String(unknown)}</span>;
    }
  }
}

function ChangeRequestForm({ onSubmitted }: { onSubmitted: () => Promise<void> }) {
  const { t } = useTranslation();
  const fileId = useId();
  const [field, setField] = useState<"name" | "idNumber">("name");
  const [value, setValue] = useState("");
  const [proof, setProof] = useState<File | null>(null);
  const submit = useSubmit();

  function send(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    submit.reset();
    if (!value.trim()) return submit.setError(t("profile.valueRequired"));
    if (!proof) return submit.setError(t("profile.proofRequired"));
    if (!PROOF_TYPES.includes(proof.type)) return submit.setError(t("errors.unsupported_file"));
    if (proof.size > MAX_PROOF_BYTES) return submit.setError(t("profile.proofTooLarge"));
    const body = new FormData();
    body.append("field", field);
    body.append("value", value.trim());
    body.append("proof", proof);
    // React clears e.currentTarget once the handler returns, so keep the form for after the await.
    const form = e.currentTarget;
    void submit.run(async () => {
      await api("POST", "/api/v1/me/change-requests", body);
      setValue("");
      setProof(null);
      form.reset();
      await onSubmitted();
    });
  }

  return (
    <Section title={t("profile.changeTitle")}>
      <form className="oc-form" onSubmit={send} noValidate aria-label={t("profile.changeTitle")}>
        <ChoiceGroup
          legend={t("profile.changeWhat")}
          name="field"
          value={field}
          onChange={setField}
          options={[
            { value: "name", label: t("profile.name") },
            { value: "idNumber", label: t("profile.idNumber") },
          ]}
        />
        <TextField
          label={field === "name" ? t("profile.newName") : t("profile.newIdNumber")}
          value={value}
          onChange={setValue}
          autoComplete="off"
          required
        />
        <div className="oc-field">
          <label htmlFor={fileId}>{t("profile.proof")}</label>
          <input
            id={fileId}
            type="file"
            accept="image/png,image/jpeg,application/pdf"
            aria-describedby={`${fileId}-hint`}
            onChange={(e) => setProof(e.target.files?.[0] ?? null)}
          />
          <p id={`${fileId}-hint`} className="oc-field-hint">
            {t("profile.proofHint")}
          </p>
        </div>
        <FormEnd submit={submit} label={t("profile.submitRequest")} success={t("profile.requestSent")} />
      </form>
    </Section>
  );
}
