// One transfer as the ledger wrote it: both entries, the hold's outcome, and any reversal.
import { Alert, Descriptions, Spin, Table, type TableColumnsType } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { get } from "../../common/api";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";
import { amountAndBalanceColumns, timeColumn } from "./ledger-columns";
import { formatMoney, holdStatusLabel, type LedgerTransfer, transferTypeLabel } from "./ledger-types";

type TransferEntry = LedgerTransfer["entries"][number];

function AccountLink({ id }: { id: string }) {
  return <Link to={`/ledger/accounts/${encodeURIComponent(id)}`}>{id}</Link>;
}

function TransferLink({ id }: { id: string | null }) {
  if (!id) return <>—</>;
  return <Link to={`/ledger/transfers/${encodeURIComponent(id)}`}>{id}</Link>;
}

export function LedgerTransferPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { id = "" } = useParams();
  const [transfer, setTransfer] = useState<LedgerTransfer | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setTransfer(null);
    setError(null);
    get<LedgerTransfer>(`/api/v1/console/ledger/transfers/${encodeURIComponent(id)}`)
      .then((res) => {
        if (!cancelled) setTransfer(res);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(errorText(err));
      });
    return () => {
      cancelled = true;
    };
  }, [id, errorText]);

  const currency = transfer?.currency ?? "CNY";
  const columns: TableColumnsType<TransferEntry> = [
    { title: t("ledger.col.account"), dataIndex: "accountId", render: (v: string) => <AccountLink id={v} /> },
    ...amountAndBalanceColumns<TransferEntry>(t, currency),
    timeColumn(t),
  ];

  return (
    <>
      <PageTitle extra={<Link to="/ledger">{t("ledger.backToAccounts")}</Link>}>
        {transfer
          ? t("ledger.transferTitleNamed", { type: transferTypeLabel(t, transfer.type) })
          : t("ledger.transferTitle")}
      </PageTitle>
      <Alert type="info" showIcon title={t("ledger.auditNotice")} style={{ marginBottom: 16 }} />
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      {!transfer && !error && <Spin />}
      {transfer && (
        <>
          <Descriptions bordered size="small" column={2} title={t("ledger.summary")}>
            <Descriptions.Item label={t("ledger.col.transferId")}>{transfer.id}</Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.seq")}>{transfer.seq}</Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.type")}>
              {transferTypeLabel(t, transfer.type)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.amount")}>
              {formatMoney(transfer.amount, transfer.currency)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.debit")}>
              <AccountLink id={transfer.debitAccountId} />
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.credit")}>
              <AccountLink id={transfer.creditAccountId} />
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.status")}>
              {transfer.status === "pending" ? t("ledger.isHold") : t("ledger.isPosted")}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.time")}>
              {formatTime(transfer.createdAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.memo")}>{transfer.memo ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.expiresAt")}>
              {formatTime(transfer.expiresAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.postsHold")}>
              <TransferLink id={transfer.holdId} />
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.reverses")}>
              <TransferLink id={transfer.reversesTransferId} />
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.reversedBy")}>
              <TransferLink id={transfer.reversedByTransferId} />
            </Descriptions.Item>
            <Descriptions.Item label={t("ledger.col.hash")}>
              <code style={{ wordBreak: "break-all" }}>{transfer.hash}</code>
            </Descriptions.Item>
          </Descriptions>
          {transfer.status === "pending" && (
            <Descriptions
              bordered
              size="small"
              column={2}
              title={t("ledger.holdEvent")}
              style={{ marginTop: 24 }}
            >
              <Descriptions.Item label={t("ledger.col.status")}>
                {holdStatusLabel(t, transfer.holdEvent?.outcome ?? "pending")}
              </Descriptions.Item>
              <Descriptions.Item label={t("ledger.col.postedAmount")}>
                {formatMoney(transfer.holdEvent?.postedAmount ?? 0, transfer.currency)}
              </Descriptions.Item>
              <Descriptions.Item label={t("ledger.col.postingTransfer")}>
                <TransferLink id={transfer.holdEvent?.postingTransferId ?? null} />
              </Descriptions.Item>
              <Descriptions.Item label={t("ledger.col.reason")}>
                {transfer.holdEvent?.reason ?? "—"}
              </Descriptions.Item>
            </Descriptions>
          )}
          <Table<TransferEntry>
            style={{ marginTop: 24 }}
            rowKey="id"
            columns={columns}
            dataSource={transfer.entries}
            pagination={false}
            caption={<TableCaption>{t("ledger.entriesCaption")}</TableCaption>}
          />
        </>
      )}
    </>
  );
}
