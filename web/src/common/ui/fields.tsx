// Labelled form controls on native elements, so every input has a name for screen readers and tests.
import { type InputHTMLAttributes, type ReactNode, useId } from "react";

type TextFieldProps = {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string;
  trailing?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "id">;

export function TextField({ label, value, onChange, hint, error, trailing, ...input }: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="oc-field">
      <label htmlFor={id}>{label}</label>
      <div className="oc-field-row">
        <input
          {...input}
          id={id}
          className="oc-input"
          value={value}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {trailing}
      </div>
      {hint ? (
        <p id={hintId} className="oc-field-hint" aria-live="polite">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="oc-field-error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SwitchField({
  label,
  checked,
  onChange,
  description,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  description?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="oc-field">
      <label className="oc-switch" htmlFor={id}>
        <span>{label}</span>
        <input
          id={id}
          type="checkbox"
          className="oc-switch-input"
          role="switch"
          checked={checked}
          aria-checked={checked}
          aria-describedby={description ? `${id}-desc` : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
      </label>
      {description ? (
        <p id={`${id}-desc`} className="oc-field-hint">
          {description}
        </p>
      ) : null}
    </div>
  );
}

export function ChoiceGroup<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: ReactNode;
  name: string;
  value: V;
  options: ReadonlyArray<{ value: V; label: ReactNode }>;
  onChange: (value: V) => void;
}) {
  return (
    <fieldset className="oc-fieldset">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="oc-choice">
          <input
            type="radio"
            className="oc-choice-input"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** Six digits, shown as boxes; the real control is one numeric input underneath. */
export function SixDigitField({
  label,
  value,
  onChange,
  hint,
  error,
  secret = true,
}: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string;
  secret?: boolean;
}) {
  const id = useId();
  const describedBy =
    [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="oc-field">
      <label htmlFor={id}>{label}</label>
      <div className="oc-pin">
        <div className="oc-pin-boxes" aria-hidden="true">
          {[0, 1, 2, 3, 4, 5].map((i) => (
            <span key={i} className={`oc-pin-box${i === Math.min(value.length, 5) ? " oc-pin-active" : ""}`}>
              {value[i] ? (secret ? "●" : value[i]) : ""}
            </span>
          ))}
        </div>
        <input
          id={id}
          className="oc-pin-input"
          type={secret ? "password" : "text"}
          inputMode="numeric"
          autoComplete="off"
          pattern="[0-9]*"
          maxLength={6}
          value={value}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.value.replace(/\D/g, "").slice(0, 6))}
        />
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="oc-field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="oc-field-error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A one-time code typed by hand or filled in from the message it came in. */
export function CodeField(props: Omit<TextFieldProps, "inputMode" | "autoComplete" | "maxLength" | "type">) {
  return <TextField {...props} inputMode="numeric" autoComplete="one-time-code" maxLength={6} />;
}
