// Properties of the case lifecycle over random event sequences (fast-check, fixed seeds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../shared/domain';
import {
  allowedCaseEvents,
  CASE_EVENT_TYPES,
  caseSnapshot,
  decideCaseEvent,
  explainCaseEvent,
  FINAL_CASE_STATES,
  NOTICE_CHANNELS,
  openTasks,
  pendingCompensation,
  type CaseActor,
  type CaseContext,
  type CaseEvent,
  type CaseEventInput,
  type CaseEventType,
  type CaseState,
} from '../../shared/lifecycle/case-machine';
import { DEFAULT_LIFECYCLE_POLICY, type LifecyclePolicy } from '../../shared/lifecycle/policy';
import {
  approvals,
  awaitingFeedback,
  branchClerk,
  colleague,
  distributor,
  inProgress,
  lead,
  minute,
  newComplaint,
  admin,
  RESOLUTION,
  stamp,
  type CaseAt,
} from '../support/lifecycle-factories';

/** One random step: which event, by whom, with what content. */
interface Step {
  pickOffered: boolean;
  typeIndex: number;
  actorIndex: number;
  /** A clean form: no blank text, no out-of-range number, no unknown reference. */
  clean: boolean;
  variant: number;
}
const stepArb: fc.Arbitrary<Step> = fc.record({
  pickOffered: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, fc.constant(false)),
  typeIndex: fc.nat(10_000),
  actorIndex: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, fc.nat(5)),
  clean: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
  variant: fc.nat(1_000),
});
const startArb = fc.record({
  caseType: fc.constantFrom('complaint' as const, 'complaint' as const, 'suggestion' as const),
  ownerId: fc.constantFrom<string | null>('agent-1', null),
});

const blank = (text: string | undefined) => (text ?? '').trim().length === 0;
const POOL = ['agent-1', 'agent-2', 'agent-3'];
const nextStep = (c: CaseContext) =>
  c.policy.extensionStepsDays.find(
    (d) => d > (c.extensions.at(-1)?.toDays ?? c.policy.regulatoryDeadlineDays),
  );

/**
 * An input of the given type and whether it is well formed for this moment of the case:
 * the rules for a form's content, stated once more here from DOMAIN.md and the brief, so
 * that the machine's own checks are tested against them rather than against themselves.
 */
function formFor(
  type: CaseEventType,
  c: CaseContext,
  { clean, variant: v }: Step,
  at: number,
): { input: CaseEventInput; wellFormed: boolean } {
  const bad = (k: number) => !clean && v % k === 0;
  const text = (k: number, value: string) => (bad(k) ? '  ' : value);
  switch (type) {
    case 'TRIAGE':
      return { input: { type, priority: PRIORITIES[v % 4]! }, wellFormed: true };
    case 'ASSIGN': {
      const assigneeId = POOL[v % 3]!;
      return { input: { type, assigneeId }, wellFormed: !c.recusedUserIds.includes(assigneeId) };
    }
    case 'ACCEPT':
    case 'RECORD_FIRST_CONTACT':
    case 'END_EXCLUSION':
      return { input: { type }, wellFormed: true };
    case 'CUSTOMER_RESPONDED':
      return { input: { type, summary: '已补充' }, wellFormed: true };
    case 'REASSIGN': {
      const input = { type, toUserId: POOL[v % 3]!, reason: text(4, '原经办人休假') };
      const wellFormed =
        input.toUserId !== c.ownerId &&
        !c.recusedUserIds.includes(input.toUserId) &&
        !blank(input.reason);
      return { input, wellFormed };
    }
    case 'RECUSE':
    case 'REOPEN':
    case 'WITHDRAW':
    case 'START_EXCLUSION': {
      const reason = text(3, '理由');
      return { input: { type, reason }, wellFormed: !blank(reason) };
    }
    case 'CLOSE_WITHOUT_FEEDBACK': {
      const reason = text(3, '三次联系未接通');
      return { input: { type, reason }, wellFormed: !blank(reason) };
    }
    case 'REQUEST_CUSTOMER_INFO': {
      const what = text(3, '交易截图');
      return { input: { type, what }, wellFormed: !blank(what) };
    }
    case 'RECORD_INTERIM_MEASURE': {
      const measure = text(3, '临时止付');
      return { input: { type, measure }, wellFormed: !blank(measure) };
    }
    case 'RECORD_PLAN': {
      const plan = text(3, '初步方案');
      return { input: { type, plan }, wellFormed: !blank(plan) };
    }
    case 'RECORD_NEW_FACTS':
    case 'RECORD_ROOT_CAUSE': {
      const summary = text(3, '新的凭证');
      return { input: { type, summary }, wellFormed: !blank(summary) };
    }
    case 'RECORD_FOLLOW_UP': {
      const summary = text(3, '回访：客户满意');
      return { input: { type, second: v % 2 === 0, summary }, wellFormed: !blank(summary) };
    }
    case 'RECORD_PROGRESS_UPDATE': {
      const summary = text(3, '进展：风控核查中');
      return {
        input: { type, channel: NOTICE_CHANNELS[v % 5]!, summary },
        wellFormed: !blank(summary),
      };
    }
    case 'PROMISE_RESOLUTION': {
      const promisedBy = minute(bad(2) ? at - 1 : at + 3 * 24 * 60);
      return { input: { type, promisedBy }, wellFormed: !bad(2) };
    }
    case 'NOTIFY_CUSTOMER': {
      const summary = text(3, '处理结果');
      return {
        input: { type, channel: NOTICE_CHANNELS[v % 5]!, summary },
        wellFormed: !blank(summary),
      };
    }
    case 'OPEN_TASK': {
      const reuse = bad(5) && c.tasks.length > 0;
      const input = {
        type,
        taskId: reuse ? c.tasks[0]!.id : `task-${c.tasks.length}-${v}`,
        department: (['operations', 'risk', 'compliance', 'product'] as const)[v % 4]!,
        request: text(3, '请协办'),
        dueAt: minute(bad(7) ? at - 60 : at + 24 * 60),
      };
      const wellFormed =
        c.tasks.every((t) => t.id !== input.taskId) && !blank(input.request) && !bad(7);
      return { input, wellFormed };
    }
    case 'ANSWER_TASK': {
      const task = bad(4) ? undefined : c.tasks[v % Math.max(1, c.tasks.length)];
      const input = { type, taskId: task?.id ?? 'task-unknown', answer: text(5, '已核实') };
      const wellFormed = task !== undefined && task.answeredAt === null && !blank(input.answer);
      return { input, wellFormed };
    }
    case 'REQUEST_COMPENSATION': {
      const limit = c.policy.frontlineCompensationLimitFen;
      const amounts = [1, limit, limit + 1, 5_000_00, 20_000_00, 800_00, 300_00];
      const invalid = [0, -500, 12.5];
      const amountFen = bad(2) ? invalid[v % 3]! : amounts[v % amounts.length]!;
      const reuse = bad(3) && c.compensations.length > 0;
      const input = {
        type,
        requestId: reuse ? c.compensations[0]!.id : `comp-${c.compensations.length}-${v}`,
        amountFen,
        reason: text(5, '补偿'),
      };
      const wellFormed =
        Number.isInteger(amountFen) &&
        amountFen > 0 &&
        c.compensations.every((r) => r.id !== input.requestId) &&
        !blank(input.reason);
      return { input, wellFormed };
    }
    case 'COMPENSATION_DECIDED': {
      const pending = pendingCompensation(c);
      const approved = v % 2 === 0;
      const required = pending?.requiredLevels ?? 1;
      const count = clean ? (approved ? required : 1 + (v % required)) : (v >> 1) % 4;
      const levels = approved ? approvals(count) : approvals(count, 'rejected');
      const input = {
        type,
        requestId: bad(5) ? 'comp-other' : (pending?.id ?? 'comp-none'),
        approved,
        levels,
      };
      const settled = approved ? count === required : count >= 1 && count <= required;
      return { input, wellFormed: pending?.id === input.requestId && settled };
    }
    case 'RESOLVE': {
      const blankField = bad(2) ? (['rootCause', 'solution', 'prevention'] as const)[v % 3] : null;
      const input = { type, ...RESOLUTION, ...(blankField ? { [blankField]: ' ' } : {}) };
      return { input, wellFormed: blankField === null };
    }
    case 'DECIDE_SUGGESTION': {
      const rationale = text(3, '采纳');
      const input = {
        type,
        adopted: v % 2 === 0,
        customerReach: '手机银行用户',
        feasibility: '可行',
        value: '高',
        rationale,
      };
      return { input, wellFormed: !blank(rationale) };
    }
    case 'RECORD_FEEDBACK': {
      const score = bad(2) ? [0, 6, 2.5, -3][v % 4]! : [1, 2, 3, 4, 5][v % 5]!;
      return {
        input: { type, score, comment: '评价' },
        wellFormed: Number.isInteger(score) && score >= 1 && score <= 5,
      };
    }
    case 'MERGE_INTO': {
      const input = {
        type,
        targetCaseId: bad(4) ? c.caseId : 'case-2',
        reason: text(5, '重复工单'),
      };
      return { input, wellFormed: input.targetCaseId !== c.caseId && !blank(input.reason) };
    }
    case 'ABSORB_REPEAT': {
      const fromCaseId = bad(4)
        ? c.caseId
        : bad(3) && c.absorbed.length > 0
          ? c.absorbed[0]!
          : `case-repeat-${c.absorbed.length}-${v}`;
      return {
        input: { type, fromCaseId },
        wellFormed: fromCaseId !== c.caseId && !c.absorbed.includes(fromCaseId),
      };
    }
    case 'EXTEND_DEADLINE': {
      const toDays = clean ? (nextStep(c) ?? 90) : [30, 60, 90, 15][v % 4]!;
      const flaw = clean ? 0 : (v >> 2) % 5; // 1: no approval id, 2: no approver, 3: no notice, 4: no reason
      const input = {
        type,
        toDays,
        approvalId: flaw === 1 ? undefined : 'appr-1',
        approvedBy: flaw === 2 ? ' ' : '上级分行',
        customerNoticeAt: flaw === 3 ? undefined : minute(at),
        reason: flaw === 4 ? '' : '案情复杂',
      };
      return { input, wellFormed: flaw === 0 && toDays === nextStep(c) };
    }
  }
}

/**
 * 0 is whoever is expected to act now: the owner; the lead while nobody owns the case;
 * the server's system actor while the approval chain decides.
 */
function actorFor(at: CaseAt, index: number): CaseActor {
  const c = at.context;
  const responsible: CaseActor =
    at.state === 'pending_approval'
      ? distributor
      : c.ownerId === null
        ? lead
        : { userId: c.ownerId, role: 'agent' };
  return [responsible, lead, colleague, distributor, admin, branchClerk][index]!;
}

/**
 * How often an offered event is picked: the ones that move a case along its life more
 * than the clock-only records, and the endings rarely, so that walks get deep.
 */
const ENDINGS: readonly CaseEventType[] = ['MERGE_INTO', 'WITHDRAW'];
const DETOURS: readonly CaseEventType[] = ['RECUSE', 'REOPEN'];
const RECORDS: readonly CaseEventType[] = [
  'REASSIGN',
  'RECORD_FIRST_CONTACT',
  'RECORD_INTERIM_MEASURE',
  'RECORD_PLAN',
  'RECORD_ROOT_CAUSE',
  'RECORD_PROGRESS_UPDATE',
  'PROMISE_RESOLUTION',
  'RECORD_FOLLOW_UP',
  'START_EXCLUSION',
  'END_EXCLUSION',
  'EXTEND_DEADLINE',
  'RECORD_NEW_FACTS',
  'ABSORB_REPEAT',
];
const weight = (type: CaseEventType, state: CaseState) =>
  ENDINGS.includes(type)
    ? 1
    : RECORDS.includes(type) ||
        DETOURS.includes(type) ||
        (type === 'TRIAGE' && state !== 'registered')
      ? 4
      : 30;

function eventFor(at: CaseAt, step: Step, i: number) {
  const actor = actorFor(at, step.actorIndex);
  const offered = allowedCaseEvents(at.state, at.context, actor);
  const weighted = offered.flatMap((type) =>
    Array<CaseEventType>(weight(type, at.state)).fill(type),
  );
  const type =
    step.pickOffered && weighted.length > 0
      ? weighted[step.typeIndex % weighted.length]!
      : CASE_EVENT_TYPES[step.typeIndex % CASE_EVENT_TYPES.length]!;
  const { input, wellFormed } = formFor(type, at.context, step, i + 1);
  const event = stamp(input, actor, minute(i + 1));
  return { event, offered: offered.includes(type), wellFormed };
}

/** Plays random steps, calling `check` on every decision. */
function walk(
  start: CaseAt,
  steps: readonly Step[],
  check: (
    before: CaseAt,
    event: CaseEvent,
    after: CaseAt | null,
    meta: { offered: boolean; wellFormed: boolean },
  ) => void,
) {
  let at = start;
  steps.forEach((step, i) => {
    const { event, offered, wellFormed } = eventFor(at, step, i);
    const verdict = decideCaseEvent(at.state, at.context, event);
    const after = verdict.ok ? { state: verdict.state, context: verdict.context } : null;
    check(at, event, after, { offered, wellFormed });
    if (after) at = after;
  });
  return at;
}

const OWNED_STATES: readonly CaseState[] = [
  'assigned',
  'in_progress',
  'waiting_customer',
  'waiting_departments',
  'pending_approval',
  'resolved',
  'awaiting_feedback',
  'closed',
  'reopened',
];

const runs = (seed: number, numRuns = 2000) => ({ seed, numRuns });
const walks = fc.tuple(startArb, fc.array(stepArb, { minLength: 5, maxLength: 40, size: 'max' }));
const startFrom = (s: { caseType: 'complaint' | 'suggestion'; ownerId: string | null }) =>
  newComplaint(s);

describe('the case lifecycle under random event sequences', () => {
  it('never closes a complaint without a resolution and either a rating of 3 or more or a recorded reason', () => {
    let closures = 0;
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (_, __, after) => {
          if (after?.state !== 'closed') return;
          closures++;
          const c = after.context;
          expect(c.resolution !== null || c.suggestionDecision !== null).toBe(true);
          if (c.resolution) {
            expect(blank(c.resolution.rootCause) || blank(c.resolution.solution)).toBe(false);
            expect(blank(c.resolution.prevention)).toBe(false);
          }
          expect((c.feedback?.score ?? 0) >= 3 || !blank(c.closeReason ?? '')).toBe(true);
        });
      }),
      runs(20261123),
    );
    expect(closures).toBeGreaterThan(100); // the walk does get there
  });

  it('refuses every event with CASE_FINAL once a case is merged or withdrawn', () => {
    let endings = 0;
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (before, event, after) => {
          if (!FINAL_CASE_STATES.includes(before.state)) return;
          endings++;
          expect(after).toBeNull();
          expect(explainCaseEvent(before.state, before.context, event)).toBe('CASE_FINAL');
        });
      }),
      runs(7),
    );
    expect(endings).toBeGreaterThan(100);
  });

  it('reopens the case whenever the customer rates it below 3, and closes it otherwise', () => {
    let ratings = 0;
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (before, event, after) => {
          if (event.type !== 'RECORD_FEEDBACK' || !after) return;
          ratings++;
          expect(after.state).toBe(event.score < 3 ? 'reopened' : 'closed');
          if (event.score < 3)
            expect(after.context.reopenCount).toBe(before.context.reopenCount + 1);
        });
      }),
      runs(31),
    );
    expect(ratings).toBeGreaterThan(100);
  });

  it('reopens on any rating below 3 for a case awaiting feedback, whoever of owner or lead records it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('owner', 'lead'),
        (score, who) => {
          const waiting = awaitingFeedback();
          const actor = who === 'lead' ? lead : { userId: 'agent-1', role: 'agent' as const };
          const verdict = decideCaseEvent(
            waiting.state,
            waiting.context,
            stamp({ type: 'RECORD_FEEDBACK', score }, actor),
          );
          expect(verdict.ok && verdict.state).toBe(score < 3 ? 'reopened' : 'closed');
        },
      ),
      runs(3, 200),
    );
  });

  it('never sends compensation within the limit to approval, and always sends more', () => {
    let requests = 0;
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (_, event, after) => {
          if (event.type !== 'REQUEST_COMPENSATION' || !after) return;
          requests++;
          const within = event.amountFen <= after.context.policy.frontlineCompensationLimitFen;
          expect(after.state).toBe(within ? 'in_progress' : 'pending_approval');
          expect(after.context.compensations.at(-1)?.status).toBe(within ? 'granted' : 'pending');
        });
      }),
      runs(500),
    );
    expect(requests).toBeGreaterThan(100);
  });

  it('holds the frontline limit whatever the policy sets it to', () => {
    const policyArb = fc.integer({ min: 0, max: 5_000_00 }).map((limit): LifecyclePolicy => ({
      ...DEFAULT_LIFECYCLE_POLICY,
      frontlineCompensationLimitFen: limit,
      approvalBands: [{ upToFen: null, levels: 1 }],
    }));
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 10_000_00 }), (policy, amountFen) => {
        const working = inProgress({ policy });
        const verdict = decideCaseEvent(
          working.state,
          working.context,
          stamp({ type: 'REQUEST_COMPENSATION', requestId: 'c1', amountFen, reason: '补偿' }),
        );
        expect(verdict.ok && verdict.state).toBe(
          amountFen <= policy.frontlineCompensationLimitFen ? 'in_progress' : 'pending_approval',
        );
      }),
      runs(42, 3000),
    );
  });

  it('refuses an extension without an approval or without a customer notice, with the right reason', () => {
    let probes = 0;
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (before, event) => {
          if (
            !allowedCaseEvents(before.state, before.context, event.actor).includes(
              'EXTEND_DEADLINE',
            )
          )
            return;
          probes++;
          const extension = {
            type: 'EXTEND_DEADLINE' as const,
            toDays: nextStep(before.context)!,
            approvalId: 'appr-9',
            approvedBy: '总行',
            customerNoticeAt: event.at,
            reason: '特别复杂',
          };
          const code = (input: CaseEventInput) =>
            explainCaseEvent(before.state, before.context, stamp(input, event.actor, event.at));
          expect(code({ ...extension, approvalId: undefined })).toBe('EXTENSION_NEEDS_APPROVAL');
          expect(code({ ...extension, approvedBy: '' })).toBe('EXTENSION_NEEDS_APPROVAL');
          expect(code({ ...extension, customerNoticeAt: undefined })).toBe(
            'EXTENSION_NEEDS_CUSTOMER_NOTICE',
          );
          expect(code(extension)).toBeNull();
        });
      }),
      runs(1515, 500),
    );
    expect(probes).toBeGreaterThan(1000);
  });

  it('offers exactly the events it accepts (for well-formed content), and accepts none it does not offer', () => {
    const accepted = new Set<string>();
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (before, event, after, { offered, wellFormed }) => {
          if (after) {
            accepted.add(event.type);
            expect(offered).toBe(true);
          }
          if (offered && wellFormed) expect(after).not.toBeNull();
          // The machine itself agrees with the explanation.
          expect(caseSnapshot(before.state, before.context).can(event)).toBe(after !== null);
        });
      }),
      runs(99),
    );
    expect([...accepted].sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it('keeps the case consistent: owners, open tasks, pending compensation, an append-only clock', () => {
    fc.assert(
      fc.property(walks, ([start, steps]) => {
        walk(startFrom(start), steps, (before, event, after) => {
          if (!after) return;
          const c = after.context;
          if (OWNED_STATES.includes(after.state)) expect(c.ownerId).not.toBeNull();
          if (after.state === 'triaged' && event.type === 'RECUSE') expect(c.ownerId).toBeNull();
          if (after.state === 'in_progress') expect(openTasks(c)).toEqual([]);
          if (after.state === 'waiting_departments') expect(openTasks(c).length).toBeGreaterThan(0);
          if (pendingCompensation(c))
            expect(['pending_approval', 'merged', 'withdrawn']).toContain(after.state);
          else expect(after.state).not.toBe('pending_approval');
          expect(c.reopenCount).toBe(c.reopenings.length);
          expect(c.clock.slice(0, before.context.clock.length)).toEqual(before.context.clock);
          for (const entry of c.clock.slice(before.context.clock.length))
            expect(entry.at).toBe(event.at);
        });
      }),
      runs(2024),
    );
  });
});
