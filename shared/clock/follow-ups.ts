// The follow-up call after closure (回访): urgent within 24 h, normal within 3 days, inquiry
// within 7 days, and a second call within 30 days for a major complaint — as the policy says.
// A case that was reopened and closed again is followed up from its final closure: the
// calls owed after an earlier closure lapse when the case reopens.
import type { CaseType, Priority } from '../domain';
import type { WorkCalendar } from './calendar';
import type { ClockHistory } from './history';
import type { ClockKind, DeadlinePolicy, FollowUpRule } from './policies';
import { dueAfterSpan, warningStartsAt } from './span';
import { lastClosure, readTimeline } from './timeline';

export interface ClosedCase {
  closedAt: Date;
  /** The priority in force when the case was closed. */
  priority: Priority;
  caseType: CaseType;
  major: boolean;
}

export interface ScheduledFollowUp {
  kind: 'follow_up' | 'second_follow_up';
  clock: ClockKind;
  span: number;
  dueAt: Date;
  warnAt: Date;
}

function matches(
  rule: Pick<FollowUpRule, 'priorities' | 'caseTypes'>,
  closed: ClosedCase,
): boolean {
  return (
    (rule.priorities === undefined || rule.priorities.includes(closed.priority)) &&
    (rule.caseTypes === undefined || rule.caseTypes.includes(closed.caseType))
  );
}

/**
 * The closed case a clock history describes as of `now`: its final closure, the priority in
 * force then, its type and whether it is major. Null while the case is handled (not closed
 * yet, or reopened since its last closure) and when it was withdrawn or merged.
 */
export function closedCaseOf(history: ClockHistory, now: Date): ClosedCase | null {
  const timeline = readTimeline(history, +now);
  const closure = timeline && lastClosure(timeline);
  if (!closure) return null;
  return {
    closedAt: new Date(closure.closedMs),
    priority: closure.priority,
    caseType: closure.caseType,
    major: closure.major,
  };
}

/** The follow-ups a closed case owes, each counted from the closure; none for praise. */
export function scheduleFollowUps(
  closed: ClosedCase,
  policy: Pick<DeadlinePolicy, 'followUps'>,
  calendar: WorkCalendar,
): ScheduledFollowUp[] {
  const start = +closed.closedAt;
  const schedule = (kind: ScheduledFollowUp['kind'], rule: FollowUpRule): ScheduledFollowUp => {
    const due = dueAfterSpan(rule.clock, start, rule.span, calendar);
    const warn = warningStartsAt(rule.warning, rule.clock, start, due, rule.span, calendar);
    return {
      kind,
      clock: rule.clock,
      span: rule.span,
      dueAt: new Date(due),
      warnAt: new Date(warn),
    };
  };
  const result: ScheduledFollowUp[] = [];
  const first = policy.followUps.first.find((rule) => matches(rule, closed));
  if (first) result.push(schedule('follow_up', first));
  const second = policy.followUps.second;
  if (second && matches(second, closed) && (!second.majorOnly || closed.major))
    result.push(schedule('second_follow_up', second));
  return result;
}
