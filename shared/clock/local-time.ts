// Instants are UTC milliseconds (or `Date`s); the rules speak of local calendar days and
// wall-clock times in a zone with a fixed offset (China Standard Time: UTC+8, no DST).
// Shifting an instant by the offset and reading its UTC fields gives the local wall clock
// without ever consulting the host's own time zone, so a workstation set to any zone
// computes the same deadlines.
import { z } from 'zod';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** A local calendar date, 'YYYY-MM-DD'. */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const LocalDateString = z
  .string()
  .regex(LOCAL_DATE, { message: 'LOCAL_DATE_FORMAT' })
  .refine((s) => isRealDate(s), { message: 'LOCAL_DATE_INVALID' });

/** A local wall-clock time of day, 'HH:MM' (24:00 allowed as the end of a day). */
export const LocalTimeString = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'LOCAL_TIME_FORMAT' });

/** An instant as ISO 8601 with an explicit offset or Z ('2026-02-13T10:00:00+08:00'). */
export const InstantString = z.iso.datetime({ offset: true });

function isRealDate(s: string): boolean {
  const m = LOCAL_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Days since 1970-01-01 of a local date: a day number the calendar can count with. */
export function dayNumberOf(date: LocalDate): number {
  const m = LOCAL_DATE.exec(date);
  if (!m || !isRealDate(date)) throw new RangeError(`Not a local date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY;
}

export function localDateOfDay(day: number): LocalDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function addDaysToLocalDate(date: LocalDate, days: number): LocalDate {
  return localDateOfDay(dayNumberOf(date) + days);
}

/** The local day (as a day number) an instant falls on. */
export function localDayOf(instantMs: number, offsetMinutes: number): number {
  return Math.floor((instantMs + offsetMinutes * MS_PER_MINUTE) / MS_PER_DAY);
}

export function localDateOf(instant: Date | number, offsetMinutes: number): LocalDate {
  return localDateOfDay(localDayOf(+instant, offsetMinutes));
}

/** The instant of local 00:00 of a day; the same value is 24:00 of the day before. */
export function startOfLocalDay(day: number, offsetMinutes: number): number {
  return day * MS_PER_DAY - offsetMinutes * MS_PER_MINUTE;
}

/** Minutes after local midnight of 'HH:MM'. */
export function minutesOfLocalTime(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The instant of a local date and wall-clock time in a zone. */
export function localInstant(date: LocalDate, time: string, offsetMinutes: number): Date {
  return new Date(
    startOfLocalDay(dayNumberOf(date), offsetMinutes) + minutesOfLocalTime(time) * MS_PER_MINUTE,
  );
}

/** Milliseconds of an ISO instant; throws on text that is not one (history is validated first). */
export function parseInstant(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not an instant: ${iso}`);
  return ms;
}

function offsetSuffix(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * An instant written in the zone's wall clock with its offset, e.g.
 * '2026-03-03T00:00:00+08:00'; milliseconds appear only when there are some.
 */
export function formatInstant(instant: Date | number, offsetMinutes: number): string {
  const shifted = new Date(+instant + offsetMinutes * MS_PER_MINUTE).toISOString();
  const wall = shifted.endsWith('.000Z') ? shifted.slice(0, 19) : shifted.slice(0, 23);
  return wall + offsetSuffix(offsetMinutes);
}

/** A half-open interval of instants [start, end) in milliseconds. */
export interface MsInterval {
  start: number;
  end: number;
}

/** A half-open interval of instants [start, end). */
export interface TimeInterval {
  start: Date;
  end: Date;
}

export function toMsIntervals(intervals: readonly TimeInterval[] = []): MsInterval[] {
  return normalizeIntervals(intervals.map((i) => ({ start: +i.start, end: +i.end })));
}

/** Sorted, non-empty, non-overlapping: what every walker below expects. */
export function normalizeIntervals(intervals: readonly MsInterval[]): MsInterval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: MsInterval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ ...i });
  }
  return merged;
}

/** How much of [from, to) the intervals cover. */
export function overlapMs(intervals: readonly MsInterval[], from: number, to: number): number {
  let total = 0;
  for (const i of intervals) {
    const s = Math.max(i.start, from);
    const e = Math.min(i.end, to);
    if (e > s) total += e - s;
  }
  return total;
}

/** [from, to) minus the intervals, as the pieces that remain, in order. */
export function subtractIntervals(
  from: number,
  to: number,
  intervals: readonly MsInterval[],
): MsInterval[] {
  const pieces: MsInterval[] = [];
  let cursor = from;
  for (const i of intervals) {
    if (i.end <= cursor) continue;
    if (i.start >= to) break;
    if (i.start > cursor) pieces.push({ start: cursor, end: i.start });
    cursor = Math.max(cursor, i.end);
    if (cursor >= to) break;
  }
  if (cursor < to) pieces.push({ start: cursor, end: to });
  return pieces;
}
