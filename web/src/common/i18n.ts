// i18next set up per face: zh-CN first, English second; shared strings (error codes) plus the face's own.
import i18next, { type i18n as I18n } from "i18next";
import { initReactI18next } from "react-i18next";
import commonEn from "./locales/en.json";
import commonZh from "./locales/zh-CN.json";

export const languages = ["zh-CN", "en"] as const;
export type Language = (typeof languages)[number];

const STORAGE_KEY = "oc.language";

export function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "zh-CN") return saved;
  return "zh-CN";
}

export function rememberLanguage(lang: Language): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

type Messages = Record<string, unknown>;

export function createI18n(face: { "zh-CN": Messages; en: Messages }): I18n {
  const instance = i18next.createInstance();
  const lng = initialLanguage();
  document.documentElement.lang = lng;
  void instance.use(initReactI18next).init({
    lng,
    fallbackLng: "zh-CN",
    resources: {
      "zh-CN": { translation: { ...commonZh, ...face["zh-CN"] } },
      en: { translation: { ...commonEn, ...face.en } },
    },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

/** The message for a problem+json code, falling back to the server's title. */
export function problemMessage(
  t: (k: string, o?: Record<string, unknown>) => string,
  code: string,
  fallback: string,
) {
  const key = `errors.${code}`;
  const text = t(key);
  return text === key ? fallback : text;
}
