// Random walks through the real case machine: at each step someone who may act picks one of
// the well-formed events the case offers them now (wellFormedInputs), and the machine
// decides it. The walk keeps what was accepted; the clock entries are the machine's own.
import fc from 'fast-check';
import {
  allowedCaseEvents,
  decideCaseEvent,
  type CaseActor,
  type CaseEvent,
  type CaseEventType,
  type CaseState,
} from '../../shared/lifecycle/case-machine';
import {
  distributor,
  lead,
  minute,
  newComplaint,
  stamp,
  wellFormedInputs,
  type CaseAt,
} from './lifecycle-factories';

export interface WalkStep {
  /** 0: whoever is expected to act (the owner; a lead while nobody owns it); 1: a lead; 2: system. */
  actor: number;
  /** Which of the weighted offered events. */
  pick: number;
}

export const walkStepArb: fc.Arbitrary<WalkStep> = fc.record({
  actor: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.nat(2)),
  pick: fc.nat(100_000),
});

export const walkStartArb = fc.record({
  caseType: fc.constantFrom('complaint' as const, 'complaint' as const, 'suggestion' as const),
  ownerId: fc.constantFrom<string | null>('agent-1', null),
  priority: fc.constantFrom(undefined, 'urgent' as const, 'high' as const),
  major: fc.boolean(),
});

// Endings rarely, so that walks get deep; the moves along a case's life often, so that walks
// reach resolution, closure and reopening.
const ENDINGS: readonly CaseEventType[] = ['MERGE_INTO', 'WITHDRAW'];
const MOVES: readonly CaseEventType[] = [
  'TRIAGE',
  'ASSIGN',
  'ACCEPT',
  'CUSTOMER_RESPONDED',
  'ANSWER_TASK',
  'COMPENSATION_DECIDED',
  'RESOLVE',
  'DECIDE_SUGGESTION',
  'NOTIFY_CUSTOMER',
  'RECORD_FEEDBACK',
  'CLOSE_WITHOUT_FEEDBACK',
];
const weight = (type: CaseEventType, state: CaseState) =>
  ENDINGS.includes(type)
    ? 1
    : type === 'TRIAGE' && state !== 'registered'
      ? 2
      : MOVES.includes(type)
        ? 50
        : 5;

function actorFor(at: CaseAt, index: number): CaseActor {
  const c = at.context;
  const responsible: CaseActor =
    at.state === 'pending_approval'
      ? distributor
      : c.ownerId === null
        ? lead
        : { userId: c.ownerId, role: 'agent' };
  return [responsible, lead, distributor][index % 3]!;
}

/**
 * Plays the steps from `start`, one minute apart; a step with nothing to offer, or whose
 * event the machine refuses, is skipped.
 */
export function walkCase(
  start: CaseAt,
  steps: readonly WalkStep[],
): { at: CaseAt; accepted: CaseEvent[] } {
  let at = start;
  const accepted: CaseEvent[] = [];
  steps.forEach((step, i) => {
    const actor = actorFor(at, step.actor);
    const offered = allowedCaseEvents(at.state, at.context, actor);
    const weighted = wellFormedInputs(at.context, i)
      .filter((input) => offered.includes(input.type))
      .flatMap((input) => Array.from({ length: weight(input.type, at.state) }, () => input));
    if (weighted.length === 0) return;
    const event = stamp(weighted[step.pick % weighted.length]!, actor, minute(i + 2));
    const verdict = decideCaseEvent(at.state, at.context, event);
    if (!verdict.ok) return;
    at = { state: verdict.state, context: verdict.context };
    accepted.push(event);
  });
  return { at, accepted };
}

/** A case registered from a generated start (see walkStartArb). */
export function startFrom(s: WalkStart): CaseAt {
  return newComplaint({
    caseType: s.caseType,
    ownerId: s.ownerId,
    major: s.major,
    ...(s.priority === undefined ? {} : { priority: s.priority }),
  });
}
export type WalkStart = typeof walkStartArb extends fc.Arbitrary<infer T> ? T : never;
