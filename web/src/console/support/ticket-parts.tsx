// What the ticket screens share: the API's shapes (docs/api.md, "Support tickets"), display names
// for its closed sets, and the SLA clock shown as words and colour together.
import { Tag } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { ageLabel, formatTime } from "../labels";

export const ticketStatuses = ["new", "open", "pending", "resolved", "closed"] as const;
export const ticketCategories = [
  "account_locked",
  "account_login",
  "account_password",
  "dispute_failed",
  "dispute_duplicate",
  "question",
  "system_fault",
  "security_alert",
] as const;
export const ticketPriorities = ["low", "normal", "high", "urgent"] as const;
export const ticketChannels = ["chat", "email", "phone"] as const;

export type TicketStatus = (typeof ticketStatuses)[number];
export type TicketCategory = (typeof ticketCategories)[number];
export type TicketPriority = (typeof ticketPriorities)[number];
export type TicketChannel = (typeof ticketChannels)[number];
export type SlaTarget = "first_response" | "next_response" | "resolution";

export type Ticket = {
  id: string;
  number: string;
  customerId: string | null;
  requesterEmail: string | null;
  requesterName: string | null;
  channel: TicketChannel;
  subject: string;
  category: TicketCategory;
  suggestedCategory: TicketCategory | null;
  priority: TicketPriority;
  status: TicketStatus;
  team: string;
  assigneeId: string | null;
  conversationId: string | null;
  mergedIntoId: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
  escalatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
};

/** A clock still running, as the inbox list carries it. */
export type RunningClock = { target: SlaTarget; warnAt: string; dueAt: string; breachedAt: string | null };

export type InboxTicket = Ticket & { sla: RunningClock[] };

export type SlaTimer = RunningClock & {
  startedAt: string;
  stoppedAt: string | null;
  warnedAt: string | null;
  escalatedTo: "supervisor" | "technical" | null;
};

export type TicketMessage = {
  id: string;
  ticketId: string;
  kind: "customer" | "agent" | "note" | "system";
  authorId: string | null;
  channel: "chat" | "email" | "phone" | "portal" | "console";
  body: string;
  mentions: string[];
  emailMessageId: string | null;
  emailStatus: "queued" | "sent" | "failed" | null;
  createdAt: string;
};

export type Survey = {
  sentAt: string;
  rating: number | null;
  comment: string | null;
  answeredAt: string | null;
};

export type TicketDetail = {
  ticket: Ticket;
  messages: TicketMessage[];
  links: Ticket[];
  timers: SlaTimer[];
  survey: Survey | null;
};

export type Colleague = { id: string; name: string | null; handle: string | null };
export type CannedResponse = { id: string; title: string; body: string; updatedAt: string };

/** Account and money requests by email or phone: the customer reads back a code first (tickets-classify.ts). */
export function needsVerification(t: Ticket): boolean {
  if (t.channel === "chat" || !t.customerId) return false;
  return t.category !== "question" && t.category !== "system_fault";
}

export function statusLabel(t: TFunction, s: TicketStatus): string {
  switch (s) {
    case "new":
      return t("tickets.status.new");
    case "open":
      return t("tickets.status.open");
    case "pending":
      return t("tickets.status.pending");
    case "resolved":
      return t("tickets.status.resolved");
    case "closed":
      return t("tickets.status.closed");
    default: {
      const never: never = s;
      return String(never);
    }
  }
}

export function categoryLabel(t: TFunction, c: TicketCategory): string {
  switch (c) {
    case "account_locked":
      return t("tickets.category.account_locked");
    case "account_login":
      return t("tickets.category.account_login");
    case "account_password":
      return t("tickets.category.account_password");
    case "dispute_failed":
      return t("tickets.category.dispute_failed");
    case "dispute_duplicate":
      return t("tickets.category.dispute_duplicate");
    case "question":
      return t("tickets.category.question");
    case "system_fault":
      return t("tickets.category.system_fault");
    case "security_alert":
      return t("tickets.category.security_alert");
    default: {
      const never: never = c;
      return String(never);
    }
  }
}

export function priorityLabel(t: TFunction, p: TicketPriority): string {
  switch (p) {
    case "low":
      return t("tickets.priority.low");
    case "normal":
      return t("tickets.priority.normal");
    case "high":
      return t("tickets.priority.high");
    case "urgent":
      return t("tickets.priority.urgent");
    default: {
      const never: never = p;
      return String(never);
    }
  }
}

export function channelLabel(t: TFunction, c: TicketMessage["channel"]): string {
  switch (c) {
    case "chat":
      return t("tickets.channel.chat");
    case "email":
      return t("tickets.channel.email");
    case "phone":
      return t("tickets.channel.phone");
    case "portal":
      return t("tickets.channel.portal");
    case "console":
      return t("tickets.channel.console");
    default: {
      const never: never = c;
      return String(never);
    }
  }
}

export function targetLabel(t: TFunction, target: SlaTarget): string {
  switch (target) {
    case "first_response":
      return t("tickets.sla.first_response");
    case "next_response":
      return t("tickets.sla.next_response");
    case "resolution":
      return t("tickets.sla.resolution");
    default: {
      const never: never = target;
      return String(never);
    }
  }
}

export function teamLabel(t: TFunction, team: string): string {
  switch (team) {
    case "general":
      return t("tickets.team.general");
    case "technical":
      return t("tickets.team.technical");
    case "supervisors":
      return t("tickets.team.supervisors");
    default:
      return team;
  }
}

export function colleagueName(colleagues: readonly Colleague[], id: string | null): string | null {
  if (!id) return null;
  const c = colleagues.find((x) => x.id === id);
  return c ? (c.name ?? c.handle ?? id.slice(0, 8)) : id.slice(0, 8);
}

/** Who asked: the name they gave, their address, or the customer's short id. */
export function requesterOf(t: TFunction, ticket: Ticket): string {
  return (
    ticket.requesterName ??
    ticket.requesterEmail ??
    (ticket.customerId ? t("tickets.customerShort", { id: ticket.customerId.slice(0, 8) }) : "—")
  );
}

/** Tag colours dark enough on their tint for small text (WCAG AA); antd's orange preset is not. */
const tones = {
  red: { color: "#a8071a", background: "#fff1f0", borderColor: "#ffa39e" },
  orange: { color: "#873800", background: "#fff7e6", borderColor: "#ffd591" },
  blue: { color: "#003eb3", background: "#e6f4ff", borderColor: "#91caff" },
  green: { color: "#135200", background: "#f6ffed", borderColor: "#b7eb8f" },
} as const;
export type Tone = keyof typeof tones;

export function ToneTag({ tone, children, title }: { tone?: Tone; children: string; title?: string }) {
  return (
    <Tag style={tone ? tones[tone] : undefined} title={title}>
      {children}
    </Tag>
  );
}

/** Priority tags carry their word; the colour only repeats it. */
export function PriorityTag({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  const tone = priority === "urgent" ? "red" : priority === "high" ? "orange" : undefined;
  return <ToneTag tone={tone}>{priorityLabel(t, priority)}</ToneTag>;
}

export type ClockState = "breached" | "due_soon" | "on_track" | "stopped";

export function clockState(clock: RunningClock & { stoppedAt?: string | null }, now: number): ClockState {
  // Stopped late counts as breached even when the minute job had not recorded it yet.
  const endedAt = clock.stoppedAt ? Date.parse(clock.stoppedAt) : now;
  if (clock.breachedAt || endedAt >= Date.parse(clock.dueAt)) return "breached";
  if (clock.stoppedAt) return "stopped";
  if (now >= Date.parse(clock.warnAt)) return "due_soon";
  return "on_track";
}

/** One SLA clock as a tag: what it measures, its state in words, and how long is left or over. */
export function SlaTag({ clock, now }: { clock: RunningClock & { stoppedAt?: string | null }; now: number }) {
  const { t } = useTranslation();
  const state = clockState(clock, now);
  const due = Date.parse(clock.dueAt);
  const target = targetLabel(t, clock.target);
  let text: string;
  let tone: Tone | undefined;
  switch (state) {
    case "breached":
      tone = "red";
      text = clock.stoppedAt
        ? t("tickets.sla.breachedStopped", { target })
        : t("tickets.sla.breached", { target, over: ageLabel(t, clock.dueAt, now) });
      break;
    case "due_soon":
      tone = "orange";
      text = t("tickets.sla.dueSoon", { target, left: ageLabel(t, new Date(now).toISOString(), due) });
      break;
    case "on_track":
      tone = "blue";
      text = t("tickets.sla.onTrack", { target, left: ageLabel(t, new Date(now).toISOString(), due) });
      break;
    case "stopped":
      text = t("tickets.sla.met", { target });
      break;
    default: {
      const never: never = state;
      text = String(never);
    }
  }
  return (
    <ToneTag tone={tone} title={t("tickets.sla.dueAt", { at: formatTime(clock.dueAt) })}>
      {text}
    </ToneTag>
  );
}
