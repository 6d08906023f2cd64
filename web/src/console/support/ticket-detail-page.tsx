// One ticket as the agent works it: the thread (internal notes set apart), reply with a canned
// response, a note with @mentions, status/priority/category/assignee, the caller's code check,
// SLA clocks, the survey, merge and link.
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Input,
  Mentions,
  Popconfirm,
  Select,
  type SelectProps,
  Space,
  Table,
  type TableColumnsType,
  Tabs,
  Typography,
} from "antd";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router-dom";
import { get, patch, post } from "../../common/api";
import { formatTime } from "../labels";
import { PageTitle } from "../page-title";
import { useMe } from "../session";
import { useErrorText } from "../use-error-text";
import { CannedResponsesModal } from "./ticket-canned-responses";
import { CustomerFinder } from "./ticket-customer-finder";
import { useTicketEvents } from "./ticket-events";
import {
  type CannedResponse,
  type Colleague,
  categoryLabel,
  channelLabel,
  colleagueName,
  type InboxTicket,
  needsVerification,
  PriorityTag,
  priorityLabel,
  requesterOf,
  SlaTag,
  type SlaTimer,
  statusLabel,
  type Ticket,
  type TicketCategory,
  type TicketDetail,
  type TicketMessage,
  type TicketPriority,
  type TicketStatus,
  ToneTag,
  targetLabel,
  teamLabel,
  ticketCategories,
  ticketPriorities,
  ticketStatuses,
} from "./ticket-parts";
import "./support.css";

const CLOCK_TICK_MS = 30_000;
/** The ticket follows the ticket stream; this slow read covers what a stream could still miss. */
const SAFETY_RELOAD_MS = 5 * 60_000;

/** "@name" runs in the text, shown marked so a reader sees who was called in. */
function withMentions(body: string): ReactNode[] {
  return body.split(/(@[^\s@，。,、:：；;!！?？]+)/u).map((part, i) =>
    part.startsWith("@") ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
      <mark key={i}>{part}</mark>
    ) : (
      part
    ),
  );
}

function MessageItem({
  m,
  colleagues,
  ticket,
}: {
  m: TicketMessage;
  colleagues: Colleague[];
  ticket: Ticket;
}) {
  const { t } = useTranslation();
  let who: string;
  switch (m.kind) {
    case "customer":
      who = t("tickets.author.customer", { name: requesterOf(t, ticket) });
      break;
    case "agent":
      who = t("tickets.author.agent", { name: colleagueName(colleagues, m.authorId) ?? "—" });
      break;
    case "note":
      who = t("tickets.author.note", { name: colleagueName(colleagues, m.authorId) ?? "—" });
      break;
    case "system":
      who = t("tickets.author.system");
      break;
    default: {
      const never: never = m.kind;
      who = String(never);
    }
  }
  const noteStyle =
    m.kind === "note"
      ? { background: "#fff7e6", borderColor: "#ffd591", borderStyle: "dashed" as const }
      : {};
  return (
    <article
      className={`oc-support-msg oc-support-${m.kind === "note" ? "system" : m.kind}`}
      style={noteStyle}
      aria-label={who}
    >
      <Space size={6} wrap>
        <Typography.Text strong>{who}</Typography.Text>
        {m.kind === "note" ? <ToneTag tone="orange">{t("tickets.noteOnly")}</ToneTag> : null}
        <span className="oc-support-time">
          {formatTime(m.createdAt)} · {channelLabel(t, m.channel)}
        </span>
        {m.emailStatus ? (
          <ToneTag tone={m.emailStatus === "failed" ? "red" : m.emailStatus === "sent" ? "green" : undefined}>
            {m.emailStatus === "sent"
              ? t("tickets.email.sent")
              : m.emailStatus === "failed"
                ? t("tickets.email.failed")
                : t("tickets.email.queued")}
          </ToneTag>
        ) : null}
      </Space>
      <div className="oc-support-body">{m.kind === "note" ? withMentions(m.body) : m.body}</div>
      {m.mentions.length > 0 ? (
        <div className="oc-support-time">
          {t("tickets.notified", {
            names: m.mentions.map((id) => colleagueName(colleagues, id)).join("、"),
          })}
        </div>
      ) : null}
    </article>
  );
}

function Composer({
  ticket,
  colleagues,
  canned,
  onPosted,
  onCannedChanged,
  onError,
}: {
  ticket: Ticket;
  colleagues: Colleague[];
  canned: CannedResponse[];
  onPosted: () => Promise<void>;
  onCannedChanged: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation();
  const [managing, setManaging] = useState(false);
  const [reply, setReply] = useState("");
  const [cannedId, setCannedId] = useState<string | undefined>(undefined);
  const [note, setNote] = useState("");
  const [picked, setPicked] = useState<Array<{ id: string; handle: string }>>([]);
  const [busy, setBusy] = useState(false);
  const closed = ticket.status === "closed";
  const cannedBody = canned.find((c) => c.id === cannedId)?.body;

  // The server reads "@name" up to the next space: a name with a space is mentioned by its handle.
  const mentionable = colleagues.map((c) => ({
    id: c.id,
    handle: (c.name && !/\s/.test(c.name) ? c.name : null) ?? c.handle ?? c.id,
    label: c.name && c.handle ? `${c.name}（${c.handle}）` : (c.name ?? c.handle ?? c.id),
  }));

  const sendReply = async () => {
    if (!reply.trim() && !cannedId) return;
    setBusy(true);
    try {
      await post(`/api/v1/console/support/tickets/${ticket.id}/replies`, {
        ...(reply.trim() ? { body: reply.trim() } : {}),
        ...(cannedId ? { cannedResponseId: cannedId } : {}),
      });
      setReply("");
      setCannedId(undefined);
      await onPosted();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  const sendNote = async () => {
    const body = note.trim();
    if (!body) return;
    // Only the people still named in the text: a mention deleted after picking is not sent.
    const mentions = picked.filter((p) => body.includes(`@${p.handle}`)).map((p) => p.id);
    setBusy(true);
    try {
      await post(`/api/v1/console/support/tickets/${ticket.id}/notes`, {
        body,
        ...(mentions.length ? { mentions: [...new Set(mentions)] } : {}),
      });
      setNote("");
      setPicked([]);
      await onPosted();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Tabs
      defaultActiveKey={closed ? "note" : "reply"}
      items={[
        {
          key: "reply",
          label: t("tickets.reply.tab"),
          disabled: closed,
          children: (
            <Space orientation="vertical" style={{ width: "100%" }}>
              <Typography.Text>
                {ticket.channel === "email" ? t("tickets.reply.byEmail") : t("tickets.reply.onTicket")}
              </Typography.Text>
              <div style={{ display: "flex", gap: 8 }}>
                <Select
                  allowClear
                  showSearch
                  optionFilterProp="label"
                  aria-label={t("tickets.reply.canned")}
                  placeholder={t("tickets.reply.canned")}
                  style={{ flex: 1 }}
                  value={cannedId}
                  onChange={(v?: string) => setCannedId(v)}
                  options={canned.map((c) => ({ value: c.id, label: c.title }))}
                  notFoundContent={t("tickets.reply.noCanned")}
                />
                <Button onClick={() => setManaging(true)}>{t("tickets.canned.manage")}</Button>
              </div>
              <CannedResponsesModal
                open={managing}
                items={canned}
                onClose={() => setManaging(false)}
                onChanged={async () => {
                  await onCannedChanged();
                  // A deleted response can no longer start the reply.
                  setCannedId(undefined);
                }}
              />
              {cannedBody ? (
                <Alert
                  type="info"
                  title={t("tickets.reply.cannedPreview")}
                  description={<span className="oc-support-body">{cannedBody}</span>}
                />
              ) : null}
              <Input.TextArea
                aria-label={t("tickets.reply.label")}
                placeholder={cannedId ? t("tickets.reply.addToCanned") : t("tickets.reply.label")}
                value={reply}
                onChange={(e) => setReply(e.target.value)}
                autoSize={{ minRows: 3, maxRows: 10 }}
                maxLength={20000}
              />
              <Button
                type="primary"
                loading={busy}
                disabled={!reply.trim() && !cannedId}
                onClick={() => void sendReply()}
              >
                {t("tickets.reply.send")}
              </Button>
            </Space>
          ),
        },
        {
          key: "note",
          label: t("tickets.note.tab"),
          children: (
            <Space orientation="vertical" style={{ width: "100%" }}>
              <Typography.Text>{t("tickets.note.hint")}</Typography.Text>
              <Mentions
                aria-label={t("tickets.note.label")}
                placeholder={t("tickets.note.placeholder")}
                value={note}
                onChange={setNote}
                onSelect={(option) => {
                  const who = mentionable.find((m) => m.handle === option.value);
                  if (who) setPicked((p) => [...p, { id: who.id, handle: who.handle }]);
                }}
                options={mentionable.map((m) => ({ value: m.handle, label: m.label, key: m.id }))}
                autoSize={{ minRows: 3, maxRows: 10 }}
                style={{ background: "#fffbf0" }}
              />
              <Button loading={busy} disabled={!note.trim()} onClick={() => void sendNote()}>
                {t("tickets.note.add")}
              </Button>
            </Space>
          ),
        },
      ]}
    />
  );
}

function VerificationPanel({
  ticket,
  colleagues,
  onVerified,
  onError,
}: {
  ticket: Ticket;
  colleagues: Colleague[];
  onVerified: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation();
  const [sent, setSent] = useState<{ at: number; expiresIn: number } | null>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const required = needsVerification(ticket);

  if (ticket.verifiedAt) {
    return (
      <Alert
        type="success"
        showIcon
        title={t("tickets.verify.done", {
          at: formatTime(ticket.verifiedAt),
          by: colleagueName(colleagues, ticket.verifiedBy) ?? "—",
        })}
      />
    );
  }
  if (!ticket.customerId) {
    return <MatchCustomer ticket={ticket} onMatched={onVerified} onError={onError} />;
  }

  const send = async () => {
    setBusy(true);
    try {
      const r = await post<{ expiresIn: number; resendIn: number }>(
        `/api/v1/console/support/tickets/${ticket.id}/verification`,
      );
      setSent({ at: Date.now(), expiresIn: r.expiresIn });
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await post(`/api/v1/console/support/tickets/${ticket.id}/verification/confirm`, { code });
      setCode("");
      setSent(null);
      await onVerified();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Alert
        type={required ? "warning" : "info"}
        showIcon
        title={required ? t("tickets.verify.required") : t("tickets.verify.optional")}
      />
      <Button onClick={() => void send()} loading={busy && !sent}>
        {sent ? t("tickets.verify.resend") : t("tickets.verify.send")}
      </Button>
      {sent ? (
        <>
          <Typography.Text role="status">
            {t("tickets.verify.sent", { minutes: Math.max(1, Math.round(sent.expiresIn / 60)) })}
          </Typography.Text>
          <Space.Compact style={{ width: "100%" }}>
            <Input
              aria-label={t("tickets.verify.code")}
              placeholder={t("tickets.verify.code")}
              inputMode="numeric"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
            />
            <Button type="primary" disabled={code.length !== 6} loading={busy} onClick={() => void confirm()}>
              {t("tickets.verify.confirm")}
            </Button>
          </Space.Compact>
        </>
      ) : null}
    </Space>
  );
}

/** An email from an address no customer has bound: the agent finds the sender's customer. */
function MatchCustomer({
  ticket,
  onMatched,
  onError,
}: {
  ticket: Ticket;
  onMatched: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation();
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const match = async () => {
    if (!customerId) return;
    setBusy(true);
    try {
      await patch(`/api/v1/console/support/tickets/${ticket.id}`, { customerId });
      await onMatched();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Typography.Paragraph>{t("tickets.verify.matchHint")}</Typography.Paragraph>
      <CustomerFinder value={customerId} onChange={setCustomerId} />
      <Button disabled={!customerId} loading={busy} onClick={() => void match()}>
        {t("tickets.verify.matchCustomer")}
      </Button>
    </>
  );
}

function MergeAndLink({
  ticket,
  onDone,
  onError,
}: {
  ticket: Ticket;
  onDone: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation();
  const [number, setNumber] = useState("");
  const [other, setOther] = useState<InboxTicket | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [busy, setBusy] = useState(false);

  const find = async () => {
    const n = number.replace(/^#/, "").trim();
    setOther(null);
    setNotFound(false);
    if (!/^\d+$/.test(n)) {
      setNotFound(true);
      return;
    }
    try {
      const r = await get<{ items: InboxTicket[] }>(
        `/api/v1/console/support/tickets?${new URLSearchParams({ view: "all", q: `#${n}`, limit: "20" })}`,
      );
      const found = r.items.find((x) => x.number === n && x.id !== ticket.id) ?? null;
      setOther(found);
      setNotFound(!found);
    } catch (err) {
      onError(err);
    }
  };

  const act = async (what: "merge" | "links") => {
    if (!other) return;
    setBusy(true);
    try {
      await post(
        `/api/v1/console/support/tickets/${ticket.id}/${what}`,
        what === "merge" ? { intoId: other.id } : { ticketId: other.id },
      );
      setOther(null);
      setNumber("");
      await onDone();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space.Compact style={{ width: "100%" }}>
        <Input
          aria-label={t("tickets.merge.number")}
          placeholder={t("tickets.merge.number")}
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          onPressEnter={() => void find()}
        />
        <Button onClick={() => void find()}>{t("tickets.merge.find")}</Button>
      </Space.Compact>
      {notFound ? <Typography.Text role="status">{t("tickets.merge.notFound")}</Typography.Text> : null}
      {other ? (
        <>
          <Typography.Text role="status">
            #{other.number} {other.subject} · {statusLabel(t, other.status)} · {requesterOf(t, other)}
          </Typography.Text>
          <Space wrap>
            <Popconfirm
              title={t("tickets.merge.confirm", { from: ticket.number, into: other.number })}
              okText={t("tickets.merge.merge")}
              cancelText={t("common.cancel")}
              onConfirm={() => void act("merge")}
            >
              <Button danger loading={busy}>
                {t("tickets.merge.merge")}
              </Button>
            </Popconfirm>
            <Button loading={busy} onClick={() => void act("links")}>
              {t("tickets.merge.link")}
            </Button>
          </Space>
        </>
      ) : null}
    </Space>
  );
}

export function TicketPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { me } = useMe();
  const { id = "" } = useParams();
  const location = useLocation();
  const joined = (location.state as { joined?: boolean } | null)?.joined === true;
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const showError = useCallback((err: unknown) => setError(errorText(err)), [errorText]);

  const load = useCallback(async () => {
    try {
      setDetail(await get<TicketDetail>(`/api/v1/console/support/tickets/${encodeURIComponent(id)}`));
      setNow(Date.now());
    } catch (err) {
      showError(err);
    }
  }, [id, showError]);

  useEffect(() => {
    setDetail(null);
    setError(null);
    void load();
    const tick = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    const reload = setInterval(() => void load(), SAFETY_RELOAD_MS);
    return () => {
      clearInterval(tick);
      clearInterval(reload);
    };
  }, [load]);
  // A colleague's reply, the customer's mail, a job's change: shown within moments.
  useTicketEvents((changed) => {
    if (changed === null || changed.has(id)) void load();
  });

  useEffect(() => {
    get<{ items: Colleague[] }>("/api/v1/console/support/colleagues")
      .then((c) => setColleagues(c.items))
      .catch(showError);
  }, [showError]);

  const loadCanned = useCallback(async () => {
    try {
      setCanned((await get<{ items: CannedResponse[] }>("/api/v1/console/support/canned-responses")).items);
    } catch (err) {
      showError(err);
    }
  }, [showError]);

  useEffect(() => {
    void loadCanned();
  }, [loadCanned]);

  const change = async (
    body: Partial<Record<"status" | "priority" | "category" | "team", string>> & {
      assigneeId?: string | null;
    },
  ) => {
    setSaving(true);
    setError(null);
    try {
      await patch(`/api/v1/console/support/tickets/${encodeURIComponent(id)}`, body);
      await load();
    } catch (err) {
      showError(err);
    } finally {
      setSaving(false);
    }
  };

  const posted = useCallback(async () => {
    setError(null);
    await load();
  }, [load]);

  const timerColumns: TableColumnsType<SlaTimer> = useMemo(
    () => [
      {
        title: t("tickets.sla.target"),
        dataIndex: "target",
        render: (v: SlaTimer["target"]) => targetLabel(t, v),
      },
      { title: t("tickets.sla.state"), key: "state", render: (_, c) => <SlaTag clock={c} now={now} /> },
      { title: t("tickets.sla.started"), dataIndex: "startedAt", render: (v: string) => formatTime(v) },
      { title: t("tickets.sla.due"), dataIndex: "dueAt", render: (v: string) => formatTime(v) },
      {
        title: t("tickets.sla.stopped"),
        dataIndex: "stoppedAt",
        render: (v: string | null) => formatTime(v),
      },
    ],
    [t, now],
  );

  if (!detail) {
    return (
      <>
        <PageTitle extra={<Link to="/support/tickets">{t("tickets.back")}</Link>}>
          {t("tickets.title")}
        </PageTitle>
        {error ? <Alert type="error" showIcon role="alert" title={error} /> : <Card loading />}
      </>
    );
  }

  const { ticket, messages, links, timers, survey } = detail;
  const merged = !!ticket.mergedIntoId;
  const assigneeOptions = [
    { value: "", label: t("tickets.unassigned") },
    ...colleagues.map((c) => ({ value: c.id, label: c.name ?? c.handle ?? c.id.slice(0, 8) })),
  ];
  // A property's label and its select: a fragment, so the column's Space still lays them out as two items.
  const propertySelect = <V extends string>(id: string, label: string, props: SelectProps<V>) => (
    <>
      <label htmlFor={id}>{label}</label>
      <Select<V> id={id} style={{ width: "100%" }} disabled={saving || merged} {...props} />
    </>
  );

  return (
    <>
      <PageTitle extra={<Link to="/support/tickets">{t("tickets.back")}</Link>}>
        {t("tickets.detailTitle", { number: ticket.number, subject: ticket.subject })}
      </PageTitle>
      {joined ? (
        <Alert type="info" showIcon role="status" title={t("tickets.joined")} style={{ marginBottom: 12 }} />
      ) : null}
      {merged ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={
            <>
              {t("tickets.mergedInto")}{" "}
              <Link to={`/support/tickets/${ticket.mergedIntoId}`}>{t("tickets.mergedOpen")}</Link>
            </>
          }
        />
      ) : null}
      {ticket.escalatedAt ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t("tickets.escalated", {
            at: formatTime(ticket.escalatedAt),
            team: teamLabel(t, ticket.team),
          })}
        />
      ) : null}
      {error ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={error}
          style={{ marginBottom: 12 }}
          closable
          onClose={() => setError(null)}
        />
      ) : null}
      <div
        style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) 360px", gap: 16, alignItems: "start" }}
      >
        <div style={{ display: "flex", flexDirection: "column", gap: 16 }}>
          <Card size="small" title={<h2 className="oc-support-h2">{t("tickets.thread")}</h2>}>
            <div className="oc-support-log" role="log" aria-label={t("tickets.thread")}>
              {messages.map((m) => (
                <MessageItem key={m.id} m={m} colleagues={colleagues} ticket={ticket} />
              ))}
            </div>
            {merged ? null : (
              <Composer
                ticket={ticket}
                colleagues={colleagues.filter((c) => c.id !== me.id)}
                canned={canned}
                onPosted={posted}
                onCannedChanged={loadCanned}
                onError={showError}
              />
            )}
          </Card>
          <Card size="small" title={<h2 className="oc-support-h2">{t("tickets.sla.title")}</h2>}>
            <Table<SlaTimer>
              rowKey={(r) => `${r.target}-${r.startedAt}`}
              columns={timerColumns}
              dataSource={timers}
              pagination={false}
              size="small"
              locale={{ emptyText: <span className="oc-support-strong">{t("tickets.sla.none")}</span> }}
            />
          </Card>
        </div>
        <div style={{ display: "flex", flexDirection: "column", gap: 16 }}>
          <Card size="small" title={<h2 className="oc-support-h2">{t("tickets.properties")}</h2>}>
            <Space orientation="vertical" style={{ width: "100%" }}>
              {propertySelect<TicketStatus>("oc-ticket-status", t("tickets.field.status"), {
                value: ticket.status,
                onChange: (v) => void change({ status: v }),
                options: ticketStatuses.map((s) => ({ value: s, label: statusLabel(t, s) })),
              })}
              {propertySelect<TicketPriority>("oc-ticket-priority", t("tickets.field.priority"), {
                value: ticket.priority,
                onChange: (v) => void change({ priority: v }),
                options: ticketPriorities.map((p) => ({ value: p, label: priorityLabel(t, p) })),
              })}
              {propertySelect<TicketCategory>("oc-ticket-category", t("tickets.field.category"), {
                value: ticket.category,
                onChange: (v) => void change({ category: v }),
                options: ticketCategories.map((c) => ({ value: c, label: categoryLabel(t, c) })),
              })}
              {ticket.suggestedCategory && ticket.suggestedCategory !== ticket.category ? (
                <Typography.Text>
                  {t("tickets.suggestedWas", { category: categoryLabel(t, ticket.suggestedCategory) })}
                </Typography.Text>
              ) : null}
              {propertySelect<string>("oc-ticket-team", t("tickets.field.team"), {
                value: ticket.team,
                onChange: (v) => void change({ team: v }),
                options: ["general", "technical", "supervisors"].map((team) => ({
                  value: team,
                  label: teamLabel(t, team),
                })),
              })}
              {propertySelect<string>("oc-ticket-assignee", t("tickets.field.assignee"), {
                showSearch: true,
                optionFilterProp: "label",
                value: ticket.assigneeId ?? "",
                onChange: (v) => void change({ assigneeId: v || null }),
                options: assigneeOptions,
              })}
              {ticket.assigneeId !== me.id && !merged ? (
                <Button onClick={() => void change({ assigneeId: me.id })} disabled={saving}>
                  {t("tickets.takeIt")}
                </Button>
              ) : null}
            </Space>
            <Descriptions
              size="small"
              column={1}
              style={{ marginTop: 12 }}
              items={[
                {
                  key: "priority",
                  label: t("tickets.field.priority"),
                  children: <PriorityTag priority={ticket.priority} />,
                },
                {
                  key: "channel",
                  label: t("tickets.field.channel"),
                  children: channelLabel(t, ticket.channel),
                },
                {
                  key: "requester",
                  label: t("tickets.field.requester"),
                  children: ticket.customerId ? (
                    <Link to={`/customers/${ticket.customerId}`}>{requesterOf(t, ticket)}</Link>
                  ) : (
                    requesterOf(t, ticket)
                  ),
                },
                {
                  key: "created",
                  label: t("tickets.field.createdAt"),
                  children: formatTime(ticket.createdAt),
                },
                {
                  key: "first",
                  label: t("tickets.field.firstResponseAt"),
                  children: formatTime(ticket.firstResponseAt),
                },
                {
                  key: "resolved",
                  label: t("tickets.field.resolvedAt"),
                  children: formatTime(ticket.resolvedAt),
                },
              ]}
            />
          </Card>
          {ticket.channel !== "chat" ? (
            <Card size="small" title={<h2 className="oc-support-h2">{t("tickets.verify.title")}</h2>}>
              <VerificationPanel
                ticket={ticket}
                colleagues={colleagues}
                onVerified={posted}
                onError={showError}
              />
            </Card>
          ) : null}
          <Card size="small" title={<h2 className="oc-support-h2">{t("tickets.survey.title")}</h2>}>
            {!survey ? (
              <Typography.Text>{t("tickets.survey.none")}</Typography.Text>
            ) : survey.rating === null ? (
              <Typography.Text>
                {t("tickets.survey.waiting", { at: formatTime(survey.sentAt) })}
              </Typography.Text>
            ) : (
              <Space orientation="vertical">
                <ToneTag tone={survey.rating <= 2 ? "red" : survey.rating >= 4 ? "green" : undefined}>
                  {t("tickets.survey.rating", { rating: survey.rating })}
                </ToneTag>
                <Typography.Text>{survey.comment ?? t("tickets.survey.noComment")}</Typography.Text>
                <Typography.Text>
                  {t("tickets.survey.answeredAt", { at: formatTime(survey.answeredAt) })}
                </Typography.Text>
              </Space>
            )}
          </Card>
          <Card size="small" title={<h2 className="oc-support-h2">{t("tickets.merge.title")}</h2>}>
            {links.length > 0 ? (
              <ul aria-label={t("tickets.merge.linked")} style={{ paddingInlineStart: 18, marginTop: 0 }}>
                {links.map((l) => (
                  <li key={l.id}>
                    <Link to={`/support/tickets/${l.id}`}>
                      #{l.number} {l.subject}
                    </Link>{" "}
                    · {statusLabel(t, l.status)}
                  </li>
                ))}
              </ul>
            ) : (
              <Typography.Paragraph>{t("tickets.merge.noLinks")}</Typography.Paragraph>
            )}
            {merged ? null : <MergeAndLink ticket={ticket} onDone={posted} onError={showError} />}
          </Card>
        </div>
      </div>
    </>
  );
}
