// The support desk's figures for a period a supervisor picks (the last 7 days unless changed):
// key figures, then charts of volume, response and resolution times, SLA breaches, satisfaction
// (ticket surveys and chat ratings) and agent load — each with its numbers as a table — and the
// same report as a CSV file.
import { Alert, Button, Form, Input, Space } from "antd";
import type { TFunction } from "i18next";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../common/api";
import { PageTitle } from "../page-title";
import { useErrorText } from "../use-error-text";
import { ChartCard, ReportChart, type ReportChartOption } from "./report-chart";
import {
  chinaToday,
  downloadReportCsv,
  lastDays,
  RATINGS,
  reportQuery,
  type SupportReport,
} from "./report-data";
import "./reports.css";

type Period = { from: string; to: string };
type NamedCount = { key: string; label: string; count: number };

function named(counts: Record<string, number>, label: (key: string) => string): NamedCount[] {
  return Object.entries(counts)
    .map(([key, count]) => ({ key, label: label(key), count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

function countColumns(t: TFunction, what: string) {
  return [
    { title: what, dataIndex: "label" },
    { title: t("reports.col.count"), dataIndex: "count", align: "right" as const },
  ];
}

/** Labelled counts as the words a screen reader reads for a chart. */
function countList(t: TFunction, items: NamedCount[]) {
  return items.length === 0
    ? t("reports.none")
    : items.map((i) => `${i.label} ${i.count}`).join(t("reports.sep"));
}

/** A chart of labelled counts, with its numbers as a table of label and count. */
function CountChartCard({
  id,
  title,
  what,
  rows,
  empty,
  option,
}: {
  id: string;
  title: string;
  /** The table's heading over the labels. */
  what: string;
  rows: NamedCount[];
  empty: boolean;
  option: ReportChartOption;
}) {
  const { t } = useTranslation();
  return (
    <ChartCard
      id={id}
      title={title}
      table={{ caption: title, rowKey: "key", rows, columns: countColumns(t, what) }}
    >
      <ReportChart
        empty={empty}
        option={option}
        summary={t("reports.summary", { title, items: countList(t, rows) })}
      />
    </ChartCard>
  );
}

/** A bar chart of labelled counts, horizontal when the labels are long. */
function barsOf(items: NamedCount[], opts: { horizontal?: boolean; name: string }): ReportChartOption {
  const labels = items.map((i) => i.label);
  const values = items.map((i) => i.count);
  const category = { type: "category" as const, data: labels, axisLabel: { interval: 0 } };
  const value = { type: "value" as const, minInterval: 1 };
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: opts.horizontal ? value : category,
    yAxis: opts.horizontal ? { ...category, inverse: true } : value,
    series: [{ type: "bar", name: opts.name, data: values, barMaxWidth: 36 }],
  };
}

export function SupportReportsPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [period, setPeriod] = useState<Period>(() => lastDays(7));
  const [draft, setDraft] = useState<Period>(period);
  const [report, setReport] = useState<SupportReport | null>(null);
  const [loading, setLoading] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(
    async (p: Period) => {
      setLoading(true);
      setError(null);
      try {
        setReport(await get<SupportReport>(reportQuery(p)));
      } catch (err) {
        setError(errorText(err));
      } finally {
        setLoading(false);
      }
    },
    [errorText],
  );

  useEffect(() => {
    void load(period);
  }, [load, period]);

  const choose = (p: Period) => {
    setDraft(p);
    setPeriod(p);
    setSaved(null);
  };

  const onShow = () => {
    if (!draft.from || !draft.to || draft.from > draft.to) {
      setError(t("reports.badPeriod"));
      return;
    }
    choose({ ...draft });
  };

  const download = async () => {
    setDownloading(true);
    setError(null);
    try {
      setSaved(await downloadReportCsv(period));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setDownloading(false);
    }
  };

  const minutes = (v: number | null) => (v === null ? "—" : t("reports.minutes", { n: v }));

  const categories = useMemo(
    () => named(report?.volume.byCategory ?? {}, (k) => t(`tickets.category.${k}`, { defaultValue: k })),
    [report, t],
  );
  const channels = useMemo(() => {
    const items = named(report?.volume.byChannel ?? {}, (k) =>
      t(`reports.ticketChannel.${k}`, { defaultValue: k }),
    );
    return [
      ...items,
      { key: "live_chat", label: t("reports.liveChats"), count: report?.chats.handedOver ?? 0 },
    ];
  }, [report, t]);
  const byDay = useMemo(
    () => (report?.volume.byDay ?? []).map((d) => ({ key: d.date, label: d.date, count: d.count })),
    [report],
  );
  const breachTargets = useMemo(
    () =>
      (["first_response", "next_response", "resolution"] as const).map((k) => ({
        key: k,
        label: t(`tickets.sla.${k}`),
        count: report?.slaBreaches.byTarget[k] ?? 0,
      })),
    [report, t],
  );
  const breachPriorities = useMemo(
    () =>
      (["urgent", "high", "normal", "low"] as const).map((k) => ({
        key: k,
        label: t(`tickets.priority.${k}`),
        count: report?.slaBreaches.byPriority[k] ?? 0,
      })),
    [report, t],
  );
  const times = useMemo(
    () => [
      { key: "first", label: t("reports.firstResponse"), ...(report?.firstResponseMinutes ?? nullTimes) },
      { key: "resolution", label: t("reports.resolution"), ...(report?.resolutionMinutes ?? nullTimes) },
    ],
    [report, t],
  );
  const ratings = useMemo(
    () =>
      RATINGS.map((r) => ({
        key: r,
        label: t("reports.stars", { n: Number(r) }),
        tickets: report?.satisfaction.tickets.distribution[r] ?? 0,
        chats: report?.satisfaction.chats.distribution[r] ?? 0,
        all: report?.satisfaction.distribution[r] ?? 0,
      })),
    [report, t],
  );
  const agents = useMemo(
    () =>
      (report?.agents ?? []).map((a) => ({
        ...a,
        label: a.name ?? a.agentId.slice(0, 8),
      })),
    [report],
  );

  const volumeOption = useMemo(
    () => barsOf(categories, { horizontal: true, name: t("reports.tickets") }),
    [categories, t],
  );
  const channelOption = useMemo(() => barsOf(channels, { name: t("reports.volume") }), [channels, t]);
  const dayOption = useMemo<ReportChartOption>(
    () => ({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: byDay.map((d) => d.label) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: t("reports.tickets"), data: byDay.map((d) => d.count) }],
    }),
    [byDay, t],
  );
  const timesOption = useMemo<ReportChartOption>(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: times.map((x) => x.label) },
      yAxis: { type: "value" },
      series: [
        { type: "bar", name: t("reports.median"), data: times.map((x) => x.median ?? 0), barMaxWidth: 36 },
        { type: "bar", name: t("reports.p90"), data: times.map((x) => x.p90 ?? 0), barMaxWidth: 36 },
      ],
    }),
    [times, t],
  );
  const breachTargetOption = useMemo(
    () => barsOf(breachTargets, { horizontal: true, name: t("reports.breaches") }),
    [breachTargets, t],
  );
  const breachPriorityOption = useMemo(
    () => barsOf(breachPriorities, { horizontal: true, name: t("reports.breaches") }),
    [breachPriorities, t],
  );
  const ratingOption = useMemo<ReportChartOption>(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: ratings.map((r) => r.label) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", stack: "all", name: t("reports.ticketSurveys"), data: ratings.map((r) => r.tickets) },
        { type: "bar", stack: "all", name: t("reports.chatRatings"), data: ratings.map((r) => r.chats) },
      ],
    }),
    [ratings, t],
  );
  const agentOption = useMemo<ReportChartOption>(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: agents.map((a) => a.label), inverse: true },
      series: [
        { type: "bar", name: t("reports.col.openNow"), data: agents.map((a) => a.openNow) },
        { type: "bar", name: t("reports.col.openChatsNow"), data: agents.map((a) => a.openChatsNow) },
        { type: "bar", name: t("reports.col.resolved"), data: agents.map((a) => a.resolvedInPeriod) },
        {
          type: "bar",
          name: t("reports.col.chatsAnswered"),
          data: agents.map((a) => a.chatsAnsweredInPeriod),
        },
      ],
    }),
    [agents, t],
  );

  const satisfactionAverage = (avg: number | null) => (avg === null ? "—" : avg.toFixed(2));

  return (
    <>
      <PageTitle
        extra={
          <Button onClick={() => void download()} loading={downloading} disabled={!report}>
            {t("reports.downloadCsv")}
          </Button>
        }
      >
        {t("reports.title")}
      </PageTitle>
      <p className="oc-report-strong">{t("reports.intro")}</p>
      <Form
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        aria-label={t("reports.periodLabel")}
        role="search"
        onFinish={() => onShow()}
      >
        <Form.Item label={t("reports.from")} htmlFor="oc-report-from">
          <Input
            id="oc-report-from"
            type="date"
            max={chinaToday()}
            value={draft.from}
            onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))}
            style={{ width: 170 }}
          />
        </Form.Item>
        <Form.Item label={t("reports.to")} htmlFor="oc-report-to">
          <Input
            id="oc-report-to"
            type="date"
            max={chinaToday()}
            value={draft.to}
            onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))}
            style={{ width: 170 }}
          />
        </Form.Item>
        <Form.Item>
          <Space wrap>
            <Button type="primary" htmlType="submit" loading={loading}>
              {t("reports.show")}
            </Button>
            <Button onClick={() => choose(lastDays(7))}>{t("reports.last7")}</Button>
            <Button onClick={() => choose(lastDays(30))}>{t("reports.last30")}</Button>
          </Space>
        </Form.Item>
      </Form>
      <p role="status" className="oc-report-strong">
        {t("reports.showing", { from: period.from, to: period.to })}
        {saved ? ` ${t("reports.saved", { name: saved })}` : ""}
      </p>
      {error ? <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
      {report ? (
        <>
          <section aria-label={t("reports.kpis")} className="oc-report-kpis">
            <Kpi label={t("reports.kpi.tickets")} value={String(report.volume.total)} />
            <Kpi label={t("reports.kpi.liveChats")} value={String(report.chats.handedOver)} />
            <Kpi
              label={t("reports.kpi.firstResponse")}
              value={minutes(report.firstResponseMinutes.median)}
              note={t("reports.kpi.p90", { v: minutes(report.firstResponseMinutes.p90) })}
            />
            <Kpi
              label={t("reports.kpi.resolution")}
              value={minutes(report.resolutionMinutes.median)}
              note={t("reports.kpi.p90", { v: minutes(report.resolutionMinutes.p90) })}
            />
            <Kpi
              label={t("reports.kpi.chatWait")}
              value={minutes(report.chats.firstReplyMinutes.median)}
              note={t("reports.kpi.wallClock")}
            />
            <Kpi label={t("reports.kpi.breaches")} value={String(report.slaBreaches.total)} />
            <Kpi
              label={t("reports.kpi.escalations")}
              value={String(report.escalations.total)}
              note={t("reports.kpi.escalationSplit", {
                supervisors: report.escalations.toSupervisors,
                technical: report.escalations.toTechnical,
                badRating: report.escalations.afterBadRating,
              })}
            />
            <Kpi
              label={t("reports.kpi.satisfaction")}
              value={satisfactionAverage(report.satisfaction.average)}
              note={t("reports.kpi.satisfactionSplit", {
                tickets: satisfactionAverage(report.satisfaction.tickets.average),
                chats: satisfactionAverage(report.satisfaction.chats.average),
                n: report.satisfaction.answered,
              })}
            />
          </section>

          <div className="oc-report-grid">
            <CountChartCard
              id="oc-report-category"
              title={t("reports.byCategory")}
              what={t("reports.col.category")}
              rows={categories}
              empty={categories.length === 0}
              option={volumeOption}
            />
            <CountChartCard
              id="oc-report-channel"
              title={t("reports.byChannel")}
              what={t("reports.col.channel")}
              rows={channels}
              empty={channels.every((c) => c.count === 0)}
              option={channelOption}
            />
            <CountChartCard
              id="oc-report-day"
              title={t("reports.byDay")}
              what={t("reports.col.day")}
              rows={byDay}
              empty={byDay.length === 0}
              option={dayOption}
            />

            <ChartCard
              id="oc-report-times"
              title={t("reports.times")}
              table={{
                caption: t("reports.times"),
                rowKey: "key",
                rows: times,
                columns: [
                  { title: t("reports.col.measure"), dataIndex: "label" },
                  { title: t("reports.col.count"), dataIndex: "count", align: "right" },
                  { title: t("reports.median"), dataIndex: "median", align: "right", render: minutes },
                  { title: t("reports.p90"), dataIndex: "p90", align: "right", render: minutes },
                ],
              }}
            >
              <ReportChart
                empty={times.every((x) => x.count === 0)}
                option={timesOption}
                summary={t("reports.summary", {
                  title: t("reports.times"),
                  items: times
                    .map((x) =>
                      t("reports.timeSummary", {
                        label: x.label,
                        median: minutes(x.median),
                        p90: minutes(x.p90),
                      }),
                    )
                    .join(t("reports.sep")),
                })}
              />
            </ChartCard>

            <ChartCard
              id="oc-report-breaches"
              title={t("reports.breachesTitle", { n: report.slaBreaches.total })}
              table={{
                caption: t("reports.breachesTitle", { n: report.slaBreaches.total }),
                rowKey: "key",
                rows: [
                  ...breachTargets,
                  ...breachPriorities.map((p) => ({ ...p, key: `priority-${p.key}` })),
                ],
                columns: countColumns(t, t("reports.col.breachBy")),
              }}
            >
              <div className="oc-report-pair">
                <ReportChart
                  height={170}
                  empty={report.slaBreaches.total === 0}
                  option={breachTargetOption}
                  summary={t("reports.summary", {
                    title: t("reports.breachesByTarget"),
                    items: countList(t, breachTargets),
                  })}
                />
                <ReportChart
                  height={170}
                  empty={report.slaBreaches.total === 0}
                  option={breachPriorityOption}
                  summary={t("reports.summary", {
                    title: t("reports.breachesByPriority"),
                    items: countList(t, breachPriorities),
                  })}
                />
              </div>
            </ChartCard>

            <ChartCard
              id="oc-report-satisfaction"
              title={t("reports.satisfaction")}
              table={{
                caption: t("reports.satisfaction"),
                rowKey: "key",
                rows: ratings,
                columns: [
                  { title: t("reports.col.rating"), dataIndex: "label" },
                  { title: t("reports.ticketSurveys"), dataIndex: "tickets", align: "right" },
                  { title: t("reports.chatRatings"), dataIndex: "chats", align: "right" },
                  { title: t("reports.col.together"), dataIndex: "all", align: "right" },
                ],
              }}
            >
              <ReportChart
                empty={report.satisfaction.answered === 0}
                option={ratingOption}
                summary={t("reports.summary", {
                  title: t("reports.satisfaction"),
                  items: ratings
                    .map((r) =>
                      t("reports.ratingSummary", { label: r.label, tickets: r.tickets, chats: r.chats }),
                    )
                    .join(t("reports.sep")),
                })}
              />
            </ChartCard>

            <ChartCard
              id="oc-report-agents"
              title={t("reports.agents")}
              table={{
                caption: t("reports.agents"),
                rowKey: "agentId",
                rows: agents,
                columns: [
                  { title: t("reports.col.agent"), dataIndex: "label" },
                  { title: t("reports.col.openNow"), dataIndex: "openNow", align: "right" },
                  { title: t("reports.col.replies"), dataIndex: "repliesInPeriod", align: "right" },
                  { title: t("reports.col.resolved"), dataIndex: "resolvedInPeriod", align: "right" },
                  { title: t("reports.col.openChatsNow"), dataIndex: "openChatsNow", align: "right" },
                  {
                    title: t("reports.col.chatsAnswered"),
                    dataIndex: "chatsAnsweredInPeriod",
                    align: "right",
                  },
                  { title: t("reports.col.chatReplies"), dataIndex: "chatRepliesInPeriod", align: "right" },
                ],
              }}
            >
              <ReportChart
                empty={agents.length === 0}
                height={Math.max(200, 80 + agents.length * 48)}
                option={agentOption}
                summary={t("reports.summary", {
                  title: t("reports.agents"),
                  items:
                    agents.length === 0
                      ? t("reports.none")
                      : agents
                          .map((a) =>
                            t("reports.agentSummary", {
                              name: a.label,
                              open: a.openNow,
                              chats: a.openChatsNow,
                              resolved: a.resolvedInPeriod,
                              answered: a.chatsAnsweredInPeriod,
                            }),
                          )
                          .join(t("reports.sep")),
                })}
              />
            </ChartCard>
          </div>
        </>
      ) : null}
    </>
  );
}

const nullTimes = { count: 0, median: null, p90: null };

function Kpi({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="oc-report-kpi">
      <div className="oc-report-kpi-label">{label}</div>
      <div className="oc-report-kpi-value">{value}</div>
      {note ? <div className="oc-report-kpi-note">{note}</div> : null}
    </div>
  );
}
