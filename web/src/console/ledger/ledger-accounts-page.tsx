// Find ledger accounts by customer phone, account id or code, and kind. Reads are audited.
import { Alert, Button, Form, Input, Select, Table, type TableColumnsType } from "antd";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { get } from "../../common/api";
import { useCursorList } from "../cursor-pages";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import {
  accountKindLabel,
  accountName,
  formatMoney,
  type LedgerAccount,
  ledgerAccountKinds,
} from "./ledger-types";

type Page = { items: LedgerAccount[]; nextCursor: string | null };

export function LedgerAccountsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const kind = params.get("kind") ?? "";
  const fetchPage = useCallback(
    (cursor: string | null) => {
      const search = new URLSearchParams();
      if (query) search.set("q", query);
      if (kind) search.set("kind", kind);
      if (cursor) search.set("cursor", cursor);
      return get<Page>(`/api/v1/console/ledger/accounts?${search}`);
    },
    [query, kind],
  );
  const { items, nextCursor, loading, error, more } = useCursorList(fetchPage, (page: Page) => page.items);

  const columns: TableColumnsType<LedgerAccount> = [
    {
      title: t("ledger.col.account"),
      dataIndex: "id",
      render: (_id: string, a) => (
        <Link to={`/ledger/accounts/${encodeURIComponent(a.id)}`}>{accountName(a)}</Link>
      ),
    },
    { title: t("ledger.col.kind"), dataIndex: "kind", render: (v: string) => accountKindLabel(t, v) },
    { title: t("ledger.col.currency"), dataIndex: "currency" },
    {
      title: t("ledger.col.balance"),
      dataIndex: "balance",
      align: "right",
      render: (v: number, a) => formatMoney(v, a.currency),
    },
    {
      title: t("ledger.col.available"),
      dataIndex: "available",
      align: "right",
      render: (v: number, a) => formatMoney(v, a.currency),
    },
    { title: t("ledger.col.createdAt"), dataIndex: "createdAt", render: (v: string) => formatTime(v) },
  ];

  return (
    <>
      <PageTitle extra={<Link to="/ledger/holds">{t("ledger.holdsTitle")}</Link>}>
        {t("ledger.accountsTitle")}
      </PageTitle>
      <Alert type="info" showIcon title={t("ledger.auditNotice")} style={{ marginBottom: 16 }} />
      <Form
        layout="inline"
        role="search"
        initialValues={{ q: query, kind }}
        onFinish={(v: { q?: string; kind?: string }) => {
          const next: Record<string, string> = {};
          if (v.q?.trim()) next.q = v.q.trim();
          if (v.kind) next.kind = v.kind;
          setParams(next);
        }}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item label={t("ledger.searchLabel")} name="q">
          <Input style={{ width: 320 }} placeholder={t("ledger.searchPlaceholder")} allowClear />
        </Form.Item>
        <Form.Item label={t("ledger.kindLabel")} name="kind">
          <Select
            style={{ width: 200 }}
            aria-label={t("ledger.kindLabel")}
            options={[
              { value: "", label: t("ledger.kindAll") },
              ...ledgerAccountKinds.map((k) => ({ value: k, label: accountKindLabel(t, k) })),
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={loading}>
            {t("ledger.search")}
          </Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      {items && (
        <Table<LedgerAccount>
          rowKey="id"
          columns={columns}
          dataSource={items}
          loading={loading}
          pagination={false}
          caption={<TableCaption>{t("ledger.accountsCaption")}</TableCaption>}
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
