import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../common/api";
import { problemMessage } from "../common/i18n";

/** Turns anything a request threw into a sentence for the staff member. */
export function useErrorText(): (err: unknown) => string {
  const { t } = useTranslation();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError) return problemMessage((k) => t(k), err.code, err.message);
      return t("errors.network");
    },
    [t],
  );
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof ApiError ? err.code : undefined;
}
