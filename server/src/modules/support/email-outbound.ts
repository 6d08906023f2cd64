// Replies to email tickets leave over SMTP (nodemailer), from committed rows only: a reply is
// stored "queued" with its Message-ID, In-Reply-To and References, then sent here — right
// after the agent's request, and by the pg-boss job `support.ticket-emails` for anything a
// failed attempt left behind. `for update skip locked` lets several processes share the work.
import nodemailer, { type Transporter } from "nodemailer";
import type { AppContext } from "../../context.js";

export const EMAIL_MAX_ATTEMPTS = 5;

export type TicketMailer = Pick<Transporter, "sendMail">;

let shared: { url: string; transport: Transporter } | undefined;

/** One pooled transport per SMTP URL for the process; none when SMTP_URL is not set. */
export function ticketMailer(ctx: AppContext): TicketMailer | null {
  const url = ctx.config.smtpUrl;
  if (!url) return null;
  if (shared?.url !== url) {
    shared?.transport.close();
    shared = { url, transport: nodemailer.createTransport(url) };
  }
  return shared.transport;
}

export function closeTicketMailer(): void {
  shared?.transport.close();
  shared = undefined;
}

export type DeliveryRun = { sent: number; failed: number };

export async function deliverTicketEmails(
  ctx: AppContext,
  mailer: TicketMailer | null = ticketMailer(ctx),
  limit = 20,
): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, failed: 0 };
  if (!mailer) return run;
  return ctx.db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom("support_ticket_messages as m")
      .innerJoin("support_tickets as t", "t.id", "m.ticket_id")
      .select([
        "m.id",
        "m.body",
        "m.email_message_id",
        "m.email_in_reply_to",
        "m.email_references",
        "m.email_to",
        "m.email_attempts",
        "t.number",
        "t.subject",
      ])
      .where("m.email_status", "=", "queued")
      .orderBy("m.id")
      .limit(limit)
      .forUpdate("m")
      .skipLocked()
      .execute();
    for (const row of rows) {
      if (!row.email_to || !row.email_message_id) {
        await tx
          .updateTable("support_ticket_messages")
          .set({ email_status: "failed", email_error: "no recipient" })
          .where("id", "=", row.id)
          .execute();
        run.failed += 1;
        continue;
      }
      try {
        await mailer.sendMail({
          from: { name: "OpenCounter 客服", address: ctx.config.supportEmail.address },
          to: row.email_to,
          subject: replySubject(row.subject, row.number),
          text: row.body,
          messageId: row.email_message_id,
          ...(row.email_in_reply_to ? { inReplyTo: row.email_in_reply_to } : {}),
          ...(row.email_references ? { references: row.email_references } : {}),
        });
        await tx
          .updateTable("support_ticket_messages")
          .set({ email_status: "sent", email_attempts: row.email_attempts + 1, email_error: null })
          .where("id", "=", row.id)
          .execute();
        run.sent += 1;
      } catch (err) {
        const attempts = row.email_attempts + 1;
        await tx
          .updateTable("support_ticket_messages")
          .set({
            email_attempts: attempts,
            email_error: (err instanceof Error ? err.message : String(err)).slice(0, 500),
            ...(attempts >= EMAIL_MAX_ATTEMPTS ? { email_status: "failed" as const } : {}),
          })
          .where("id", "=", row.id)
          .execute();
        run.failed += 1;
      }
    }
    return run;
  });
}

/** "Re: <subject> [#number]": the number lets a reply find its ticket even without headers. */
export function replySubject(subject: string, number: bigint): string {
  const base = subject.replace(/^(re|回复|答复)\s*[:：]\s*/i, "");
  return `Re: ${base} [#${number}]`;
}
