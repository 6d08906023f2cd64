// A live length hint; how guessable the password is, the server decides.
import { useTranslation } from "react-i18next";

export function PasswordHint({ password }: { password: string }) {
  const { t } = useTranslation();
  const length = [...password].length;
  if (length === 0) return <>{t("password.rule")}</>;
  if (length < 8) return <>{t("password.tooShort", { count: 8 - length })}</>;
  if (length < 12) return <>{t("password.fair")}</>;
  return <>{t("password.good")}</>;
}
