import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { createI18n } from "../common/i18n";
import en from "./locales/en.json";
import zh from "./locales/zh-CN.json";

const i18n = createI18n({ "zh-CN": zh, en });
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <main>
          <h1>{i18n.t("app.title")}</h1>
        </main>
      </I18nextProvider>
    </StrictMode>,
  );
}
