// The shortcuts a customer may put on the home screen: the server's list (identity/preferences.ts).
// Chat is the one that still says "coming soon".
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
      return { path: "/wallet", icon: "¥" };
    case "topup":
      return { path: "/wallet/topup", icon: "+" };
    case "pay":
      return { path: "/wallet/pay", icon: "▣" };
    case "transfer":
      return { path: "/wallet/transfer", icon: "⇄" };
    case "withdraw":
      return { path: "/wallet/withdraw", icon: "↧" };
    case "bills":
      return { path: "/wallet/pay", icon: "▤" };
    case "history":
      return { path: "/wallet/history", icon: "≡" };
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
