// A working calendar: which local days are working days (weekends, public holidays and the
// swapped working weekends 调休 of an official schedule) and the business hours of a working
// day, possibly split by a lunch break. Built from data so that an administrator can load
// next year's State Council notice without a release.
import { z } from 'zod';
import {
  LocalDateString,
  LocalTimeString,
  MS_PER_MINUTE,
  dayNumberOf,
  localDateOfDay,
  localDayOf,
  minutesOfLocalTime,
  normalizeIntervals,
  startOfLocalDay,
  subtractIntervals,
  toMsIntervals,
  weekdayOfDay,
  type LocalDate,
  type MsInterval,
  type TimeInterval,
} from './local-time';

export const BusinessHoursShift = z
  .object({ from: LocalTimeString, to: LocalTimeString })
  .refine((s) => minutesOfLocalTime(s.from) < minutesOfLocalTime(s.to), {
    message: 'SHIFT_ENDS_BEFORE_START',
  });
export type BusinessHoursShift = z.infer<typeof BusinessHoursShift>;

export const CalendarData = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    /** Minutes east of UTC of the zone the days are counted in (CST: 480). */
    timeZoneOffsetMinutes: z
      .number()
      .int()
      .min(-14 * 60)
      .max(14 * 60),
    /** Years whose official schedule the lists encode; other years know weekends only. */
    years: z.array(z.number().int().min(1970).max(9999)).min(1),
    /** Rest days of an ordinary week, 0 = Sunday … 6 = Saturday; default Saturday and Sunday. */
    weekendDays: z.array(z.number().int().min(0).max(6)).optional(),
    /** Every day off of the schedule, weekend days inside a holiday included. */
    holidays: z.array(LocalDateString),
    /** Weekend days that are working days (调休 上班). */
    workingWeekends: z.array(LocalDateString),
    /** Ascending, non-overlapping shifts of a working day, e.g. 09:00–12:00 and 13:30–17:30. */
    businessHours: z.array(BusinessHoursShift),
    /** Where the dates come from, for the administrator who checks them. */
    source: z.string().optional(),
  })
  .superRefine((data, ctx) => {
    const weekend = new Set(data.weekendDays ?? DEFAULT_WEEKEND_DAYS);
    const years = new Set(data.years);
    const holidays = new Set<string>();
    data.holidays.forEach((date, i) => {
      if (holidays.has(date))
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: 'DUPLICATE_DATE' });
      holidays.add(date);
      if (!years.has(Number(date.slice(0, 4))))
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: 'DATE_OUTSIDE_YEARS' });
    });
    const working = new Set<string>();
    data.workingWeekends.forEach((date, i) => {
      const path = ['workingWeekends', i];
      if (working.has(date)) ctx.addIssue({ code: 'custom', path, message: 'DUPLICATE_DATE' });
      working.add(date);
      if (holidays.has(date))
        ctx.addIssue({ code: 'custom', path, message: 'BOTH_HOLIDAY_AND_WORKING' });
      // A malformed date is reported by its own field; only a real one has a weekday.
      if (LocalDateString.safeParse(date).success && !weekend.has(weekdayOfDay(dayNumberOf(date))))
        ctx.addIssue({ code: 'custom', path, message: 'NOT_A_WEEKEND_DAY' });
      if (!years.has(Number(date.slice(0, 4))))
        ctx.addIssue({ code: 'custom', path, message: 'DATE_OUTSIDE_YEARS' });
    });
    data.businessHours.forEach((shift, i) => {
      const previous = data.businessHours[i - 1];
      if (previous && minutesOfLocalTime(shift.from) < minutesOfLocalTime(previous.to))
        ctx.addIssue({ code: 'custom', path: ['businessHours', i], message: 'SHIFTS_OVERLAP' });
    });
  });
export type CalendarData = z.infer<typeof CalendarData>;

const DEFAULT_WEEKEND_DAYS = [0, 6];

/** A calendar never counts further than this many days: a guard against data with no working day. */
const MAX_DAYS_SCANNED = 20 * 366;

export interface WorkCalendar {
  readonly id: string;
  readonly timeZoneOffsetMinutes: number;
  readonly data: CalendarData;
  /** Whether the official schedule of this date's year is in the data. */
  covers(date: LocalDate): boolean;
  isWorkingDay(date: LocalDate): boolean;
  isHoliday(date: LocalDate): boolean;
  /** The first working day strictly after `date`. */
  nextWorkingDay(date: LocalDate): LocalDate;
  /**
   * 24:00 of the n-th working day after the day of receipt (swapped working weekends count,
   * holidays do not). A working day touched by a pause is not counted.
   */
  addBusinessDays(receivedAt: Date, n: number, pauses?: readonly TimeInterval[]): Date;
  /**
   * Civil Code arts. 201–203: the period starts the day after receipt and ends at 24:00 of
   * its n-th day; when that day is a holiday or rest day it ends at 24:00 of the next working
   * day. A day touched by a pause is not counted (and is not a day the period can end on).
   */
  addCalendarDaysCivil(receivedAt: Date, n: number, pauses?: readonly TimeInterval[]): Date;
  /** 24:00 of the n-th calendar day after the day of receipt, with no roll to a working day. */
  addCalendarDays(receivedAt: Date, n: number, pauses?: readonly TimeInterval[]): Date;
  /**
   * The instant by which `hours` of business time have passed after `start`, skipping the
   * time outside business hours, non-working days and the pauses.
   */
  addBusinessHours(start: Date, hours: number, pauses?: readonly TimeInterval[]): Date;
  /** Business time inside [from, to), less the pauses. */
  businessMsBetween(from: Date, to: Date, pauses?: readonly TimeInterval[]): number;
  /** Inside a shift of a working day, both ends of the shift included. */
  isWithinBusinessHours(instant: Date): boolean;
  /** Day-number primitives for the deadline engine. */
  isWorkingDayNumber(day: number): boolean;
}

export function createWorkCalendar(input: CalendarData): WorkCalendar {
  const data = CalendarData.parse(input);
  const offset = data.timeZoneOffsetMinutes;
  const weekend = new Set(data.weekendDays ?? DEFAULT_WEEKEND_DAYS);
  const holidays = new Set(data.holidays.map(dayNumberOf));
  const workingWeekends = new Set(data.workingWeekends.map(dayNumberOf));
  const years = new Set(data.years);
  const shifts = data.businessHours.map((s) => ({
    from: minutesOfLocalTime(s.from) * MS_PER_MINUTE,
    to: minutesOfLocalTime(s.to) * MS_PER_MINUTE,
  }));

  const isWorkingDayNumber = (day: number): boolean =>
    !holidays.has(day) && (!weekend.has(weekdayOfDay(day)) || workingWeekends.has(day));

  const calendar: WorkCalendar = {
    id: data.id,
    timeZoneOffsetMinutes: offset,
    data,
    covers: (date) => years.has(Number(date.slice(0, 4))),
    isWorkingDay: (date) => isWorkingDayNumber(dayNumberOf(date)),
    isHoliday: (date) => holidays.has(dayNumberOf(date)),
    isWorkingDayNumber,
    nextWorkingDay(date) {
      let day = dayNumberOf(date) + 1;
      for (let i = 0; i < MAX_DAYS_SCANNED && !isWorkingDayNumber(day); i++) day++;
      if (!isWorkingDayNumber(day))
        throw new RangeError(`${data.id}: no working day after ${date}`);
      return localDateOfDay(day);
    },
    addBusinessDays: (receivedAt, n, pauses) =>
      new Date(endOfBusinessDays(calendar, +receivedAt, n, toMsIntervals(pauses))),
    addCalendarDaysCivil: (receivedAt, n, pauses) =>
      new Date(endOfCivilDays(calendar, +receivedAt, n, toMsIntervals(pauses))),
    addCalendarDays: (receivedAt, n, pauses) =>
      new Date(endOfCalendarDays(calendar, +receivedAt, n, toMsIntervals(pauses))),
    addBusinessHours: (start, hours, pauses) =>
      new Date(
        afterBusinessTime(calendar, +start, hours * 60 * MS_PER_MINUTE, toMsIntervals(pauses)),
      ),
    businessMsBetween: (from, to, pauses) =>
      businessTimeBetween(calendar, +from, +to, toMsIntervals(pauses)),
    isWithinBusinessHours(instant) {
      const day = localDayOf(+instant, offset);
      if (!isWorkingDayNumber(day)) return false;
      const sinceMidnight = +instant - startOfLocalDay(day, offset);
      return shifts.some((s) => sinceMidnight >= s.from && sinceMidnight <= s.to);
    },
  };
  return calendar;
}

interface ShiftMs {
  from: number;
  to: number;
}

/** The shifts as milliseconds after local midnight. */
function shiftsOf(calendar: WorkCalendar): ShiftMs[] {
  return calendar.data.businessHours.map((s) => ({
    from: minutesOfLocalTime(s.from) * MS_PER_MINUTE,
    to: minutesOfLocalTime(s.to) * MS_PER_MINUTE,
  }));
}

/** Whether a pause covers any part of a local day. */
function touchedByPause(day: number, offset: number, pauses: readonly MsInterval[]): boolean {
  const start = startOfLocalDay(day, offset);
  const end = startOfLocalDay(day + 1, offset);
  return pauses.some((p) => p.start < end && p.end > start);
}

/**
 * The shared day-counting walk: count `n` days after the day of receipt that `counts`
 * accepts and no pause touches; optionally move on to the next untouched working day; the
 * period ends at 24:00 of the day reached.
 */
function endOfCountedDays(
  calendar: WorkCalendar,
  receivedMs: number,
  n: number,
  counts: (day: number) => boolean,
  rollToWorkingDay: boolean,
  pauses: readonly MsInterval[],
): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Not a count of days: ${n}`);
  const offset = calendar.timeZoneOffsetMinutes;
  const sorted = normalizeIntervals(pauses);
  let day = localDayOf(receivedMs, offset);
  let counted = 0;
  let scanned = 0;
  const step = () => {
    day++;
    if (++scanned > MAX_DAYS_SCANNED) throw new RangeError(`${calendar.id}: no end to the period`);
  };
  while (counted < n) {
    step();
    if (counts(day) && !touchedByPause(day, offset, sorted)) counted++;
  }
  if (rollToWorkingDay)
    while (!calendar.isWorkingDayNumber(day) || touchedByPause(day, offset, sorted)) step();
  return startOfLocalDay(day + 1, offset);
}

export function endOfBusinessDays(
  calendar: WorkCalendar,
  receivedMs: number,
  n: number,
  pauses: readonly MsInterval[] = [],
): number {
  return endOfCountedDays(calendar, receivedMs, n, calendar.isWorkingDayNumber, false, pauses);
}

export function endOfCivilDays(
  calendar: WorkCalendar,
  receivedMs: number,
  n: number,
  pauses: readonly MsInterval[] = [],
): number {
  return endOfCountedDays(calendar, receivedMs, n, () => true, true, pauses);
}

export function endOfCalendarDays(
  calendar: WorkCalendar,
  receivedMs: number,
  n: number,
  pauses: readonly MsInterval[] = [],
): number {
  return endOfCountedDays(calendar, receivedMs, n, () => true, false, pauses);
}

/** The pieces of business time of one local day at or after `from`, less the pauses. */
function businessPiecesOfDay(
  calendar: WorkCalendar,
  shifts: readonly ShiftMs[],
  day: number,
  from: number,
  pauses: readonly MsInterval[],
): MsInterval[] {
  if (!calendar.isWorkingDayNumber(day)) return [];
  const midnight = startOfLocalDay(day, calendar.timeZoneOffsetMinutes);
  const pieces: MsInterval[] = [];
  for (const shift of shifts) {
    const start = Math.max(midnight + shift.from, from);
    const end = midnight + shift.to;
    if (end <= start) continue;
    pieces.push(...subtractIntervals(start, end, pauses));
  }
  return pieces;
}

export function afterBusinessTime(
  calendar: WorkCalendar,
  startMs: number,
  amountMs: number,
  pauses: readonly MsInterval[] = [],
): number {
  if (!(amountMs >= 0)) throw new RangeError(`Not an amount of business time: ${amountMs}`);
  const shifts = shiftsOf(calendar);
  if (shifts.length === 0) throw new RangeError(`${calendar.id}: no business hours to count in`);
  const sorted = normalizeIntervals(pauses);
  let remaining = amountMs;
  let day = localDayOf(startMs, calendar.timeZoneOffsetMinutes);
  for (let scanned = 0; scanned <= MAX_DAYS_SCANNED; scanned++, day++) {
    for (const piece of businessPiecesOfDay(calendar, shifts, day, startMs, sorted)) {
      const length = piece.end - piece.start;
      // `<=`: a span used up exactly at the close of a shift ends there, not next morning.
      if (remaining <= length) return piece.start + remaining;
      remaining -= length;
    }
  }
  throw new RangeError(`${calendar.id}: no end to the business time`);
}

export function businessTimeBetween(
  calendar: WorkCalendar,
  fromMs: number,
  toMs: number,
  pauses: readonly MsInterval[] = [],
): number {
  if (toMs <= fromMs) return 0;
  const sorted = normalizeIntervals(pauses);
  const shifts = shiftsOf(calendar);
  const offset = calendar.timeZoneOffsetMinutes;
  let total = 0;
  for (let day = localDayOf(fromMs, offset); day <= localDayOf(toMs, offset); day++) {
    for (const piece of businessPiecesOfDay(calendar, shifts, day, fromMs, sorted)) {
      total += Math.max(0, Math.min(piece.end, toMs) - piece.start);
    }
  }
  return total;
}

/**
 * One calendar from several years' data (e.g. 2025 and 2026 for cases received in late
 * December): the zone, weekend and business hours must agree and the years must not overlap.
 */
export function mergeCalendarData(
  id: string,
  parts: readonly CalendarData[],
  name?: string,
): CalendarData {
  const [first, ...rest] = parts;
  if (!first) throw new RangeError('Nothing to merge');
  const sameShape = (a: CalendarData, b: CalendarData) =>
    a.timeZoneOffsetMinutes === b.timeZoneOffsetMinutes &&
    JSON.stringify(a.weekendDays ?? DEFAULT_WEEKEND_DAYS) ===
      JSON.stringify(b.weekendDays ?? DEFAULT_WEEKEND_DAYS) &&
    JSON.stringify(a.businessHours) === JSON.stringify(b.businessHours);
  for (const part of rest)
    if (!sameShape(first, part))
      throw new RangeError(`${part.id} differs from ${first.id} in zone, weekend or hours`);
  const years = parts.flatMap((p) => p.years);
  if (new Set(years).size !== years.length) throw new RangeError('Merged calendars share a year');
  const sorted = (dates: string[]) => [...dates].sort();
  const sources = parts.map((p) => p.source).filter((s): s is string => s !== undefined);
  return CalendarData.parse({
    id,
    ...(name === undefined ? {} : { name }),
    timeZoneOffsetMinutes: first.timeZoneOffsetMinutes,
    years: [...years].sort((a, b) => a - b),
    ...(first.weekendDays === undefined ? {} : { weekendDays: first.weekendDays }),
    holidays: sorted(parts.flatMap((p) => p.holidays)),
    workingWeekends: sorted(parts.flatMap((p) => p.workingWeekends)),
    businessHours: first.businessHours,
    ...(sources.length === 0 ? {} : { source: sources.join(' | ') }),
  });
}

export function mergeCalendars(
  id: string,
  parts: readonly CalendarData[],
  name?: string,
): WorkCalendar {
  return createWorkCalendar(mergeCalendarData(id, parts, name));
}
