// When people are at the desk: weekly opening hours in China time, public holidays, and the
// make-up working days (调休) China moves around them. The bot asks "is anyone there now?";
// SLA clocks ask "when is N business minutes after this moment?".
import { z } from "zod";

const CHINA_OFFSET_MINUTES = 8 * 60;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM");
const isoDate = z.iso.date();

/** One span of opening time in a day, as local "HH:MM" (end may be "24:00"). */
const span = z
  .tuple([clockTime, clockTime])
  .refine(([from, to]) => minutesOf(from) < minutesOf(to), "a span must end after it starts");

export const calendarSchema = z.object({
  /** Opening spans per weekday, 0 = Sunday … 6 = Saturday. A missing day is closed. */
  weekly: z.partialRecord(z.enum(["0", "1", "2", "3", "4", "5", "6"]), z.array(span)),
  /** Dates (local) on which the desk is closed whatever the weekday. */
  holidays: z.array(isoDate).default([]),
  /** Dates (local) worked on a weekend (调休): they open with `makeUpHours`. */
  makeUpDays: z.array(isoDate).default([]),
  makeUpHours: z.array(span).default([["09:00", "18:00"]]),
});
export type BusinessCalendar = z.infer<typeof calendarSchema>;

/** Staffed 08:00–22:00 every day, holidays included: a 24-hour counter's human desk. */
export const DEFAULT_CALENDAR: BusinessCalendar = calendarSchema.parse({
  weekly: Object.fromEntries(["0", "1", "2", "3", "4", "5", "6"].map((d) => [d, [["08:00", "22:00"]]])),
});

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The local date (YYYY-MM-DD), weekday and minute of day of a moment, in China time. */
function localParts(at: Date): { date: string; weekday: number; minute: number; dayStartMs: number } {
  const localMs = at.getTime() + CHINA_OFFSET_MINUTES * MINUTE_MS;
  const local = new Date(localMs);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const dayStartLocal = localMs - (localMs % (DAY_MINUTES * MINUTE_MS));
  return {
    date: local.toISOString().slice(0, 10),
    weekday: local.getUTCDay(),
    minute,
    dayStartMs: dayStartLocal - CHINA_OFFSET_MINUTES * MINUTE_MS,
  };
}

/** The opening spans of the local day containing `at`, as [from, to) minute offsets, sorted. */
function spansOfDay(cal: BusinessCalendar, at: Date): Array<[number, number]> {
  const { date, weekday } = localParts(at);
  let spans: Array<[string, string]>;
  if (cal.holidays.includes(date)) spans = [];
  else if (cal.makeUpDays.includes(date)) spans = cal.makeUpHours;
  else spans = cal.weekly[String(weekday) as keyof BusinessCalendar["weekly"]] ?? [];
  return spans
    .map(([from, to]): [number, number] => [minutesOf(from), minutesOf(to)])
    .sort((a, b) => a[0] - b[0]);
}

export function isOpen(cal: BusinessCalendar, at: Date): boolean {
  const { minute } = localParts(at);
  return spansOfDay(cal, at).some(([from, to]) => minute >= from && minute < to);
}

/** How far ahead to look for an opening before deciding the calendar is never open. */
const SEARCH_DAYS = 400;

/** The first moment at or after `at` when the desk is open; null if it never opens. */
export function nextOpening(cal: BusinessCalendar, at: Date): Date | null {
  let day = localParts(at);
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const dayStart = new Date(day.dayStartMs);
    const from = i === 0 ? day.minute : 0;
    for (const [start, end] of spansOfDay(cal, dayStart)) {
      if (end > from) {
        if (i === 0 && start <= from) return at;
        return new Date(day.dayStartMs + start * MINUTE_MS);
      }
    }
    day = localParts(new Date(day.dayStartMs + DAY_MINUTES * MINUTE_MS));
  }
  return null;
}

/**
 * The moment that is `minutes` of opening time after `start`: the deadline of an SLA target
 * that counts business hours only. Time while closed does not count.
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError("minutes must be ≥ 0");
  let left = minutes;
  let cursor = start;
  for (let i = 0; i <= SEARCH_DAYS * 4; i++) {
    const open = nextOpening(cal, cursor);
    if (!open) throw new RangeError("the calendar never opens");
    const day = localParts(open);
    const span = spansOfDay(cal, open).find(([from, to]) => day.minute >= from && day.minute < to);
    if (!span) throw new Error("nextOpening returned a closed moment");
    const available = span[1] - day.minute;
    if (left <= available) return new Date(open.getTime() + left * MINUTE_MS);
    left -= available;
    cursor = new Date(day.dayStartMs + span[1] * MINUTE_MS);
  }
  throw new RangeError("deadline too far ahead");
}

/** Minutes of opening time between two moments (0 if `to` is not after `from`). */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  let total = 0;
  let cursor = from;
  while (cursor < to) {
    const open = nextOpening(cal, cursor);
    if (!open || open >= to) break;
    const day = localParts(open);
    const span = spansOfDay(cal, open).find(([s, e]) => day.minute >= s && day.minute < e);
    if (!span) break;
    const spanEnd = new Date(day.dayStartMs + span[1] * MINUTE_MS);
    const end = spanEnd < to ? spanEnd : to;
    total += (end.getTime() - open.getTime()) / MINUTE_MS;
    cursor = end;
  }
  return total;
}
