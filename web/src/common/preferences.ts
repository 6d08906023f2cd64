// Display preferences (language, theme, font size, elder mode, home shortcuts): kept on the server for
// signed-in people, mirrored in localStorage so they apply before login, and applied on <html>.
import type { Language } from "./i18n";

export const themes = ["light", "dark", "high-contrast"] as const;
export type Theme = (typeof themes)[number];
export const fontSizes = ["standard", "large", "extra-large"] as const;
export type FontSize = (typeof fontSizes)[number];

export type Preferences = {
  language: Language;
  theme: Theme;
  fontSize: FontSize;
  elderMode: boolean;
  homeModules: string[];
};

export const defaultPreferences: Preferences = {
  language: "zh-CN",
  theme: "light",
  fontSize: "standard",
  elderMode: false,
  homeModules: ["security", "help"],
};

const STORAGE_KEY = "oc.preferences";

/** Keeps the known fields of an untrusted object (server answer, old localStorage) over the defaults. */
export function mergePreferences(base: Preferences, input: unknown): Preferences {
  if (input === null || typeof input !== "object") return base;
  const raw = input as Record<string, unknown>;
  const next = { ...base };
  if (raw.language === "zh-CN" || raw.language === "en") next.language = raw.language;
  if (themes.includes(raw.theme as Theme)) next.theme = raw.theme as Theme;
  if (fontSizes.includes(raw.fontSize as FontSize)) next.fontSize = raw.fontSize as FontSize;
  if (typeof raw.elderMode === "boolean") next.elderMode = raw.elderMode;
  if (Array.isArray(raw.homeModules)) next.homeModules = raw.homeModules.filter((m) => typeof m === "string");
  return next;
}

export function loadLocalPreferences(base: Preferences = defaultPreferences): Preferences {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    const language = localStorage.getItem("oc.language");
    const merged = mergePreferences(base, saved ? JSON.parse(saved) : null);
    return language === "en" || language === "zh-CN" ? { ...merged, language } : merged;
  } catch {
    return base;
  }
}

export function saveLocalPreferences(prefs: Preferences): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(prefs));
    localStorage.setItem("oc.language", prefs.language);
  } catch {
    // Private browsing may refuse storage; the preferences still apply to this page.
  }
}

/** Puts the preferences on <html> as attributes the shared stylesheet reads. */
export function applyPreferences(prefs: Preferences, root: HTMLElement = document.documentElement): void {
  root.lang = prefs.language;
  root.dataset.theme = prefs.theme;
  root.dataset.fontSize = prefs.fontSize;
  root.dataset.elder = String(prefs.elderMode);
  // antd-mobile switches its own palette on this attribute.
  if (prefs.theme === "dark") root.setAttribute("data-prefers-color-scheme", "dark");
  else root.removeAttribute("data-prefers-color-scheme");
  const meta = document.querySelector('meta[name="theme-color"]');
  meta?.setAttribute(
    "content",
    prefs.theme === "dark" ? "#141414" : prefs.theme === "high-contrast" ? "#000000" : "#0958d9",
  );
}
