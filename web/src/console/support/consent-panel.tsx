// The customer's account as an agent may see it: ask for consent (scopes, minutes ≤ 30), or have
// the customer read out a code sent to their phone; under a live grant, the masked data with the
// time left. The server checks the grant at every read; the countdown only mirrors it.
import { Alert, Button, Card, Checkbox, Descriptions, Input, InputNumber, Space, Table } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, post } from "../../common/api";
import type { Consent, ConsentScope } from "../../common/chat-client";
import { formatTime } from "../labels";
import { useErrorText } from "../use-error-text";

type CustomerView = {
  consent: Consent;
  profile?: {
    name: string | null;
    phone: string | null;
    verificationLevel: number;
    status: string;
    memberSince: string;
  };
  balance?: { accounts: Array<{ currency: string; available: number; pending: number }> };
  transactions?: {
    items: Array<{
      type: string;
      direction: "in" | "out";
      amount: number;
      currency: string;
      counterparty: string;
      createdAt: string;
    }>;
  };
};

const SCOPES: ConsentScope[] = ["profile", "balance", "transactions"];

export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100).toLocaleString("en")}.${String(abs % 100).padStart(2, "0")}`;
}

function left(until: string, now: number): string {
  const s = Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function ConsentPanel({
  conversationId,
  events,
  now,
  meId,
}: {
  conversationId: string;
  /** Consent states carried by the conversation's system messages, oldest first. */
  events: Consent[];
  now: number;
  meId: string;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [loaded, setLoaded] = useState<Consent[]>([]);
  const [own, setOwn] = useState<Map<string, Consent>>(new Map());
  const [scopes, setScopes] = useState<ConsentScope[]>(["balance"]);
  const [minutes, setMinutes] = useState(10);
  const [view, setView] = useState<CustomerView | null>(null);
  const [code, setCode] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    get<{ items: Consent[] }>(`/api/v1/console/support/conversations/${conversationId}/consents`)
      .then((r) => setLoaded(r.items))
      .catch((err: unknown) => setError(errorText(err)));
  }, [conversationId, errorText]);

  // The newest known state of my newest request.
  const current = useMemo(() => {
    const byId = new Map<string, Consent>();
    for (const c of [...loaded].reverse()) byId.set(c.id, c);
    for (const c of events) byId.set(c.id, c);
    for (const c of own.values()) {
      const seen = byId.get(c.id);
      // A later answer in the chat wins over what this panel last did.
      if (!seen || seen.status === "requested") byId.set(c.id, c);
    }
    const mine = [...byId.values()].filter((c) => c.agentId === meId);
    mine.sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt));
    return mine[0] ?? null;
  }, [loaded, events, own, meId]);

  const live = current?.status === "granted" && !!current.expiresAt && Date.parse(current.expiresAt) > now;
  const waiting = current?.status === "requested" && Date.parse(current.requestExpiresAt) > now;

  const remember = (c: Consent) => setOwn((old) => new Map(old).set(c.id, c));

  // Load the data when a grant arrives; drop it the moment the grant ends.
  const liveId = live ? current?.id : undefined;
  const liveScopes = live ? current?.scopes.join(",") : undefined;
  useEffect(() => {
    if (!liveId || !liveScopes) {
      setView(null);
      return;
    }
    setError(null);
    get<CustomerView>(`/api/v1/console/support/conversations/${conversationId}/customer?scope=${liveScopes}`)
      .then(setView)
      .catch((err: unknown) => {
        setView(null);
        setError(errorText(err));
      });
  }, [liveId, liveScopes, conversationId, errorText]);

  const ask = async () => {
    setError(null);
    setSentTo(null);
    try {
      remember(
        await post<Consent>(`/api/v1/console/support/conversations/${conversationId}/consents`, {
          scopes,
          minutes,
        }),
      );
    } catch (err) {
      setError(errorText(err));
    }
  };

  const sendCode = async () => {
    if (!current) return;
    setError(null);
    try {
      const res = await post<{ sentTo: string }>(`/api/v1/console/support/consents/${current.id}/code`);
      setSentTo(res.sentTo);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const verify = async () => {
    if (!current) return;
    setError(null);
    try {
      remember(await post<Consent>(`/api/v1/console/support/consents/${current.id}/verify`, { code }));
      setCode("");
    } catch (err) {
      setError(errorText(err));
    }
  };

  const statusText = current
    ? live
      ? t("support.consent.live")
      : waiting
        ? t("support.consent.waiting")
        : t(
            `support.consent.status.${current.status === "granted" || current.status === "requested" ? "expired" : current.status}`,
          )
    : t("support.consent.none");

  return (
    <Card
      size="small"
      style={{ marginTop: 16 }}
      title={<h3 className="oc-support-h3">{t("support.consent.title")}</h3>}
    >
      <p className="oc-support-strong">{t("support.consent.rule")}</p>
      <p>
        <strong>{t("support.consent.state")}</strong> <span role="status">{statusText}</span>
        {live && current?.expiresAt ? (
          <>
            {" · "}
            {t("support.consent.timeLeft")}{" "}
            <strong className="oc-support-clock">{left(current.expiresAt, now)}</strong>
          </>
        ) : null}
      </p>
      {error ? (
        <Alert type="error" showIcon role="alert" message={error} style={{ marginBottom: 12 }} />
      ) : null}
      {!live && !waiting ? (
        <Space direction="vertical">
          <Checkbox.Group
            aria-label={t("support.consent.scopes")}
            value={scopes}
            onChange={(v) => setScopes(v as ConsentScope[])}
            options={SCOPES.map((s) => ({ value: s, label: t(`support.consent.scope.${s}`) }))}
          />
          <Space>
            <label htmlFor="oc-consent-minutes">{t("support.consent.minutes")}</label>
            <InputNumber
              id="oc-consent-minutes"
              min={1}
              max={30}
              value={minutes}
              onChange={(v) => setMinutes(v ?? 10)}
            />
            <Button type="primary" disabled={scopes.length === 0} onClick={() => void ask()}>
              {t("support.consent.ask")}
            </Button>
          </Space>
        </Space>
      ) : null}
      {waiting ? (
        <Space direction="vertical">
          <Space wrap>
            <Button onClick={() => void sendCode()}>{t("support.consent.sendCode")}</Button>
            {sentTo ? <span role="status">{t("support.consent.codeSent", { to: sentTo })}</span> : null}
          </Space>
          <Space>
            <Input
              aria-label={t("support.consent.code")}
              placeholder={t("support.consent.code")}
              inputMode="numeric"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
              style={{ width: 140 }}
            />
            <Button disabled={code.length !== 6} onClick={() => void verify()}>
              {t("support.consent.verify")}
            </Button>
          </Space>
        </Space>
      ) : null}
      {live && view ? <CustomerData view={view} /> : null}
    </Card>
  );
}

function CustomerData({ view }: { view: CustomerView }) {
  const { t } = useTranslation();
  return (
    <div className="oc-support-data">
      {view.profile ? (
        <Descriptions size="small" bordered column={1} title={t("support.consent.scope.profile")}>
          <Descriptions.Item label={t("support.data.name")}>{view.profile.name ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("support.data.phone")}>{view.profile.phone ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("support.data.level")}>
            {view.profile.verificationLevel}
          </Descriptions.Item>
          <Descriptions.Item label={t("support.data.status")}>{view.profile.status}</Descriptions.Item>
          <Descriptions.Item label={t("support.data.since")}>
            {formatTime(view.profile.memberSince)}
          </Descriptions.Item>
        </Descriptions>
      ) : null}
      {view.balance ? (
        <Descriptions size="small" bordered column={1} title={t("support.consent.scope.balance")}>
          {view.balance.accounts.length === 0 ? (
            <Descriptions.Item label={t("support.data.available")}>{yuan(0)}</Descriptions.Item>
          ) : null}
          {view.balance.accounts.flatMap((a) => [
            <Descriptions.Item
              key={`${a.currency}-a`}
              label={`${t("support.data.available")} (${a.currency})`}
            >
              <span data-testid="consent-available">{yuan(a.available)}</span>
            </Descriptions.Item>,
            <Descriptions.Item key={`${a.currency}-p`} label={`${t("support.data.pending")} (${a.currency})`}>
              {yuan(a.pending)}
            </Descriptions.Item>,
          ])}
        </Descriptions>
      ) : null}
      {view.transactions ? (
        <Table
          size="small"
          rowKey={(r) => `${r.createdAt}-${r.amount}-${r.counterparty}`}
          pagination={false}
          caption={
            <div style={{ textAlign: "start", fontWeight: 600 }}>
              {t("support.consent.scope.transactions")}
            </div>
          }
          dataSource={view.transactions.items}
          locale={{
            emptyText: <span style={{ color: "rgba(0,0,0,0.72)" }}>{t("support.data.noTransactions")}</span>,
          }}
          columns={[
            { title: t("support.data.time"), dataIndex: "createdAt", render: (v: string) => formatTime(v) },
            { title: t("support.data.type"), dataIndex: "type" },
            {
              title: t("support.data.amount"),
              render: (_: unknown, r) => `${r.direction === "out" ? "-" : "+"}${yuan(r.amount)}`,
            },
            { title: t("support.data.counterparty"), dataIndex: "counterparty" },
          ]}
        />
      ) : null}
    </div>
  );
}
