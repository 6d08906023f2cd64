// Maker-checker queue: what waits for a second pair of eyes, filtered by status and kind.
import { Alert, Badge, Button, Form, Select, Space, Table, type TableColumnsType } from "antd";
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../common/api";
import type { Page, ReviewStatus } from "../api-types";
import { useCursorList } from "../cursor-pages";
import { ageLabel, formatTime, reviewKindLabel, reviewStatusLabel, statusBadge } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { ApprovalCount, type ReviewWithApprovals } from "./approvals";
import { ReviewDrawer } from "./review-drawer";

type StatusFilter = ReviewStatus | "all";

const knownKinds = ["profile_change", "unfreeze", "withdrawal", "refund"];

export function ReviewQueuePage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<StatusFilter>("pending");
  const [kind, setKind] = useState<string>("");
  const [openId, setOpenId] = useState<string | null>(null);
  const [seenKinds, setSeenKinds] = useState<string[]>(knownKinds);

  const fetchPage = useCallback(
    (cursor: string | null) => {
      const q = new URLSearchParams({ limit: "20" });
      if (status !== "all") q.set("status", status);
      if (kind) q.set("kind", kind);
      if (cursor) q.set("cursor", cursor);
      return get<Page<ReviewWithApprovals>>(`/api/v1/console/reviews?${q}`);
    },
    [status, kind],
  );
  const list = useCursorList(
    fetchPage,
    (page: Page<ReviewWithApprovals>) => page.items,
    (page) => setSeenKinds((prev) => [...new Set([...prev, ...page.items.map((i) => i.kind)])]),
  );
  const { nextCursor, loading, error, more, reload, setItems } = list;
  const items = list.items ?? [];

  const columns: TableColumnsType<ReviewWithApprovals> = useMemo(
    () => [
      { title: t("reviews.col.kind"), dataIndex: "kind", render: (k: string) => reviewKindLabel(t, k) },
      {
        title: t("reviews.col.customer"),
        key: "customer",
        render: (_, item) =>
          item.subject ? `${item.subject.name ?? "—"} ${item.subject.phone ?? ""}`.trim() : "—",
      },
      {
        title: t("reviews.col.summary"),
        key: "summary",
        render: (_, item) => (
          <Button
            type="link"
            style={{ padding: 0, height: "auto", whiteSpace: "normal", textAlign: "start" }}
            onClick={() => setOpenId(item.id)}
          >
            {item.title}
          </Button>
        ),
      },
      {
        title: t("reviews.col.status"),
        dataIndex: "status",
        render: (s: string) => <Badge status={statusBadge(s)} text={reviewStatusLabel(t, s)} />,
      },
      {
        title: t("reviews.approvalsCol"),
        key: "approvals",
        render: (_, item) => <ApprovalCount item={item} />,
      },
      {
        title: t("reviews.col.age"),
        dataIndex: "createdAt",
        render: (at: string) => <span title={formatTime(at)}>{ageLabel(t, at)}</span>,
      },
    ],
    [t],
  );

  return (
    <>
      <PageTitle>{t("reviews.title")}</PageTitle>
      <Form layout="inline" style={{ marginBottom: 16 }} aria-label={t("reviews.filters")}>
        <Form.Item label={t("reviews.filterStatus")} htmlFor="review-status-filter">
          <Select
            id="review-status-filter"
            style={{ width: 140 }}
            value={status}
            onChange={(v: StatusFilter) => setStatus(v)}
            options={[
              { value: "pending", label: reviewStatusLabel(t, "pending") },
              { value: "approved", label: reviewStatusLabel(t, "approved") },
              { value: "rejected", label: reviewStatusLabel(t, "rejected") },
              { value: "all", label: t("reviews.all") },
            ]}
          />
        </Form.Item>
        <Form.Item label={t("reviews.filterKind")} htmlFor="review-kind-filter">
          <Select
            id="review-kind-filter"
            style={{ width: 180 }}
            value={kind}
            onChange={(v: string) => setKind(v)}
            options={[
              { value: "", label: t("reviews.all") },
              ...seenKinds.map((k) => ({ value: k, label: reviewKindLabel(t, k) })),
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Button onClick={reload}>{t("common.refresh")}</Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Table<ReviewWithApprovals>
        rowKey="id"
        columns={columns}
        dataSource={items}
        loading={loading}
        pagination={false}
        caption={<TableCaption>{t("reviews.tableCaption")}</TableCaption>}
        onRow={(item) => ({ onDoubleClick: () => setOpenId(item.id) })}
      />
      {nextCursor && (
        <Space style={{ marginTop: 16 }}>
          <Button onClick={more} loading={loading}>
            {t("common.loadMore")}
          </Button>
        </Space>
      )}
      <ReviewDrawer
        id={openId}
        onClose={() => setOpenId(null)}
        onDecided={(updated) =>
          setItems((prev) => prev?.map((i) => (i.id === updated.id ? updated : i)) ?? null)
        }
      />
    </>
  );
}
