// The kiosk face: a welcoming start screen in large type, log in or ask for help, and back to the start
// after a minute without input so the next person never sees the last one's screen.
import { Button } from "antd-mobile";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Language, rememberLanguage } from "../common/i18n";
import { LoginForm } from "../portal/pages/login-form";
import { KioskHelp } from "./kiosk-help";

export const IDLE_MS = 60_000;

type Screen = "start" | "login" | "help";

export function KioskApp() {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>("start");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const setLanguage = useCallback(
    (lang: Language) => {
      rememberLanguage(lang);
      void i18n.changeLanguage(lang);
    },
    [i18n],
  );

  const backToStart = useCallback(() => {
    setScreen("start");
    setLanguage("zh-CN");
  }, [setLanguage]);

  useEffect(() => {
    const restart = () => {
      clearTimeout(timer.current);
      timer.current = setTimeout(backToStart, IDLE_MS);
    };
    const events = ["pointerdown", "keydown", "touchstart", "input", "wheel"] as const;
    for (const e of events) window.addEventListener(e, restart, { passive: true });
    restart();
    return () => {
      clearTimeout(timer.current);
      for (const e of events) window.removeEventListener(e, restart);
    };
  }, [backToStart]);

  useEffect(() => {
    document.title = t("kiosk.title");
  }, [t]);

  const other: Language = i18n.language === "en" ? "zh-CN" : "en";

  return (
    <div className="kiosk">
      <header className="kiosk-bar">
        <span className="kiosk-brand">{t("kiosk.brand")}</span>
        <button type="button" className="kiosk-lang" lang={other} onClick={() => setLanguage(other)}>
          {other === "en" ? "English" : "中文"}
        </button>
      </header>
      <main className="kiosk-main">
        {screen === "start" ? (
          <>
            <h1>{t("kiosk.welcome")}</h1>
            <p className="kiosk-lead">{t("kiosk.lead")}</p>
            <div className="kiosk-choices">
              <button type="button" className="kiosk-choice kiosk-primary" onClick={() => setScreen("login")}>
                <span aria-hidden="true">➜ </span>
                {t("kiosk.login")}
              </button>
              <button type="button" className="kiosk-choice" onClick={() => setScreen("help")}>
                <span aria-hidden="true">? </span>
                {t("kiosk.help")}
              </button>
            </div>
          </>
        ) : null}
        {screen === "login" ? (
          <>
            <h1>{t("kiosk.login")}</h1>
            <LoginForm
              unfreezeLink={<a href="/unfreeze">{t("kiosk.requestUnfreeze")}</a>}
              onLoggedIn={() => window.location.assign("/")}
            />
            <Button block size="large" onClick={backToStart}>
              {t("kiosk.backToStart")}
            </Button>
          </>
        ) : null}
        {screen === "help" ? <KioskHelp onDone={backToStart} /> : null}
      </main>
      <footer className="kiosk-foot">{t("kiosk.idleNote")}</footer>
    </div>
  );
}
