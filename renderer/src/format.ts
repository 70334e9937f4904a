// Date and time display. Every time is shown in Beijing time (UTC+8, no daylight saving),
// whatever the workstation's own zone: deadlines, the regulator and the customer count in it.
// The date pickers edit Beijing wall-clock time too (see toPickerValue / fromPickerValue).
import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import { formatFenAsYuan } from '../../shared/lifecycle/policy';

dayjs.extend(utc);

export const BEIJING_OFFSET_MINUTES = 8 * 60;

/** The instant as Beijing wall-clock time (a dayjs in UTC mode, shifted by +8 h). */
function beijing(iso: string | number | Date): Dayjs {
  return dayjs.utc(iso).add(BEIJING_OFFSET_MINUTES, 'minute');
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = dayjs(iso);
  return d.isValid() ? beijing(iso).format('YYYY-MM-DD HH:mm') : iso;
}

/** Today (in Beijing): time only; otherwise date and time. */
export function formatShortTime(iso: string | null | undefined): string {
  if (!iso) return '';
  if (!dayjs(iso).isValid()) return iso;
  const d = beijing(iso);
  return d.isSame(beijing(Date.now()), 'day') ? d.format('HH:mm:ss') : d.format('MM-DD HH:mm');
}

/**
 * A due instant: a period in days ends at 24:00, which the engine writes as 00:00 of the
 * next day; shown as 24:00 of the last day, as the regulation words it.
 */
export function formatDueTime(iso: string | null | undefined): string {
  if (!iso) return '';
  if (!dayjs(iso).isValid()) return iso;
  const d = beijing(iso);
  if (d.hour() === 0 && d.minute() === 0 && d.second() === 0) {
    return `${d.subtract(1, 'day').format('YYYY-MM-DD')} 24:00`;
  }
  return d.format('YYYY-MM-DD HH:mm');
}

/** A date picker's value showing the instant's Beijing wall-clock time. */
export function toPickerValue(iso: string | number | Date): Dayjs {
  return dayjs(beijing(iso).format('YYYY-MM-DDTHH:mm:ss'));
}

/** The instant a date picker's wall-clock value means in Beijing, as an ISO string with offset. */
export function fromPickerValue(value: Dayjs): string {
  return `${value.format('YYYY-MM-DDTHH:mm')}:00+08:00`;
}

/** Now, as a picker value (Beijing wall clock). */
export function pickerNow(): Dayjs {
  return toPickerValue(Date.now());
}

export interface DurationParts {
  days: number;
  hours: number;
  minutes: number;
}

/** A span split into whole days, hours and minutes (sign dropped; rounded up to the minute). */
export function durationParts(ms: number): DurationParts {
  const totalMinutes = Math.ceil(Math.abs(ms) / 60_000);
  return {
    days: Math.floor(totalMinutes / 1440),
    hours: Math.floor((totalMinutes % 1440) / 60),
    minutes: totalMinutes % 60,
  };
}

/** 120050 fen → "¥1,200.50": an amount as the agent reads it. */
export function formatMoney(fen: number): string {
  const [whole, cents] = formatFenAsYuan(fen).split('.');
  return `¥${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}
