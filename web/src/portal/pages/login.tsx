import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate } from "react-router-dom";
import { Notice } from "../../common/ui/notice";
import { Page } from "../layout";
import { useSession } from "../session";
import { LoginForm } from "./login-form";

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { refresh } = useSession();
  const state = location.state as { from?: string; notice?: string } | null;
  const from = state?.from ?? "/";
  return (
    <Page title={t("login.title")}>
      {state?.notice === "frozen" ? <Notice tone="success">{t("freeze.done")}</Notice> : null}
      <p className="oc-greeting">{t("login.welcome")}</p>
      <LoginForm
        unfreezeLink={<Link to="/unfreeze">{t("login.requestUnfreeze")}</Link>}
        onLoggedIn={async () => {
          await refresh();
          navigate(from, { replace: true });
        }}
      />
      <div className="oc-links">
        <Link to="/register">{t("login.toRegister")}</Link>
        <Link to="/forgot-password">{t("login.forgot")}</Link>
        <Link to="/unfreeze">{t("login.requestUnfreeze")}</Link>
        <Link to="/report-lost">{t("login.reportLost")}</Link>
        <Link to="/settings">{t("nav.settings")}</Link>
      </div>
    </Page>
  );
}
