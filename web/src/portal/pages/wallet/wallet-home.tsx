// The wallet's front page: what the customer has, the four things to do with it, and the latest moves.
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { Notice } from "../../../common/ui/notice";
import { Page, Section } from "../../layout";
import { formatYuan } from "./money";
import { TransactionRow } from "./transaction-row";
import { useResource } from "./use-resource";
import type { TransactionPage, WalletBalance } from "./wallet-types";
import "./wallet.css";

export function WalletHomePage() {
  const { t } = useTranslation();
  const balance = useResource<WalletBalance>("/api/v1/wallet");
  const recent = useResource<TransactionPage>("/api/v1/wallet/transactions?limit=5");
  const cny = balance.data?.accounts.find((a) => a.currency === "CNY");
  const error = balance.error || recent.error;

  return (
    <Page title={t("wallet.title")} back="/">
      {error ? <Notice tone="error">{error}</Notice> : null}
      <Section title={t("wallet.balance")}>
        <p className="oc-balance" aria-live="polite">
          <span className="oc-visually-hidden">{t("wallet.available")} </span>
          {cny ? formatYuan(cny.available) : "—"}
        </p>
        <dl className="oc-balance-rows">
          <dt>{t("wallet.available")}</dt>
          <dd>{cny ? formatYuan(cny.available) : "—"}</dd>
          <dt>{t("wallet.pending")}</dt>
          <dd>{cny ? formatYuan(cny.pending) : "—"}</dd>
        </dl>
      </Section>
      <nav aria-label={t("wallet.quickActions")}>
        <ul className="oc-quick">
          <li>
            <Link to="/wallet/topup">
              <span aria-hidden="true">+</span>
              {t("wallet.topup")}
            </Link>
          </li>
          <li>
            <Link to="/wallet/pay">
              <span aria-hidden="true">▣</span>
              {t("wallet.pay")}
            </Link>
          </li>
          <li>
            <Link to="/wallet/transfer">
              <span aria-hidden="true">⇄</span>
              {t("wallet.transfer")}
            </Link>
          </li>
          <li>
            <Link to="/wallet/withdraw">
              <span aria-hidden="true">↧</span>
              {t("wallet.withdraw")}
            </Link>
          </li>
        </ul>
      </nav>
      <Section title={t("wallet.recent")}>
        {recent.data && recent.data.items.length === 0 ? <p>{t("wallet.noTransactions")}</p> : null}
        <ul className="oc-money-list">
          {(recent.data?.items ?? []).map((tx) => (
            <li key={tx.id}>
              <TransactionRow tx={tx} />
            </li>
          ))}
        </ul>
        <p>
          <Link to="/wallet/history">{t("wallet.allHistory")}</Link>
        </p>
      </Section>
      <Section title={t("wallet.more")}>
        <ul className="oc-menu">
          <li>
            <Link to="/wallet/withdrawals">{t("wallet.withdrawals")}</Link>
          </li>
          <li>
            <Link to="/wallet/limits">{t("wallet.limitsTitle")}</Link>
          </li>
          <li>
            <Link to="/security/bank-cards">{t("security.bankCards")}</Link>
          </li>
        </ul>
      </Section>
    </Page>
  );
}
