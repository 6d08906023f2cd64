// Pay a merchant or biller from the balance. Under 小额免密 (switched on, within the per-payment and
// daily caps) no payment password is asked; the server has the last word and may still ask for it.
import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { ApiError } from "../../../common/api";
import { ChoiceGroup, SixDigitField, TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useList } from "../../../common/ui/use-list";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page, Section } from "../../layout";
import { AmountField } from "./amount-field";
import { formatYuan, parseYuan, postMoney, useIntentKeys } from "./money";
import { useAvailable } from "./use-available";
import { useResource } from "./use-resource";
import type { Merchant, PasswordFree, Payment } from "./wallet-types";
import { useMoneyErrors } from "./wallet-words";
import "./wallet.css";

/** Whether the caps the customer set let this amount through without the password. */
export function coveredByPasswordFree(pf: PasswordFree | null, fen: number | null): boolean {
  return !!pf?.enabled && fen !== null && fen <= pf.perPaymentLimit && pf.usedToday + fen <= pf.dailyLimit;
}

type Done = { amount: number; merchant: string; passwordFree: boolean };

export function PayPage() {
  const { t } = useTranslation();
  const merchants = useList<Merchant>("/api/v1/wallet/merchants");
  const passwordFree = useResource<PasswordFree>("/api/v1/wallet/password-free");
  const [merchantId, setMerchantId] = useState("");
  const [amount, setAmount] = useState("");
  const [orderRef, setOrderRef] = useState("");
  const [pin, setPin] = useState("");
  const [askPin, setAskPin] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const available = useAvailable();
  const submit = useSubmit(useMoneyErrors());
  const keys = useIntentKeys();
  const fen = parseYuan(amount);
  const chosen = merchantId || merchants.items[0]?.id || "";
  const free = !askPin && coveredByPasswordFree(passwordFree.data, fen);

  function pay(e: FormEvent) {
    e.preventDefault();
    submit.reset();
    const merchant = merchants.items.find((m) => m.id === chosen);
    if (!merchant) return submit.setError(t("wallet.chooseMerchant"));
    if (fen === null) return submit.setError(t("wallet.badAmount"));
    if (!free && pin.length !== 6) return submit.setError(t("wallet.pinSixDigits"));
    const intent = {
      merchantId: merchant.id,
      amount: fen,
      currency: "CNY",
      ...(orderRef.trim() ? { orderRef: orderRef.trim() } : {}),
    };
    void submit.run(async () => {
      try {
        const body = free ? intent : { ...intent, paymentPassword: pin };
        const payment = await postMoney<Payment>("/api/v1/wallet/payments", body, keys.keyFor(intent));
        keys.finished();
        setDone({ amount: fen, merchant: merchant.name, passwordFree: payment.passwordFree });
        available.reload();
        void passwordFree.reload();
      } catch (err) {
        // Caps used up elsewhere since the page loaded: ask for the password and keep the same intent.
        if (err instanceof ApiError && err.code === "password_required") setAskPin(true);
        throw err;
      } finally {
        setPin("");
      }
    });
  }

  if (done) {
    return (
      <Page title={t("wallet.payTitle")} back="/wallet">
        <Section title={t("wallet.payDone")}>
          <div className="oc-result">
            <Notice tone="success">
              {t("wallet.paySucceeded", { amount: formatYuan(done.amount), merchant: done.merchant })}
            </Notice>
            {done.passwordFree ? <p>{t("wallet.paidPasswordFree")}</p> : null}
            <Link className="oc-button" to="/wallet">
              {t("wallet.backToWallet")}
            </Link>
            <Button
              onClick={() => {
                setDone(null);
                setAmount("");
                setOrderRef("");
                setAskPin(false);
              }}
            >
              {t("wallet.payAgain")}
            </Button>
          </div>
        </Section>
      </Page>
    );
  }

  const pf = passwordFree.data;
  return (
    <Page title={t("wallet.payTitle")} back="/wallet">
      {merchants.error ? <Notice tone="error">{merchants.error}</Notice> : null}
      <form className="oc-form" onSubmit={pay} noValidate aria-label={t("wallet.payTitle")}>
        {merchants.items.length > 0 ? (
          <ChoiceGroup
            legend={t("wallet.merchant")}
            name="merchant"
            value={chosen}
            options={merchants.items.map((m) => ({
              value: m.id,
              label: `${m.name} · ${t(`wallet.categories.${m.category}`, { defaultValue: m.category })}`,
            }))}
            onChange={setMerchantId}
          />
        ) : null}
        <AmountField
          value={amount}
          onChange={setAmount}
          {...(available.hint ? { hint: available.hint } : {})}
        />
        <TextField
          label={t("wallet.orderRefOptional")}
          value={orderRef}
          onChange={setOrderRef}
          maxLength={64}
        />
        {pf?.enabled ? (
          <p className="oc-weak">
            {t("wallet.passwordFreeOn", {
              per: formatYuan(pf.perPaymentLimit),
              left: formatYuan(Math.max(0, pf.dailyLimit - pf.usedToday)),
            })}
          </p>
        ) : null}
        {free ? (
          <Notice tone="info">{t("wallet.payWithoutPin")}</Notice>
        ) : (
          <SixDigitField label={t("wallet.paymentPassword")} value={pin} onChange={setPin} />
        )}
        <FormEnd submit={submit} label={t("wallet.paySubmit")} size="large" />
      </form>
      <p>
        <Link to="/wallet/limits">{t("wallet.limitsTitle")}</Link>
      </p>
    </Page>
  );
}
