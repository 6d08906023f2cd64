import { useTranslation } from "react-i18next";
import type { HomeModule } from "./modules";

export function useModuleLabel(): (m: HomeModule) => string {
  const { t } = useTranslation();
  return (m) => {
    switch (m) {
      case "security":
        return t("modules.security");
      case "cards":
        return t("modules.cards");
      case "help":
        return t("modules.help");
      case "balance":
        return t("modules.balance");
      case "topup":
        return t("modules.topup");
      case "pay":
        return t("modules.pay");
      case "transfer":
        return t("modules.transfer");
      case "withdraw":
        return t("modules.withdraw");
      case "bills":
        return t("modules.bills");
      case "history":
        return t("modules.history");
      case "chat":
        return t("modules.chat");
      default: {
        const unknown: never = m;
        return String(unknown);
      }
    }
  };
}
