// Consent before account access. An agent who has a conversation asks to see part of the
// customer's account (profile, balance, transactions) for at most 30 minutes; the customer
// grants or refuses in the portal, or grants by reading out a code sent to the bound phone.
// With a live grant the agent sees masked data only, and every view is in the audit trail.
// Without one the agent sees the conversation and nothing else.
//
// Every change is also a system message in the conversation (announced on the chat bus), so
// both sides see the request and its outcome live. Expiry is never written: it is read from
// expires_at at every use, so access ends on time even if nothing runs.
import type { Selectable, Updateable } from "kysely";
import type { AppContext } from "../../context.js";
import { randomDigits, sha256Hex } from "../../crypto.js";
import type { Executor, Tx } from "../../db/database.js";
import type { SupportConsentScope, SupportConsentsTable } from "../../db/schema.js";
import { eventFits } from "../../events.js";
import { DomainError } from "../../http/errors.js";
import { maskName, maskPhone } from "../identity/index.js";
import { listTransactions } from "../wallet/service.js";
import { listCustomerAccounts } from "../wallet/store.js";
import { CHAT_CHANNEL, type ChatEvent, conversationFor, type Party, toChatMessage } from "./chat.js";
import { type ConversationRow, insertMessage } from "./chat-store.js";

export const CONSENT_SCOPES = ["profile", "balance", "transactions"] as const satisfies SupportConsentScope[];
export const CONSENT_MAX_MINUTES = 30;
/** A request nobody answered lapses after this long; the agent may ask again. */
export const CONSENT_REQUEST_TTL_MS = 10 * 60 * 1000;
export const CONSENT_CODE_TTL_MS = 5 * 60 * 1000;
export const CONSENT_CODE_RESEND_MS = 60 * 1000;
export const CONSENT_CODE_MAX_ATTEMPTS = 5;
/** Transactions shown to an agent: the most recent ones only. */
export const CONSENT_TRANSACTIONS_SHOWN = 10;

type ConsentRow = Selectable<SupportConsentsTable>;

export type ConsentStatus = "requested" | "granted" | "refused" | "revoked" | "cancelled" | "expired";

export type Consent = {
  id: string;
  conversationId: string;
  agentId: string;
  scopes: SupportConsentScope[];
  minutes: number;
  /** "expired" is derived: a grant (or an open request) whose time has passed. */
  status: ConsentStatus;
  requestedAt: string;
  decidedAt: string | null;
  grantedVia: "portal" | "phone_code" | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** When an open request lapses. */
  requestExpiresAt: string;
};

const SCOPE_LABEL: Record<SupportConsentScope, string> = {
  profile: "基本资料",
  balance: "余额",
  transactions: "交易记录",
};

function effectiveStatus(row: ConsentRow, now: Date): ConsentStatus {
  if (row.status === "granted" && row.expires_at && row.expires_at <= now) return "expired";
  if (row.status === "requested" && row.requested_at.getTime() + CONSENT_REQUEST_TTL_MS <= now.getTime())
    return "expired";
  return row.status;
}

export function toConsent(row: ConsentRow, now: Date): Consent {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    agentId: row.agent_id,
    scopes: row.scopes,
    minutes: row.minutes,
    status: effectiveStatus(row, now),
    requestedAt: row.requested_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
    grantedVia: row.granted_via,
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    requestExpiresAt: new Date(row.requested_at.getTime() + CONSENT_REQUEST_TTL_MS).toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findConsent(db: Executor, id: string, forUpdate = false): Promise<ConsentRow | undefined> {
  if (!UUID.test(id)) return undefined;
  let q = db.selectFrom("support_consents").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) as ConsentRow | undefined;
}

/** A conversation's consents, newest first. */
export async function listConsents(db: Executor, conversationId: string, limit = 20): Promise<ConsentRow[]> {
  return (await db
    .selectFrom("support_consents")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .orderBy("requested_at", "desc")
    .orderBy("id")
    .limit(limit)
    .execute()) as ConsentRow[];
}

/** A system message in the conversation, announced on the chat bus like every other message. */
async function systemMessage(ctx: AppContext, tx: Tx, c: ConversationRow, body: string, payload: unknown) {
  const now = ctx.clock.now();
  const { message } = await insertMessage(tx, {
    conversationId: c.id,
    authorKind: "system",
    authorId: null,
    clientId: null,
    body,
    attachmentFileId: null,
    payload,
    now,
  });
  await tx.updateTable("support_conversations").set({ updated_at: now }).where("id", "=", c.id).execute();
  const dto = toChatMessage(message);
  const full: ChatEvent = { t: "m", c: c.id, id: dto.id, m: dto };
  await ctx.events.publish(tx, CHAT_CHANNEL, eventFits(full) ? full : { t: "m", c: c.id, id: dto.id });
}

function staffActor(agent: Party) {
  return { id: agent.id, kind: "staff" as const, ip: null };
}

function requireOwnConversation(c: ConversationRow, agent: Party) {
  if (c.status !== "assigned" || c.assigned_agent_id !== agent.id) {
    throw new DomainError("conflict", { detail: "Take the conversation before asking for consent" });
  }
}

function scopeText(scopes: SupportConsentScope[]): string {
  return scopes.map((s) => SCOPE_LABEL[s]).join("、");
}

function consentPayload(event: string, row: ConsentRow, now: Date) {
  return { event, consent: toConsent(row, now) };
}

// --- the agent asks ---

export async function requestConsent(
  ctx: AppContext,
  agent: Party,
  conversationId: string,
  input: { scopes: SupportConsentScope[]; minutes: number },
): Promise<Consent> {
  const scopes = [...new Set(input.scopes)].sort(
    (a, b) => CONSENT_SCOPES.indexOf(a) - CONSENT_SCOPES.indexOf(b),
  );
  if (scopes.length === 0 || scopes.some((s) => !CONSENT_SCOPES.includes(s))) {
    throw new DomainError("validation_failed", {
      detail: "Ask for at least one known scope",
      field: "scopes",
    });
  }
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > CONSENT_MAX_MINUTES) {
    throw new DomainError("validation_failed", {
      detail: `Ask for 1 to ${CONSENT_MAX_MINUTES} minutes`,
      field: "minutes",
    });
  }
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, agent, conversationId, { forUpdate: true });
    if (c.status === "closed") throw new DomainError("conversation_closed");
    requireOwnConversation(c, agent);
    const now = ctx.clock.now();
    // A new request replaces an open one (the agent changed their mind, or it lapsed).
    await tx
      .updateTable("support_consents")
      .set({ status: "cancelled", decided_at: now })
      .where("conversation_id", "=", c.id)
      .where("status", "=", "requested")
      .execute();
    const row = (await tx
      .insertInto("support_consents")
      .values({
        conversation_id: c.id,
        customer_id: c.customer_id,
        agent_id: agent.id,
        scopes,
        minutes: input.minutes,
        requested_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()) as ConsentRow;
    await systemMessage(
      ctx,
      tx,
      c,
      `客服申请查看您的${scopeText(scopes)}，时长 ${input.minutes} 分钟。您可以同意或拒绝，同意后也可随时撤销。`,
      consentPayload("consent_requested", row, now),
    );
    await ctx.audit.record(tx, {
      actor: staffActor(agent),
      action: "support.consent_requested",
      target: { type: "support_conversation", id: c.id },
      details: { consentId: row.id, scopes, minutes: input.minutes, customerId: c.customer_id },
    });
    return toConsent(row, now);
  });
}

/** The consent in a conversation, locked, for a party allowed to act on it. */
async function consentFor(tx: Tx, party: Party, consentId: string) {
  const row = await findConsent(tx, consentId, true);
  if (!row || (party.kind === "customer" && row.customer_id !== party.id)) {
    throw new DomainError("not_found", { detail: "No such consent request" });
  }
  const c = await conversationFor(tx, party, row.conversation_id, { forUpdate: true });
  return { row, c };
}

function requireOpenRequest(row: ConsentRow, now: Date) {
  if (effectiveStatus(row, now) !== "requested") {
    throw new DomainError("conflict", { detail: "This request has already been answered or has lapsed" });
  }
}

/**
 * Settles a consent: the row takes its new status, the conversation gets a system message
 * (event consent_<status>) and the audit trail support.consent_<status>, all in `tx`.
 */
async function settle(
  ctx: AppContext,
  tx: Tx,
  c: ConversationRow,
  row: ConsentRow,
  now: Date,
  outcome: {
    status: "granted" | "refused" | "revoked";
    set: Omit<Updateable<SupportConsentsTable>, "status">;
    message: string;
    actor: { id: string; kind: "customer" | "staff" };
    /** Audit details beyond the consent's id. */
    details?: (settled: ConsentRow) => Record<string, unknown>;
  },
): Promise<Consent> {
  const settled = (await tx
    .updateTable("support_consents")
    .set({ status: outcome.status, ...outcome.set })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as ConsentRow;
  await systemMessage(ctx, tx, c, outcome.message, consentPayload(`consent_${outcome.status}`, settled, now));
  await ctx.audit.record(tx, {
    actor: { ...outcome.actor, ip: null },
    action: `support.consent_${outcome.status}`,
    target: { type: "support_conversation", id: c.id },
    details: { consentId: row.id, ...outcome.details?.(settled) },
  });
  return toConsent(settled, now);
}

async function grant(
  ctx: AppContext,
  tx: Tx,
  c: ConversationRow,
  row: ConsentRow,
  via: "portal" | "phone_code",
  actor: { id: string; kind: "customer" | "staff" },
) {
  const now = ctx.clock.now();
  return settle(ctx, tx, c, row, now, {
    status: "granted",
    set: {
      decided_at: now,
      granted_via: via,
      expires_at: new Date(now.getTime() + row.minutes * 60_000),
      code_hash: null,
    },
    message: `您已同意客服查看您的${scopeText(row.scopes)}，${row.minutes} 分钟后自动失效，您可随时撤销。`,
    actor,
    details: (granted) => ({ scopes: row.scopes, via, expiresAt: granted.expires_at?.toISOString() }),
  });
}

// --- the customer answers ---

export async function answerConsent(
  ctx: AppContext,
  customer: Party,
  consentId: string,
  answer: "grant" | "refuse",
): Promise<Consent> {
  return ctx.db.transaction().execute(async (tx) => {
    const { row, c } = await consentFor(tx, customer, consentId);
    const now = ctx.clock.now();
    requireOpenRequest(row, now);
    if (c.status === "closed") throw new DomainError("conversation_closed");
    if (answer === "grant") {
      return grant(ctx, tx, c, row, "portal", { id: customer.id, kind: "customer" });
    }
    return settle(ctx, tx, c, row, now, {
      status: "refused",
      set: { decided_at: now, code_hash: null },
      message: "您已拒绝客服查看账户信息。",
      actor: { id: customer.id, kind: "customer" },
    });
  });
}

/** Ends a live grant at once. Revoking one already over is a no-op answer, not an error. */
export async function revokeConsent(ctx: AppContext, customer: Party, consentId: string): Promise<Consent> {
  return ctx.db.transaction().execute(async (tx) => {
    const { row, c } = await consentFor(tx, customer, consentId);
    const now = ctx.clock.now();
    if (effectiveStatus(row, now) !== "granted") return toConsent(row, now);
    return settle(ctx, tx, c, row, now, {
      status: "revoked",
      set: { revoked_at: now },
      message: "您已撤销授权，客服无法再查看您的账户信息。",
      actor: { id: customer.id, kind: "customer" },
    });
  });
}

// --- by code on the phone ---

const codeHash = (consentId: string, code: string) => sha256Hex(`support-consent\n${consentId}\n${code}`);

/** Sends a one-time code to the customer's bound phone; the customer reads it out to the agent. */
export async function sendConsentCode(
  ctx: AppContext,
  agent: Party,
  consentId: string,
): Promise<{ sentTo: string; expiresIn: number; resendIn: number }> {
  return ctx.db.transaction().execute(async (tx) => {
    const { row, c } = await consentFor(tx, agent, consentId);
    if (row.agent_id !== agent.id) throw new DomainError("not_found", { detail: "No such consent request" });
    requireOwnConversation(c, agent);
    const now = ctx.clock.now();
    requireOpenRequest(row, now);
    if (row.code_sent_at && now.getTime() - row.code_sent_at.getTime() < CONSENT_CODE_RESEND_MS) {
      const wait = Math.ceil((CONSENT_CODE_RESEND_MS - (now.getTime() - row.code_sent_at.getTime())) / 1000);
      throw new DomainError(
        "otp_resend_too_soon",
        { detail: `Wait ${wait} s`, retryAfter: wait },
        { "retry-after": String(wait) },
      );
    }
    const user = await tx
      .selectFrom("users")
      .select("phone")
      .where("id", "=", row.customer_id)
      .executeTakeFirstOrThrow();
    if (!user.phone) throw new DomainError("no_verified_destination");
    const code = randomDigits(6);
    await tx
      .updateTable("support_consents")
      .set({
        code_hash: codeHash(row.id, code),
        code_sent_at: now,
        code_expires_at: new Date(now.getTime() + CONSENT_CODE_TTL_MS),
        code_attempts: 0,
      })
      .where("id", "=", row.id)
      .execute();
    await ctx.notifier.sendSms(
      tx,
      user.phone,
      `【OpenCounter】客服申请查看您的${scopeText(row.scopes)}，时长 ${row.minutes} 分钟。如您同意，请把验证码 ${code} 告诉正在与您通话的客服；不同意请忽略。5 分钟内有效。`,
    );
    await ctx.audit.record(tx, {
      actor: staffActor(agent),
      action: "support.consent_code_sent",
      target: { type: "support_conversation", id: c.id },
      details: { consentId: row.id },
    });
    return {
      sentTo: maskPhone(user.phone),
      expiresIn: CONSENT_CODE_TTL_MS / 1000,
      resendIn: CONSENT_CODE_RESEND_MS / 1000,
    };
  });
}

/** The agent enters the code the customer read out: a right code grants the request. */
export async function verifyConsentCode(
  ctx: AppContext,
  agent: Party,
  consentId: string,
  code: string,
): Promise<Consent> {
  // A wrong guess is counted in a transaction of its own, so it stays counted.
  const outcome = await ctx.db.transaction().execute(async (tx) => {
    const { row, c } = await consentFor(tx, agent, consentId);
    if (row.agent_id !== agent.id) throw new DomainError("not_found", { detail: "No such consent request" });
    requireOwnConversation(c, agent);
    const now = ctx.clock.now();
    requireOpenRequest(row, now);
    const live = row.code_hash && row.code_expires_at && row.code_expires_at > now;
    if (!live) return { wrong: new DomainError("invalid_otp") };
    if (row.code_hash !== codeHash(row.id, code)) {
      const attempts = row.code_attempts + 1;
      await tx
        .updateTable("support_consents")
        .set({
          code_attempts: attempts,
          ...(attempts >= CONSENT_CODE_MAX_ATTEMPTS ? { code_hash: null } : {}),
        })
        .where("id", "=", row.id)
        .execute();
      return {
        wrong: new DomainError("invalid_otp", {
          attemptsLeft: Math.max(0, CONSENT_CODE_MAX_ATTEMPTS - attempts),
        }),
      };
    }
    return { granted: await grant(ctx, tx, c, row, "phone_code", { id: agent.id, kind: "staff" }) };
  });
  if ("wrong" in outcome && outcome.wrong) throw outcome.wrong;
  if (!("granted" in outcome) || !outcome.granted) throw new DomainError("invalid_otp");
  return outcome.granted;
}

// --- the agent looks ---

export type CustomerView = {
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

function toNumber(amount: bigint): number {
  if (amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("amount beyond what JSON numbers carry");
  return Number(amount);
}

/**
 * What the customer allowed this agent to see, masked. Refused (403 consent_required) without a
 * live grant from this customer to this agent covering every scope asked for, or when the agent
 * no longer has the conversation. Every view is audited in the same transaction as the reads.
 */
export async function viewCustomer(
  ctx: AppContext,
  agent: Party,
  conversationId: string,
  scopes: SupportConsentScope[],
): Promise<CustomerView> {
  const wanted = [...new Set(scopes)];
  if (wanted.length === 0 || wanted.some((s) => !CONSENT_SCOPES.includes(s))) {
    throw new DomainError("validation_failed", { detail: "Name the scopes to read", field: "scope" });
  }
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, agent, conversationId);
    const now = ctx.clock.now();
    const live = (await tx
      .selectFrom("support_consents")
      .selectAll()
      .where("conversation_id", "=", c.id)
      .where("agent_id", "=", agent.id)
      .where("status", "=", "granted")
      .where("expires_at", ">", now)
      .orderBy("expires_at", "desc")
      .execute()) as ConsentRow[];
    const consent = live.find((r) => wanted.every((s) => r.scopes.includes(s)));
    const mine = c.status === "assigned" && c.assigned_agent_id === agent.id;
    if (!consent || !mine) {
      throw new DomainError("consent_required", {
        detail: "The customer has not allowed you to see this (or the permission has ended)",
        scopes: wanted,
      });
    }
    const view: CustomerView = { consent: toConsent(consent, now) };
    if (wanted.includes("profile")) {
      const u = await tx
        .selectFrom("users")
        .select(["name", "phone", "verification_level", "status", "created_at"])
        .where("id", "=", c.customer_id)
        .executeTakeFirstOrThrow();
      view.profile = {
        name: u.name ? maskName(u.name) : null,
        phone: u.phone ? maskPhone(u.phone) : null,
        verificationLevel: u.verification_level,
        status: u.status,
        memberSince: u.created_at.toISOString(),
      };
    }
    if (wanted.includes("balance")) {
      const accounts = await listCustomerAccounts(tx, c.customer_id);
      view.balance = {
        accounts: accounts.map((a) => ({
          currency: a.currency.trim(),
          available: toNumber(a.balance - a.pending_debits),
          pending: toNumber(a.pending_debits),
        })),
      };
    }
    if (wanted.includes("transactions")) {
      const page = await listTransactions({ ...ctx, db: tx }, c.customer_id, {
        limit: CONSENT_TRANSACTIONS_SHOWN,
      });
      // Counterparties come masked from the wallet; memos (free text) are left out.
      view.transactions = {
        items: page.items.map((t) => ({
          type: t.type,
          direction: t.direction,
          amount: toNumber(t.amount),
          currency: t.currency,
          counterparty: t.counterparty,
          createdAt: t.createdAt.toISOString(),
        })),
      };
    }
    await ctx.audit.record(tx, {
      actor: staffActor(agent),
      action: "support.customer_viewed",
      target: { type: "user", id: c.customer_id },
      details: { conversationId: c.id, consentId: consent.id, scopes: wanted },
    });
    return view;
  });
}

// --- after the chat: the customer's rating ---

export type ChatRating = { rating: number; comment: string | null; createdAt: string };

/** The customer rates an ended chat once (1–5, optional comment). */
export async function rateChat(
  ctx: AppContext,
  customer: Party,
  conversationId: string,
  input: { rating: number; comment?: string },
): Promise<ChatRating> {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
    throw new DomainError("validation_failed", { detail: "Rate from 1 to 5", field: "rating" });
  }
  return ctx.db.transaction().execute(async (tx) => {
    const c = await conversationFor(tx, customer, conversationId, { forUpdate: true });
    if (c.status !== "closed")
      throw new DomainError("conflict", { detail: "Rate the chat once it has ended" });
    const now = ctx.clock.now();
    const row = await tx
      .insertInto("support_chat_ratings")
      .values({
        conversation_id: c.id,
        customer_id: customer.id,
        rating: input.rating,
        comment: input.comment?.trim() || null,
        created_at: now,
      })
      .onConflict((oc) => oc.column("conversation_id").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new DomainError("conflict", { detail: "This chat has already been rated" });
    return { rating: row.rating, comment: row.comment, createdAt: row.created_at.toISOString() };
  });
}

export async function chatRatingOf(db: Executor, conversationId: string): Promise<ChatRating | null> {
  const row = await db
    .selectFrom("support_chat_ratings")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .executeTakeFirst();
  return row ? { rating: row.rating, comment: row.comment, createdAt: row.created_at.toISOString() } : null;
}
