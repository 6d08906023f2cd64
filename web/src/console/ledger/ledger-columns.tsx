// Table columns the ledger pages share, so a time, an amount or a hold reads the same on each.
import type { TableColumnsType } from "antd";
import type { TFunction } from "i18next";
import { Link } from "react-router-dom";
import { formatTime } from "../labels";
import { formatMoney, holdStatusLabel, type LedgerHold, transferTypeLabel } from "./ledger-types";

type Column<Row> = TableColumnsType<Row>[number];

/** When the row was written (its `createdAt`). */
export function timeColumn<Row>(t: TFunction): Column<Row> {
  return { title: t("ledger.col.time"), dataIndex: "createdAt", render: (v: string) => formatTime(v) };
}

/** The kind of transfer, in words. */
export function typeColumn<Row>(t: TFunction): Column<Row> {
  return { title: t("ledger.col.type"), dataIndex: "type", render: (v: string) => transferTypeLabel(t, v) };
}

/** An entry's amount and the account's balance after it, both in the account's currency. */
export function amountAndBalanceColumns<Row>(t: TFunction, currency: string): Column<Row>[] {
  return [
    {
      title: t("ledger.col.amount"),
      dataIndex: "amount",
      align: "right",
      render: (v: number) => formatMoney(v, currency),
    },
    {
      title: t("ledger.col.balanceAfter"),
      dataIndex: "balanceAfter",
      align: "right",
      render: (v: number) => formatMoney(v, currency),
    },
  ];
}

/** A link to the transfer whose id is in `dataIndex`. */
export function transferLinkColumn<Row>(t: TFunction, dataIndex: string): Column<Row> {
  return {
    title: t("ledger.col.transfer"),
    dataIndex,
    render: (v: string) => (
      <Link to={`/ledger/transfers/${encodeURIComponent(v)}`}>{t("ledger.openTransfer")}</Link>
    ),
  };
}

/** Holds: time, type, amount, then `parties` (if any), status, expiry and the transfer. */
export function holdColumns(t: TFunction, parties: Column<LedgerHold>[] = []): TableColumnsType<LedgerHold> {
  return [
    timeColumn(t),
    typeColumn(t),
    {
      title: t("ledger.col.amount"),
      dataIndex: "amount",
      align: "right",
      render: (v: number, h) => formatMoney(v, h.currency),
    },
    ...parties,
    { title: t("ledger.col.status"), dataIndex: "status", render: (v: string) => holdStatusLabel(t, v) },
    { title: t("ledger.col.expiresAt"), dataIndex: "expiresAt", render: (v: string | null) => formatTime(v) },
    transferLinkColumn(t, "id"),
  ];
}
