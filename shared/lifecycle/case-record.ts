// What an accepted case event changes in the context: one pure function per event,
// applied by the case machine's only action. It runs after the machine's checks have
// passed, so it does not check again; it appends to the clock, never rewrites it.
import {
  isWaitingOnCustomer,
  type CaseContext,
  type ClockEntry,
  type Reopening,
} from './case-context';
import type { CaseEvent } from './case-events';
import { isLowSatisfaction, requiredApprovalLevels } from './policy';

export function recordCaseEvent(c: CaseContext, e: CaseEvent): CaseContext {
  const { at } = e;
  const by = e.actor.userId;
  const clock = (...entries: ClockEntry[]) => [...c.clock, ...entries];
  switch (e.type) {
    case 'TRIAGE':
      return {
        ...c,
        priority: e.priority,
        priorityReasons: e.reasons ?? [],
        clock:
          e.priority === c.priority
            ? c.clock
            : clock({ kind: 'priority_changed', at, from: c.priority, priority: e.priority }),
      };
    case 'ASSIGN':
      return {
        ...c,
        ownerId: e.assigneeId,
        ownership: [
          ...c.ownership,
          { kind: 'assigned', from: c.ownerId, to: e.assigneeId, by, reason: null, at },
        ],
      };
    case 'ACCEPT':
      return c;
    case 'REASSIGN':
      return {
        ...c,
        ownerId: e.toUserId,
        ownership: [
          ...c.ownership,
          { kind: 'reassigned', from: c.ownerId, to: e.toUserId, by, reason: e.reason.trim(), at },
        ],
      };
    case 'RECUSE':
      return {
        ...c,
        ownerId: null,
        recusedUserIds: [...c.recusedUserIds, by],
        ownership: [
          ...c.ownership,
          { kind: 'recused', from: c.ownerId, to: null, by, reason: e.reason.trim(), at },
        ],
      };
    case 'REQUEST_CUSTOMER_INFO':
      return {
        ...c,
        customerRequests: [
          ...c.customerRequests,
          {
            what: e.what.trim(),
            requestedBy: by,
            requestedAt: at,
            respondedAt: null,
            response: null,
          },
        ],
        clock: clock({ kind: 'waiting_customer_started', at, what: e.what.trim() }),
      };
    case 'CUSTOMER_RESPONDED':
      return {
        ...c,
        customerRequests: c.customerRequests.map((r, i, all) =>
          i === all.length - 1 ? { ...r, respondedAt: at, response: e.summary?.trim() ?? null } : r,
        ),
        clock: clock({ kind: 'waiting_customer_ended', at }),
      };
    case 'OPEN_TASK':
      return {
        ...c,
        tasks: [
          ...c.tasks,
          {
            id: e.taskId,
            department: e.department,
            request: e.request.trim(),
            dueAt: e.dueAt,
            openedBy: by,
            openedAt: at,
            answeredAt: null,
            answeredBy: null,
            answer: null,
          },
        ],
      };
    case 'ANSWER_TASK':
      return {
        ...c,
        tasks: c.tasks.map((t) =>
          t.id === e.taskId ? { ...t, answeredAt: at, answeredBy: by, answer: e.answer.trim() } : t,
        ),
      };
    case 'REQUEST_COMPENSATION': {
      const requiredLevels = requiredApprovalLevels(e.amountFen, c.policy);
      return {
        ...c,
        compensations: [
          ...c.compensations,
          {
            id: e.requestId,
            amountFen: e.amountFen,
            reason: e.reason.trim(),
            requestedBy: by,
            requestedAt: at,
            requiredLevels,
            status: requiredLevels === 0 ? 'granted' : 'pending',
            decidedAt: requiredLevels === 0 ? at : null,
            levels: [],
          },
        ],
      };
    }
    case 'COMPENSATION_DECIDED':
      return {
        ...c,
        compensations: c.compensations.map((r) =>
          r.id === e.requestId
            ? {
                ...r,
                status: e.approved ? 'approved' : 'rejected',
                decidedAt: at,
                levels: e.levels,
              }
            : r,
        ),
      };
    case 'RESOLVE':
      return {
        ...c,
        resolution: {
          rootCause: e.rootCause.trim(),
          solution: e.solution.trim(),
          prevention: e.prevention.trim(),
          compensationSummary: e.compensationSummary?.trim() || null,
          recordedBy: by,
          recordedAt: at,
        },
        clock: clock({ kind: 'resolved', at }),
      };
    case 'DECIDE_SUGGESTION':
      return {
        ...c,
        suggestionDecision: {
          adopted: e.adopted,
          customerReach: e.customerReach.trim(),
          feasibility: e.feasibility.trim(),
          value: e.value.trim(),
          rationale: e.rationale.trim(),
          decidedBy: by,
          decidedAt: at,
        },
        clock: clock({ kind: 'resolved', at }),
      };
    case 'NOTIFY_CUSTOMER': {
      const first = c.decisionNotifiedAt === null;
      return {
        ...c,
        notices: [
          ...c.notices,
          { purpose: 'decision', channel: e.channel, summary: e.summary.trim(), by, at },
        ],
        decisionNotifiedAt: first ? at : c.decisionNotifiedAt,
        clock: first ? clock({ kind: 'decision_notified', at, channel: e.channel }) : c.clock,
      };
    }
    case 'RECORD_FEEDBACK': {
      const rated: CaseContext = {
        ...c,
        feedback: { score: e.score, comment: e.comment?.trim() || null, recordedBy: by, at },
      };
      return isLowSatisfaction(c.policy, e.score)
        ? reopen(rated, e, 'low_satisfaction', e.comment?.trim() ?? '')
        : { ...rated, clock: clock({ kind: 'closed', at }) };
    }
    case 'CLOSE_WITHOUT_FEEDBACK':
      return { ...c, closeReason: e.reason.trim(), clock: clock({ kind: 'closed', at }) };
    case 'REOPEN':
      return reopen(c, e, 'reopen_requested', e.reason.trim());
    case 'MERGE_INTO': {
      const ended = closeOpenIntervals(c, at);
      return {
        ...ended,
        mergedInto: e.targetCaseId,
        clock: [...ended.clock, { kind: 'merged_into', at, intoCaseId: e.targetCaseId }],
      };
    }
    case 'WITHDRAW': {
      const ended = closeOpenIntervals(c, at);
      return {
        ...ended,
        withdrawReason: e.reason.trim(),
        clock: [...ended.clock, { kind: 'withdrawn', at, reason: e.reason.trim() }],
      };
    }
    case 'RECORD_FIRST_CONTACT':
      return { ...c, firstContactAt: at, clock: clock({ kind: 'first_contact', at }) };
    case 'RECORD_INTERIM_MEASURE':
      return { ...c, clock: clock({ kind: 'interim_measure', at, measure: e.measure.trim() }) };
    case 'RECORD_PLAN':
      return { ...c, clock: clock({ kind: 'plan_recorded', at, plan: e.plan.trim() }) };
    case 'RECORD_ROOT_CAUSE':
      return {
        ...c,
        clock: clock({ kind: 'root_cause_found', at, summary: e.summary.trim() }),
      };
    case 'RECORD_PROGRESS_UPDATE':
      return {
        ...c,
        notices: [
          ...c.notices,
          { purpose: 'progress', channel: e.channel, summary: e.summary.trim(), by, at },
        ],
        clock: clock({ kind: 'progress_update', at, channel: e.channel }),
      };
    case 'PROMISE_RESOLUTION':
      return { ...c, clock: clock({ kind: 'resolution_promised', at, promisedBy: e.promisedBy }) };
    case 'RECORD_FOLLOW_UP':
      return {
        ...c,
        clock: clock({
          kind: 'follow_up_done',
          at,
          second: e.second ?? false,
          summary: e.summary.trim(),
        }),
      };
    case 'START_EXCLUSION':
      return {
        ...c,
        exclusionOpen: true,
        clock: clock({ kind: 'exclusion_started', at, reason: e.reason.trim() }),
      };
    case 'END_EXCLUSION':
      return { ...c, exclusionOpen: false, clock: clock({ kind: 'exclusion_ended', at }) };
    case 'EXTEND_DEADLINE': {
      // The checks made sure that these are given.
      const extension = {
        toDays: e.toDays,
        approvalId: (e.approvalId ?? '').trim(),
        approvedBy: (e.approvedBy ?? '').trim(),
        customerNoticeAt: e.customerNoticeAt ?? at,
        reason: e.reason.trim(),
      };
      return {
        ...c,
        extensions: [...c.extensions, { ...extension, at }],
        clock: clock({ kind: 'extension', at, ...extension }),
      };
    }
    case 'RECORD_NEW_FACTS':
      return { ...c, clock: clock({ kind: 'new_facts', at, summary: e.summary.trim() }) };
    case 'ABSORB_REPEAT':
      return {
        ...c,
        absorbed: [...c.absorbed, e.fromCaseId],
        clock: clock({ kind: 'absorbed_repeat', at, repeatCaseId: e.fromCaseId }),
      };
  }
}

/** Starts a new cycle: the finished one is kept in `reopenings`, the current one empties. */
function reopen(
  c: CaseContext,
  e: CaseEvent,
  cause: Reopening['cause'],
  reason: string,
): CaseContext {
  const finished: Reopening = {
    at: e.at,
    by: e.actor.userId,
    cause,
    reason,
    resolution: c.resolution,
    suggestionDecision: c.suggestionDecision,
    decisionNotifiedAt: c.decisionNotifiedAt,
    feedback: c.feedback,
    closeReason: c.closeReason,
  };
  return {
    ...c,
    resolution: null,
    suggestionDecision: null,
    decisionNotifiedAt: null,
    feedback: null,
    closeReason: null,
    reopenCount: c.reopenCount + 1,
    reopenings: [...c.reopenings, finished],
    clock: [...c.clock, { kind: 'reopened', at: e.at, cause, reason }],
  };
}

/** A case that ends while paused or excluded closes those intervals for the deadline engine. */
function closeOpenIntervals(c: CaseContext, at: string): CaseContext {
  const entries: ClockEntry[] = [];
  if (isWaitingOnCustomer(c)) entries.push({ kind: 'waiting_customer_ended', at });
  if (c.exclusionOpen) entries.push({ kind: 'exclusion_ended', at });
  return { ...c, exclusionOpen: false, clock: [...c.clock, ...entries] };
}
