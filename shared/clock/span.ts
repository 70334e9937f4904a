// Laying a span of one clock kind onto the calendar, with the intervals during which that
// clock does not run. A pause costs each clock what it covered in the clock's own unit:
// wall time for minute clocks, business time for business-hour clocks (a pause over a
// weekend costs nothing), and whole counted days for day clocks — a counted day that a
// pause touches, however briefly, is not counted.
import {
  afterBusinessTime,
  endOfBusinessDays,
  endOfCalendarDays,
  endOfCivilDays,
  type WorkCalendar,
} from './calendar';
import { MS_PER_HOUR, MS_PER_MINUTE, normalizeIntervals, type MsInterval } from './local-time';
import type { ClockKind, WarningThreshold } from './policies';

/** The instant `amountMs` of running time after `startMs`, the pauses not running. */
export function afterActiveTime(
  startMs: number,
  amountMs: number,
  pauses: readonly MsInterval[] = [],
): number {
  let due = startMs + amountMs;
  for (const pause of normalizeIntervals(pauses)) {
    if (pause.end <= startMs) continue;
    // A pause that begins once the span has run out no longer helps.
    if (pause.start >= due) break;
    due += pause.end - Math.max(pause.start, startMs);
  }
  return due;
}

/** The due instant of `span` units of `clock` from `startMs`. */
export function dueAfterSpan(
  clock: ClockKind,
  startMs: number,
  span: number,
  calendar: WorkCalendar,
  pauses: readonly MsInterval[] = [],
): number {
  switch (clock) {
    case 'calendar-minutes':
      return afterActiveTime(startMs, Math.round(span * MS_PER_MINUTE), pauses);
    case 'business-hours':
      return afterBusinessTime(calendar, startMs, Math.round(span * MS_PER_HOUR), pauses);
    case 'business-days':
      return endOfBusinessDays(calendar, startMs, span, pauses);
    case 'civil-days':
      return endOfCivilDays(calendar, startMs, span, pauses);
    case 'calendar-days':
      return endOfCalendarDays(calendar, startMs, span, pauses);
  }
}

/**
 * When the owner is warned. A fixed lead counts back from the due instant. A fraction is
 * taken of the clock's own time for minute and business-hour clocks (warned once that share
 * of running or business time is left) and of the wall-clock span for day clocks, rounded
 * to the minute.
 */
export function warningStartsAt(
  threshold: WarningThreshold,
  clock: ClockKind,
  startMs: number,
  dueMs: number,
  span: number,
  calendar: WorkCalendar,
  pauses: readonly MsInterval[] = [],
): number {
  if (threshold.type === 'lead') return dueMs - Math.round(threshold.minutes * MS_PER_MINUTE);
  const used = 1 - threshold.fraction;
  switch (clock) {
    case 'calendar-minutes':
      return afterActiveTime(startMs, Math.round(span * used * MS_PER_MINUTE), pauses);
    case 'business-hours':
      return afterBusinessTime(calendar, startMs, Math.round(span * used * MS_PER_HOUR), pauses);
    default: {
      const lead = Math.round((threshold.fraction * (dueMs - startMs)) / MS_PER_MINUTE);
      return dueMs - lead * MS_PER_MINUTE;
    }
  }
}
