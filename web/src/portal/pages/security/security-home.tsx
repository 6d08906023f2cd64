import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { Page, Section } from "../../layout";
import { useSession } from "../../session";

export function SecurityPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  if (!me) return null;
  return (
    <Page title={t("security.title")} back="/">
      <Section title={t("security.signIn")}>
        <ul className="oc-menu">
          <li>
            <Link to="/security/password">{t("security.password")}</Link>
          </li>
          <li>
            <Link to="/security/two-step">
              {t("security.twoStep")}
              <span className="oc-menu-status">{me.totpEnabled ? t("common.on") : t("common.off")}</span>
            </Link>
          </li>
          <li>
            <Link to="/security/devices">{t("security.devices")}</Link>
          </li>
          <li>
            <Link to="/security/login-history">{t("security.history")}</Link>
          </li>
        </ul>
      </Section>
      <Section title={t("security.payments")}>
        <ul className="oc-menu">
          <li>
            <Link to="/security/payment-password">
              {t("security.paymentPassword")}
              <span className="oc-menu-status">
                {me.hasPaymentPassword ? t("common.set") : t("common.notSet")}
              </span>
            </Link>
          </li>
          <li>
            <Link to="/security/bank-cards">{t("security.bankCards")}</Link>
          </li>
        </ul>
      </Section>
      <Section title={t("security.bindings")}>
        <ul className="oc-menu">
          <li>
            <Link to="/security/email">
              {t("security.email")}
              <span className="oc-menu-status">{me.email ?? t("common.notSet")}</span>
            </Link>
          </li>
          <li>
            <Link to="/security/phone">
              {t("security.phone")}
              <span className="oc-menu-status">{me.phone ?? t("common.notSet")}</span>
            </Link>
          </li>
        </ul>
      </Section>
      <Section title={t("security.emergency")}>
        <ul className="oc-menu">
          <li>
            <Link to="/security/freeze">{t("security.freeze")}</Link>
          </li>
        </ul>
      </Section>
    </Page>
  );
}
