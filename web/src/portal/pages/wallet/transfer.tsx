// Transfer to another customer: the payee's phone, their masked name to confirm (张*三), the amount
// and memo, the payment password, then the result. One Idempotency-Key per intent, kept on retries.
import { Button } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { get } from "../../../common/api";
import { SixDigitField, TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page, Section } from "../../layout";
import { AmountField } from "./amount-field";
import { formatYuan, parseYuan, postMoney, useIntentKeys } from "./money";
import { useAvailable } from "./use-available";
import type { Payee } from "./wallet-types";
import { useMoneyErrors } from "./wallet-words";
import "./wallet.css";

const PHONE = /^1[3-9]\d{9}$/;

type Done = { amount: number; payee: Payee };

export function TransferPage() {
  const { t } = useTranslation();
  const describe = useMoneyErrors();
  const [phone, setPhone] = useState("");
  const [payee, setPayee] = useState<Payee | null>(null);
  const [amount, setAmount] = useState("");
  const available = useAvailable();
  const [memo, setMemo] = useState("");
  const [pin, setPin] = useState("");
  const [done, setDone] = useState<Done | null>(null);
  const lookup = useSubmit();
  const send = useSubmit(describe);
  const keys = useIntentKeys();

  function findPayee(e: FormEvent) {
    e.preventDefault();
    lookup.reset();
    const to = phone.replace(/\s/g, "");
    if (!PHONE.test(to)) return lookup.setError(t("wallet.badPhone"));
    void lookup.run(async () => {
      setPayee(await get<Payee>(`/api/v1/wallet/payees?phone=${encodeURIComponent(to)}`));
    });
  }

  function transfer(e: FormEvent) {
    e.preventDefault();
    send.reset();
    if (!payee) return;
    const fen = parseYuan(amount);
    if (fen === null) return send.setError(t("wallet.badAmount"));
    if (pin.length !== 6) return send.setError(t("wallet.pinSixDigits"));
    const intent = {
      to: phone.replace(/\s/g, ""),
      amount: fen,
      currency: "CNY",
      memo: memo.trim() || undefined,
    };
    void send.run(async () => {
      try {
        await postMoney("/api/v1/wallet/transfers", { ...intent, paymentPassword: pin }, keys.keyFor(intent));
      } finally {
        setPin("");
      }
      keys.finished();
      setDone({ amount: fen, payee });
      available.reload();
    });
  }

  function again() {
    setDone(null);
    setPayee(null);
    setPhone("");
    setAmount("");
    setMemo("");
    send.reset();
  }

  if (done) {
    const who = done.payee.maskedName ?? done.payee.maskedPhone;
    return (
      <Page title={t("wallet.transferTitle")} back="/wallet">
        <Section title={t("wallet.transferDone")}>
          <div className="oc-result">
            <Notice tone="success">
              {t("wallet.transferSucceeded", { amount: formatYuan(done.amount), who })}
            </Notice>
            <Link className="oc-button" to="/wallet">
              {t("wallet.backToWallet")}
            </Link>
            <Button onClick={again}>{t("wallet.transferAgain")}</Button>
          </div>
        </Section>
      </Page>
    );
  }

  return (
    <Page title={t("wallet.transferTitle")} back="/wallet">
      <Section title={t("wallet.payeeStep")}>
        <form className="oc-form" onSubmit={findPayee} noValidate aria-label={t("wallet.payeeStep")}>
          <TextField
            label={t("wallet.payeePhone")}
            value={phone}
            onChange={(v) => {
              setPhone(v);
              setPayee(null);
            }}
            inputMode="tel"
            autoComplete="off"
            maxLength={13}
          />
          <FormEnd submit={lookup} label={t("wallet.next")} />
        </form>
      </Section>
      {payee ? (
        <Section title={t("wallet.confirmStep")}>
          <p className="oc-confirm" aria-live="polite">
            {t("wallet.payeeIs", { name: payee.maskedName ?? t("wallet.noName"), phone: payee.maskedPhone })}
          </p>
          <form className="oc-form" onSubmit={transfer} noValidate aria-label={t("wallet.confirmStep")}>
            <AmountField
              value={amount}
              onChange={setAmount}
              {...(available.hint ? { hint: available.hint } : {})}
            />
            <TextField label={t("wallet.memoOptional")} value={memo} onChange={setMemo} maxLength={100} />
            <SixDigitField label={t("wallet.paymentPassword")} value={pin} onChange={setPin} />
            <FormEnd submit={send} label={t("wallet.transferSubmit")} size="large" />
          </form>
        </Section>
      ) : null}
    </Page>
  );
}
