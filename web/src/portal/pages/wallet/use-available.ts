// The available CNY balance a money form shows under its amount ("可用余额 ¥1,540.30").
import { useTranslation } from "react-i18next";
import { formatYuan } from "./money";
import { useResource } from "./use-resource";
import type { WalletBalance } from "./wallet-types";

export function useAvailable(): { hint: string | undefined; reload: () => void } {
  const { t } = useTranslation();
  const wallet = useResource<WalletBalance>("/api/v1/wallet");
  // A customer who never had money has no account yet: that is ¥0.00, not unknown.
  const fen = wallet.data ? (wallet.data.accounts.find((a) => a.currency === "CNY")?.available ?? 0) : null;
  return {
    hint: fen === null ? undefined : t("wallet.availableHint", { amount: formatYuan(fen) }),
    reload: () => void wallet.reload(),
  };
}
