// The append-only audit trail: who did what to whom, newest first, and a check that the hash chain holds.
import { Alert, Button, Form, Input, Table, type TableColumnsType, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../common/api";
import type { AuditEntry, AuditVerification, Page } from "../api-types";
import { CursorPager, useCursorPages } from "../cursor-pages";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";

type Filters = { actorId?: string; action?: string; targetId?: string };

function actorOf(e: AuditEntry): string {
  return [e.actorKind, e.actorId].filter(Boolean).join(" · ") || "—";
}

function targetOf(e: AuditEntry): string {
  return [e.targetType, e.targetId].filter(Boolean).join(" · ") || "—";
}

export function AuditLogPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [filters, setFilters] = useState<Filters>({});
  const pages = useCursorPages();
  const [page, setPage] = useState<Page<AuditEntry> | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const cursor = pages.cursor;

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const q = new URLSearchParams({ limit: "50" });
      for (const [k, v] of Object.entries(filters)) if (v?.trim()) q.set(k, v.trim());
      if (cursor) q.set("cursor", cursor);
      setPage(await get<Page<AuditEntry>>(`/api/v1/console/audit?${q}`));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [filters, cursor, errorText]);

  useEffect(() => {
    void load();
  }, [load]);

  async function verify() {
    setVerifying(true);
    setVerification(null);
    setError(null);
    try {
      setVerification(await get<AuditVerification>("/api/v1/console/audit/verify"));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setVerifying(false);
    }
  }

  const columns: TableColumnsType<AuditEntry> = [
    { title: t("audit.col.time"), dataIndex: "at", width: 170, render: (v: string) => formatTime(v) },
    { title: t("audit.col.actor"), key: "actor", render: (_, e) => actorOf(e) },
    { title: t("audit.col.action"), dataIndex: "action", render: (v: string) => <code>{v}</code> },
    { title: t("audit.col.target"), key: "target", render: (_, e) => targetOf(e) },
    { title: t("audit.col.ip"), dataIndex: "ip", render: (v: string | null) => v ?? "—" },
    {
      title: t("audit.col.details"),
      dataIndex: "details",
      render: (v: Record<string, unknown>) =>
        v && Object.keys(v).length > 0 ? (
          <Typography.Text style={{ fontFamily: "monospace", fontSize: 12 }}>
            {JSON.stringify(v)}
          </Typography.Text>
        ) : (
          "—"
        ),
    },
  ];

  return (
    <>
      <PageTitle
        extra={
          <Button onClick={() => void verify()} loading={verifying}>
            {t("audit.verify")}
          </Button>
        }
      >
        {t("audit.title")}
      </PageTitle>
      {verification &&
        (verification.ok ? (
          <Alert
            type="success"
            showIcon
            role="status"
            title={t("audit.intact", { rows: verification.rows })}
            style={{ marginBottom: 16 }}
          />
        ) : (
          <Alert
            type="error"
            showIcon
            role="alert"
            title={t("audit.broken", { row: verification.brokenAt ?? "?", rows: verification.rows })}
            description={verification.reason}
            style={{ marginBottom: 16 }}
          />
        ))}
      <Form
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        onFinish={(v: Filters) => {
          setFilters(v);
          pages.reset();
        }}
      >
        <Form.Item label={t("audit.filter.action")} name="action">
          <Input allowClear style={{ width: 180 }} />
        </Form.Item>
        <Form.Item label={t("audit.filter.actorId")} name="actorId">
          <Input allowClear style={{ width: 200 }} />
        </Form.Item>
        <Form.Item label={t("audit.filter.targetId")} name="targetId">
          <Input allowClear style={{ width: 200 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t("audit.filter.apply")}
          </Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Table<AuditEntry>
        rowKey="id"
        columns={columns}
        dataSource={page?.items ?? []}
        loading={loading}
        pagination={false}
        size="small"
        caption={<TableCaption>{t("audit.tableCaption")}</TableCaption>}
      />
      <CursorPager pages={pages} nextCursor={page?.nextCursor} />
    </>
  );
}
