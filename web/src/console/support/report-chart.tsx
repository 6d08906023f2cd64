// A chart for the support reports: ECharts (only the bar and line charts and the components they
// use, on canvas) in a box that screen readers read as one image with a text summary, and the
// same numbers as a table for anyone who cannot read the picture.
import { Card, Collapse, Table, type TableColumnsType } from "antd";
import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from "echarts/charts";
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from "echarts/components";
import { type ComposeOption, init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ReportChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** Series colours with at least 3:1 contrast on white (WCAG 1.4.11, non-text contrast). */
const PALETTE = ["#1f5fbf", "#c2410c", "#2e7d32", "#6b3fa0", "#8a6d00"];

function prefersReducedMotion(): boolean {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

/**
 * One ECharts instance for the life of the element: made on mount, given each new option, sized
 * with its box, disposed on unmount. Animation is off for people who asked for less motion.
 */
export function ReportChart({
  option,
  summary,
  height = 260,
  empty = false,
}: {
  option: ReportChartOption;
  /** Nothing to draw: the axes stay, with a word across them (the summary already says so). */
  empty?: boolean;
  /** What the chart shows, in words: read out instead of the picture. */
  summary: string;
  height?: number;
}) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement | null>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const instance = init(el, undefined, { renderer: "canvas" });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      { color: PALETTE, animation: !prefersReducedMotion(), ...option },
      { notMerge: true },
    );
  }, [option]);

  return (
    <div className="oc-report-chart">
      <div ref={box} role="img" aria-label={summary} style={{ width: "100%", height }} />
      {empty ? (
        <div className="oc-report-empty" aria-hidden="true">
          {t("reports.noData")}
        </div>
      ) : null}
    </div>
  );
}

export type ChartTable<Row> = {
  caption: string;
  columns: TableColumnsType<Row>;
  rows: Row[];
  rowKey: keyof Row & string;
};

/** A titled card: the chart(s), then the numbers as a table behind a "show the data" switch. */
export function ChartCard<Row extends object>({
  id,
  title,
  children,
  table,
}: {
  id: string;
  title: string;
  children: React.ReactNode;
  table: ChartTable<Row>;
}) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      title={
        <h2 id={`${id}-title`} className="oc-report-h2">
          {title}
        </h2>
      }
      aria-labelledby={`${id}-title`}
      role="region"
    >
      {children}
      <Collapse
        ghost
        size="small"
        items={[
          {
            key: "data",
            label: t("reports.showData", { title }),
            children: (
              <Table<Row>
                size="small"
                pagination={false}
                rowKey={table.rowKey}
                columns={table.columns}
                dataSource={table.rows}
                caption={<span className="oc-report-caption">{table.caption}</span>}
                locale={{ emptyText: <span className="oc-report-strong">{t("reports.noData")}</span> }}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
