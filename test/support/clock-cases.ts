// Small factories for the deadline engine's tests: a case's clock history written as the
// desk would record it, in China Standard Time unless a test says otherwise.
import type { CaseType, Priority } from '../../shared/domain';
import type { WorkCalendar } from '../../shared/clock/calendar';
import {
  computeDeadlines,
  deadlineOf,
  type Deadline,
  type DeadlineKind,
} from '../../shared/clock/deadlines';
import { CN_CALENDAR } from '../../shared/clock/default-calendars';
import type { ClockEntry, ClockEntryOf } from '../../shared/clock/history';
import { CN_CBIRC_2020, type DeadlinePolicy } from '../../shared/clock/policies';

/** '2026-02-13 10:00' → '2026-02-13T10:00:00+08:00'. */
export function cst(local: string): string {
  return zoned(local, '+08:00');
}

/** A wall-clock time in a given offset: zoned('2026-03-30 10:00', '+00:00'). */
export function zoned(local: string, offset: string): string {
  const [date, time = '00:00'] = local.split(' ');
  return `${date}T${time.length === 5 ? `${time}:00` : time}${offset}`;
}

export function received(
  at: string,
  priority: Priority = 'normal',
  caseType: CaseType = 'complaint',
  extra: Partial<Pick<ClockEntryOf<'received'>, 'major' | 'regulatoryTrack'>> = {},
): ClockEntryOf<'received'> {
  return { kind: 'received', at, priority, caseType, ...extra };
}

/** An entry with nothing but a time (first_contact, resolved, closed, …). */
export function at<K extends ClockEntry['kind']>(kind: K, time: string): ClockEntry {
  return { kind, at: time } as ClockEntry;
}

export function extension(
  time: string,
  toDays: number,
  extra: Omit<Partial<ClockEntryOf<'extension'>>, 'kind' | 'at' | 'toDays'> = {},
): ClockEntryOf<'extension'> {
  return { kind: 'extension', at: time, toDays, ...extra };
}

/** Approved by head office and told to the customer: what the 60-day step needs. */
export function approvedExtension(time: string, toDays: number): ClockEntryOf<'extension'> {
  return extension(time, toDays, {
    approvalId: 'HO-APPROVAL-1',
    approvedBy: 'head-office',
    customerNoticeAt: time,
    reason: '情况特别复杂',
  });
}

/** The case is handled again: rated below 3, or reopened on request. */
export function reopened(
  time: string,
  cause: 'low_satisfaction' | 'reopen_requested' = 'low_satisfaction',
): ClockEntryOf<'reopened'> {
  return {
    kind: 'reopened',
    at: time,
    cause,
    reason: cause === 'low_satisfaction' ? '评分 2' : '问题仍在',
  };
}

/** The owner promised a written solution by `by`. */
export function promised(time: string, by: string): ClockEntryOf<'resolution_promised'> {
  return { kind: 'resolution_promised', at: time, promisedBy: by };
}

export function waitingOnCustomer(from: string, to?: string): ClockEntry[] {
  const start: ClockEntry = { kind: 'waiting_customer_started', at: from };
  return to === undefined ? [start] : [start, { kind: 'waiting_customer_ended', at: to }];
}

export function exclusion(from: string, to?: string): ClockEntry[] {
  const start: ClockEntry = { kind: 'exclusion_started', at: from, reason: '外部司法鉴定' };
  return to === undefined ? [start] : [start, { kind: 'exclusion_ended', at: to }];
}

export interface Setting {
  policy?: DeadlinePolicy;
  calendar?: WorkCalendar;
}

export function deadlinesAt(
  history: readonly ClockEntry[],
  now: string,
  { policy = CN_CBIRC_2020, calendar = CN_CALENDAR }: Setting = {},
): Deadline[] {
  return computeDeadlines(history, policy, calendar, new Date(now));
}

/** The one deadline of a kind; fails the test when the case has none. */
export function theDeadline(deadlines: readonly Deadline[], kind: DeadlineKind): Deadline {
  const deadline = deadlineOf(deadlines, kind);
  if (!deadline)
    throw new Error(`no ${kind} deadline among ${deadlines.map((d) => d.kind).join(', ')}`);
  return deadline;
}
