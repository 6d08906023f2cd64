// Limits & 小额免密: what each limit allows and what is left, the customer's own daily transfer cap,
// and small password-free payments with their per-payment and daily caps.
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../../common/api";
import { SixDigitField, SwitchField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page, Section } from "../../layout";
import { AmountField } from "./amount-field";
import { formatYuan, parseYuan, yuanText } from "./money";
import { useResource } from "./use-resource";
import type { Limits, PasswordFree } from "./wallet-types";
import { limitLabel, useMoneyErrors } from "./wallet-words";
import "./wallet.css";

const CUSTOM_TRANSFER_CAP = "transfer_daily_custom";

export function LimitsPage() {
  const { t } = useTranslation();
  const limits = useResource<Limits>("/api/v1/wallet/limits");
  const passwordFree = useResource<PasswordFree>("/api/v1/wallet/password-free");
  const describe = useMoneyErrors();

  // The customer's own cap, if set, fills the form; empty means none.
  const [cap, setCap] = useState("");
  const [capPin, setCapPin] = useState("");
  const capSubmit = useSubmit(describe);
  const custom = limits.data?.items.find((l) => l.code === CUSTOM_TRANSFER_CAP);
  useEffect(() => {
    setCap(custom ? yuanText(custom.limit) : "");
  }, [custom]);

  const [enabled, setEnabled] = useState(false);
  const [per, setPer] = useState("");
  const [daily, setDaily] = useState("");
  const [pfPin, setPfPin] = useState("");
  const pfSubmit = useSubmit(describe);
  const pf = passwordFree.data;
  useEffect(() => {
    if (!pf) return;
    setEnabled(pf.enabled);
    setPer(yuanText(pf.perPaymentLimit));
    setDaily(yuanText(pf.dailyLimit));
  }, [pf]);

  function saveCap(e: FormEvent) {
    e.preventDefault();
    capSubmit.reset();
    const fen = cap.trim() === "" ? null : parseYuan(cap);
    if (cap.trim() !== "" && fen === null) return capSubmit.setError(t("wallet.badAmount"));
    if (capPin.length !== 6) return capSubmit.setError(t("wallet.pinSixDigits"));
    void capSubmit.run(async () => {
      try {
        await put("/api/v1/wallet/limits/transfer-daily", { amount: fen, paymentPassword: capPin });
      } finally {
        setCapPin("");
      }
      await limits.reload();
    });
  }

  function savePasswordFree(e: FormEvent) {
    e.preventDefault();
    pfSubmit.reset();
    const perFen = parseYuan(per);
    const dailyFen = parseYuan(daily);
    if (perFen === null || dailyFen === null) return pfSubmit.setError(t("wallet.badAmount"));
    if (pfPin.length !== 6) return pfSubmit.setError(t("wallet.pinSixDigits"));
    void pfSubmit.run(async () => {
      try {
        await put("/api/v1/wallet/password-free", {
          enabled,
          perPaymentLimit: perFen,
          dailyLimit: dailyFen,
          paymentPassword: pfPin,
        });
      } finally {
        setPfPin("");
      }
      await passwordFree.reload();
    });
  }

  return (
    <Page title={t("wallet.limitsTitle")} back="/wallet">
      {limits.error ? <Notice tone="error">{limits.error}</Notice> : null}
      <Section title={t("wallet.myLimits")}>
        {limits.data ? <p>{t("wallet.accountClass", { class: limits.data.class })}</p> : null}
        <ul className="oc-list">
          {(limits.data?.items ?? []).map((l) => (
            <li key={l.code}>
              <div className="oc-list-title">{limitLabel(t, l.code)}</div>
              <div>
                {t("wallet.limitLine", {
                  limit: formatYuan(l.limit),
                  used: formatYuan(l.used),
                  remaining: formatYuan(l.remaining),
                })}
              </div>
              <progress
                className="oc-limit-bar"
                max={Math.max(1, l.limit)}
                value={Math.min(l.used, l.limit)}
                aria-label={t("wallet.limitUsedOf", { limit: limitLabel(t, l.code) })}
              />
            </li>
          ))}
        </ul>
      </Section>

      <Section title={t("wallet.transferCap")}>
        <form className="oc-form" onSubmit={saveCap} noValidate aria-label={t("wallet.transferCap")}>
          <AmountField
            label={t("wallet.transferCapAmount")}
            value={cap}
            onChange={setCap}
            hint={t("wallet.transferCapHint")}
          />
          <SixDigitField label={t("wallet.paymentPassword")} value={capPin} onChange={setCapPin} />
          <FormEnd submit={capSubmit} label={t("wallet.save")} success={t("wallet.saved")} />
        </form>
      </Section>

      <Section title={t("wallet.passwordFree")}>
        {passwordFree.error ? <Notice tone="error">{passwordFree.error}</Notice> : null}
        {pf?.enabled ? (
          <p>
            {t("wallet.passwordFreeUsed", {
              used: formatYuan(pf.usedToday),
              daily: formatYuan(pf.dailyLimit),
            })}
          </p>
        ) : null}
        <form
          className="oc-form"
          onSubmit={savePasswordFree}
          noValidate
          aria-label={t("wallet.passwordFree")}
        >
          <SwitchField
            label={t("wallet.passwordFreeSwitch")}
            checked={enabled}
            onChange={setEnabled}
            description={t("wallet.passwordFreeHint")}
          />
          <AmountField label={t("wallet.perPaymentCap")} value={per} onChange={setPer} />
          <AmountField label={t("wallet.dailyCap")} value={daily} onChange={setDaily} />
          <SixDigitField label={t("wallet.paymentPassword")} value={pfPin} onChange={setPfPin} />
          <FormEnd submit={pfSubmit} label={t("wallet.save")} success={t("wallet.saved")} />
        </form>
      </Section>
    </Page>
  );
}
