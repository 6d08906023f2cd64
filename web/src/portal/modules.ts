// The shortcuts a customer may put on the home screen. Wallet ones wait for the wallet module.
export const homeModules = [
  "profile",
  "security",
  "notifications",
  "bankCards",
  "help",
  "balance",
  "topup",
  "transfer",
  "payBills",
  "withdraw",
] as const;
export type HomeModule = (typeof homeModules)[number];

export type ModuleInfo = { path: string | null; icon: string };

export function moduleInfo(m: HomeModule): ModuleInfo {
  switch (m) {
    case "profile":
      return { path: "/me", icon: "☺" };
    case "security":
      return { path: "/security", icon: "🛡" };
    case "notifications":
      return { path: "/notifications", icon: "✉" };
    case "bankCards":
      return { path: "/security/bank-cards", icon: "💳" };
    case "help":
      return { path: "/help", icon: "?" };
    case "balance":
      return { path: null, icon: "¥" };
    case "topup":
      return { path: null, icon: "+" };
    case "transfer":
      return { path: null, icon: "⇄" };
    case "payBills":
      return { path: null, icon: "▤" };
    case "withdraw":
      return { path: null, icon: "↧" };
    default: {
      const unknown: never = m;
      throw new Error(`unknown module ${String(unknown)}`);
    }
  }
}

export function isHomeModule(v: string): v is HomeModule {
  return (homeModules as readonly string[]).includes(v);
}
