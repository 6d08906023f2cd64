// The agent's live-chat inbox: availability, the waiting queue, "mine" and other agents' chats
// (kept from the socket's conversation events, fetched whole only on (re)connecting and once a
// minute as a safety net), one conversation with its messages, typing, send, claim, transfer and close, a
// warning when another agent has it open, and the customer's account under their consent.
import { Alert, Badge, Button, Card, Empty, Input, List, Radio, Select, Space, Typography } from "antd";
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, post, put } from "../../common/api";
import {
  ChatClient,
  type ChatConversation,
  type ChatMessage,
  type ConnectionState,
  type Consent,
  idAfter,
} from "../../common/chat-client";
import { formatTime } from "../labels";
import { PageTitle } from "../page-title";
import { useMe } from "../session";
import { useErrorText } from "../use-error-text";
import { ConsentPanel } from "./consent-panel";
import { fromFetch, inboxLists, type KnownConversations, learn } from "./inbox-conversations";
import "./support.css";

type AgentStatus = "online" | "away" | "offline";
type Agent = { id: string; name: string | null; status: AgentStatus; load: number; maxChats: number };

const TYPING_SHOWN_MS = 4_000;
/**
 * The lists follow the socket's events; a full fetch on (re)connecting catches up what a dropped
 * socket missed. This slower one covers events a server lost between its processes.
 */
const SAFETY_REFETCH_MS = 60_000;

export function SupportInboxPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { me } = useMe();
  const [status, setStatus] = useState<AgentStatus | null>(null);
  const [known, setKnown] = useState<KnownConversations>(() => new Map());
  const [agents, setAgents] = useState<Agent[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [conversation, setConversation] = useState<ChatConversation | null>(null);
  const [messages, setMessages] = useState<Map<string, ChatMessage>>(new Map());
  const [viewers, setViewers] = useState<string[]>([]);
  const [typingAt, setTypingAt] = useState(0);
  const [customerReadUpTo, setCustomerReadUpTo] = useState("0");
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [now, setNow] = useState(() => Date.now());
  const client = useRef<ChatClient | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;
  /** Conversation events that arrived while the lists were being fetched; null when no fetch runs. */
  const eventsDuringFetch = useRef<ChatConversation[] | null>(null);
  const { queue, mine, others: active } = useMemo(() => inboxLists(known, me.id), [known, me.id]);

  const learnConversation = useCallback((conv: ChatConversation) => {
    eventsDuringFetch.current?.push(conv);
    setKnown((old) => learn(old, conv));
    if (conv.id === selectedRef.current) setConversation(conv);
  }, []);

  const loadAgents = useCallback(async () => {
    try {
      const a = await get<{ items: Agent[] }>("/api/v1/console/support/agents");
      setAgents(a.items);
      setStatus((old) => old ?? a.items.find((x) => x.id === me.id)?.status ?? "offline");
    } catch (err) {
      setError(errorText(err));
    }
  }, [errorText, me.id]);

  const loadLists = useCallback(async () => {
    // A later fetch supersedes an earlier one still on its way.
    const meanwhile: ChatConversation[] = [];
    eventsDuringFetch.current = meanwhile;
    try {
      const lists = await Promise.all([
        get<{ items: ChatConversation[] }>("/api/v1/console/support/conversations?view=queue"),
        get<{ items: ChatConversation[] }>("/api/v1/console/support/conversations?view=all&status=assigned"),
      ]);
      if (eventsDuringFetch.current !== meanwhile) return;
      setKnown(
        fromFetch(
          lists.map((l) => l.items),
          meanwhile,
        ),
      );
    } catch (err) {
      setError(errorText(err));
    } finally {
      if (eventsDuringFetch.current === meanwhile) eventsDuringFetch.current = null;
    }
  }, [errorText]);

  useEffect(() => {
    const c = new ChatClient({
      onState: setConnection,
      // On every (re)connect: what the socket missed while it was down.
      onReady: () => {
        void loadLists();
        void loadAgents();
      },
      onConversation: learnConversation,
      onMessage: (m) => {
        if (m.conversationId !== selectedRef.current) return;
        setMessages((old) => new Map(old).set(m.id, m));
      },
      onAck: (_clientId, m) => {
        if (m.conversationId === selectedRef.current) setMessages((old) => new Map(old).set(m.id, m));
      },
      onTyping: (conversationId, by) => {
        if (conversationId === selectedRef.current && by === "customer") setTypingAt(Date.now());
      },
      onReceipt: (r) => {
        if (r.conversationId === selectedRef.current && r.readerKind === "customer") {
          setCustomerReadUpTo((old) => (idAfter(r.readUpTo, old) ? r.readUpTo : old));
        }
      },
      onViewers: (conversationId, ids) => {
        if (conversationId === selectedRef.current) setViewers(ids);
      },
      onError: (code, detail) => setError(t(`errors.${code}`, { defaultValue: detail ?? code })),
    });
    client.current = c;
    c.start();
    // At once, not only when the socket is ready: the lists show even if it cannot connect.
    void loadLists();
    void loadAgents();
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    const safety = setInterval(() => {
      void loadLists();
      void loadAgents();
    }, SAFETY_REFETCH_MS);
    return () => {
      clearInterval(tick);
      clearInterval(safety);
      c.stop();
    };
  }, [loadLists, loadAgents, learnConversation, t]);

  const open = (id: string) => {
    if (selected === id) return;
    if (selected) client.current?.unsubscribe(selected);
    setSelected(id);
    setMessages(new Map());
    setViewers([]);
    setCustomerReadUpTo("0");
    setConversation(known.get(id) ?? null);
    setError(null);
    client.current?.subscribe(id);
  };

  const list = useMemo(
    () => [...messages.values()].sort((a, b) => (idAfter(a.id, b.id) ? 1 : a.id === b.id ? 0 : -1)),
    [messages],
  );
  const lastFromCustomer = useMemo(
    () => [...list].reverse().find((m) => m.author.kind === "customer")?.id,
    [list],
  );
  useEffect(() => {
    if (selected && lastFromCustomer && connection === "open")
      client.current?.read(selected, lastFromCustomer);
  }, [selected, lastFromCustomer, connection]);

  const consentEvents = useMemo(
    () =>
      list.map((m) => (m.payload as { consent?: Consent } | null)?.consent).filter((c): c is Consent => !!c),
    [list],
  );

  const setMyStatus = async (next: AgentStatus) => {
    try {
      const res = await put<{ status: AgentStatus }>("/api/v1/console/support/me", { status: next });
      setStatus(res.status);
      // Chats assigned on coming online arrive as events; the agents list has no events.
      await loadAgents();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const act = async (path: string, body?: unknown) => {
    if (!selected) return;
    setError(null);
    try {
      // The same change comes as an event too; whichever is first moves the lists.
      learnConversation(
        await post<ChatConversation>(`/api/v1/console/support/conversations/${selected}/${path}`, body),
      );
    } catch (err) {
      setError(errorText(err));
    }
  };

  const onSend = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || !selected) return;
    client.current?.send(selected, { body });
    setText("");
  };

  const mineNow = conversation?.status === "assigned" && conversation.assignedAgentId === me.id;
  const others = viewers.filter((id) => id !== me.id);
  // Names of staff who never set a status are not in the agents list: the warning stands without.
  const otherNames = others
    .map((id) => agents.find((a) => a.id === id)?.name)
    .filter((n): n is string => !!n);
  const customerTyping = now - typingAt < TYPING_SHOWN_MS;
  const lastOwn = [...list].reverse().find((m) => m.author.kind === "agent" && m.author.id === me.id);

  const conversationList = (title: string, items: ChatConversation[], empty: string) => (
    <Card size="small" title={<h2 className="oc-support-h2">{title}</h2>}>
      {items.length === 0 ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={<span className="oc-support-strong">{empty}</span>}
        />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(c) => (
            <List.Item>
              <Button
                type={c.id === selected ? "primary" : "default"}
                block
                onClick={() => open(c.id)}
                aria-current={c.id === selected ? "true" : undefined}
              >
                {t("support.customerShort", { id: c.customerId.slice(0, 8) })} ·{" "}
                {t(`support.status.${c.status}`)}
              </Button>
            </List.Item>
          )}
        />
      )}
    </Card>
  );

  return (
    <>
      <PageTitle
        extra={
          <Space>
            <span id="oc-my-status">{t("support.myStatus")}</span>
            <Radio.Group
              aria-labelledby="oc-my-status"
              value={status}
              optionType="button"
              buttonStyle="solid"
              onChange={(e) => void setMyStatus(e.target.value as AgentStatus)}
              options={(["online", "away", "offline"] as const).map((s) => ({
                value: s,
                label: t(`support.agentStatus.${s}`),
              }))}
            />
          </Space>
        }
      >
        {t("support.title")}
      </PageTitle>
      {connection !== "open" ? (
        <Alert type="info" showIcon message={t("support.connecting")} style={{ marginBottom: 12 }} />
      ) : null}
      {error ? (
        <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 12 }} />
      ) : null}
      <div className="oc-support-grid">
        <div className="oc-support-lists">
          {conversationList(t("support.queue"), queue, t("support.queueEmpty"))}
          {conversationList(t("support.mine"), mine, t("support.mineEmpty"))}
          {conversationList(t("support.others"), active, t("support.othersEmpty"))}
        </div>
        <div>
          {!selected || !conversation ? (
            <Card>
              <span className="oc-support-strong">{t("support.pick")}</span>
            </Card>
          ) : (
            <Card
              title={
                <h2 className="oc-support-h2">
                  {t("support.customerShort", { id: conversation.customerId.slice(0, 8) })} ·{" "}
                  {t(`support.status.${conversation.status}`)}
                </h2>
              }
              extra={
                <Space wrap>
                  {conversation.status !== "closed" && !mineNow ? (
                    <Button type="primary" onClick={() => void act("claim")}>
                      {t("support.claim")}
                    </Button>
                  ) : null}
                  {mineNow ? (
                    <>
                      <Select
                        aria-label={t("support.transferTo")}
                        placeholder={t("support.transferTo")}
                        style={{ minWidth: 180 }}
                        value={null}
                        onChange={(v: string) =>
                          void act("transfer", v === "queue" ? { queue: true } : { agentId: v })
                        }
                        options={[
                          { value: "queue", label: t("support.backToQueue") },
                          ...agents
                            .filter((a) => a.id !== me.id && a.status === "online")
                            .map((a) => ({ value: a.id, label: a.name ?? a.id.slice(0, 8) })),
                        ]}
                      />
                      <Button danger onClick={() => void act("close")}>
                        {t("support.close")}
                      </Button>
                    </>
                  ) : null}
                </Space>
              }
            >
              {others.length > 0 ? (
                <Alert
                  type="warning"
                  showIcon
                  role="alert"
                  style={{ marginBottom: 12 }}
                  message={
                    otherNames.length > 0
                      ? t("support.collision", { names: otherNames.join("、") })
                      : t("support.collisionUnnamed")
                  }
                />
              ) : null}
              <div
                className="oc-support-log"
                role="log"
                aria-live="polite"
                aria-label={t("support.messages")}
              >
                {list.map((m) => (
                  <div key={m.id} className={`oc-support-msg oc-support-${m.author.kind}`}>
                    <Typography.Text strong>{t(`support.author.${m.author.kind}`)}</Typography.Text>{" "}
                    <span className="oc-support-time">{formatTime(m.createdAt)}</span>
                    {m.body ? <div className="oc-support-body">{m.body}</div> : null}
                    {m.attachmentId ? (
                      <img
                        src={`/api/v1/support/attachments/${m.attachmentId}`}
                        alt={t("support.picture")}
                        style={{ maxWidth: 240, maxHeight: 200 }}
                      />
                    ) : null}
                    {lastOwn?.id === m.id ? (
                      <div className="oc-support-time">
                        {idAfter(m.id, customerReadUpTo) ? t("support.delivered") : t("support.read")}
                      </div>
                    ) : null}
                  </div>
                ))}
              </div>
              {customerTyping ? (
                <p role="status" className="oc-support-strong">
                  {t("support.customerTyping")}
                </p>
              ) : null}
              {mineNow ? (
                <form onSubmit={onSend} className="oc-support-form">
                  <Input.TextArea
                    aria-label={t("support.reply")}
                    placeholder={t("support.reply")}
                    value={text}
                    autoSize={{ minRows: 2, maxRows: 6 }}
                    maxLength={2000}
                    onChange={(e) => {
                      setText(e.target.value);
                      if (e.target.value && selected) client.current?.typing(selected);
                    }}
                    onPressEnter={(e) => {
                      if (!e.shiftKey && !e.nativeEvent.isComposing) onSend(e);
                    }}
                  />
                  <Button type="primary" htmlType="submit">
                    {t("support.send")}
                  </Button>
                </form>
              ) : conversation.status !== "closed" ? (
                <p className="oc-support-strong">{t("support.claimToAnswer")}</p>
              ) : null}
              {mineNow ? (
                <ConsentPanel
                  conversationId={conversation.id}
                  events={consentEvents}
                  now={now}
                  meId={me.id}
                />
              ) : null}
            </Card>
          )}
        </div>
      </div>
      <Badge
        status={connection === "open" ? "success" : "processing"}
        text={t(`support.connection.${connection}`)}
      />
    </>
  );
}
