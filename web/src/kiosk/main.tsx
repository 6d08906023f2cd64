import "../common/ui/react19-compat";
import "../common/ui/theme.css";
import "./kiosk.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { createI18n } from "../common/i18n";
import { applyPreferences, defaultPreferences } from "../common/preferences";
import portalEn from "../portal/locales/en.json";
import portalZh from "../portal/locales/zh-CN.json";
import { KioskApp } from "./kiosk-app";
import en from "./locales/en.json";
import zh from "./locales/zh-CN.json";

// A kiosk is shared: it always starts in Chinese with elder-style sizing, whatever the last person chose.
localStorage.setItem("oc.language", "zh-CN");
applyPreferences({ ...defaultPreferences, elderMode: true });
document.documentElement.dataset.face = "kiosk";
// The login form is the portal's, so its strings come along.
const i18n = createI18n({ "zh-CN": { ...portalZh, ...zh }, en: { ...portalEn, ...en } });
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <KioskApp />
      </I18nextProvider>
    </StrictMode>,
  );
}
