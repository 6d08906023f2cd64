// The portal's chat at /chat: the 24-hour bot with article links and 👍/👎, "转人工" to a person,
// typing, read marks, pictures, and the agent's requests to see the account (grant, refuse,
// revoke while active). Everything arrives over the socket; see chat-client.ts.
import { Button } from "antd-mobile";
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { api, get, post } from "../../../common/api";
import {
  type BotArticle,
  ChatClient,
  type ChatConversation,
  type ChatMessage,
  type ConnectionState,
  type Consent,
  idAfter,
} from "../../../common/chat-client";
import { errorText } from "../../../common/ui/error-text";
import { Notice } from "../../../common/ui/notice";
import { Page } from "../../layout";
import { ConsentBanner, ConsentCard } from "./consent-card";
import "./chat.css";

const TYPING_SHOWN_MS = 4_000;

type BotPayload = { reply?: string; articles?: BotArticle[]; event?: string; consent?: Consent };

export function ChatPage() {
  const { t } = useTranslation();
  const [conversation, setConversation] = useState<ChatConversation | null>(null);
  const [messages, setMessages] = useState<Map<string, ChatMessage>>(new Map());
  const [pending, setPending] = useState<Map<string, { body: string; attachmentId?: string }>>(new Map());
  const [state, setState] = useState<ConnectionState>("connecting");
  const [typingAt, setTypingAt] = useState(0);
  const [agentReadUpTo, setAgentReadUpTo] = useState("0");
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [uploading, setUploading] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const client = useRef<ChatClient | null>(null);
  const conversationId = conversation?.id;

  useEffect(() => {
    const c = new ChatClient({
      onState: setState,
      onConversation: (conv) => setConversation((old) => (!old || old.id === conv.id ? conv : old)),
      onMessage: (m) =>
        setMessages((old) => {
          const next = new Map(old);
          next.set(m.id, m);
          return next;
        }),
      onAck: (clientId, m) => {
        setPending((old) => {
          const next = new Map(old);
          next.delete(clientId);
          return next;
        });
        setMessages((old) => new Map(old).set(m.id, m));
      },
      onTyping: (_c, by) => {
        if (by === "agent") setTypingAt(Date.now());
      },
      onReceipt: (r) => {
        if (r.readerKind === "agent")
          setAgentReadUpTo((old) => (idAfter(r.readUpTo, old) ? r.readUpTo : old));
      },
      onError: (code, detail) => {
        if (code === "conversation_closed") {
          for (const p of c.pending) c.drop(p.clientId);
          setPending(new Map());
        }
        setError(t(`errors.${code}`, { defaultValue: detail ?? code }));
      },
    });
    client.current = c;
    c.start();
    post<ChatConversation>("/api/v1/support/conversations")
      .then((conv) => {
        setConversation(conv);
        c.subscribe(conv.id);
      })
      .catch((err: unknown) => setError(errorText(t, err)));
    return () => c.stop();
  }, [t]);

  // The clock for the typing indicator and the permission countdown.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const list = useMemo(
    () => [...messages.values()].sort((a, b) => (idAfter(a.id, b.id) ? 1 : a.id === b.id ? 0 : -1)),
    [messages],
  );

  // Read marks: what is on screen from the others has been read.
  const lastFromOthers = useMemo(
    () => [...list].reverse().find((m) => m.author.kind !== "customer")?.id,
    [list],
  );
  useEffect(() => {
    if (conversationId && lastFromOthers && state === "open" && document.visibilityState === "visible") {
      client.current?.read(conversationId, lastFromOthers);
    }
  }, [conversationId, lastFromOthers, state]);

  // The newest state of every request to see the account, from the chat's system messages.
  const consents = useMemo(() => {
    const byId = new Map<string, Consent>();
    for (const m of list) {
      const p = m.payload as BotPayload | null;
      if (m.author.kind === "system" && p?.consent) byId.set(p.consent.id, p.consent);
    }
    return byId;
  }, [list]);
  const [answered, setAnswered] = useState<Map<string, Consent>>(new Map());
  const consentOf = (id: string) => answered.get(id) ?? consents.get(id);
  const closed = conversation?.status === "closed";
  // Access also ends with the chat (the server checks that the agent still has it).
  const live = closed
    ? []
    : [...consents.keys()]
        .map((id) => consentOf(id))
        .filter(
          (c): c is Consent => c?.status === "granted" && !!c.expiresAt && Date.parse(c.expiresAt) > now,
        );

  const endRef = useRef<HTMLDivElement>(null);
  const shown = list.length + pending.size;
  useEffect(() => {
    if (shown > 0) endRef.current?.scrollIntoView?.({ block: "end" });
  }, [shown]);

  const send = useCallback(
    (content: { body?: string; attachmentId?: string }) => {
      if (!conversationId || !client.current) return;
      setError(null);
      const clientId = client.current.send(conversationId, content);
      setPending((old) => new Map(old).set(clientId, { body: content.body ?? "", ...content }));
    },
    [conversationId],
  );

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    send({ body });
    setText("");
  };

  const onTyping = (value: string) => {
    setText(value);
    if (conversationId && value) client.current?.typing(conversationId);
  };

  const onPicture = async (file: File | undefined) => {
    if (!file) return;
    setUploading(true);
    setError(null);
    try {
      const form = new FormData();
      form.append("file", file);
      const stored = await api<{ id: string }>("POST", "/api/v1/support/attachments", form);
      send({ attachmentId: stored.id });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setUploading(false);
    }
  };

  const rate = async (m: ChatMessage, helpful: boolean) => {
    try {
      await post(`/api/v1/support/messages/${m.id}/feedback`, { helpful });
      setMessages((old) => new Map(old).set(m.id, { ...m, helpful }));
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const answer = async (consent: Consent, action: "grant" | "refuse" | "revoke") => {
    try {
      const next = await post<Consent>(`/api/v1/support/consents/${consent.id}/${action}`);
      setAnswered((old) => new Map(old).set(next.id, next));
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const endChat = async () => {
    if (!conversationId) return;
    try {
      setConversation(await post<ChatConversation>(`/api/v1/support/conversations/${conversationId}/close`));
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const startAgain = async () => {
    try {
      const conv = await post<ChatConversation>("/api/v1/support/conversations");
      setMessages(new Map());
      setAnswered(new Map());
      setConversation(conv);
      client.current?.subscribe(conv.id);
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const lastOwn = [...list].reverse().find((m) => m.author.kind === "customer");
  const agentTyping = now - typingAt < TYPING_SHOWN_MS;

  return (
    <Page title={t("chat.title")} back="/help">
      <p className="oc-weak" role="status">
        {state === "open"
          ? conversation?.status === "assigned"
            ? t("chat.withAgent")
            : conversation?.status === "queued"
              ? t("chat.queued")
              : closed
                ? t("chat.closed")
                : t("chat.withBot")
          : t("chat.connecting")}
      </p>
      {live.map((c) => (
        <ConsentBanner key={c.id} consent={c} now={now} onRevoke={() => void answer(c, "revoke")} />
      ))}
      <div className="oc-chat-log" role="log" aria-live="polite" aria-label={t("chat.logLabel")}>
        {list.map((m) => {
          const p = (m.payload ?? {}) as BotPayload;
          if (m.author.kind === "system" && p.consent) {
            if (p.event !== "consent_requested") return <SystemLine key={m.id} body={m.body} />;
            const c = consentOf(p.consent.id) ?? p.consent;
            return (
              <ConsentCard
                key={m.id}
                consent={c}
                now={now}
                ended={closed}
                onGrant={() => void answer(c, "grant")}
                onRefuse={() => void answer(c, "refuse")}
              />
            );
          }
          if (m.author.kind === "system") return <SystemLine key={m.id} body={m.body} />;
          const own = m.author.kind === "customer";
          return (
            <div key={m.id} className={`oc-chat-msg ${own ? "oc-chat-own" : "oc-chat-other"}`}>
              <span className="oc-chat-who">
                {own ? t("chat.me") : m.author.kind === "bot" ? t("chat.bot") : t("chat.agent")}
              </span>
              {m.body ? <p className="oc-chat-body">{m.body}</p> : null}
              {m.attachmentId ? (
                <img
                  className="oc-chat-img"
                  src={`/api/v1/support/attachments/${m.attachmentId}`}
                  alt={t("chat.picture")}
                />
              ) : null}
              {m.author.kind === "bot" && p.articles && p.articles.length > 0 ? (
                <ul className="oc-chat-articles" aria-label={t("chat.articles")}>
                  {p.articles.map((a) => (
                    <li key={a.slug}>
                      <Link to={`/help/${a.slug}`}>{a.title}</Link>
                    </li>
                  ))}
                </ul>
              ) : null}
              {m.author.kind === "bot" && p.reply === "answer" ? (
                m.helpful === null ? (
                  <fieldset className="oc-chat-rate">
                    <legend className="oc-visually-hidden">{t("chat.wasHelpful")}</legend>
                    <button type="button" className="oc-button" onClick={() => void rate(m, true)}>
                      <span aria-hidden="true">👍 </span>
                      {t("chat.helpful")}
                    </button>
                    <button type="button" className="oc-button" onClick={() => void rate(m, false)}>
                      <span aria-hidden="true">👎 </span>
                      {t("chat.unhelpful")}
                    </button>
                  </fieldset>
                ) : (
                  <span className="oc-weak">{t("chat.thanksForRating")}</span>
                )
              ) : null}
              {own && lastOwn?.id === m.id && conversation?.status === "assigned" ? (
                <span className="oc-weak oc-chat-mark">
                  {idAfter(m.id, agentReadUpTo) ? t("chat.delivered") : t("chat.read")}
                </span>
              ) : null}
            </div>
          );
        })}
        {[...pending.entries()].map(([clientId, p]) => (
          <div key={clientId} className="oc-chat-msg oc-chat-own">
            <span className="oc-chat-who">{t("chat.me")}</span>
            <p className="oc-chat-body">{p.body || t("chat.picture")}</p>
            <span className="oc-weak oc-chat-mark">{t("chat.sending")}</span>
          </div>
        ))}
        <div ref={endRef} />
      </div>
      {agentTyping ? (
        <p className="oc-weak" role="status">
          {t("chat.agentTyping")}
        </p>
      ) : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      {closed ? (
        <div className="oc-actions">
          <Notice tone="info">{t("chat.endedText")}</Notice>
          <ChatRating conversationId={conversation.id} />
          <Button block onClick={() => void startAgain()}>
            {t("chat.startAgain")}
          </Button>
        </div>
      ) : (
        <>
          <form className="oc-chat-form" onSubmit={onSubmit}>
            <label htmlFor="oc-chat-input" className="oc-visually-hidden">
              {t("chat.inputLabel")}
            </label>
            <textarea
              id="oc-chat-input"
              className="oc-chat-input"
              value={text}
              rows={2}
              maxLength={2000}
              placeholder={t("chat.placeholder")}
              onChange={(e) => onTyping(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) onSubmit(e);
              }}
            />
            <button type="submit" className="oc-button oc-chat-send" disabled={!conversationId}>
              {t("chat.send")}
            </button>
          </form>
          <div className="oc-chat-tools">
            <label className="oc-button oc-chat-file">
              {uploading ? t("chat.uploading") : t("chat.addPicture")}
              <input
                type="file"
                accept="image/png,image/jpeg,image/webp"
                className="oc-visually-hidden"
                onChange={(e) => {
                  void onPicture(e.target.files?.[0]);
                  e.target.value = "";
                }}
              />
            </label>
            {conversation?.status === "bot" ? (
              <button
                type="button"
                className="oc-button"
                onClick={() => send({ body: t("chat.personWords") })}
                disabled={!conversationId}
              >
                {t("chat.askPerson")}
              </button>
            ) : null}
            <button
              type="button"
              className="oc-button"
              onClick={() => void endChat()}
              disabled={!conversationId}
            >
              {t("chat.end")}
            </button>
          </div>
        </>
      )}
    </Page>
  );
}

function SystemLine({ body }: { body: string }) {
  return <p className="oc-chat-system">{body}</p>;
}

/** After the chat: how was it? 1–5 and an optional comment, once. */
function ChatRating({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ rating: { rating: number } | null }>(`/api/v1/support/conversations/${conversationId}/rating`)
      .then((r) => setScore(r.rating?.rating ?? null))
      .catch(() => undefined);
  }, [conversationId]);
  const rate = async (n: number) => {
    setError(null);
    try {
      const body = comment.trim() ? { rating: n, comment: comment.trim() } : { rating: n };
      const saved = await post<{ rating: number }>(
        `/api/v1/support/conversations/${conversationId}/rating`,
        body,
      );
      setScore(saved.rating);
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  if (score !== null) return <Notice tone="success">{t("chat.ratedThanks", { score })}</Notice>;
  return (
    <fieldset className="oc-chat-stars">
      <legend>{t("chat.rateTitle")}</legend>
      <label htmlFor="oc-chat-comment" className="oc-chat-comment-label">
        {t("chat.rateComment")}
      </label>
      <textarea
        id="oc-chat-comment"
        className="oc-chat-input oc-chat-comment"
        rows={2}
        maxLength={500}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      {[1, 2, 3, 4, 5].map((n) => (
        <button key={n} type="button" className="oc-button" onClick={() => void rate(n)}>
          {t("chat.stars", { count: n })}
        </button>
      ))}
      {error ? <Notice tone="error">{error}</Notice> : null}
    </fieldset>
  );
}
