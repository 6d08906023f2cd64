// Top up: choose an amount, open the top-up (one Idempotency-Key per intent), pay on the gateway's
// page, come back to a page that follows the top-up until the gateway's word has been applied.
import { Button } from "antd-mobile";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ChoiceGroup } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useSubmit } from "../../../common/ui/use-submit";
import { FormEnd } from "../../form-end";
import { Page, Section } from "../../layout";
import { AmountField } from "./amount-field";
import { formatYuan, parseYuan, postMoney, useIntentKeys } from "./money";
import { useResource } from "./use-resource";
import type { Topup } from "./wallet-types";
import { useMoneyErrors } from "./wallet-words";

const PAY_URL_KEY = "oc.topup.payUrl.";

export function TopupPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [amount, setAmount] = useState("");
  const [method, setMethod] = useState<"sandbox">("sandbox");
  const submit = useSubmit(useMoneyErrors());
  const keys = useIntentKeys();

  function start(e: FormEvent) {
    e.preventDefault();
    submit.reset();
    const fen = parseYuan(amount);
    if (fen === null) return submit.setError(t("wallet.badAmount"));
    const body = { amount: fen, currency: "CNY", method };
    void submit.run(async () => {
      const topup = await postMoney<Topup & { payUrl: string }>(
        "/api/v1/wallet/topups",
        body,
        keys.keyFor(body),
      );
      keys.finished();
      sessionStorage.setItem(PAY_URL_KEY + topup.id, topup.payUrl);
      // The result page goes into the history first, so the gateway's back button returns to it.
      navigate(`/wallet/topup/${encodeURIComponent(topup.id)}`);
      window.location.assign(topup.payUrl);
    });
  }

  return (
    <Page title={t("wallet.topupTitle")} back="/wallet">
      <form className="oc-form" onSubmit={start} noValidate aria-label={t("wallet.topupTitle")}>
        <AmountField value={amount} onChange={setAmount} presets={[5000, 10000, 20000, 50000]} />
        <ChoiceGroup
          legend={t("wallet.method")}
          name="method"
          value={method}
          options={[{ value: "sandbox", label: t("wallet.methodSandbox") }]}
          onChange={setMethod}
        />
        <p className="oc-weak">{t("wallet.topupHint")}</p>
        <FormEnd submit={submit} label={t("wallet.topupSubmit")} size="large" />
      </form>
    </Page>
  );
}

/** Follows one top-up: every 2 s while it is pending, then every 5 s after the first minute. */
export function TopupResultPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const topup = useResource<Topup>(`/api/v1/wallet/topups/${encodeURIComponent(id)}`);
  const [polls, setPolls] = useState(0);
  const payUrl = sessionStorage.getItem(PAY_URL_KEY + id);
  const status = topup.data?.status;
  const { reload } = topup;

  useEffect(() => {
    if (status !== "pending") return;
    const timer = setTimeout(
      () => {
        void reload().then(() => setPolls((n) => n + 1));
      },
      polls < 30 ? 2000 : 5000,
    );
    return () => clearTimeout(timer);
  }, [status, polls, reload]);

  useEffect(() => {
    if (status && status !== "pending") sessionStorage.removeItem(PAY_URL_KEY + id);
  }, [status, id]);

  const d = topup.data;
  return (
    <Page title={t("wallet.topupResultTitle")} back="/wallet">
      {topup.error ? <Notice tone="error">{topup.error}</Notice> : null}
      {d ? (
        <Section title={formatYuan(d.amount, d.currency)}>
          <div className="oc-result">
            {d.status === "pending" ? (
              <>
                <Notice tone="info">{t("wallet.topupPending")}</Notice>
                {payUrl ? (
                  <a className="oc-button" href={payUrl}>
                    {t("wallet.topupGoPay")}
                  </a>
                ) : null}
                <Button onClick={() => void reload()}>{t("wallet.refresh")}</Button>
              </>
            ) : d.status === "succeeded" ? (
              <Notice tone="success">{t("wallet.topupSucceeded", { amount: formatYuan(d.amount) })}</Notice>
            ) : (
              <Notice tone="error">{t("wallet.topupFailed")}</Notice>
            )}
            <Link className="oc-button" to="/wallet">
              {t("wallet.backToWallet")}
            </Link>
          </div>
        </Section>
      ) : null}
    </Page>
  );
}
