// An amount typed in yuan, with optional one-tap amounts; the page reads fen through parseYuan.
import { useTranslation } from "react-i18next";
import { TextField } from "../../../common/ui/fields";
import { formatYuan, yuanText } from "./money";
import "./wallet.css";

export function AmountField({
  label,
  value,
  onChange,
  hint,
  presets,
}: {
  label?: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  /** Amounts in fen offered as buttons. */
  presets?: number[];
}) {
  const { t } = useTranslation();
  return (
    <>
      <TextField
        label={label ?? t("wallet.amount")}
        value={value}
        onChange={onChange}
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        hint={hint}
      />
      {presets ? (
        <div className="oc-chips">
          {presets.map((fen) => (
            <button key={fen} type="button" className="oc-button" onClick={() => onChange(yuanText(fen))}>
              {formatYuan(fen)}
            </button>
          ))}
        </div>
      ) : null}
    </>
  );
}
