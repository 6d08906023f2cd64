// Messages that leave the building (SMS, email) and the in-app inbox.
import type { FastifyBaseLogger } from "fastify";
import nodemailer from "nodemailer";
import type { Db, Executor } from "../../db/database.js";
import {
  claimUnsentEmails,
  type InboxItem,
  insertNotification,
  insertOutbound,
  markOutbound,
} from "./store.js";

export type Notifier = {
  sendSms(db: Executor, to: string, body: string): Promise<void>;
  sendEmail(db: Executor, to: string, subject: string, body: string): Promise<void>;
  /** In-app inbox, plus SMS and/or email where given. */
  notifyUser(
    db: Executor,
    user: { id: string; phone?: string | null; email?: string | null },
    item: InboxItem & { sms?: boolean; email?: boolean },
  ): Promise<void>;
  close(): Promise<void>;
};

export function createNotifier(opts: {
  db: Db;
  smtpUrl?: string;
  from?: string;
  log: FastifyBaseLogger;
}): Notifier {
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : null;
  const from = opts.from ?? "OpenCounter <no-reply@opencounter.local>";

  // Outbox: mail goes out from committed rows only, so a rolled-back transaction sends nothing.
  // `for update skip locked` lets several server processes share the work.
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const drain = async () => {
    timer = undefined;
    if (!transport || closed) return;
    const batch = await opts.db.transaction().execute(async (tx) => {
      const rows = await claimUnsentEmails(tx, 20);
      for (const row of rows) {
        try {
          await transport.sendMail({ from, to: row.destination, subject: row.subject ?? "", text: row.body });
          await markOutbound(tx, row.id, { sentAt: new Date() });
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          opts.log.warn({ messageId: row.id, reason }, "email not sent");
          await markOutbound(tx, row.id, { error: reason });
        }
      }
      return rows.length;
    });
    if (batch > 0) schedule(0);
  };
  const schedule = (ms: number) => {
    if (!transport || closed || timer) return;
    timer = setTimeout(() => {
      drain().catch((err: unknown) => opts.log.error({ err }, "email outbox failed"));
    }, ms);
  };
  const poll = transport ? setInterval(() => schedule(0), 5_000) : undefined;

  const notifier: Notifier = {
    async sendSms(db, to, body) {
      await insertOutbound(db, { channel: "sms", destination: to, subject: null, body });
    },
    async sendEmail(db, to, subject, body) {
      await insertOutbound(db, { channel: "email", destination: to, subject, body });
      schedule(100);
    },
    async notifyUser(db, user, item) {
      await insertNotification(db, user.id, item);
      if (item.sms && user.phone)
        await notifier.sendSms(db, user.phone, `【OpenCounter】${item.title}：${item.body}`);
      if (item.email && user.email) await notifier.sendEmail(db, user.email, item.title, item.body);
    },
    async close() {
      closed = true;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      transport?.close();
    },
  };
  return notifier;
}
