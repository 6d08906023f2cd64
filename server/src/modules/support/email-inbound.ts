// Email into tickets: an SMTP listener (smtp-server, off unless SUPPORT_SMTP_PORT is set; in one
// server process per database at a time) and a signed webhook both hand the raw message here. mailparser reads it; the thread is found by
// In-Reply-To and References against the Message-IDs we stored (ours on replies, theirs on
// inbound mail), else by "[#number]" in the subject from the same sender; otherwise it opens a
// ticket — for the customer who bound and verified that address, or for the bare address
// until an agent matches it. The same Message-ID twice is stored once.
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { addRequesterMessage, openTicket } from "./tickets.js";
import {
  emailAlreadyStored,
  findTicket,
  findTicketByEmailIds,
  findTicketByNumber,
  type TicketRow,
} from "./tickets-store.js";

/** Inbound mail larger than this is refused (attachments are not kept). */
export const INBOUND_MAX_BYTES = 2 * 1024 * 1024;
export const WEBHOOK_SIGNING_PURPOSE = "support-inbound-email";
export const WEBHOOK_MAX_SKEW_MS = 5 * 60 * 1000;

export type InboundEmail = {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string;
  fromName: string | null;
  subject: string;
  text: string;
  /** An auto-reply, bounce or our own mail come back: stored nowhere, never reopens a ticket. */
  automatic: boolean;
};

export async function parseInboundEmail(raw: Buffer | string): Promise<InboundEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipHtmlToText: false });
  const from = mail.from?.value[0];
  if (!from?.address)
    throw new DomainError("validation_failed", { detail: "The email has no sender", field: "from" });
  const references = Array.isArray(mail.references)
    ? mail.references
    : mail.references
      ? [mail.references]
      : [];
  const text = (mail.text ?? "").trim() || (typeof mail.html === "string" ? "" : "");
  return {
    // A message without an id still gets one, so a resend of it is not stored twice by chance.
    messageId: mail.messageId ?? `<no-id.${crypto.randomUUID()}@inbound.opencounter.local>`,
    inReplyTo: mail.inReplyTo ?? null,
    references,
    fromAddress: from.address.toLowerCase(),
    fromName: from.name || null,
    subject: (mail.subject ?? "").trim(),
    text: stripQuoted(text) || text || "(空白邮件)",
    automatic: isAutomatic(mail),
  };
}

/** RFC 3834 Auto-Submitted, the older Precedence/X-Autoreply, and bounces. */
function isAutomatic(mail: ParsedMail): boolean {
  const header = (name: string) => {
    const v = mail.headers.get(name);
    return typeof v === "string" ? v.toLowerCase() : "";
  };
  const autoSubmitted = header("auto-submitted");
  if (autoSubmitted && autoSubmitted !== "no") return true;
  if (["bulk", "junk", "auto_reply", "list"].includes(header("precedence"))) return true;
  if (header("x-autoreply") || header("x-autorespond")) return true;
  const from = mail.from?.value[0]?.address?.toLowerCase() ?? "";
  return /^(mailer-daemon|postmaster)@/.test(from);
}

/** The new part of a reply: mail clients quote the whole thread below it. */
export function stripQuoted(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    if (
      /^On .+wrote:\s*$/.test(line) ||
      /^在.+写道[:：]\s*$/.test(line) ||
      /^-{2,}\s*(原始邮件|Original Message)/i.test(line)
    )
      break;
    if (line.startsWith(">")) continue;
    out.push(line);
  }
  return out.join("\n").trim();
}

export type IngestResult =
  | { ticket: TicketRow; created: boolean; duplicate: boolean; joined: boolean; ignored?: false }
  | { ticket: null; created: false; duplicate: false; joined: false; ignored: true };

export async function ingestEmail(ctx: AppContext, mail: InboundEmail): Promise<IngestResult> {
  // An out-of-office answer to our reply must not reopen the ticket; a bounce is not a request;
  // our own address as sender would be a loop.
  if (mail.automatic || mail.fromAddress === ctx.config.supportEmail.address) {
    return { ticket: null, created: false, duplicate: false, joined: false, ignored: true };
  }
  return ctx.db.transaction().execute(async (tx): Promise<IngestResult> => {
    const seen = await emailAlreadyStored(tx, mail.messageId);
    if (seen) {
      const ticket = await findTicket(tx, seen.ticket_id);
      if (!ticket) throw new Error("stored email without ticket");
      return { ticket, created: false, duplicate: true, joined: false };
    }
    const threadIds = [...new Set([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references])];
    let ticket = await findTicketByEmailIds(tx, threadIds);
    if (!ticket) {
      const n = /\[#(\d{1,12})\]/.exec(mail.subject)?.[1];
      const byNumber = n ? await findTicketByNumber(tx, BigInt(n)) : undefined;
      // The number alone is guessable: only its own requester may continue a ticket by it.
      if (byNumber && (await sentBy(ctx, byNumber, mail.fromAddress))) ticket = byNumber;
    }
    // A merged ticket's mail goes where its messages went.
    for (let hops = 0; ticket?.merged_into_id && hops < 5; hops++) {
      ticket = await findTicket(tx, ticket.merged_into_id);
    }
    if (ticket) {
      const locked = await findTicket(tx, ticket.id, { forUpdate: true });
      if (!locked) throw new Error("ticket vanished");
      await addRequesterMessage(ctx, tx, locked, {
        body: mail.text,
        authorKind: "customer",
        authorId: locked.customer_id,
        channel: "email",
        emailMessageId: mail.messageId,
      });
      const after = await findTicket(tx, locked.id);
      return { ticket: after ?? locked, created: false, duplicate: false, joined: true };
    }
    const customer = await tx
      .selectFrom("users")
      .select("id")
      .where("kind", "=", "customer")
      .where("email", "=", mail.fromAddress)
      .where("email_verified_at", "is not", null)
      .executeTakeFirst();
    const opened = await openTicket(ctx, tx, {
      channel: "email",
      customerId: customer?.id ?? null,
      requesterEmail: mail.fromAddress,
      requesterName: mail.fromName?.slice(0, 100) ?? null,
      subject: mail.subject,
      body: mail.text,
      author: { kind: "customer" },
      messageChannel: "email",
      email: { messageId: mail.messageId },
    });
    return { ticket: opened.ticket, created: !opened.joined, duplicate: false, joined: opened.joined };
  });
}

async function sentBy(ctx: AppContext, t: TicketRow, address: string): Promise<boolean> {
  if (t.requester_email === address) return true;
  if (!t.customer_id) return false;
  const u = await ctx.db
    .selectFrom("users")
    .select("email")
    .where("id", "=", t.customer_id)
    .executeTakeFirst();
  return u?.email === address;
}

// --- the signed webhook ---

/** What a mail provider (or our own relay) signs: the timestamp and the raw message. */
export function signInboundEmail(ctx: AppContext, timestamp: string, raw: string): string {
  return ctx.crypto.signFor(WEBHOOK_SIGNING_PURPOSE, `${timestamp}.${raw}`);
}

export function verifyInboundSignature(
  ctx: AppContext,
  input: { timestamp: string | undefined; signature: string | undefined; raw: string },
): void {
  const ts = Number(input.timestamp);
  if (
    !input.signature ||
    !Number.isFinite(ts) ||
    Math.abs(ctx.clock.now().getTime() - ts * 1000) > WEBHOOK_MAX_SKEW_MS
  ) {
    throw new DomainError("invalid_signature");
  }
  const want = Buffer.from(signInboundEmail(ctx, String(input.timestamp), input.raw), "hex");
  const got = Buffer.from(input.signature, "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new DomainError("invalid_signature");
}

// --- the SMTP listener ---

export type InboundSmtp = { port: number; close(): Promise<void> };

/**
 * Accepts mail for the support address only (no relaying), up to INBOUND_MAX_BYTES, and
 * answers 250 only after the message is stored: a sender whose mail we could not keep hears
 * a temporary failure and tries again.
 */
export async function startInboundSmtp(
  ctx: AppContext,
  opts: { port: number; host: string; log?: (msg: string, err?: unknown) => void },
): Promise<InboundSmtp> {
  const address = ctx.config.supportEmail.address;
  const server = new SMTPServer({
    name: address.split("@")[1] ?? "opencounter.local",
    banner: "OpenCounter support",
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: INBOUND_MAX_BYTES,
    logger: false,
    onRcptTo(rcpt, _session, callback) {
      if (rcpt.address.toLowerCase() !== address) {
        const err = new Error("No such mailbox here") as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = new Error("Message too large") as Error & { responseCode: number };
          err.responseCode = 552;
          return callback(err);
        }
        parseInboundEmail(Buffer.concat(chunks))
          .then((mail) => ingestEmail(ctx, mail))
          .then(() => callback())
          .catch((e: unknown) => {
            opts.log?.("inbound email not stored", e);
            const err = new Error("Try again later") as Error & { responseCode: number };
            err.responseCode = e instanceof DomainError ? 550 : 451;
            callback(err);
          });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const bound = (server.server.address() as AddressInfo).port;
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// --- one listener per database ---

/** The session-level advisory lock whose holder is the one process that listens. */
export const INBOUND_SMTP_LOCK_SQL = "hashtextextended('opencounter.support_inbound_smtp', 0)";
export const INBOUND_SMTP_APPLICATION_NAME = "opencounter inbound smtp";

export type InboundSmtpLeader = {
  /** The listener while this process holds the lock, else null. */
  readonly listening: InboundSmtp | null;
  /** Settles once the first try for the lock is over (listening or not). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
};

/**
 * Listens for inbound mail in at most one of the server processes sharing a database. Each
 * process tries for a session-level advisory lock on a connection of its own; the holder
 * listens, the others try again every `retryMs`. When the holder stops, or dies and PostgreSQL
 * ends its connection (which frees the lock), another process takes over within `retryMs`. A
 * holder that loses its connection stops listening at once: it no longer knows it is alone.
 */
export function startInboundSmtpOnce(
  ctx: AppContext,
  opts: {
    databaseUrl: string;
    port: number;
    host: string;
    retryMs?: number;
    log?: (msg: string, err?: unknown) => void;
    /** Called with the listener when this process starts listening, with null when it stops. */
    onChange?: (listening: InboundSmtp | null) => void;
  },
): InboundSmtpLeader {
  const retryMs = opts.retryMs ?? 15_000;
  let client: pg.Client | null = null;
  let listening: InboundSmtp | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let attempt: Promise<void> = Promise.resolve();

  const stopListening = async () => {
    const was = listening;
    listening = null;
    if (was) {
      await was.close();
      opts.onChange?.(null);
    }
  };

  const dropConnection = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    // Without the connection the lock is gone: someone else may be listening already.
    stopListening().catch((err: unknown) => opts.log?.("inbound SMTP listener did not close", err));
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      attempt = tryToLead();
    }, retryMs);
    timer.unref();
  };

  const tryToLead = async () => {
    if (closed || listening) return;
    try {
      if (!client) {
        const c = new pg.Client({
          connectionString: opts.databaseUrl,
          keepAlive: true,
          // Names the holder in pg_stat_activity for operators.
          application_name: INBOUND_SMTP_APPLICATION_NAME,
        });
        c.on("error", (err) => {
          opts.log?.("inbound SMTP lock connection lost", err);
          dropConnection(c);
        });
        c.on("end", () => dropConnection(c));
        await c.connect();
        client = c;
      }
      const c = client;
      const got = await c.query<{ locked: boolean }>(
        `select pg_try_advisory_lock(${INBOUND_SMTP_LOCK_SQL}) as locked`,
      );
      if (!got.rows[0]?.locked) return schedule();
      let started: InboundSmtp;
      try {
        started = await startInboundSmtp(ctx, { port: opts.port, host: opts.host, log: opts.log });
      } catch (err) {
        // The port is taken (or not ours to bind): let another process have the lock.
        await c.query(`select pg_advisory_unlock(${INBOUND_SMTP_LOCK_SQL})`);
        throw err;
      }
      if (closed || client !== c) {
        await started.close();
        return;
      }
      listening = started;
      opts.onChange?.(started);
    } catch (err) {
      opts.log?.("inbound SMTP listener not started; trying again later", err);
      schedule();
    }
  };

  attempt = tryToLead();
  const ready = attempt;
  return {
    get listening() {
      return listening;
    },
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await attempt;
      await stopListening();
      const c = client;
      client = null;
      // Ending the session frees the lock for the next process.
      if (c) await c.end().catch(() => {});
    },
  };
}
