// One line of history: what it was and with whom on the left, the signed amount on the right.
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { formatYuan } from "./money";
import type { WalletTransaction } from "./wallet-types";
import { typeLabel } from "./wallet-words";

export function TransactionRow({ tx }: { tx: WalletTransaction }) {
  const { t } = useTranslation();
  const signed =
    tx.direction === "in"
      ? `+${formatYuan(tx.amount, tx.currency)}`
      : `-${formatYuan(tx.amount, tx.currency)}`;
  return (
    <Link className="oc-money-row" to={`/wallet/history/${encodeURIComponent(tx.id)}`}>
      <span>
        <span className="oc-list-title">
          {typeLabel(t, tx.type)} · {tx.counterparty}
        </span>
        <span className="oc-weak">{new Date(tx.createdAt).toLocaleString()}</span>
      </span>
      <span className={`oc-amount${tx.direction === "in" ? " oc-amount-in" : ""}`}>
        <span className="oc-visually-hidden">
          {tx.direction === "in" ? t("wallet.in") : t("wallet.out")}{" "}
        </span>
        {signed}
      </span>
    </Link>
  );
}
