// Holds across the ledger, newest first, by outcome (open ones by default). The read is audited.
import { Alert, Button, Radio, Table } from "antd";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { get } from "../../common/api";
import { useCursorList } from "../cursor-pages";
import { PageTitle, TableCaption } from "../page-title";
import { holdColumns } from "./ledger-columns";
import { holdStatusLabel, type LedgerHold } from "./ledger-types";

type Page = { items: LedgerHold[]; nextCursor: string | null };
const statuses = ["pending", "posted", "voided", "expired"] as const;

export function LedgerHoldsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "pending";
  const fetchPage = useCallback(
    (cursor: string | null) =>
      get<Page>(
        `/api/v1/console/ledger/holds?${new URLSearchParams({ status, ...(cursor ? { cursor } : {}) })}`,
      ),
    [status],
  );
  const { items, nextCursor, loading, error, more } = useCursorList(fetchPage, (page: Page) => page.items);

  const account = (id: string) => (
    <Link to={`/ledger/accounts/${encodeURIComponent(id)}`}>{id.slice(0, 8)}</Link>
  );
  const columns = holdColumns(t, [
    { title: t("ledger.col.debit"), dataIndex: "debitAccountId", render: account },
    { title: t("ledger.col.credit"), dataIndex: "creditAccountId", render: account },
  ]);

  return (
    <>
      <PageTitle extra={<Link to="/ledger">{t("ledger.backToAccounts")}</Link>}>
        {t("ledger.holdsTitle")}
      </PageTitle>
      <Alert type="info" showIcon title={t("ledger.auditNotice")} style={{ marginBottom: 16 }} />
      <Radio.Group
        aria-label={t("ledger.col.status")}
        value={status}
        onChange={(e) => setParams({ status: String(e.target.value) })}
        optionType="button"
        options={statuses.map((s) => ({ value: s, label: holdStatusLabel(t, s) }))}
        style={{ marginBottom: 16 }}
      />
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      {items && (
        <Table<LedgerHold>
          rowKey="id"
          columns={columns}
          dataSource={items}
          loading={loading}
          pagination={false}
          caption={<TableCaption>{t("ledger.holdsTitle")}</TableCaption>}
        />
      )}
      {nextCursor && (
        <Button style={{ marginTop: 16 }} onClick={more} loading={loading}>
          {t("ledger.more")}
        </Button>
      )}
    </>
  );
}
