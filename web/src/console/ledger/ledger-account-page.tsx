// One ledger account: balances, open holds and entries (newest first, more on demand); the read
// is audited. Staff who may adjust the ledger can propose a manual adjustment here.
import { Alert, Button, Descriptions, Spin, Table, type TableColumnsType } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { get } from "../../common/api";
import { AdjustmentForm } from "../adjustments/adjustment-form";
import { useCursorList } from "../cursor-pages";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useMe } from "../session";
import {
  amountAndBalanceColumns,
  holdColumns,
  timeColumn,
  transferLinkColumn,
  typeColumn,
} from "./ledger-columns";
import {
  accountKindLabel,
  accountName,
  formatMoney,
  type LedgerAccount,
  type LedgerAccountDetail,
  type LedgerEntry,
  type LedgerHold,
} from "./ledger-types";

export function LedgerAccountPage() {
  const { t } = useTranslation();
  const { permissions } = useMe();
  const { id = "" } = useParams();
  const [account, setAccount] = useState<LedgerAccount | null>(null);
  const [holds, setHolds] = useState<LedgerHold[]>([]);
  // Another account: nothing of the last one stays on the screen while this one loads.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the account changes
  useEffect(() => {
    setAccount(null);
    setHolds([]);
  }, [id]);
  const fetchPage = useCallback(
    (cursor: string | null) => {
      const search = new URLSearchParams({ limit: "20", ...(cursor ? { cursor } : {}) });
      return get<LedgerAccountDetail>(`/api/v1/console/ledger/accounts/${encodeURIComponent(id)}?${search}`);
    },
    [id],
  );
  const list = useCursorList(
    fetchPage,
    (page: LedgerAccountDetail) => page.entries,
    (page) => {
      setAccount(page.account);
      setHolds(page.holds);
    },
  );
  const { nextCursor, loading, error, more } = list;
  const entries = list.items ?? [];

  const currency = account?.currency ?? "CNY";
  const entryColumns: TableColumnsType<LedgerEntry> = [
    timeColumn(t),
    typeColumn(t),
    ...amountAndBalanceColumns<LedgerEntry>(t, currency),
    {
      title: t("ledger.col.counterparty"),
      dataIndex: "counterpartyAccountId",
      render: (v: string) => <Link to={`/ledger/accounts/${encodeURIComponent(v)}`}>{v.slice(0, 8)}</Link>,
    },
    transferLinkColumn(t, "transferId"),
  ];

  return (
    <>
      <PageTitle extra={<Link to="/ledger">{t("ledger.backToAccounts")}</Link>}>
        {account ? t("ledger.accountTitleNamed", { name: accountName(account) }) : t("ledger.accountTitle")}
      </PageTitle>
      <Alert type="info" showIcon title={t("ledger.auditNotice")} style={{ marginBottom: 16 }} />
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      {!account && !error && <Spin />}
      {account && (
        <>
          <Descriptions bordered size="small" column={2} title={t("ledger.summary")}>
            <Descriptions.Item label={t("ledger.col.kind")}>
              {accountKindLabel(t, account.kind)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.owner")}>{accountName(account)}</Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.balance")}>
              {formatMoney(account.balance, account.currency)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.available")}>
              {formatMoney(account.available, account.currency)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.pendingDebits")}>
              {formatMoney(account.pendingDebits, account.currency)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.pendingCredits")}>
              {formatMoney(account.pendingCredits, account.currency)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.accountId")}>{account.id}</Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.createdAt")}>
              {formatTime(account.createdAt)}
            </Descriptions.Item>
          </Descriptions>
          {permissions.has("ledger:adjust") && account.kind === "customer" && (
            <AdjustmentForm accountId={account.id} currency={account.currency} />
          )}
          <Table<LedgerHold>
            style={{ marginTop: 24 }}
            rowKey="id"
            columns={holdColumns(t)}
            dataSource={holds}
            pagination={false}
            caption={<TableCaption>{t("ledger.holdsCaption")}</TableCaption>}
          />
          <Table<LedgerEntry>
            style={{ marginTop: 24 }}
            rowKey="id"
            columns={entryColumns}
            dataSource={entries}
            loading={loading}
            pagination={false}
            caption={<TableCaption>{t("ledger.entriesCaption")}</TableCaption>}
          />
          {nextCursor && (
            <Button style={{ marginTop: 16 }} onClick={more} loading={loading}>
              {t("ledger.more")}
            </Button>
          )}
        </>
      )}
    </>
  );
}
