// Words for wallet things whose names come from the server: transaction types, statuses, limits,
// and the failures a money request can meet, with the numbers the problem carries.
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { formatYuan, problemNumber, problemString } from "./money";

type Translate = (key: string, options?: Record<string, unknown>) => string;

export function typeLabel(t: Translate, type: string): string {
  return t(`wallet.types.${type}`, { defaultValue: type });
}

export function withdrawalStatusLabel(t: Translate, status: string): string {
  return t(`wallet.withdrawalStatus.${status}`, { defaultValue: status });
}

/** "class_daily", "business:phone_topup:single" … as words; an unknown code is shown as it is. */
export function limitLabel(t: Translate, code: string): string {
  return t(`wallet.limitCodes.${code.replace(/[^A-Za-z0-9_]/g, "_")}`, { defaultValue: code });
}

/** A failure of a money request in words, naming the limit and what remains, or the balance left. */
export function moneyErrorText(t: Translate, err: unknown): string {
  if (!(err instanceof ApiError)) return errorText(t, err);
  switch (err.code) {
    case "limit_exceeded": {
      const limit = problemString(err, "limit");
      const remaining = problemNumber(err, "remaining");
      const name = limit ? limitLabel(t, limit) : t("wallet.aLimit");
      return remaining === null
        ? t("wallet.limitExceeded", { limit: name })
        : t("wallet.limitExceededRemaining", { limit: name, remaining: formatYuan(remaining) });
    }
    case "insufficient_funds": {
      const available = problemNumber(err, "available");
      return available === null
        ? errorText(t, err)
        : t("wallet.insufficient", { available: formatYuan(available) });
    }
    case "wrong_payment_password": {
      const left = problemNumber(err, "attemptsLeft");
      return left === null ? errorText(t, err) : t("wallet.wrongPin", { count: left });
    }
    default:
      return errorText(t, err);
  }
}

export function useMoneyErrors(): (err: unknown) => string {
  const { t } = useTranslation();
  return useCallback((err: unknown) => moneyErrorText(t, err), [t]);
}
