// Withdraw to a bound card: card, amount (with the most the balance allows and 全部提现), a quote
// (fee, whether a person reviews it), payment password and an SMS code, then the result; and the
// list of withdrawals with their status.
import { Button } from "antd-mobile";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { get } from "../../../common/api";
import { ChoiceGroup, SixDigitField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useList } from "../../../common/ui/use-list";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page, Section } from "../../layout";
import { OwnPhoneCode } from "../../own-phone-code";
import type { BankCard } from "../../types";
import { AmountField } from "./amount-field";
import { formatYuan, parseYuan, postMoney, useIntentKeys, yuanText } from "./money";
import { useResource } from "./use-resource";
import type { Withdrawal, WithdrawalMax, WithdrawalPage, WithdrawalQuote } from "./wallet-types";
import { moneyErrorText, useMoneyErrors, withdrawalStatusLabel } from "./wallet-words";
import "./wallet.css";

type Submitted = Pick<Withdrawal, "id" | "status" | "amount" | "fee" | "currency">;

function useQuote(fen: number | null) {
  const { t } = useTranslation();
  const [quote, setQuote] = useState<WithdrawalQuote | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setQuote(null);
    setError("");
    if (fen === null) return;
    let live = true;
    // Asked once typing pauses, not on every digit.
    const timer = setTimeout(() => {
      get<WithdrawalQuote>(`/api/v1/wallet/withdrawals/quote?amount=${fen}&currency=CNY`)
        .then((q) => live && setQuote(q))
        .catch((err: unknown) => live && setError(moneyErrorText(t, err)));
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fen, t]);
  return { quote, error };
}

export function WithdrawPage() {
  const { t } = useTranslation();
  const cards = useList<BankCard>("/api/v1/me/bank-cards");
  const [cardId, setCardId] = useState("");
  const [amount, setAmount] = useState("");
  const [pin, setPin] = useState("");
  const [otp, setOtp] = useState("");
  const [done, setDone] = useState<Submitted | null>(null);
  const submit = useSubmit(useMoneyErrors());
  const keys = useIntentKeys();
  const fen = parseYuan(amount);
  const { quote, error: quoteError } = useQuote(fen);
  const most = useResource<WithdrawalMax>("/api/v1/wallet/withdrawals/max");
  const chosen = cardId || cards.items[0]?.id || "";

  function withdraw(e: FormEvent) {
    e.preventDefault();
    submit.reset();
    if (!chosen) return submit.setError(t("wallet.chooseCard"));
    if (fen === null) return submit.setError(t("wallet.badAmount"));
    if (pin.length !== 6) return submit.setError(t("wallet.pinSixDigits"));
    if (!/^\d{6}$/.test(otp.trim())) return submit.setError(t("wallet.codeSixDigits"));
    const intent = { amount: fen, currency: "CNY", bankCardId: chosen };
    void submit.run(async () => {
      try {
        const w = await postMoney<Submitted>(
          "/api/v1/wallet/withdrawals",
          { ...intent, paymentPassword: pin, otp: otp.trim() },
          keys.keyFor(intent),
        );
        keys.finished();
        setDone(w);
        void most.reload();
        setAmount("");
        setOtp("");
      } finally {
        setPin("");
      }
    });
  }

  if (done) {
    return (
      <Page title={t("wallet.withdrawTitle")} back="/wallet">
        <Section title={t("wallet.withdrawDone")}>
          <div className="oc-result">
            <Notice tone="success">
              {t("wallet.withdrawSubmitted", {
                amount: formatYuan(done.amount),
                status: withdrawalStatusLabel(t, done.status),
              })}
            </Notice>
            {done.status === "under_review" ? <p>{t("wallet.withdrawReviewNote")}</p> : null}
            <Link className="oc-button" to="/wallet/withdrawals">
              {t("wallet.withdrawals")}
            </Link>
            <Button onClick={() => setDone(null)}>{t("wallet.withdrawAgain")}</Button>
          </div>
        </Section>
      </Page>
    );
  }

  return (
    <Page title={t("wallet.withdrawTitle")} back="/wallet">
      {cards.error ? <Notice tone="error">{cards.error}</Notice> : null}
      {!cards.loading && cards.items.length === 0 && !cards.error ? (
        <Notice tone="info">
          {t("wallet.noCards")} <Link to="/security/bank-cards">{t("wallet.bindCard")}</Link>
        </Notice>
      ) : null}
      <form className="oc-form" onSubmit={withdraw} noValidate aria-label={t("wallet.withdrawTitle")}>
        {cards.items.length > 0 ? (
          <ChoiceGroup
            legend={t("wallet.toCard")}
            name="bankCard"
            value={chosen}
            options={cards.items.map((c) => ({
              value: c.id,
              label: `${c.bankName ?? t("cards.unknownBank")} ${c.masked}`,
            }))}
            onChange={setCardId}
          />
        ) : null}
        <AmountField
          value={amount}
          onChange={setAmount}
          {...(most.data
            ? {
                hint: t("wallet.withdrawable", {
                  available: formatYuan(most.data.available, most.data.currency),
                  max: formatYuan(most.data.amount, most.data.currency),
                  fee: formatYuan(most.data.fee, most.data.currency),
                }),
              }
            : {})}
        />
        {most.data && most.data.amount > 0 ? (
          <Button onClick={() => setAmount(yuanText(most.data?.amount ?? 0))}>
            {t("wallet.withdrawAll")}
          </Button>
        ) : null}
        {quoteError ? <Notice tone="warning">{quoteError}</Notice> : null}
        {quote ? (
          <section className="oc-card" aria-label={t("wallet.quote")} aria-live="polite">
            <dl className="oc-rows">
              <dt>{t("wallet.fee")}</dt>
              <dd>{formatYuan(quote.fee, quote.currency)}</dd>
              <dt>{t("wallet.total")}</dt>
              <dd>{formatYuan(quote.total, quote.currency)}</dd>
              <dt>{t("wallet.review")}</dt>
              <dd>
                {!quote.reviewRequired
                  ? t("wallet.reviewNotRequired")
                  : (quote.approvalsRequired ?? 1) > 1
                    ? t("wallet.reviewRequiredTwo")
                    : t("wallet.reviewRequired")}
              </dd>
            </dl>
          </section>
        ) : null}
        <SixDigitField label={t("wallet.paymentPassword")} value={pin} onChange={setPin} />
        <OwnPhoneCode purpose="withdrawal" otp={otp} onOtp={setOtp} onError={submit.onError} />
        <FormEnd submit={submit} label={t("wallet.withdrawSubmit")} size="large" />
      </form>
      <p>
        <Link to="/wallet/withdrawals">{t("wallet.withdrawals")}</Link>
      </p>
    </Page>
  );
}

export function WithdrawalsPage() {
  const { t } = useTranslation();
  const [items, setItems] = useState<Withdrawal[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState("");
  const fail = useMoneyErrors();

  async function fetchAfter(after: string | null) {
    try {
      const page = await get<WithdrawalPage>(
        `/api/v1/wallet/withdrawals?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ""}`,
      );
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setLoaded(true);
      setError("");
    } catch (err) {
      setError(fail(err));
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page, once
  useEffect(() => {
    void fetchAfter(null);
  }, []);

  // While a withdrawal on a one-page list is still under way, look again every 10 s.
  const underWay =
    cursor === null && items.some((w) => w.status === "under_review" || w.status === "processing");
  // biome-ignore lint/correctness/useExhaustiveDependencies: fetchAfter is recreated each render; items changing restarts the wait
  useEffect(() => {
    if (!underWay) return;
    const timer = setTimeout(() => void fetchAfter(null), 10_000);
    return () => clearTimeout(timer);
  }, [underWay, items]);

  return (
    <Page title={t("wallet.withdrawals")} back="/wallet">
      {error ? <Notice tone="error">{error}</Notice> : null}
      {loaded && items.length === 0 ? <p>{t("wallet.noWithdrawals")}</p> : null}
      <ul className="oc-list oc-card">
        {items.map((w) => (
          <li key={w.id}>
            <div className="oc-list-title">
              {formatYuan(w.amount, w.currency)}
              <span className="oc-status">{withdrawalStatusLabel(t, w.status)}</span>
            </div>
            <div>
              {w.bankCard.bankName ?? t("cards.unknownBank")} {w.bankCard.masked} ·{" "}
              {t("wallet.feeIs", { fee: formatYuan(w.fee, w.currency) })}
            </div>
            {w.failureReason ? <div>{t("wallet.failureReason", { reason: w.failureReason })}</div> : null}
            <div className="oc-weak">{new Date(w.createdAt).toLocaleString()}</div>
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" className="oc-button" onClick={() => void fetchAfter(cursor)}>
          {t("common.more")}
        </button>
      ) : null}
      <Link className="oc-button" to="/wallet/withdraw">
        {t("wallet.withdraw")}
      </Link>
    </Page>
  );
}
