// One transaction in full: who, how much, which way, its status and memo, and when.
import { useTranslation } from "react-i18next";
import { useParams } from "react-router-dom";
import { Notice } from "../../../common/ui/notice";
import { Page, Section } from "../../layout";
import { formatYuan } from "./money";
import { useResource } from "./use-resource";
import type { WalletTransactionDetail } from "./wallet-types";
import { typeLabel } from "./wallet-words";
import "./wallet.css";

export function TransactionDetailPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const tx = useResource<WalletTransactionDetail>(`/api/v1/wallet/transactions/${encodeURIComponent(id)}`);
  const d = tx.data;
  return (
    <Page title={t("wallet.detailTitle")} back="/wallet/history">
      {tx.error ? <Notice tone="error">{tx.error}</Notice> : null}
      {d ? (
        <Section title={`${typeLabel(t, d.type)} · ${d.counterparty}`}>
          <p className={`oc-balance${d.direction === "in" ? " oc-amount-in" : ""}`}>
            {d.direction === "in" ? "+" : "-"}
            {formatYuan(d.amount, d.currency)}
          </p>
          <dl className="oc-rows">
            <dt>{t("wallet.type")}</dt>
            <dd>{typeLabel(t, d.type)}</dd>
            <dt>{t("wallet.direction")}</dt>
            <dd>{d.direction === "in" ? t("wallet.in") : t("wallet.out")}</dd>
            <dt>{t("wallet.counterparty")}</dt>
            <dd>{d.counterparty}</dd>
            <dt>{t("wallet.status")}</dt>
            <dd>{t(`wallet.txStatus.${d.status}`, { defaultValue: d.status })}</dd>
            <dt>{t("wallet.memo")}</dt>
            <dd>{d.memo ?? t("wallet.noMemo")}</dd>
            <dt>{t("wallet.time")}</dt>
            <dd>{new Date(d.createdAt).toLocaleString()}</dd>
            <dt>{t("wallet.reference")}</dt>
            <dd className="oc-secret">{d.id}</dd>
          </dl>
        </Section>
      ) : null}
    </Page>
  );
}
