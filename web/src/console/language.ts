import { useTranslation } from "react-i18next";
import { type Language, rememberLanguage } from "../common/i18n";

/** The current language and a switch that also keeps <html lang> and the saved choice in step. */
export function useLanguage(): { language: Language; switchTo(lang: Language): void } {
  const { i18n } = useTranslation();
  const language: Language = i18n.language === "en" ? "en" : "zh-CN";
  return {
    language,
    switchTo(lang) {
      rememberLanguage(lang);
      void i18n.changeLanguage(lang);
    },
  };
}
