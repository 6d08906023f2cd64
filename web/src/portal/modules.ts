// The shortcuts a customer may put on the home screen: the server's list (identity/preferences.ts).
// Only security, cards and help lead somewhere yet; the wallet and chat ones say "coming soon".
export const homeModules = [
  "security",
  "cards",
  "help",
  "balance",
  "topup",
  "pay",
  "transfer",
  "withdraw",
  "bills",
  "history",
  "chat",
] as const;
export type HomeModule = (typeof homeModules)[number];

export type ModuleInfo = { path: string | null; icon: string };

export function moduleInfo(m: HomeModule): ModuleInfo {
  switch (m) {
    case "security":
      return { path: "/security", icon: "◈" };
    case "cards":
      return { path: "/security/bank-cards", icon: "▭" };
    case "help":
      return { path: "/help", icon: "?" };
    case "balance":
      return { path: null, icon: "¥" };
    case "topup":
      return { path: null, icon: "+" };
    case "pay":
      return { path: null, icon: "▣" };
    case "transfer":
      return { path: null, icon: "⇄" };
    case "withdraw":
      return { path: null, icon: "↧" };
    case "bills":
      return { path: null, icon: "▤" };
    case "history":
      return { path: null, icon: "≡" };
    case "chat":
      return { path: null, icon: "✆" };
    default: {
      const unknown: never = m;
      throw new Error(`unknown module ${String(unknown)}`);
    }
  }
}

export function isHomeModule(v: string): v is HomeModule {
  return (homeModules as readonly string[]).includes(v);
}
