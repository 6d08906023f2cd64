// The password the person signs in with, asked again before something that needs it.
import { useTranslation } from "react-i18next";
import { TextField } from "../common/ui/fields";

export function CurrentPasswordField({
  value,
  onChange,
  label,
  required,
}: {
  value: string;
  onChange: (value: string) => void;
  /** By default the login form's own word for it. */
  label?: string;
  required?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <TextField
      label={label ?? t("login.password")}
      value={value}
      onChange={onChange}
      type="password"
      autoComplete="current-password"
      required={required}
    />
  );
}
