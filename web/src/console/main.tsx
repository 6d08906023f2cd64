import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { type ReactNode, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider, useTranslation } from "react-i18next";
import { BrowserRouter } from "react-router-dom";
import { createI18n } from "../common/i18n";
import { ConsoleApp } from "./app";
import en from "./locales/en.json";
import zh from "./locales/zh-CN.json";
import { SessionProvider } from "./session";
import "./console.css";
import { consoleTheme } from "./theme";

const i18n = createI18n({ "zh-CN": zh, en });

function LocalisedAntd({ children }: { children: ReactNode }) {
  const { i18n: current } = useTranslation();
  return (
    <ConfigProvider
      locale={current.language === "en" ? enUS : zhCN}
      theme={consoleTheme}
      button={{ autoInsertSpace: false }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <LocalisedAntd>
          <BrowserRouter basename="/console">
            <SessionProvider>
              <ConsoleApp />
            </SessionProvider>
          </BrowserRouter>
        </LocalisedAntd>
      </I18nextProvider>
    </StrictMode>,
  );
}
