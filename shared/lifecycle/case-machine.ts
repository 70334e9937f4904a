// The case lifecycle (工单生命周期). Pure: guards and assign only, no timers — deadlines
// are computed elsewhere from the `clock` entries this machine appends — so that the
// workstation (offline too) and the central API reach the same verdict on every event.
//
// Each event has an ordered list of checks with a reason code (EVENT_CHECKS); the
// machine's `permitted` guard is "all of them pass", and a refusal names the first that
// fails. Which state handles which event, and where it leads, is the machine below.
import { and, assign, setup, transition, type SnapshotFrom } from 'xstate';
import { z } from 'zod';
import { isSettledApprovalChain } from './approval-machine';
import {
  createCaseContext,
  currentDeadlineDays,
  openTasks,
  pendingCompensation,
  type CaseContext,
  type CaseContextInput,
} from './case-context';
import {
  CASE_EVENT_TYPES,
  CaseEvent,
  type CaseActor,
  type CaseEventOf,
  type CaseEventType,
} from './case-events';
import { recordCaseEvent } from './case-record';
import { isLowSatisfaction, isSatisfactionScore, requiredApprovalLevels } from './policy';

export * from './case-context';
export * from './case-events';

export const CASE_STATES = [
  'registered',
  'triaged', // priority known, no owner (new, or its owner recused)
  'assigned',
  'in_progress',
  'waiting_customer', // internal service clocks paused
  'waiting_departments', // cross-department tasks open
  'pending_approval', // compensation above the frontline limit
  'resolved', // resolution recorded, customer not yet told
  'awaiting_feedback',
  'closed',
  'reopened',
  'merged', // final
  'withdrawn', // final
] as const;
export const CaseState = z.enum(CASE_STATES);
export type CaseState = z.infer<typeof CaseState>;
export const FINAL_CASE_STATES: readonly CaseState[] = ['merged', 'withdrawn'];

/** Why an event was refused: translated by the UI, returned by the API. */
export const CASE_REJECTIONS = [
  'CASE_FINAL', // merged or withdrawn: accepts nothing
  'EVENT_MALFORMED', // does not match its schema
  'NOT_ALLOWED_IN_STATE',
  'NOT_OWNER_OR_LEAD',
  'LEAD_ONLY', // assignment and reassignment: a lead, or the system's distributor
  'OWNER_ONLY', // recusal: the handler themself
  'STAFF_ONLY', // a department's answer comes from a person
  'CASE_UNASSIGNED',
  'ALREADY_OWNER',
  'ASSIGNEE_RECUSED',
  'NOT_A_SUGGESTION',
  'DETAIL_REQUIRED', // a blank request, answer, summary, measure or plan
  'REASON_REQUIRED',
  'RESOLUTION_INCOMPLETE', // root cause, solution and prevention, none blank
  'RESOLUTION_REQUIRED', // no resolution (or suggestion decision) in this cycle
  'EXCLUSION_OPEN',
  'EXCLUSION_ALREADY_OPEN',
  'EXCLUSION_NOT_OPEN',
  'FIRST_CONTACT_ALREADY_RECORDED',
  'EXTENSION_NEEDS_APPROVAL',
  'EXTENSION_NEEDS_CUSTOMER_NOTICE',
  'EXTENSION_BEYOND_MAXIMUM',
  'EXTENSION_OUT_OF_SEQUENCE', // 15 → 30 → 60, no step skipped or repeated
  'TASK_UNKNOWN',
  'TASK_ALREADY_ANSWERED',
  'TASK_DUPLICATE',
  'TASK_DUE_BEFORE_OPENING',
  'PROMISE_IN_PAST',
  'AMOUNT_INVALID',
  'COMPENSATION_REQUEST_DUPLICATE',
  'COMPENSATION_REQUEST_UNKNOWN',
  'APPROVAL_INCOMPLETE', // the decision does not settle the chain its amount needs
  'FEEDBACK_OUT_OF_RANGE',
  'CLOSE_REASON_REQUIRED',
  'SAME_CASE',
  'ALREADY_ABSORBED',
] as const;
export type CaseRejection = (typeof CASE_REJECTIONS)[number];

// ── Checks ───────────────────────────────────────────────────────────────────────────
// 'case' checks read who acts and the case only: allowedCaseEvents judges them before
// the form is filled. 'form' checks read the event's own content.
type CaseCheck = {
  code: CaseRejection;
  on: 'case';
  test: (context: CaseContext, actor: CaseActor) => boolean;
};
type FormCheck<T extends CaseEventType> = {
  code: CaseRejection;
  on: 'form';
  test: (context: CaseContext, event: CaseEventOf<T>) => boolean;
};
type Check<T extends CaseEventType> = CaseCheck | FormCheck<T>;

const byCase = (code: CaseRejection, test: CaseCheck['test']): CaseCheck => ({
  code,
  on: 'case',
  test,
});
const byForm = <T extends CaseEventType>(
  code: CaseRejection,
  test: FormCheck<T>['test'],
): FormCheck<T> => ({ code, on: 'form', test });

const given = (text: string | undefined) => (text ?? '').trim().length > 0;
const isOwner = (c: CaseContext, a: CaseActor) => c.ownerId !== null && a.userId === c.ownerId;

// Leads act on any case of their team (the server checks the team); others on their own.
const ownerOrLead = byCase('NOT_OWNER_OR_LEAD', (c, a) => a.role === 'lead' || isOwner(c, a));
const ownerLeadOrSystem = byCase(
  'NOT_OWNER_OR_LEAD',
  (c, a) => a.role === 'lead' || a.role === 'system' || isOwner(c, a),
);
const leadOrSystem = byCase('LEAD_ONLY', (_, a) => a.role === 'lead' || a.role === 'system');
const hasOwner = byCase('CASE_UNASSIGNED', (c) => c.ownerId !== null);
const hasOutcome = byCase(
  'RESOLUTION_REQUIRED',
  (c) => c.resolution !== null || c.suggestionDecision !== null,
);
const exclusionClosed = byCase('EXCLUSION_OPEN', (c) => !c.exclusionOpen);
const reasonGiven = <T extends CaseEventType>(pick: (e: CaseEventOf<T>) => string) =>
  byForm<T>('REASON_REQUIRED', (_, e) => given(pick(e)));
const detailGiven = <T extends CaseEventType>(pick: (e: CaseEventOf<T>) => string | undefined) =>
  byForm<T>('DETAIL_REQUIRED', (_, e) => given(pick(e)));
const notRecused = <T extends CaseEventType>(pick: (e: CaseEventOf<T>) => string) =>
  byForm<T>('ASSIGNEE_RECUSED', (c, e) => !c.recusedUserIds.includes(pick(e)));

const nextExtensionStep = (c: CaseContext): number | undefined =>
  c.policy.extensionStepsDays.find((days) => days > currentDeadlineDays(c));

/** Checks per event, in the order a refusal is explained. */
const EVENT_CHECKS: { [T in CaseEventType]: readonly Check<T>[] } = {
  TRIAGE: [ownerLeadOrSystem],
  ASSIGN: [leadOrSystem, notRecused((e) => e.assigneeId)],
  ACCEPT: [hasOwner, ownerOrLead],
  REASSIGN: [
    leadOrSystem,
    hasOwner,
    byForm('ALREADY_OWNER', (c, e) => e.toUserId !== c.ownerId),
    notRecused((e) => e.toUserId),
    reasonGiven((e) => e.reason),
  ],
  RECUSE: [byCase('OWNER_ONLY', isOwner), reasonGiven((e) => e.reason)],
  REQUEST_CUSTOMER_INFO: [ownerOrLead, detailGiven((e) => e.what)],
  CUSTOMER_RESPONDED: [ownerOrLead],
  OPEN_TASK: [
    ownerOrLead,
    byForm('TASK_DUPLICATE', (c, e) => c.tasks.every((t) => t.id !== e.taskId)),
    detailGiven((e) => e.request),
    byForm('TASK_DUE_BEFORE_OPENING', (_, e) => Date.parse(e.dueAt) > Date.parse(e.at)),
  ],
  ANSWER_TASK: [
    byCase('STAFF_ONLY', (_, a) => a.role !== 'system'),
    byForm('TASK_UNKNOWN', (c, e) => c.tasks.some((t) => t.id === e.taskId)),
    byForm('TASK_ALREADY_ANSWERED', (c, e) =>
      c.tasks.some((t) => t.id === e.taskId && t.answeredAt === null),
    ),
    detailGiven((e) => e.answer),
  ],
  REQUEST_COMPENSATION: [
    ownerOrLead,
    byForm('AMOUNT_INVALID', (_, e) => Number.isSafeInteger(e.amountFen) && e.amountFen > 0),
    byForm('COMPENSATION_REQUEST_DUPLICATE', (c, e) =>
      c.compensations.every((r) => r.id !== e.requestId),
    ),
    reasonGiven((e) => e.reason),
  ],
  COMPENSATION_DECIDED: [
    leadOrSystem,
    byForm('COMPENSATION_REQUEST_UNKNOWN', (c, e) => pendingCompensation(c)?.id === e.requestId),
    byForm('APPROVAL_INCOMPLETE', (c, e) =>
      isSettledApprovalChain(pendingCompensation(c)?.requiredLevels ?? 0, e.approved, e.levels),
    ),
  ],
  RESOLVE: [
    ownerOrLead,
    exclusionClosed,
    byForm(
      'RESOLUTION_INCOMPLETE',
      (_, e) => given(e.rootCause) && given(e.solution) && given(e.prevention),
    ),
  ],
  DECIDE_SUGGESTION: [
    ownerOrLead,
    byCase('NOT_A_SUGGESTION', (c) => c.caseType === 'suggestion'),
    exclusionClosed,
    byForm(
      'DETAIL_REQUIRED',
      (_, e) =>
        given(e.customerReach) && given(e.feasibility) && given(e.value) && given(e.rationale),
    ),
  ],
  NOTIFY_CUSTOMER: [ownerOrLead, hasOutcome, detailGiven((e) => e.summary)],
  RECORD_FEEDBACK: [
    ownerOrLead,
    hasOutcome,
    byForm('FEEDBACK_OUT_OF_RANGE', (c, e) => isSatisfactionScore(c.policy, e.score)),
  ],
  CLOSE_WITHOUT_FEEDBACK: [
    ownerOrLead,
    hasOutcome,
    byForm('CLOSE_REASON_REQUIRED', (_, e) => given(e.reason)),
  ],
  REOPEN: [ownerOrLead, reasonGiven((e) => e.reason)],
  MERGE_INTO: [
    ownerOrLead,
    byForm('SAME_CASE', (c, e) => e.targetCaseId !== c.caseId),
    reasonGiven((e) => e.reason),
  ],
  WITHDRAW: [ownerOrLead, reasonGiven((e) => e.reason)],
  RECORD_FIRST_CONTACT: [
    ownerOrLead,
    byCase('FIRST_CONTACT_ALREADY_RECORDED', (c) => c.firstContactAt === null),
  ],
  RECORD_INTERIM_MEASURE: [ownerOrLead, detailGiven((e) => e.measure)],
  RECORD_PLAN: [ownerOrLead, detailGiven((e) => e.plan)],
  RECORD_ROOT_CAUSE: [ownerOrLead, detailGiven((e) => e.summary)],
  RECORD_PROGRESS_UPDATE: [ownerOrLead, detailGiven((e) => e.summary)],
  PROMISE_RESOLUTION: [
    ownerOrLead,
    byForm('PROMISE_IN_PAST', (_, e) => Date.parse(e.promisedBy) > Date.parse(e.at)),
  ],
  RECORD_FOLLOW_UP: [ownerOrLead, detailGiven((e) => e.summary)],
  START_EXCLUSION: [
    ownerOrLead,
    byCase('EXCLUSION_ALREADY_OPEN', (c) => !c.exclusionOpen),
    reasonGiven((e) => e.reason),
  ],
  END_EXCLUSION: [ownerOrLead, byCase('EXCLUSION_NOT_OPEN', (c) => c.exclusionOpen)],
  EXTEND_DEADLINE: [
    ownerOrLead,
    byCase('EXTENSION_BEYOND_MAXIMUM', (c) => nextExtensionStep(c) !== undefined),
    byForm('EXTENSION_NEEDS_APPROVAL', (_, e) => given(e.approvalId) && given(e.approvedBy)),
    byForm('EXTENSION_NEEDS_CUSTOMER_NOTICE', (_, e) => given(e.customerNoticeAt)),
    byForm(
      'EXTENSION_BEYOND_MAXIMUM',
      (c, e) => e.toDays <= Math.max(...c.policy.extensionStepsDays),
    ),
    byForm('EXTENSION_OUT_OF_SEQUENCE', (c, e) => e.toDays === nextExtensionStep(c)),
    reasonGiven((e) => e.reason),
  ],
  RECORD_NEW_FACTS: [ownerOrLead, detailGiven((e) => e.summary)],
  ABSORB_REPEAT: [
    ownerOrLead,
    byForm('SAME_CASE', (c, e) => e.fromCaseId !== c.caseId),
    byForm('ALREADY_ABSORBED', (c, e) => !c.absorbed.includes(e.fromCaseId)),
  ],
};

function checksOf(type: CaseEventType): readonly Check<CaseEventType>[] {
  return EVENT_CHECKS[type] as readonly Check<CaseEventType>[];
}

function firstFailingCheck(context: CaseContext, event: CaseEvent): CaseRejection | null {
  for (const check of checksOf(event.type)) {
    const passes =
      check.on === 'case' ? check.test(context, event.actor) : check.test(context, event);
    if (!passes) return check.code;
  }
  return null;
}

// ── The machine ──────────────────────────────────────────────────────────────────────
const stay = { guard: 'permitted', actions: 'record' } as const;
const to = <S extends CaseState>(target: S) =>
  ({ target, guard: 'permitted', actions: 'record' }) as const;

/** Recorded in every open state; the state stays. */
const RECORDS = {
  RECORD_FIRST_CONTACT: stay,
  RECORD_INTERIM_MEASURE: stay,
  RECORD_PLAN: stay,
  RECORD_PROGRESS_UPDATE: stay,
  END_EXCLUSION: stay,
  EXTEND_DEADLINE: stay,
  ABSORB_REPEAT: stay,
  REASSIGN: stay,
} as const;
/** Recorded while the case is being worked (before a resolution). */
const WORKING_RECORDS = {
  ...RECORDS,
  TRIAGE: stay,
  START_EXCLUSION: stay,
  RECORD_NEW_FACTS: stay,
  RECORD_ROOT_CAUSE: stay,
  PROMISE_RESOLUTION: stay,
} as const;
const ENDINGS = { MERGE_INTO: to('merged'), WITHDRAW: to('withdrawn') } as const;

export const caseMachine = setup({
  types: {
    context: {} as CaseContext,
    events: {} as CaseEvent,
    input: {} as CaseContextInput,
  },
  guards: {
    permitted: ({ context, event }) => firstFailingCheck(context, event) === null,
    withinFrontlineLimit: ({ context, event }) =>
      event.type === 'REQUEST_COMPENSATION' &&
      requiredApprovalLevels(event.amountFen, context.policy) === 0,
    answersLastOpenTask: ({ context, event }) =>
      event.type === 'ANSWER_TASK' && openTasks(context).every((t) => t.id === event.taskId),
    lowSatisfaction: ({ context, event }) =>
      event.type === 'RECORD_FEEDBACK' && isLowSatisfaction(context.policy, event.score),
  },
  actions: {
    record: assign(({ context, event }) => recordCaseEvent(context, event)),
  },
}).createMachine({
  id: 'case',
  initial: 'registered',
  context: ({ input }) => createCaseContext(input),
  states: {
    registered: {
      on: { ...WORKING_RECORDS, ...ENDINGS, TRIAGE: to('triaged') },
    },
    triaged: {
      on: {
        ...WORKING_RECORDS,
        ...ENDINGS,
        ASSIGN: to('assigned'),
        // A first-contact agent who already owns the case starts at once (首接责任制).
        ACCEPT: to('in_progress'),
      },
    },
    assigned: {
      on: { ...WORKING_RECORDS, ...ENDINGS, ACCEPT: to('in_progress'), RECUSE: to('triaged') },
    },
    in_progress: {
      on: {
        ...WORKING_RECORDS,
        ...ENDINGS,
        REQUEST_CUSTOMER_INFO: to('waiting_customer'),
        OPEN_TASK: to('waiting_departments'),
        REQUEST_COMPENSATION: [
          { guard: and(['permitted', 'withinFrontlineLimit']), actions: 'record' },
          to('pending_approval'),
        ],
        RESOLVE: to('resolved'),
        DECIDE_SUGGESTION: to('resolved'),
        RECUSE: to('triaged'),
      },
    },
    waiting_customer: {
      on: { ...WORKING_RECORDS, ...ENDINGS, CUSTOMER_RESPONDED: to('in_progress') },
    },
    waiting_departments: {
      on: {
        ...WORKING_RECORDS,
        ...ENDINGS,
        OPEN_TASK: stay,
        ANSWER_TASK: [
          {
            guard: and(['permitted', 'answersLastOpenTask']),
            target: 'in_progress',
            actions: 'record',
          },
          stay,
        ],
      },
    },
    pending_approval: {
      on: { ...WORKING_RECORDS, ...ENDINGS, COMPENSATION_DECIDED: to('in_progress') },
    },
    resolved: {
      on: {
        ...RECORDS,
        ...ENDINGS,
        NOTIFY_CUSTOMER: to('awaiting_feedback'),
        REOPEN: to('reopened'),
      },
    },
    awaiting_feedback: {
      on: {
        ...RECORDS,
        ...ENDINGS,
        NOTIFY_CUSTOMER: stay,
        RECORD_FEEDBACK: [
          { guard: and(['permitted', 'lowSatisfaction']), target: 'reopened', actions: 'record' },
          to('closed'),
        ],
        CLOSE_WITHOUT_FEEDBACK: to('closed'),
        REOPEN: to('reopened'),
      },
    },
    closed: {
      on: { REOPEN: to('reopened'), RECORD_FOLLOW_UP: stay },
    },
    reopened: {
      on: { ...WORKING_RECORDS, ...ENDINGS, ACCEPT: to('in_progress'), RECUSE: to('triaged') },
    },
    merged: { type: 'final' },
    withdrawn: { type: 'final' },
  },
});

export type CaseSnapshot = SnapshotFrom<typeof caseMachine>;

/** The events each state handles, read from the machine once. */
const HANDLED = {} as Record<CaseState, ReadonlySet<string>>;
for (const state of CASE_STATES)
  HANDLED[state] = new Set(Object.keys(caseMachine.getStateNodeById(`case.${state}`).on));

/** Which states handle an event at all (for documentation and the UI's help). */
export function statesHandling(type: CaseEventType): CaseState[] {
  return CASE_STATES.filter((state) => HANDLED[state].has(type));
}

// ── Public API ───────────────────────────────────────────────────────────────────────
export const INITIAL_CASE_STATE: CaseState = 'registered';

/** A new case: its state and context. */
export function startCase(input: CaseContextInput): { state: CaseState; context: CaseContext } {
  return { state: INITIAL_CASE_STATE, context: createCaseContext(input) };
}

/** Rebuilds a snapshot from the columns a case is stored with. */
export function caseSnapshot(state: CaseState, context: CaseContext): CaseSnapshot {
  return caseMachine.resolveState({ value: state, context });
}

export type CaseVerdict =
  { ok: true; state: CaseState; context: CaseContext } | { ok: false; code: CaseRejection };

/** Why the event would be refused now, or null when it would be accepted. */
export function explainCaseEvent(
  state: CaseState,
  context: CaseContext,
  event: CaseEvent,
): CaseRejection | null {
  if (FINAL_CASE_STATES.includes(state)) return 'CASE_FINAL';
  if (!CaseEvent.safeParse(event).success) return 'EVENT_MALFORMED';
  if (!HANDLED[state].has(event.type)) return 'NOT_ALLOWED_IN_STATE';
  return firstFailingCheck(context, event);
}

/** Applies one event; the same function decides on the workstation and on the server. */
export function decideCaseEvent(
  state: CaseState,
  context: CaseContext,
  event: CaseEvent,
): CaseVerdict {
  const code = explainCaseEvent(state, context, event);
  if (code) return { ok: false, code };
  const snapshot = caseSnapshot(state, context);
  // The checks passed, so the machine takes the event; kept as a safety net.
  if (!snapshot.can(event)) return { ok: false, code: 'NOT_ALLOWED_IN_STATE' };
  const [next] = transition(caseMachine, snapshot, event);
  return { ok: true, state: next.value as CaseState, context: next.context };
}

/**
 * The events this actor may send now, for the UI to offer only legal actions: those the
 * state handles and whose checks on the actor and the case pass. A form's own content
 * (a blank reason, an unknown task) can still be refused when it is sent.
 */
export function allowedCaseEvents(
  state: CaseState,
  context: CaseContext,
  actor: CaseActor,
): CaseEventType[] {
  if (FINAL_CASE_STATES.includes(state)) return [];
  return CASE_EVENT_TYPES.filter(
    (type) =>
      HANDLED[state].has(type) &&
      checksOf(type).every((check) => check.on !== 'case' || check.test(context, actor)),
  );
}
