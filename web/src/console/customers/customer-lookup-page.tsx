// Find a customer by phone, email or name; results are masked and every lookup is audited.
import { Alert, Button, Form, Input, Table, type TableColumnsType } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { get } from "../../common/api";
import type { CustomerMatch } from "../api-types";
import { accountStatusLabel, formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";

type SearchResult = { items: CustomerMatch[] };

export function CustomerLookupPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const [items, setItems] = useState<CustomerMatch[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!query) {
      setItems(null);
      return;
    }
    let cancelled = false;
    setLoading(true);
    setError(null);
    get<SearchResult>(`/api/v1/console/customers?${new URLSearchParams({ q: query })}`)
      .then((res) => {
        if (!cancelled) setItems(res.items);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(errorText(err));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [query, errorText]);

  const columns: TableColumnsType<CustomerMatch> = [
    {
      title: t("customers.col.name"),
      dataIndex: "name",
      render: (name: string | null, c) => (
        <Link to={`/customers/${encodeURIComponent(c.id)}`}>{name ?? "—"}</Link>
      ),
    },
    { title: t("customers.col.phone"), dataIndex: "phone", render: (v: string | null) => v ?? "—" },
    { title: t("customers.col.email"), dataIndex: "email", render: (v: string | null) => v ?? "—" },
    {
      title: t("customers.col.status"),
      dataIndex: "status",
      render: (v?: string) => accountStatusLabel(t, v),
    },
    { title: t("customers.col.createdAt"), dataIndex: "createdAt", render: (v?: string) => formatTime(v) },
  ];

  return (
    <>
      <PageTitle>{t("customers.title")}</PageTitle>
      <Alert type="info" showIcon title={t("customers.auditNotice")} style={{ marginBottom: 16 }} />
      <Form
        layout="inline"
        role="search"
        initialValues={{ q: query }}
        onFinish={(v: { q: string }) => setParams(v.q.trim() ? { q: v.q.trim() } : {})}
        style={{ marginBottom: 16 }}
      >
        <Form.Item
          label={t("customers.searchLabel")}
          name="q"
          rules={[{ required: true, whitespace: true, message: t("customers.searchRequired") }]}
        >
          <Input style={{ width: 320 }} placeholder={t("customers.searchPlaceholder")} allowClear />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={loading}>
            {t("customers.search")}
          </Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      {items && (
        <Table<CustomerMatch>
          rowKey="id"
          columns={columns}
          dataSource={items}
          loading={loading}
          pagination={false}
          caption={<TableCaption>{t("customers.resultsCaption", { query })}</TableCaption>}
        />
      )}
    </>
  );
}
