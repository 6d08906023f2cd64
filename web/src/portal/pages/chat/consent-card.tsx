// The agent's request to see the account, as the customer meets it in the chat: what, for how
// long, grant or refuse; and while a permission runs, a banner with the time left and "revoke".
import { Button } from "antd-mobile";
import { useTranslation } from "react-i18next";
import type { Consent } from "../../../common/chat-client";

export function remaining(until: string, now: number): string {
  const s = Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function Scopes({ consent }: { consent: Consent }) {
  const { t } = useTranslation();
  return <>{consent.scopes.map((s) => t(`chat.scope.${s}`)).join(t("chat.scopeSeparator"))}</>;
}

export function ConsentCard({
  consent,
  now,
  ended,
  onGrant,
  onRefuse,
}: {
  consent: Consent;
  now: number;
  /** The chat has ended: nothing more to answer, and no grant runs on. */
  ended: boolean;
  onGrant: () => void;
  onRefuse: () => void;
}) {
  const { t } = useTranslation();
  const open = !ended && consent.status === "requested" && Date.parse(consent.requestExpiresAt) > now;
  const granted =
    !ended && consent.status === "granted" && !!consent.expiresAt && Date.parse(consent.expiresAt) > now;
  const status = open
    ? null
    : granted
      ? t("chat.consentGranted")
      : consent.status === "granted" || consent.status === "requested"
        ? t("chat.consentStatus.expired")
        : t(`chat.consentStatus.${consent.status}`);
  return (
    <section className="oc-card oc-consent-card" aria-labelledby={`consent-${consent.id}`}>
      <h2 id={`consent-${consent.id}`}>{t("chat.consentTitle")}</h2>
      <p>
        {t("chat.consentAsk")}{" "}
        <strong>
          <Scopes consent={consent} />
        </strong>
      </p>
      <p>{t("chat.consentFor", { minutes: consent.minutes })}</p>
      <p className="oc-weak">{t("chat.consentMasked")}</p>
      {open ? (
        <div className="oc-actions">
          <Button color="primary" block onClick={onGrant}>
            {t("chat.grant")}
          </Button>
          <Button block onClick={onRefuse}>
            {t("chat.refuse")}
          </Button>
        </div>
      ) : (
        <p role="status">
          <strong>{status}</strong>
        </p>
      )}
    </section>
  );
}

export function ConsentBanner({
  consent,
  now,
  onRevoke,
}: {
  consent: Consent;
  now: number;
  onRevoke: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="oc-card oc-consent-banner">
      <p>
        {t("chat.consentLive")}{" "}
        <strong>
          <Scopes consent={consent} />
        </strong>
      </p>
      <p>
        {t("chat.timeLeft")}{" "}
        <span className="oc-consent-clock">{remaining(consent.expiresAt ?? "", now)}</span>
      </p>
      <Button color="danger" block onClick={onRevoke}>
        {t("chat.revoke")}
      </Button>
    </div>
  );
}
