import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { Page, Section } from "../layout";
import { useModuleLabel } from "../module-label";
import { isHomeModule, moduleInfo } from "../modules";
import { useSession } from "../session";

export function HomePage() {
  const { t } = useTranslation();
  const { me, prefs, unread, updatePrefs } = useSession();
  const label = useModuleLabel();
  const who = me?.name ?? me?.phone ?? "";

  if (prefs.elderMode) {
    return (
      <Page title={t("home.title")}>
        <p className="oc-greeting">{t("home.greeting", { name: who })}</p>
        <ul className="oc-big-buttons">
          <li>
            <Link className="oc-big-button" to="/wallet">
              <span className="oc-tile-icon" aria-hidden="true">
                ¥
              </span>
              {t("home.elderWallet")}
            </Link>
          </li>
          <li>
            <Link className="oc-big-button" to="/me">
              <span className="oc-tile-icon" aria-hidden="true">
                ☺
              </span>
              {t("home.elderProfile")}
            </Link>
          </li>
          <li>
            <Link className="oc-big-button" to="/security">
              <span className="oc-tile-icon" aria-hidden="true">
                ◈
              </span>
              {t("home.elderSecurity")}
            </Link>
          </li>
          <li>
            <Link className="oc-big-button" to="/notifications">
              <span className="oc-tile-icon" aria-hidden="true">
                ✉
              </span>
              {unread > 0 ? t("home.elderMessagesUnread", { count: unread }) : t("home.elderMessages")}
            </Link>
          </li>
          <li>
            <Link className="oc-big-button" to="/help">
              <span className="oc-tile-icon" aria-hidden="true">
                ?
              </span>
              {t("home.elderHelp")}
            </Link>
          </li>
          <li>
            <button
              type="button"
              className="oc-big-button"
              onClick={() => void updatePrefs({ elderMode: false })}
            >
              <span className="oc-tile-icon" aria-hidden="true">
                ⇆
              </span>
              {t("home.leaveElder")}
            </button>
          </li>
        </ul>
      </Page>
    );
  }

  const modules = prefs.homeModules.filter(isHomeModule);
  return (
    <Page title={t("home.title")}>
      <Section title={t("home.greeting", { name: who })}>
        <p>
          {t("home.phone")}: {me?.phone ?? t("common.notSet")}
        </p>
        <p>
          <Link to="/wallet">{t("home.wallet")}</Link>
        </p>
        <p>
          <Link to="/notifications">
            {unread > 0 ? t("home.unread", { count: unread }) : t("home.noUnread")}
          </Link>
        </p>
      </Section>
      <Section title={t("home.shortcuts")}>
        {modules.length === 0 ? <p>{t("home.noShortcuts")}</p> : null}
        <ul className="oc-tiles">
          {modules.map((m) => {
            const info = moduleInfo(m);
            return (
              <li key={m}>
                {info.path ? (
                  <Link className="oc-tile" to={info.path}>
                    <span className="oc-tile-icon" aria-hidden="true">
                      {info.icon}
                    </span>
                    {label(m)}
                  </Link>
                ) : (
                  <div className="oc-tile" aria-disabled="true">
                    <span className="oc-tile-icon" aria-hidden="true">
                      {info.icon}
                    </span>
                    {label(m)}
                    <span className="oc-soon">{t("home.comingSoon")}</span>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
        <p>
          <Link to="/settings">{t("home.editShortcuts")}</Link>
        </p>
      </Section>
    </Page>
  );
}
