// A live length hint; how guessable the password is, the server decides.
import { useTranslation } from "react-i18next";
import { TextField } from "../common/ui/fields";

export function PasswordHint({ password }: { password: string }) {
  const { t } = useTranslation();
  const length = [...password].length;
  if (length === 0) return <>{t("password.rule")}</>;
  if (length < 8) return <>{t("password.tooShort", { count: 8 - length })}</>;
  if (length < 12) return <>{t("password.fair")}</>;
  return <>{t("password.good")}</>;
}

/** A new password, with the hint above under it as it is typed. */
export function NewPasswordField({
  label,
  value,
  onChange,
  required,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
}) {
  return (
    <TextField
      label={label}
      value={value}
      onChange={onChange}
      type="password"
      autoComplete="new-password"
      hint={<PasswordHint password={value} />}
      required={required}
    />
  );
}
