// The SLA state a ticket's clock shows, and which tickets ask for the caller's code first.
import { describe, expect, it } from "vitest";
import { clockState, needsVerification, type Ticket } from "./ticket-parts";

const start = Date.parse("2026-11-23T02:00:00Z");
const clock = {
  target: "first_response" as const,
  warnAt: "2026-11-23T02:45:00Z",
  dueAt: "2026-11-23T03:00:00Z",
  breachedAt: null,
};
const minutes = (n: number) => start + n * 60_000;

describe("an SLA clock's state", () => {
  it("is on track until the warning point, due soon after it, breached at the deadline", () => {
    expect(clockState(clock, minutes(10))).toBe("on_track");
    expect(clockState(clock, minutes(45))).toBe("due_soon");
    expect(clockState(clock, minutes(59))).toBe("due_soon");
    expect(clockState(clock, minutes(60))).toBe("breached");
  });

  it("shows a breach the server recorded even before the page's clock gets there", () => {
    expect(clockState({ ...clock, breachedAt: "2026-11-23T03:00:00Z" }, minutes(30))).toBe("breached");
  });

  it("counts a clock stopped in time as met, and one stopped after its breach as breached", () => {
    expect(clockState({ ...clock, stoppedAt: "2026-11-23T02:20:00Z" }, minutes(90))).toBe("stopped");
    expect(
      clockState(
        { ...clock, stoppedAt: "2026-11-23T03:30:00Z", breachedAt: "2026-11-23T03:00:00Z" },
        minutes(120),
      ),
    ).toBe("breached");
    expect(clockState({ ...clock, stoppedAt: "2026-11-23T03:00:30Z" }, minutes(120))).toBe("breached");
  });
});

describe("verification before acting", () => {
  const ticket = (over: Partial<Ticket>): Ticket => ({
    id: "t",
    number: "1",
    customerId: "c",
    requesterEmail: null,
    requesterName: null,
    channel: "phone",
    subject: "s",
    category: "account_password",
    suggestedCategory: null,
    priority: "normal",
    status: "open",
    team: "general",
    assigneeId: null,
    conversationId: null,
    mergedIntoId: null,
    verifiedAt: null,
    verifiedBy: null,
    escalatedAt: null,
    createdAt: "2026-11-23T02:00:00Z",
    updatedAt: "2026-11-23T02:00:00Z",
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    ...over,
  });

  it("is asked for account and money requests by phone or email, as the server enforces", () => {
    expect(needsVerification(ticket({}))).toBe(true);
    expect(needsVerification(ticket({ channel: "email", category: "dispute_duplicate" }))).toBe(true);
    expect(needsVerification(ticket({ category: "question" }))).toBe(false);
    expect(needsVerification(ticket({ category: "system_fault" }))).toBe(false);
    expect(needsVerification(ticket({ channel: "chat" }))).toBe(false);
  });
});
