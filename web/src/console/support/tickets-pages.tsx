// The ticket inbox (chat, email and phone in one list, with each ticket's SLA clocks) and the
// way in to one ticket. The list follows the ticket stream (ticket-events.ts): a change anyone
// makes shows within moments; a slow full read covers what a stream could still miss.
import { Alert, Button, Input, Radio, Select, Space, Table, type TableColumnsType } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { get } from "../../common/api";
import { CursorPager, useCursorPages } from "../cursor-pages";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";
import { useTicketEvents } from "./ticket-events";
import { LogCallModal } from "./ticket-log-call";
import {
  type Colleague,
  categoryLabel,
  channelLabel,
  colleagueName,
  type InboxTicket,
  PriorityTag,
  priorityLabel,
  requesterOf,
  SlaTag,
  statusLabel,
  type TicketCategory,
  type TicketChannel,
  type TicketPriority,
  type TicketStatus,
  ticketCategories,
  ticketChannels,
  ticketPriorities,
  ticketStatuses,
} from "./ticket-parts";
import "./support.css";

export { TicketPage } from "./ticket-detail-page";

type View = "open" | "mine" | "unassigned" | "all";
type Filters = {
  view: View;
  status?: TicketStatus;
  category?: TicketCategory;
  priority?: TicketPriority;
  channel?: TicketChannel;
  assigneeId?: string;
  q?: string;
};
type InboxPage = { items: InboxTicket[]; nextCursor: string | null };

const PAGE_SIZE = 25;
const CLOCK_TICK_MS = 30_000;
const SAFETY_REFETCH_MS = 5 * 60_000;

export function TicketsPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>({ view: "open" });
  const [search, setSearch] = useState("");
  const pages = useCursorPages();
  const [page, setPage] = useState<InboxPage | null>(null);
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [logging, setLogging] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const cursor = pages.cursor;

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const q = new URLSearchParams({ view: filters.view, limit: String(PAGE_SIZE) });
      for (const key of ["status", "category", "priority", "channel", "assigneeId", "q"] as const) {
        const v = filters[key];
        if (v) q.set(key, v);
      }
      if (cursor) q.set("cursor", cursor);
      setPage(await get<InboxPage>(`/api/v1/console/support/tickets?${q}`));
      setNow(Date.now());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [filters, cursor, errorText]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), SAFETY_REFETCH_MS);
    const tick = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => {
      clearInterval(timer);
      clearInterval(tick);
    };
  }, [load]);
  // Any ticket's change may move it into, out of or within this page: read the page again.
  useTicketEvents(() => void load());

  useEffect(() => {
    get<{ items: Colleague[] }>("/api/v1/console/support/colleagues")
      .then((r) => setColleagues(r.items))
      .catch((err: unknown) => setError(errorText(err)));
  }, [errorText]);

  const refine = (change: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...change }));
    pages.reset();
  };

  const columns: TableColumnsType<InboxTicket> = [
    {
      title: t("tickets.col.number"),
      dataIndex: "number",
      width: 80,
      render: (n: string) => `#${n}`,
    },
    {
      title: t("tickets.col.subject"),
      dataIndex: "subject",
      render: (subject: string, r) => (
        <Link
          to={`/support/tickets/${r.id}`}
          aria-label={t("tickets.openTicket", { number: r.number, subject })}
        >
          {subject}
        </Link>
      ),
    },
    { title: t("tickets.col.requester"), key: "requester", render: (_, r) => requesterOf(t, r) },
    {
      title: t("tickets.col.channel"),
      dataIndex: "channel",
      render: (c: TicketChannel) => channelLabel(t, c),
    },
    {
      title: t("tickets.col.category"),
      dataIndex: "category",
      render: (c: TicketCategory) => categoryLabel(t, c),
    },
    {
      title: t("tickets.col.priority"),
      dataIndex: "priority",
      render: (p: TicketPriority) => <PriorityTag priority={p} />,
    },
    { title: t("tickets.col.status"), dataIndex: "status", render: (s: TicketStatus) => statusLabel(t, s) },
    {
      title: t("tickets.col.assignee"),
      dataIndex: "assigneeId",
      render: (id: string | null) => colleagueName(colleagues, id) ?? t("tickets.unassigned"),
    },
    {
      title: t("tickets.col.sla"),
      key: "sla",
      render: (_, r) =>
        r.sla.length === 0 ? (
          "—"
        ) : (
          <div style={{ display: "flex", flexDirection: "column", alignItems: "flex-start", gap: 2 }}>
            {r.sla.map((c) => (
              <SlaTag key={c.target} clock={c} now={now} />
            ))}
          </div>
        ),
    },
    {
      title: t("tickets.col.updatedAt"),
      dataIndex: "updatedAt",
      width: 170,
      render: (v: string) => formatTime(v),
    },
  ];

  const selectProps = { allowClear: true, style: { minWidth: 140 } };

  return (
    <>
      <PageTitle
        extra={
          <Space>
            <Button onClick={() => void load()}>{t("common.refresh")}</Button>
            <Button type="primary" onClick={() => setLogging(true)}>
              {t("tickets.logCall.open")}
            </Button>
          </Space>
        }
      >
        {t("tickets.title")}
      </PageTitle>
      <Space wrap style={{ marginBottom: 12 }} role="search" aria-label={t("tickets.filters")}>
        <Radio.Group
          aria-label={t("tickets.view.label")}
          optionType="button"
          buttonStyle="solid"
          value={filters.view}
          onChange={(e) => {
            const view = e.target.value as View;
            refine(view === "mine" || view === "unassigned" ? { view, assigneeId: undefined } : { view });
          }}
          options={[
            { value: "open", label: t("tickets.view.open") },
            { value: "mine", label: t("tickets.view.mine") },
            { value: "unassigned", label: t("tickets.view.unassigned") },
            { value: "all", label: t("tickets.view.all") },
          ]}
        />
        <Select<TicketStatus>
          {...selectProps}
          aria-label={t("tickets.field.status")}
          placeholder={t("tickets.field.status")}
          value={filters.status}
          onChange={(v) => refine({ status: v })}
          options={ticketStatuses.map((s) => ({ value: s, label: statusLabel(t, s) }))}
        />
        <Select<TicketCategory>
          {...selectProps}
          aria-label={t("tickets.field.category")}
          placeholder={t("tickets.field.category")}
          value={filters.category}
          onChange={(v) => refine({ category: v })}
          options={ticketCategories.map((c) => ({ value: c, label: categoryLabel(t, c) }))}
        />
        <Select<TicketPriority>
          {...selectProps}
          aria-label={t("tickets.field.priority")}
          placeholder={t("tickets.field.priority")}
          value={filters.priority}
          onChange={(v) => refine({ priority: v })}
          options={ticketPriorities.map((p) => ({ value: p, label: priorityLabel(t, p) }))}
        />
        <Select<TicketChannel>
          {...selectProps}
          aria-label={t("tickets.field.channel")}
          placeholder={t("tickets.field.channel")}
          value={filters.channel}
          onChange={(v) => refine({ channel: v })}
          options={ticketChannels.map((c) => ({ value: c, label: channelLabel(t, c) }))}
        />
        <Select<string>
          {...selectProps}
          showSearch
          optionFilterProp="label"
          aria-label={t("tickets.field.assignee")}
          placeholder={t("tickets.field.assignee")}
          // "Mine" and "unassigned" already say whose tickets these are.
          disabled={filters.view === "mine" || filters.view === "unassigned"}
          value={filters.assigneeId}
          onChange={(v) => refine({ assigneeId: v })}
          options={colleagues.map((c) => ({ value: c.id, label: c.name ?? c.handle ?? c.id.slice(0, 8) }))}
        />
        <Input.Search
          aria-label={t("tickets.search")}
          placeholder={t("tickets.searchPlaceholder")}
          allowClear
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => refine({ q: v.trim() || undefined })}
          enterButton={t("tickets.searchButton")}
          style={{ width: 320 }}
        />
      </Space>
      {error ? <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 12 }} /> : null}
      <Table<InboxTicket>
        rowKey="id"
        columns={columns}
        dataSource={page?.items ?? []}
        loading={loading}
        pagination={false}
        size="small"
        caption={<TableCaption>{t("tickets.tableCaption")}</TableCaption>}
        locale={{ emptyText: <span className="oc-support-strong">{t("tickets.empty")}</span> }}
      />
      <CursorPager pages={pages} nextCursor={page?.nextCursor} />
      <LogCallModal
        open={logging}
        onClose={() => setLogging(false)}
        onLogged={(ticket, joined) => {
          setLogging(false);
          navigate(`/support/tickets/${ticket.id}`, { state: { joined } });
        }}
      />
    </>
  );
}
