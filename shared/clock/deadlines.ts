// The deadline engine: from a case's clock history, its policy and a working calendar, the
// deadlines as they stand at `now`. Pure: the same inputs give the same deadlines on every
// host, so the workstation (offline) and the central server agree.
//
// How time that does not count is handled:
// - Waiting on the customer pauses the internal service clocks (not the regulatory one).
//   Each clock loses what the wait covered in its own unit (see span.ts).
// - Excluded intervals (external appraisal or testing) stop the regulatory clock when the
//   policy honours them: every calendar day an exclusion touches, wholly or partly, is not
//   counted, so the period gains one calendar day per touched day inside it.
// - An open wait or exclusion is taken to end now: the due instant shown while paused is
//   the earliest it can be, and moves later for as long as the pause lasts.
//
// Other rules: entries after `now` are not seen; entries after the end of handling
// (withdrawn, merged into another case, closed) do not move the clocks, except follow-ups,
// which start at closure. A priority change starts the new priority's unmet targets from
// the change. New facts restart the regulatory clock from their receipt with no extension.
//
// Reopening (see timeline.ts): a `reopened` entry starts a new cycle of resolution, and
// after a `closed` it resumes handling.
// - The targets of the cycle (policies.ts `restartsOnReopening`: resolution, root cause and
//   plan, the daily progress update, the outcome notice) start again from the reopening,
//   with the policy of the priority in force; a change of priority after the reopening
//   starts them from the change. Only a promise made after the reopening sets the
//   resolution's due instant. What the earlier cycle recorded does not meet them.
// - Targets owed once per case (first response, interim measure) stay as the first end of
//   handling left them.
// - The regulatory clock is not restarted by a reopening: the decision was told (DOMAIN:
//   only new facts or material restart it, and a `new_facts` entry after the reopening
//   does). While no decision has been told (reopened from `resolved`), it keeps running.
// - Follow-ups are counted from the final closure; a reopening voids those of an earlier
//   one, and a call made before the reopening does not meet the new ones.
import type { WorkCalendar } from './calendar';
import { scheduleFollowUps } from './follow-ups';
import type { ClockEntryKind, ClockHistory, ExtensionEntry } from './history';
import { formatInstant, localDateOf, overlapMs, parseInstant, type MsInterval } from './local-time';
import {
  SERVICE_DEADLINE_KINDS,
  restartsOnReopening,
  type ClockKind,
  type DeadlinePolicy,
  type RegulatoryPolicy,
  type RegulatoryTrack,
  type ServiceTarget,
} from './policies';
import { afterActiveTime, dueAfterSpan, warningStartsAt } from './span';
import {
  lastClosure,
  priorityInForce,
  readTimeline,
  type CaseTimeline,
  type TimedEntry,
} from './timeline';

export const DEADLINE_KINDS = [
  ...SERVICE_DEADLINE_KINDS,
  'regulatory_response',
  'regulatory_decision',
  'summary_resolution',
  'follow_up',
  'second_follow_up',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_STATES = [
  'running',
  'paused',
  'warning',
  'met',
  'breached',
  'stopped',
] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

export interface Deadline {
  kind: DeadlineKind;
  clock: ClockKind;
  /** When this clock, or the current cycle of a recurring one, started. */
  startedAt: string;
  /**
   * The due instant, in the policy's zone; a period in days ends at 24:00, written as 00:00
   * of the next day. Null when there is none yet (a promised-time target with no promise).
   */
  dueAt: string | null;
  /** From when the owner is warned; null with `dueAt`. */
  warnAt: string | null;
  /** Satisfied by its matching entry. */
  met: boolean;
  metAt?: string;
  /** Met, but after the due instant. */
  metLate?: boolean;
  state: DeadlineState;
  /** dueAt − now while the clock is live (negative once overdue); null once met or stopped. */
  remainingMs: number | null;
  /** Time this clock did not run: waits on the customer, or excluded intervals. */
  pausedMs: number;
  /** Whether the calendar data covers the days this deadline was counted on. */
  calendarCovered: boolean;
  /** Regulatory decision: valid extensions applied (0, 1, 2). */
  extensionLevel?: number;
  /** Regulatory decision: the period in force, in days. */
  periodDays?: number;
  /** Recurring targets: earlier cycles whose next update came after its due instant. */
  missedCycles?: number;
  /** Summary resolution: closed within the window, so a summary resolution letter is owed. */
  letterRequired?: boolean;
}

export type ExtensionRejectionCode =
  | 'EXTENSION_NEEDS_APPROVAL'
  | 'EXTENSION_NEEDS_CUSTOMER_NOTICE'
  | 'EXTENSION_BEYOND_MAXIMUM'
  | 'EXTENSION_OUT_OF_ORDER'
  | 'EXTENSION_AFTER_DEADLINE';

export type ExtensionVerdict =
  | { ok: true; level: number; toDays: number }
  | { ok: false; code: ExtensionRejectionCode; message: string };

/** The exclusions as they were known at `atMs`: an open one ends there. */
function clipIntervals(intervals: readonly MsInterval[], atMs: number): MsInterval[] {
  return intervals
    .filter((i) => i.start < atMs)
    .map((i) => ({ start: i.start, end: Math.min(i.end, atMs) }));
}

function firstOf(
  entries: readonly TimedEntry[],
  kinds: readonly ClockEntryKind[],
  fromMs: number,
): TimedEntry | undefined {
  return entries.find((t) => t.ms >= fromMs && kinds.includes(t.entry.kind));
}

interface Settlement {
  kind: Deadline['kind'];
  clock: ClockKind;
  startMs: number;
  dueMs: number | null;
  warnMs: number | null;
  metMs: number | null;
  /** When the clock was stopped by the end of handling, if it was. */
  endMs: number | null;
  pausedNow: boolean;
  pauses: readonly MsInterval[];
}

function settle(s: Settlement, nowMs: number, calendar: WorkCalendar): Deadline {
  const offset = calendar.timeZoneOffsetMinutes;
  const format = (ms: number) => formatInstant(ms, offset);
  const stopMs = s.metMs ?? s.endMs ?? nowMs;
  const base = {
    kind: s.kind,
    clock: s.clock,
    startedAt: format(s.startMs),
    dueAt: s.dueMs === null ? null : format(s.dueMs),
    warnAt: s.warnMs === null ? null : format(s.warnMs),
    pausedMs: overlapMs(s.pauses, s.startMs, Math.max(s.startMs, stopMs)),
    calendarCovered: coveredBy(calendar, s.clock, s.startMs, s.dueMs),
  };
  if (s.metMs !== null)
    return {
      ...base,
      met: true,
      metAt: format(s.metMs),
      metLate: s.dueMs !== null && s.metMs > s.dueMs,
      state: 'met',
      remainingMs: null,
    };
  const overdue = s.dueMs !== null && (s.endMs ?? nowMs) > s.dueMs;
  const live = s.endMs === null;
  const remainingMs = live && s.dueMs !== null ? s.dueMs - nowMs : null;
  let state: DeadlineState;
  if (overdue) state = 'breached';
  else if (!live) state = 'stopped';
  else if (s.pausedNow) state = 'paused';
  else if (s.warnMs !== null && nowMs >= s.warnMs) state = 'warning';
  else state = 'running';
  return { ...base, met: false, state, remainingMs };
}

/** Minute and plain calendar-day clocks need no holiday data; the others do. */
function coveredBy(
  calendar: WorkCalendar,
  clock: ClockKind,
  startMs: number,
  dueMs: number | null,
): boolean {
  if (clock === 'calendar-minutes' || clock === 'calendar-days') return true;
  const offset = calendar.timeZoneOffsetMinutes;
  // A due instant at 24:00 belongs to the day before it.
  const days = [startMs, ...(dueMs === null ? [] : [dueMs - 1])];
  return days.every((ms) => calendar.covers(localDateOf(ms, offset)));
}

function serviceDeadline(
  target: ServiceTarget,
  timeline: CaseTimeline,
  since: number,
  calendar: WorkCalendar,
  nowMs: number,
): Deadline | null {
  // A target of the cycle of resolution runs again from a reopening and ends with the
  // handling; a target owed once per case (the first response) settles at the first end.
  const cycle = restartsOnReopening(target);
  const from = cycle ? timeline.cycleStart : timeline.received.ms;
  const end = cycle ? timeline.ended : timeline.firstEnd;
  const live = end ? timeline.live.filter((t) => t.ms <= end.ms) : timeline.live;
  const pauses = target.pausesWhileWaitingOnCustomer ? timeline.waits : [];
  const pausedNow = target.pausesWhileWaitingOnCustomer && timeline.waitingNow;
  const endMs = end?.ms ?? null;
  const common = { kind: target.kind, clock: target.clock, endMs, pausedNow, pauses };
  const met = (fromMs: number) => firstOf(live, target.metBy, fromMs)?.ms ?? null;

  if (target.startsAt === 'promise') {
    // Only a promise of this cycle counts: the one before a reopening was kept (or not) by
    // the decision that the customer then refused.
    const promise = live.findLast((t) => t.ms >= from && t.entry.kind === 'resolution_promised');
    if (!promise || promise.entry.kind !== 'resolution_promised')
      return settle(
        {
          ...common,
          startMs: Math.max(since, from),
          dueMs: null,
          warnMs: null,
          metMs: met(from),
        },
        nowMs,
        calendar,
      );
    const promisedMs = Math.max(0, parseInstant(promise.entry.promisedBy) - promise.ms);
    const dueMs = afterActiveTime(promise.ms, promisedMs, pauses);
    const spanMinutes = promisedMs / 60_000;
    const warnMs = warningStartsAt(
      target.warning,
      target.clock,
      promise.ms,
      dueMs,
      spanMinutes,
      calendar,
      pauses,
    );
    return settle(
      { ...common, startMs: promise.ms, dueMs, warnMs, metMs: met(from) },
      nowMs,
      calendar,
    );
  }

  const span = target.span ?? 0;
  let startMs = Math.max(since, from);
  if (target.startsAt === 'resolved') {
    const decision = firstOf(live, ['resolved'], from);
    if (!decision) return null; // not started (in this cycle): nothing to show yet
    startMs = decision.ms;
  }
  const metMs = met(target.startsAt === 'resolved' ? startMs : from);
  const due = (from: number) => dueAfterSpan(target.clock, from, span, calendar, pauses);

  let missedCycles: number | undefined;
  if (target.restartedBy) {
    // A recurring target: each update starts the next cycle; report the current one.
    const restarts = live
      .filter((t) => t.ms >= startMs && (metMs === null || t.ms <= metMs))
      .filter((t) => target.restartedBy!.includes(t.entry.kind))
      .map((t) => t.ms);
    missedCycles = 0;
    for (const next of restarts) {
      if (next > due(startMs)) missedCycles++;
      startMs = next;
    }
  }
  const dueMs = due(startMs);
  const warnMs = warningStartsAt(
    target.warning,
    target.clock,
    startMs,
    dueMs,
    span,
    calendar,
    pauses,
  );
  const deadline = settle({ ...common, startMs, dueMs, warnMs, metMs }, nowMs, calendar);
  return missedCycles === undefined ? deadline : { ...deadline, missedCycles };
}

// ---------------------------------------------------------------- the regulatory clock

interface RegulatoryClock {
  track: RegulatoryTrack;
  startMs: number;
  days: number;
  level: number;
}

function regulatoryPolicyFor(
  policy: DeadlinePolicy,
  timeline: CaseTimeline,
): { regulatory: RegulatoryPolicy; track: RegulatoryTrack } | null {
  const regulatory = policy.regulatory;
  if (!regulatory || !regulatory.appliesToCaseTypes.includes(timeline.received.caseType))
    return null;
  const track =
    regulatory.tracks[timeline.received.track ?? 'default'] ?? regulatory.tracks['default'];
  return track ? { regulatory, track } : null;
}

function exclusionsOf(regulatory: RegulatoryPolicy, timeline: CaseTimeline): MsInterval[] {
  return regulatory.honoursExclusions ? timeline.exclusions : [];
}

function reject(code: ExtensionRejectionCode, message: string): ExtensionVerdict {
  return { ok: false, code, message };
}

/** Whether an extension recorded at `entryMs` may move the regulatory clock as it stands. */
function judgeExtension(
  clock: RegulatoryClock,
  entry: ExtensionEntry,
  entryMs: number,
  timeline: CaseTimeline,
  regulatory: RegulatoryPolicy,
  calendar: WorkCalendar | undefined,
): ExtensionVerdict {
  if (timeline.ended && timeline.ended.ms <= entryMs)
    return reject('EXTENSION_OUT_OF_ORDER', 'Handling of this case has ended.');
  const decided = timeline.live.some(
    (t) => t.ms >= clock.startMs && t.ms <= entryMs && regulatory.metBy.includes(t.entry.kind),
  );
  if (decided)
    return reject('EXTENSION_OUT_OF_ORDER', 'The decision has already been told to the customer.');
  const steps = clock.track.extensions;
  const maximum = steps.at(-1)?.toDays ?? clock.track.baseDays;
  if (entry.toDays > maximum)
    return reject(
      'EXTENSION_BEYOND_MAXIMUM',
      `The period can be extended to ${maximum} days at most.`,
    );
  const next = steps[clock.level];
  if (!next || entry.toDays !== next.toDays)
    return reject(
      'EXTENSION_OUT_OF_ORDER',
      next
        ? `The next extension is to ${next.toDays} days.`
        : 'Every extension step has been taken.',
    );
  let dueMs: number | null = null;
  if (calendar) {
    const exclusions = clipIntervals(exclusionsOf(regulatory, timeline), entryMs);
    dueMs = dueAfterSpan(clock.track.clock, clock.startMs, clock.days, calendar, exclusions);
    if (entryMs > dueMs)
      return reject('EXTENSION_AFTER_DEADLINE', 'The period had already run out.');
  }
  if (next.requiresApproval && (!entry.approvalId || !entry.approvedBy))
    return reject(
      'EXTENSION_NEEDS_APPROVAL',
      'This extension needs the approval of the superior branch or head office.',
    );
  if (next.requiresCustomerNotice) {
    const noticeMs =
      entry.customerNoticeAt === undefined ? null : parseInstant(entry.customerNoticeAt);
    if (noticeMs === null || (dueMs !== null && noticeMs > dueMs))
      return reject(
        'EXTENSION_NEEDS_CUSTOMER_NOTICE',
        'The customer must be told of the extension, and why, before the period runs out.',
      );
  }
  return { ok: true, level: clock.level + 1, toDays: next.toDays };
}

/** The regulatory clock after every entry up to the timeline's end; invalid extensions do nothing. */
function replayRegulatory(
  timeline: CaseTimeline,
  regulatory: RegulatoryPolicy,
  track: RegulatoryTrack,
  calendar: WorkCalendar | undefined,
): RegulatoryClock {
  let clock: RegulatoryClock = {
    track,
    startMs: timeline.received.ms,
    days: track.baseDays,
    level: 0,
  };
  for (const { entry, ms } of timeline.live) {
    if (entry.kind === 'new_facts') clock = { track, startMs: ms, days: track.baseDays, level: 0 };
    if (entry.kind === 'extension') {
      const verdict = judgeExtension(clock, entry, ms, timeline, regulatory, calendar);
      if (verdict.ok) clock = { ...clock, days: verdict.toDays, level: verdict.level };
    }
  }
  return clock;
}

/**
 * Whether an extension may be recorded, judged against the history before it: the next
 * step in order, within the maximum, with the approval and customer notice its step
 * requires and — when a calendar is given — before the current period has run out. The
 * lifecycle machines reject what this rejects; the engine ignores such extensions.
 */
export function validateExtension(
  history: ClockHistory,
  entry: ExtensionEntry,
  policy: DeadlinePolicy,
  calendar?: WorkCalendar,
): ExtensionVerdict {
  const entryMs = parseInstant(entry.at);
  const timeline = readTimeline(
    history.filter((e) => e !== entry),
    entryMs,
  );
  if (!timeline) return reject('EXTENSION_OUT_OF_ORDER', 'The case has no receipt.');
  const applicable = regulatoryPolicyFor(policy, timeline);
  if (!applicable)
    return reject('EXTENSION_OUT_OF_ORDER', 'No regulatory period applies to this case.');
  const clock = replayRegulatory(timeline, applicable.regulatory, applicable.track, calendar);
  return judgeExtension(clock, entry, entryMs, timeline, applicable.regulatory, calendar);
}

function regulatoryDeadlines(
  policy: DeadlinePolicy,
  timeline: CaseTimeline,
  calendar: WorkCalendar,
  nowMs: number,
): Deadline[] {
  const applicable = regulatoryPolicyFor(policy, timeline);
  if (!applicable) return [];
  const { regulatory, track } = applicable;
  const clock = replayRegulatory(timeline, regulatory, track, calendar);
  const pauses = exclusionsOf(regulatory, timeline);
  const pausedNow = regulatory.honoursExclusions && timeline.excludedNow;
  const endMs = timeline.ended?.ms ?? null;
  const result: Deadline[] = [];

  if (track.response) {
    const r = track.response;
    const dueMs = dueAfterSpan(r.clock, clock.startMs, r.days, calendar, pauses);
    const met = firstOf(timeline.live, r.metBy, clock.startMs);
    result.push(
      settle(
        {
          kind: 'regulatory_response',
          clock: r.clock,
          startMs: clock.startMs,
          dueMs,
          warnMs: warningStartsAt(
            r.warning,
            r.clock,
            clock.startMs,
            dueMs,
            r.days,
            calendar,
            pauses,
          ),
          metMs: met?.ms ?? null,
          endMs,
          pausedNow,
          pauses,
        },
        nowMs,
        calendar,
      ),
    );
  }

  const dueMs = dueAfterSpan(track.clock, clock.startMs, clock.days, calendar, pauses);
  const met = firstOf(timeline.live, regulatory.metBy, clock.startMs);
  const warnMs = warningStartsAt(
    regulatory.warning,
    track.clock,
    clock.startMs,
    dueMs,
    clock.days,
    calendar,
    pauses,
  );
  result.push({
    ...settle(
      {
        kind: 'regulatory_decision',
        clock: track.clock,
        startMs: clock.startMs,
        dueMs,
        warnMs,
        metMs: met?.ms ?? null,
        endMs,
        pausedNow,
        pauses,
      },
      nowMs,
      calendar,
    ),
    extensionLevel: clock.level,
    periodDays: clock.days,
  });
  return result;
}

/**
 * FCA DISP 1.5: shown while the window (to the end of the n-th business day after the day
 * of receipt) is open; `met` with `letterRequired` once the case closes inside it;
 * `stopped` when the window passes, or handling ends otherwise, without that.
 */
function summaryResolutionDeadline(
  policy: DeadlinePolicy,
  timeline: CaseTimeline,
  calendar: WorkCalendar,
  nowMs: number,
): Deadline | null {
  const rule = policy.summaryResolution;
  if (!rule || !rule.appliesToCaseTypes.includes(timeline.received.caseType)) return null;
  const startMs = timeline.received.ms;
  const dueMs = dueAfterSpan('business-days', startMs, rule.businessDays, calendar);
  const trigger = firstOf(timeline.live, rule.triggeredBy, startMs);
  const inWindow = trigger !== undefined && trigger.ms <= dueMs;
  const deadline = settle(
    {
      kind: 'summary_resolution',
      clock: 'business-days',
      startMs,
      dueMs,
      warnMs: null,
      metMs: inWindow ? trigger.ms : null,
      endMs: timeline.ended?.ms ?? null,
      pausedNow: false,
      pauses: [],
    },
    nowMs,
    calendar,
  );
  // Not a duty that can be missed: past the window the ordinary time limits apply instead.
  const state: DeadlineState = deadline.state === 'breached' ? 'stopped' : deadline.state;
  return {
    ...deadline,
    state,
    remainingMs: state === 'stopped' ? null : deadline.remainingMs,
    letterRequired: inWindow,
  };
}

function followUpDeadlines(
  policy: DeadlinePolicy,
  timeline: CaseTimeline,
  calendar: WorkCalendar,
  nowMs: number,
): Deadline[] {
  // From the final closure: a reopening voids the follow-ups of an earlier one.
  const closure = lastClosure(timeline);
  if (!closure) return [];
  const closedAt = closure.closedMs;
  const schedule = scheduleFollowUps(
    {
      closedAt: new Date(closedAt),
      priority: closure.priority,
      caseType: closure.caseType,
      major: closure.major,
    },
    policy,
    calendar,
  );
  return schedule.map((f) => {
    const second = f.kind === 'second_follow_up';
    const done = timeline.entries.find(
      (t) =>
        t.ms >= closedAt &&
        t.entry.kind === 'follow_up_done' &&
        (t.entry.second === true) === second,
    );
    return settle(
      {
        kind: f.kind,
        clock: f.clock,
        startMs: closedAt,
        dueMs: +f.dueAt,
        warnMs: +f.warnAt,
        metMs: done?.ms ?? null,
        endMs: null,
        pausedNow: false,
        pauses: [],
      },
      nowMs,
      calendar,
    );
  });
}

/**
 * Every deadline of a case as it stands at `now`: the service targets of the priority in
 * force, the regulatory response and decision, the summary-resolution window and the
 * follow-ups after closure. A history without a receipt has none.
 */
export function computeDeadlines(
  history: ClockHistory,
  policy: DeadlinePolicy,
  calendar: WorkCalendar,
  now: Date,
): Deadline[] {
  if (policy.timeZoneOffsetMinutes !== calendar.timeZoneOffsetMinutes)
    throw new RangeError(
      `Policy ${policy.id} counts days at offset ${policy.timeZoneOffsetMinutes} min, calendar ${calendar.id} at ${calendar.timeZoneOffsetMinutes} min`,
    );
  const nowMs = +now;
  const timeline = readTimeline(history, nowMs);
  if (!timeline) return [];
  const { priority, since } = priorityInForce(timeline);
  const service = policy.targets[priority]
    .map((target) => serviceDeadline(target, timeline, since, calendar, nowMs))
    .filter((d): d is Deadline => d !== null);
  const summary = summaryResolutionDeadline(policy, timeline, calendar, nowMs);
  return [
    ...service,
    ...regulatoryDeadlines(policy, timeline, calendar, nowMs),
    ...(summary ? [summary] : []),
    ...followUpDeadlines(policy, timeline, calendar, nowMs),
  ];
}

/** The deadline of one kind, if the case has it. */
export function deadlineOf(
  deadlines: readonly Deadline[],
  kind: DeadlineKind,
): Deadline | undefined {
  return deadlines.find((d) => d.kind === kind);
}
