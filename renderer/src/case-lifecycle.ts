// How the renderer groups and colours the case lifecycle: list filters, status colours, the
// action groups of the case detail. Pure data over the shared machine's codes (no React), so
// that a unit test can check every state and event has its place.
import type { Deadline } from '../../shared/clock';
import {
  CASE_STATES,
  FINAL_CASE_STATES,
  type CaseEventType,
  type CaseState,
} from '../../shared/lifecycle/case-machine';

/** The list's status tabs: a state belongs to exactly one group besides `all`. */
export const STATUS_GROUPS = {
  working: ['registered', 'triaged', 'assigned', 'in_progress', 'reopened'],
  waiting: ['waiting_customer', 'waiting_departments', 'pending_approval'],
  resolved: ['resolved', 'awaiting_feedback'],
  ended: ['closed', 'merged', 'withdrawn'],
} as const satisfies Record<string, readonly CaseState[]>;
export type StatusGroup = keyof typeof STATUS_GROUPS;
export const STATUS_FILTERS = ['all', 'working', 'waiting', 'resolved', 'ended'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export function statusGroupOf(state: CaseState): StatusGroup {
  for (const [group, states] of Object.entries(STATUS_GROUPS) as [
    StatusGroup,
    readonly CaseState[],
  ][]) {
    if (states.includes(state)) return group;
  }
  return 'working';
}

export function matchesStatusFilter(state: CaseState, filter: StatusFilter): boolean {
  return filter === 'all' || statusGroupOf(state) === filter;
}

/** A badge colour per state (antd preset names or hex). `processing` animates. */
export const STATUS_COLORS: Record<CaseState, string> = {
  registered: '#8c8c8c',
  triaged: 'cyan',
  assigned: 'geekblue',
  in_progress: 'processing',
  waiting_customer: 'gold',
  waiting_departments: 'purple',
  pending_approval: 'orange',
  resolved: 'green',
  awaiting_feedback: 'lime',
  closed: '#595959',
  reopened: 'magenta',
  merged: '#bfbfbf',
  withdrawn: '#bfbfbf',
};

export function isFinalState(state: CaseState): boolean {
  return FINAL_CASE_STATES.includes(state);
}

/** The action groups of the case detail, in the order shown; every event in exactly one. */
export const EVENT_GROUPS = {
  handling: [
    'ACCEPT',
    'TRIAGE',
    'ASSIGN',
    'REASSIGN',
    'RECUSE',
    'RECORD_INTERIM_MEASURE',
    'RECORD_ROOT_CAUSE',
    'RECORD_PLAN',
    'RECORD_NEW_FACTS',
    'ABSORB_REPEAT',
  ],
  customer: [
    'RECORD_FIRST_CONTACT',
    'REQUEST_CUSTOMER_INFO',
    'CUSTOMER_RESPONDED',
    'RECORD_PROGRESS_UPDATE',
    'NOTIFY_CUSTOMER',
    'RECORD_FEEDBACK',
    'RECORD_FOLLOW_UP',
  ],
  cooperation: ['OPEN_TASK', 'ANSWER_TASK', 'REQUEST_COMPENSATION', 'COMPENSATION_DECIDED'],
  deadlines: ['PROMISE_RESOLUTION', 'START_EXCLUSION', 'END_EXCLUSION', 'EXTEND_DEADLINE'],
  closure: [
    'RESOLVE',
    'DECIDE_SUGGESTION',
    'CLOSE_WITHOUT_FEEDBACK',
    'REOPEN',
    'MERGE_INTO',
    'WITHDRAW',
  ],
} as const satisfies Record<string, readonly CaseEventType[]>;
export type EventGroup = keyof typeof EVENT_GROUPS;
export const EVENT_GROUP_ORDER = Object.keys(EVENT_GROUPS) as EventGroup[];

/** The step that moves the case on from a state: shown as a primary button. */
const PRIMARY_EVENTS: Partial<Record<CaseState, readonly CaseEventType[]>> = {
  triaged: ['ACCEPT', 'ASSIGN'],
  assigned: ['ACCEPT'],
  reopened: ['ACCEPT'],
  in_progress: ['RESOLVE', 'DECIDE_SUGGESTION'],
  waiting_customer: ['CUSTOMER_RESPONDED'],
  waiting_departments: ['ANSWER_TASK'],
  pending_approval: ['COMPENSATION_DECIDED'],
  resolved: ['NOTIFY_CUSTOMER'],
  awaiting_feedback: ['RECORD_FEEDBACK'],
  closed: ['RECORD_FOLLOW_UP'],
};

export function isPrimaryEvent(type: CaseEventType, state: CaseState): boolean {
  return PRIMARY_EVENTS[state]?.includes(type) ?? false;
}
/** Ends the case for good: shown as a danger button. */
export const DANGER_EVENTS: ReadonlySet<CaseEventType> = new Set<CaseEventType>([
  'MERGE_INTO',
  'WITHDRAW',
]);

/** The allowed events, grouped, in catalogue order; empty groups left out. */
export function groupAllowedEvents(
  allowed: readonly CaseEventType[],
): { group: EventGroup; events: CaseEventType[] }[] {
  const set = new Set(allowed);
  return EVENT_GROUP_ORDER.map((group) => ({
    group,
    events: (EVENT_GROUPS[group] as readonly CaseEventType[]).filter((e) => set.has(e)),
  })).filter((g) => g.events.length > 0);
}

export { CASE_STATES };

// ── Deadlines ────────────────────────────────────────────────────────────────────────
export type DeadlineView = Deadline['state'];

/**
 * A deadline's state at `nowMs`, moved on from the one computed when the case was loaded:
 * a running clock turns to warning at its warn instant and to breached past its due one.
 */
export function liveDeadline(
  deadline: Deadline,
  loadedAtMs: number,
  nowMs: number,
): { state: Deadline['state']; remainingMs: number | null } {
  const { state } = deadline;
  if (state === 'met' || state === 'stopped') return { state, remainingMs: null };
  // No remaining time: the clock no longer runs (handling ended) or has no due instant yet.
  // A paused clock's due instant moves with the pause: its remaining time stands still.
  if (state === 'paused' || deadline.dueAt === null || deadline.remainingMs === null) {
    return { state, remainingMs: deadline.remainingMs };
  }
  const remainingMs = deadline.remainingMs - Math.max(0, nowMs - loadedAtMs);
  if (remainingMs < 0) return { state: 'breached', remainingMs };
  if (deadline.warnAt !== null && nowMs >= Date.parse(deadline.warnAt))
    return { state: state === 'running' ? 'warning' : state, remainingMs };
  return { state, remainingMs };
}

const LIVE_ORDER: Record<Deadline['state'], number> = {
  breached: 0,
  warning: 1,
  running: 2,
  paused: 3,
  met: 4,
  stopped: 5,
};

/** Live clocks first (overdue, then the nearest due), then the settled ones in engine order. */
export function orderDeadlines(deadlines: readonly Deadline[]): Deadline[] {
  return deadlines
    .map((d, index) => ({ d, index }))
    .sort((a, b) => {
      const live = (d: Deadline) => (d.state === 'met' || d.state === 'stopped' ? 1 : 0);
      if (live(a.d) !== live(b.d)) return live(a.d) - live(b.d);
      if (live(a.d) === 1) return a.index - b.index;
      const rank = LIVE_ORDER[a.d.state] - LIVE_ORDER[b.d.state];
      if (a.d.state === 'breached' || b.d.state === 'breached') return rank || a.index - b.index;
      const due = (d: Deadline) => (d.dueAt ? Date.parse(d.dueAt) : Number.POSITIVE_INFINITY);
      return due(a.d) - due(b.d) || a.index - b.index;
    })
    .map(({ d }) => d);
}
