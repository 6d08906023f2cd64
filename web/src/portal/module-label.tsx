import { useTranslation } from "react-i18next";
import type { HomeModule } from "./modules";

export function useModuleLabel(): (m: HomeModule) => string {
  const { t } = useTranslation();
  return (m) => {
    switch (m) {
      case "profile":
        return t("modules.profile");
      case "security":
        return t("modules.security");
      case "notifications":
        return t("modules.notifications");
      case "bankCards":
        return t("modules.bankCards");
      case "help":
        return t("modules.help");
      case "balance":
        return t("modules.balance");
      case "topup":
        return t("modules.topup");
      case "transfer":
        return t("modules.transfer");
      case "payBills":
        return t("modules.payBills");
      case "withdraw":
        return t("modules.withdraw");
      default: {
        const unknown: never = m;
        return String(unknown);
      }
    }
  };
}
