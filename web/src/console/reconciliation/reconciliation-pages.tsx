// Reconciliation for finance: runs of the daily comparison of gateway statements with the ledger,
// one run's matches and exceptions, starting a run for a day, and resolving an exception with a note.
import {
  Alert,
  Badge,
  Button,
  Descriptions,
  Form,
  Input,
  Modal,
  Space,
  Table,
  type TableColumnsType,
} from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import { get, post } from "../../common/api";
import { useDialogProps } from "../dialogs";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";

export type ReconciliationRun = {
  id: string;
  date: string;
  status: "running" | "completed" | "failed";
  gateways: string[];
  matched: number;
  autoCredited: number;
  exceptions: number;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
};

export type ReconciliationMatch = {
  id: string;
  gateway: string;
  paymentId: string;
  topupId: string;
  amount: number;
  currency: string;
  outcome: "matched" | "auto_credited";
  ledgerTransferId: string | null;
};

export type ReconciliationException = {
  id: string;
  runId: string;
  gateway: string;
  kind: string;
  paymentId: string | null;
  topupId: string | null;
  gatewayAmount: number | null;
  ledgerAmount: number | null;
  detail: string;
  status: "open" | "resolved";
  resolvedBy: string | null;
  resolvedAt: string | null;
  note: string | null;
  createdAt: string;
};

type RunDetail = ReconciliationRun & {
  matches: ReconciliationMatch[];
  exceptionItems: ReconciliationException[];
};

/** Fen as yuan: 12345 → "¥123.45"; null → "—". */
function yuan(fen: number | null): string {
  if (fen === null) return "—";
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100).toLocaleString("en")}.${String(abs % 100).padStart(2, "0")}`;
}

function chinaToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function chinaYesterday(): string {
  return new Date(Date.now() + 8 * 3_600_000 - 24 * 3_600_000).toISOString().slice(0, 10);
}

/** Antd's empty-table text is too faint for WCAG AA; this reads at full contrast. */
function EmptyText({ children }: { children: string }) {
  return <span style={{ color: "rgba(0, 0, 0, 0.72)" }}>{children}</span>;
}

function RunStatus({ status }: { status: ReconciliationRun["status"] }) {
  const { t } = useTranslation();
  const badge = status === "completed" ? "success" : status === "failed" ? "error" : "processing";
  return <Badge status={badge} text={t(`reconciliation.status.${status}`)} />;
}

export function ReconciliationRunsPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [runs, setRuns] = useState<ReconciliationRun[]>([]);
  const [open, setOpen] = useState<ReconciliationException[]>([]);
  const [loading, setLoading] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const [page, exceptions] = await Promise.all([
        get<{ items: ReconciliationRun[] }>("/api/v1/console/reconciliation/runs?limit=50"),
        get<{ items: ReconciliationException[] }>("/api/v1/console/reconciliation/exceptions"),
      ]);
      setRuns(page.items);
      setOpen(exceptions.items);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [errorText]);

  useEffect(() => {
    void load();
  }, [load]);

  async function start(values: { date: string }) {
    setStarting(true);
    setError(null);
    try {
      const run = await post<ReconciliationRun>("/api/v1/console/reconciliation/runs", { date: values.date });
      navigate(`/reconciliation/${run.id}`);
    } catch (err) {
      setError(errorText(err));
      await load();
    } finally {
      setStarting(false);
    }
  }

  const columns: TableColumnsType<ReconciliationRun> = [
    {
      title: t("reconciliation.col.date"),
      dataIndex: "date",
      render: (v: string, r) => <Link to={`/reconciliation/${r.id}`}>{v}</Link>,
    },
    {
      title: t("reconciliation.col.status"),
      dataIndex: "status",
      render: (v: ReconciliationRun["status"]) => <RunStatus status={v} />,
    },
    { title: t("reconciliation.col.gateways"), dataIndex: "gateways", render: (v: string[]) => v.join(", ") },
    { title: t("reconciliation.col.matched"), dataIndex: "matched" },
    { title: t("reconciliation.col.autoCredited"), dataIndex: "autoCredited" },
    { title: t("reconciliation.col.exceptions"), dataIndex: "exceptions" },
    {
      title: t("reconciliation.col.startedBy"),
      dataIndex: "startedBy",
      render: (v: string | null) => (v ? t("reconciliation.byStaff") : t("reconciliation.byJob")),
    },
    {
      title: t("reconciliation.col.startedAt"),
      dataIndex: "startedAt",
      render: (v: string) => formatTime(v),
    },
  ];

  return (
    <>
      <PageTitle
        extra={
          <Button onClick={() => void load()} loading={loading}>
            {t("common.refresh")}
          </Button>
        }
      >
        {t("reconciliation.title")}
      </PageTitle>
      <p>{t("reconciliation.intro")}</p>
      <Form
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{ date: chinaYesterday() }}
        onFinish={(v: { date: string }) => void start(v)}
      >
        <Form.Item
          label={t("reconciliation.date")}
          name="date"
          rules={[{ required: true, message: t("reconciliation.dateRequired") }]}
        >
          <Input type="date" max={chinaToday()} style={{ width: 180 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={starting}>
            {t("reconciliation.start")}
          </Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Table<ReconciliationRun>
        rowKey="id"
        columns={columns}
        dataSource={runs}
        loading={loading}
        pagination={false}
        size="small"
        caption={<TableCaption>{t("reconciliation.runsCaption")}</TableCaption>}
        locale={{ emptyText: <EmptyText>{t("reconciliation.noRuns")}</EmptyText> }}
      />
      <div style={{ marginTop: 24 }}>
        <ExceptionsTable
          items={open}
          caption={t("reconciliation.openCaption")}
          onResolved={() => void load()}
        />
      </div>
    </>
  );
}

function ExceptionsTable({
  items,
  caption,
  onResolved,
}: {
  items: ReconciliationException[];
  caption: string;
  onResolved(): void;
}) {
  const { t } = useTranslation();
  const [resolving, setResolving] = useState<ReconciliationException | null>(null);
  const columns: TableColumnsType<ReconciliationException> = [
    {
      title: t("reconciliation.col.kind"),
      dataIndex: "kind",
      render: (v: string) => t(`reconciliation.kind.${v}`),
    },
    { title: t("reconciliation.col.gateway"), dataIndex: "gateway" },
    { title: t("reconciliation.col.topup"), dataIndex: "topupId", render: (v: string | null) => v ?? "—" },
    { title: t("reconciliation.col.gatewayAmount"), dataIndex: "gatewayAmount", render: yuan },
    { title: t("reconciliation.col.ledgerAmount"), dataIndex: "ledgerAmount", render: yuan },
    { title: t("reconciliation.col.detail"), dataIndex: "detail" },
    {
      title: t("reconciliation.col.state"),
      key: "state",
      render: (_, x) =>
        x.status === "open" ? (
          <Button onClick={() => setResolving(x)} aria-label={t("reconciliation.resolveFor", { id: x.id })}>
            {t("reconciliation.resolve")}
          </Button>
        ) : (
          <span>
            {t("reconciliation.resolvedAt", { at: formatTime(x.resolvedAt) })}
            <br />
            {x.note}
          </span>
        ),
    },
  ];
  return (
    <>
      <Table<ReconciliationException>
        rowKey="id"
        columns={columns}
        dataSource={items}
        pagination={false}
        size="small"
        caption={<TableCaption>{caption}</TableCaption>}
        locale={{ emptyText: <EmptyText>{t("reconciliation.noExceptions")}</EmptyText> }}
      />
      {resolving && (
        <ResolveDialog
          item={resolving}
          onClose={() => setResolving(null)}
          onResolved={() => {
            setResolving(null);
            onResolved();
          }}
        />
      )}
    </>
  );
}

function ResolveDialog({
  item,
  onClose,
  onResolved,
}: {
  item: ReconciliationException;
  onClose(): void;
  onResolved(): void;
}) {
  const { t } = useTranslation();
  const dialogProps = useDialogProps();
  const errorText = useErrorText();
  const [form] = Form.useForm<{ note: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send(values: { note: string }) {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/v1/console/reconciliation/exceptions/${item.id}/resolve`, { note: values.note });
      onResolved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      {...dialogProps}
      open
      title={t("reconciliation.resolveTitle")}
      okText={t("reconciliation.resolve")}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy }}
      destroyOnHidden
    >
      <p>
        {t(`reconciliation.kind.${item.kind}`)} · {item.detail}
      </p>
      <Form<{ note: string }>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => void send(v)}
      >
        <Form.Item
          label={t("reconciliation.note")}
          name="note"
          extra={t("reconciliation.noteHint")}
          rules={[{ required: true, whitespace: true, message: t("reconciliation.noteRequired") }]}
        >
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" showIcon title={error} role="alert" /> : null}
    </Modal>
  );
}

export function ReconciliationRunPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { id = "" } = useParams();
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setRun(await get<RunDetail>(`/api/v1/console/reconciliation/runs/${encodeURIComponent(id)}`));
    } catch (err) {
      setError(errorText(err));
    }
  }, [id, errorText]);

  useEffect(() => {
    void load();
  }, [load]);

  const matchColumns: TableColumnsType<ReconciliationMatch> = [
    {
      title: t("reconciliation.col.outcome"),
      dataIndex: "outcome",
      render: (v: string) => (
        <Badge
          status={v === "auto_credited" ? "warning" : "success"}
          text={t(`reconciliation.outcome.${v}`)}
        />
      ),
    },
    { title: t("reconciliation.col.gateway"), dataIndex: "gateway" },
    { title: t("reconciliation.col.payment"), dataIndex: "paymentId" },
    { title: t("reconciliation.col.topup"), dataIndex: "topupId" },
    { title: t("reconciliation.col.amount"), dataIndex: "amount", render: yuan },
  ];

  return (
    <>
      <PageTitle extra={<Link to="/reconciliation">{t("reconciliation.back")}</Link>}>
        {run ? t("reconciliation.runTitle", { date: run.date }) : t("reconciliation.title")}
      </PageTitle>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      {run && (
        <Space direction="vertical" size="large" style={{ width: "100%" }}>
          <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t("reconciliation.col.status")}>
              <RunStatus status={run.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t("reconciliation.col.gateways")}>
              {run.gateways.join(", ")}
            </Descriptions.Item>
            <Descriptions.Item label={t("reconciliation.col.startedAt")}>
              {formatTime(run.startedAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t("reconciliation.col.matched")}>{run.matched}</Descriptions.Item>
            <Descriptions.Item label={t("reconciliation.col.autoCredited")}>
              {run.autoCredited}
            </Descriptions.Item>
            <Descriptions.Item label={t("reconciliation.col.exceptions")}>{run.exceptions}</Descriptions.Item>
          </Descriptions>
          {run.error && <Alert type="error" showIcon title={run.error} role="alert" />}
          <ExceptionsTable
            items={run.exceptionItems}
            caption={t("reconciliation.exceptionsCaption")}
            onResolved={() => void load()}
          />
          <Table<ReconciliationMatch>
            rowKey="id"
            columns={matchColumns}
            dataSource={run.matches}
            pagination={false}
            size="small"
            caption={<TableCaption>{t("reconciliation.matchesCaption")}</TableCaption>}
            locale={{ emptyText: <EmptyText>{t("reconciliation.noMatches")}</EmptyText> }}
          />
        </Space>
      )}
    </>
  );
}
