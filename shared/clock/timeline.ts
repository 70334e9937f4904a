// A clock history read as of one instant: the receipt, the spells of handling between
// reopenings and closures, the end of handling, the intervals that do not count. The
// deadline engine and the follow-up schedule both read a history through this, so they
// agree on when a case was closed and since when it is handled again.
//
// A case's handling is one or more cycles. The first starts at the receipt; each
// `reopened` starts another. A `closed` ends handling until a later `reopened` resumes it;
// `withdrawn` and `merged_into` end it for good (a reopening after them is ignored, as the
// case machine never writes one). Entries while a case stands closed (a follow-up call)
// move no clock.
import type { CaseType, Priority } from '../domain';
import type { ClockEntry, ClockEntryKind, ClockHistory } from './history';
import { parseInstant, type MsInterval } from './local-time';

export interface TimedEntry {
  entry: ClockEntry;
  ms: number;
}

export type EndKind = 'withdrawn' | 'merged_into' | 'closed';

export interface CaseEnd {
  ms: number;
  kind: EndKind;
}

export interface CaseTimeline {
  received: {
    ms: number;
    priority: Priority;
    caseType: CaseType;
    major: boolean;
    track: string | undefined;
  };
  /** Entries after the receipt, up to the instant, in time order. */
  entries: TimedEntry[];
  /**
   * Entries while the case was handled: the ones that move the clocks. A closure is kept
   * (it meets what it meets), the entries of the closed spell after it are not.
   */
  live: TimedEntry[];
  /**
   * The end of handling as it stands: a withdrawal or merge, or the last closure when no
   * reopening follows it. Null while the case is handled.
   */
  ended: CaseEnd | null;
  /** The first end of handling, even when a reopening followed it. */
  firstEnd: CaseEnd | null;
  /** When the current cycle of handling began: the receipt, or the last reopening. */
  cycleStart: number;
  /** How many times the case was reopened (as of the instant). */
  reopenings: number;
  waits: MsInterval[];
  exclusions: MsInterval[];
  waitingNow: boolean;
  excludedNow: boolean;
}

const FINAL_KINDS: readonly ClockEntryKind[] = ['withdrawn', 'merged_into'];

export function readTimeline(history: ClockHistory, untilMs: number): CaseTimeline | null {
  const timed = history
    .map((entry, index) => ({ entry, ms: parseInstant(entry.at), index }))
    .filter((t) => t.ms <= untilMs)
    .sort((a, b) => a.ms - b.ms || a.index - b.index);
  const receipt = timed.find((t) => t.entry.kind === 'received');
  if (!receipt || receipt.entry.kind !== 'received') return null;
  const entries = timed
    .filter((t) => t !== receipt && t.ms >= receipt.ms)
    .map(({ entry, ms }) => ({ entry, ms }));

  const live: TimedEntry[] = [];
  let ended: CaseEnd | null = null;
  let firstEnd: CaseEnd | null = null;
  let cycleStart = receipt.ms;
  let reopenings = 0;
  for (const t of entries) {
    const { kind } = t.entry;
    if (ended?.kind === 'withdrawn' || ended?.kind === 'merged_into') break;
    if (ended?.kind === 'closed') {
      // Closed: only a reopening resumes handling; nothing else moves a clock.
      if (kind !== 'reopened') continue;
      ended = null;
    }
    live.push(t);
    if (kind === 'reopened') {
      cycleStart = t.ms;
      reopenings++;
    } else if (kind === 'closed' || FINAL_KINDS.includes(kind)) {
      ended = { ms: t.ms, kind: kind as EndKind };
      firstEnd ??= ended;
    }
  }

  const stopAt = ended?.ms ?? untilMs;
  const waits = intervalsOf(live, 'waiting_customer_started', 'waiting_customer_ended', stopAt);
  const exclusions = intervalsOf(live, 'exclusion_started', 'exclusion_ended', stopAt);
  return {
    received: {
      ms: receipt.ms,
      priority: receipt.entry.priority,
      caseType: receipt.entry.caseType,
      major: receipt.entry.major === true,
      track: receipt.entry.regulatoryTrack,
    },
    entries,
    live,
    ended,
    firstEnd,
    cycleStart,
    reopenings,
    waits: waits.intervals,
    exclusions: exclusions.intervals,
    waitingNow: waits.open && !ended,
    excludedNow: exclusions.open && !ended,
  };
}

/**
 * Start/end pairs as intervals; an unmatched end is ignored, an open start runs to `stopAt`.
 * A closure also ends an open interval: nothing is paused while a case stands closed.
 */
function intervalsOf(
  entries: readonly TimedEntry[],
  startKind: ClockEntryKind,
  endKind: ClockEntryKind,
  stopAt: number,
): { intervals: MsInterval[]; open: boolean } {
  const intervals: MsInterval[] = [];
  let openedAt: number | null = null;
  for (const { entry, ms } of entries) {
    if (entry.kind === startKind && openedAt === null) openedAt = ms;
    else if ((entry.kind === endKind || entry.kind === 'closed') && openedAt !== null) {
      intervals.push({ start: openedAt, end: ms });
      openedAt = null;
    }
  }
  if (openedAt !== null) intervals.push({ start: openedAt, end: stopAt });
  return { intervals, open: openedAt !== null };
}

/** The priority in force and since when: a change starts the new priority's targets. */
export function priorityInForce(timeline: CaseTimeline): { priority: Priority; since: number } {
  let priority = timeline.received.priority;
  let since = timeline.received.ms;
  for (const { entry, ms } of timeline.live) {
    if (entry.kind === 'priority_changed' && entry.priority !== priority) {
      priority = entry.priority;
      since = ms;
    }
  }
  return { priority, since };
}

/** What the follow-ups are counted from: the case as its last closure left it. */
export interface Closure {
  closedMs: number;
  /** The priority in force when the case was closed. */
  priority: Priority;
  caseType: CaseType;
  major: boolean;
}

/**
 * The closure that ends handling as it stands, or null: while the case is handled (never
 * closed, or reopened since its last closure) and when it ended otherwise (withdrawn,
 * merged). A reopened-then-closed case is counted from its final closure.
 */
export function lastClosure(timeline: CaseTimeline): Closure | null {
  if (timeline.ended?.kind !== 'closed') return null;
  return {
    closedMs: timeline.ended.ms,
    priority: priorityInForce(timeline).priority,
    caseType: timeline.received.caseType,
    major: timeline.received.major,
  };
}
