import "../common/ui/react19-compat";
import "../common/ui/theme.css";
import "./portal.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { createI18n } from "../common/i18n";
import { applyPreferences, loadLocalPreferences } from "../common/preferences";
import { PortalApp } from "./app";
import en from "./locales/en.json";
import zh from "./locales/zh-CN.json";

// Saved preferences apply before the first paint, signed in or not.
applyPreferences(loadLocalPreferences());
const i18n = createI18n({ "zh-CN": zh, en });
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <PortalApp />
      </I18nextProvider>
    </StrictMode>,
  );
}
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
}
