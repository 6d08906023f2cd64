// SLA clocks of tickets: first response, next response and resolution, counted in business
// hours of the support calendar (holidays and 调休 included). Each clock is a row; the
// pg-boss job `support.sla-timers` (jobs.ts, every minute) warns the assignee when the
// warning point passes and, at the deadline, records the breach and escalates: a system fault
// to the technical team, anything else to the supervisors. Each happens once per clock.
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/database.js";
import type { SupportSlaTarget, SupportTicketPriority } from "../../db/schema.js";
import { addBusinessMinutes, type BusinessCalendar, DEFAULT_CALENDAR } from "./business-hours.js";
import { staffWithRole } from "./tickets-store.js";

export const SLA_CALENDAR: BusinessCalendar = DEFAULT_CALENDAR;

export type SlaPolicy = {
  priority: SupportTicketPriority;
  first_response_minutes: number;
  next_response_minutes: number;
  resolution_minutes: number;
  warn_at_percent: number;
};

const TARGET_LABEL: Record<SupportSlaTarget, string> = {
  first_response: "首次响应",
  next_response: "后续响应",
  resolution: "解决",
};

export async function slaPolicies(db: Executor): Promise<SlaPolicy[]> {
  return db.selectFrom("support_sla_policies").selectAll().orderBy("first_response_minutes").execute();
}

async function policyFor(db: Executor, priority: SupportTicketPriority): Promise<SlaPolicy> {
  return db
    .selectFrom("support_sla_policies")
    .selectAll()
    .where("priority", "=", priority)
    .executeTakeFirstOrThrow();
}

function minutesFor(p: SlaPolicy, target: SupportSlaTarget): number {
  switch (target) {
    case "first_response":
      return p.first_response_minutes;
    case "next_response":
      return p.next_response_minutes;
    case "resolution":
      return p.resolution_minutes;
    default: {
      const never: never = target;
      throw new Error(`unknown target ${String(never)}`);
    }
  }
}

function deadlines(p: SlaPolicy, target: SupportSlaTarget, from: Date): { warnAt: Date; dueAt: Date } {
  const minutes = minutesFor(p, target);
  return {
    warnAt: addBusinessMinutes(SLA_CALENDAR, from, (minutes * p.warn_at_percent) / 100),
    dueAt: addBusinessMinutes(SLA_CALENDAR, from, minutes),
  };
}

/** Starts a clock unless one is already running for this ticket and target. */
export async function startSlaTimer(
  tx: Tx,
  ticket: { id: string; priority: SupportTicketPriority },
  target: SupportSlaTarget,
  from: Date,
): Promise<void> {
  const { warnAt, dueAt } = deadlines(await policyFor(tx, ticket.priority), target, from);
  await tx
    .insertInto("support_sla_timers")
    .values({
      ticket_id: ticket.id,
      target,
      priority: ticket.priority,
      started_at: from,
      warn_at: warnAt,
      due_at: dueAt,
    })
    .onConflict((oc) => oc.columns(["ticket_id", "target"]).where("stopped_at", "is", null).doNothing())
    .execute();
}

/** Stops running clocks (what was owed has been given, or is no longer owed). */
export async function stopSlaTimers(
  tx: Executor,
  ticketId: string,
  targets: readonly SupportSlaTarget[],
  at: Date,
): Promise<void> {
  if (targets.length === 0) return;
  await tx
    .updateTable("support_sla_timers")
    .set({ stopped_at: at })
    .where("ticket_id", "=", ticketId)
    .where("target", "in", targets)
    .where("stopped_at", "is", null)
    .execute();
}

/** A new priority moves the deadlines of the running clocks (from when each started). */
export async function reprioritiseSlaTimers(tx: Tx, ticketId: string, priority: SupportTicketPriority) {
  const policy = await policyFor(tx, priority);
  const running = await tx
    .selectFrom("support_sla_timers")
    .select(["id", "target", "started_at"])
    .where("ticket_id", "=", ticketId)
    .where("stopped_at", "is", null)
    .execute();
  for (const t of running) {
    const { warnAt, dueAt } = deadlines(policy, t.target, t.started_at);
    await tx
      .updateTable("support_sla_timers")
      .set({ priority, warn_at: warnAt, due_at: dueAt })
      .where("id", "=", t.id)
      .execute();
  }
}

export type SlaRun = { warned: number; breached: number };

/** Sends due warnings and records due breaches; safe to run in several processes at once. */
export async function checkSlaTimers(ctx: AppContext, limit = 200): Promise<SlaRun> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (tx) => {
    const run: SlaRun = { warned: 0, breached: 0 };
    const due = await tx
      .selectFrom("support_sla_timers as s")
      .innerJoin("support_tickets as t", "t.id", "s.ticket_id")
      .select([
        "s.id",
        "s.target",
        "s.warn_at",
        "s.due_at",
        "s.warned_at",
        "s.breached_at",
        "t.id as ticket_id",
        "t.number",
        "t.subject",
        "t.category",
        "t.assignee_id",
      ])
      .where("s.stopped_at", "is", null)
      .where((eb) =>
        eb.or([
          eb.and([eb("s.warned_at", "is", null), eb("s.warn_at", "<=", now)]),
          eb.and([eb("s.breached_at", "is", null), eb("s.due_at", "<=", now)]),
        ]),
      )
      .orderBy("s.due_at")
      .limit(limit)
      .forUpdate("s")
      .skipLocked()
      .execute();
    for (const timer of due) {
      const label = `工单 #${timer.number}「${timer.subject}」`;
      if (timer.due_at <= now && !timer.breached_at) {
        const escalateTo = timer.category === "system_fault" ? "technical" : "supervisor";
        await tx
          .updateTable("support_sla_timers")
          .set({ breached_at: now, warned_at: timer.warned_at ?? now, escalated_to: escalateTo })
          .where("id", "=", timer.id)
          .execute();
        await tx
          .updateTable("support_tickets")
          .set({
            escalated_at: now,
            updated_at: now,
            ...(escalateTo === "technical" ? { team: "technical" } : {}),
          })
          .where("id", "=", timer.ticket_id)
          .execute();
        const people = await staffWithRole(tx, escalateTo === "technical" ? "technician" : "supervisor");
        const recipients = new Set([
          ...people.map((p) => p.id),
          ...(timer.assignee_id ? [timer.assignee_id] : []),
        ]);
        for (const id of recipients) {
          await ctx.notifier.notifyUser(
            tx,
            { id },
            {
              kind: "support_sla_breach",
              title: `${label}已超时`,
              body: `${TARGET_LABEL[timer.target]}时限已过（${timer.due_at.toISOString()}），已升级至${escalateTo === "technical" ? "技术团队" : "主管"}。`,
            },
          );
        }
        await tx
          .insertInto("support_ticket_messages")
          .values({
            ticket_id: timer.ticket_id,
            kind: "system",
            channel: "console",
            body: `SLA ${TARGET_LABEL[timer.target]}超时，已升级至${escalateTo === "technical" ? "技术团队" : "主管"}。`,
            created_at: now,
          })
          .execute();
        await ctx.audit.record(tx, {
          actor: { id: null, kind: "system", ip: null },
          action: "support.sla_breached",
          target: { type: "support_ticket", id: timer.ticket_id },
          details: { target: timer.target, dueAt: timer.due_at.toISOString(), escalatedTo: escalateTo },
        });
        run.breached += 1;
      } else if (!timer.warned_at) {
        await tx
          .updateTable("support_sla_timers")
          .set({ warned_at: now })
          .where("id", "=", timer.id)
          .execute();
        const to = timer.assignee_id
          ? [timer.assignee_id]
          : (await staffWithRole(tx, "supervisor")).map((p) => p.id);
        for (const id of to) {
          await ctx.notifier.notifyUser(
            tx,
            { id },
            {
              kind: "support_sla_warning",
              title: `${label}即将超时`,
              body: `${TARGET_LABEL[timer.target]}须在 ${timer.due_at.toISOString()} 前完成。`,
            },
          );
        }
        run.warned += 1;
      }
    }
    return run;
  });
}
