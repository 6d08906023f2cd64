import { describe, expect, it } from "vitest";
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  calendarSchema,
  DEFAULT_CALENDAR,
  isOpen,
  nextOpening,
} from "./business-hours.js";

/** A moment given in China time (UTC+8). */
const cn = (local: string) => new Date(`${local}+08:00`);

// Weekdays 09:00–12:00 and 13:00–18:00; 2026-10-01 (a Thursday) is a holiday; Sunday 2026-09-27
// is a make-up working day.
const office: BusinessCalendar = calendarSchema.parse({
  weekly: Object.fromEntries(
    ["1", "2", "3", "4", "5"].map((d) => [
      d,
      [
        ["09:00", "12:00"],
        ["13:00", "18:00"],
      ],
    ]),
  ),
  holidays: ["2026-10-01"],
  makeUpDays: ["2026-09-27"],
});

describe("business hours", () => {
  it("knows the desk is open inside a span and closed at lunch, at night and at weekends", () => {
    expect(isOpen(office, cn("2026-09-28T09:00:00"))).toBe(true);
    expect(isOpen(office, cn("2026-09-28T12:30:00"))).toBe(false);
    expect(isOpen(office, cn("2026-09-28T18:00:00"))).toBe(false);
    expect(isOpen(office, cn("2026-09-26T10:00:00"))).toBe(false); // Saturday
  });

  it("is closed on a public holiday and open on a make-up Sunday", () => {
    expect(isOpen(office, cn("2026-10-01T10:00:00"))).toBe(false);
    expect(isOpen(office, cn("2026-09-27T10:00:00"))).toBe(true);
  });

  it("uses China time, not the server's", () => {
    // 01:30 UTC is 09:30 in Beijing.
    expect(isOpen(office, new Date("2026-09-28T01:30:00Z"))).toBe(true);
  });

  it("finds the next opening across lunch, the night, a weekend and a holiday", () => {
    expect(nextOpening(office, cn("2026-09-28T12:10:00"))).toEqual(cn("2026-09-28T13:00:00"));
    expect(nextOpening(office, cn("2026-09-28T19:00:00"))).toEqual(cn("2026-09-29T09:00:00"));
    expect(nextOpening(office, cn("2026-09-30T18:30:00"))).toEqual(cn("2026-10-02T09:00:00"));
    const open = cn("2026-09-28T10:00:00");
    expect(nextOpening(office, open)).toEqual(open);
  });

  it("counts an SLA target in business minutes only", () => {
    // 11:30 + 60 business minutes: 30 before lunch, 30 after.
    expect(addBusinessMinutes(office, cn("2026-09-28T11:30:00"), 60)).toEqual(cn("2026-09-28T13:30:00"));
    // Friday 17:00 + 2 h runs into Monday.
    expect(addBusinessMinutes(office, cn("2026-10-02T17:00:00"), 120)).toEqual(cn("2026-10-05T10:00:00"));
    // Raised at night: the clock starts at the next opening.
    expect(addBusinessMinutes(office, cn("2026-09-28T23:00:00"), 30)).toEqual(cn("2026-09-29T09:30:00"));
  });

  it("measures business time between two moments the same way", () => {
    const from = cn("2026-09-28T11:30:00");
    expect(businessMinutesBetween(office, from, cn("2026-09-28T13:30:00"))).toBe(60);
    expect(businessMinutesBetween(office, from, addBusinessMinutes(office, from, 1_000))).toBe(1_000);
    expect(businessMinutesBetween(office, cn("2026-09-28T13:30:00"), from)).toBe(0);
  });

  it("treats the default desk as open 08:00–22:00 every day", () => {
    expect(isOpen(DEFAULT_CALENDAR, cn("2026-10-01T08:00:00"))).toBe(true);
    expect(isOpen(DEFAULT_CALENDAR, cn("2026-10-01T22:00:00"))).toBe(false);
    expect(isOpen(DEFAULT_CALENDAR, cn("2026-10-03T03:00:00"))).toBe(false);
  });

  it("refuses a span that ends before it starts and a calendar that never opens", () => {
    expect(() => calendarSchema.parse({ weekly: { "1": [["18:00", "09:00"]] } })).toThrow();
    const never = calendarSchema.parse({ weekly: {} });
    expect(nextOpening(never, cn("2026-09-28T10:00:00"))).toBeNull();
    expect(() => addBusinessMinutes(never, cn("2026-09-28T10:00:00"), 5)).toThrow(RangeError);
  });
});
