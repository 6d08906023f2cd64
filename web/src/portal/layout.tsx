// The frame of every portal page: a top bar with the page's one h1, the main landmark, and the tab bar.
import { type ReactNode, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink } from "react-router-dom";
import { useSession } from "./session";

export function Page({ title, back, children }: { title: string; back?: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { me, unread } = useSession();
  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
  }, [title, t]);
  return (
    <div className="oc-app">
      <header className="oc-topbar">
        {back ? (
          <Link to={back} className="oc-back">
            <span aria-hidden="true">‹ </span>
            {t("nav.back")}
          </Link>
        ) : null}
        <h1>{title}</h1>
      </header>
      <main className="oc-main">{children}</main>
      {me ? (
        <nav className="oc-tabbar" aria-label={t("nav.label")}>
          <NavLink to="/" end>
            <span aria-hidden="true">⌂</span>
            {t("nav.home")}
          </NavLink>
          <NavLink to="/notifications">
            <span aria-hidden="true">✉</span>
            {t("nav.notifications")}
            {unread > 0 ? (
              <span className="oc-badge">
                {unread}
                <span className="oc-visually-hidden">{t("nav.unreadSuffix")}</span>
              </span>
            ) : null}
          </NavLink>
          <NavLink to="/me">
            <span aria-hidden="true">☺</span>
            {t("nav.me")}
          </NavLink>
          <NavLink to="/settings">
            <span aria-hidden="true">⚙</span>
            {t("nav.settings")}
          </NavLink>
        </nav>
      ) : null}
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="oc-card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
