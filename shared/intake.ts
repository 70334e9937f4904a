// Registering a case at intake, the same way on the workstation (offline too) and on the
// central API: assess its priority, start its lifecycle, and — because the agent who takes
// the call owns it (首接责任制) — triage and accept it, recording the call as first contact.
import type { CaseIntake } from './domain';
import {
  decideCaseEvent,
  startCase,
  type CaseActor,
  type CaseContext,
  type CaseEventInput,
  type CaseState,
} from './lifecycle/case-machine';
import type { LifecyclePolicy } from './lifecycle/policy';
import {
  assessPriority,
  DEFAULT_PRIORITY_RULES,
  type PriorityAssessment,
  type PriorityRules,
} from './lifecycle/priority-rules';

/** Channels where the customer is talking to the agent while the case is logged. */
const LIVE_CHANNELS = new Set<CaseIntake['channel']>(['phone', 'branch', 'chat']);

export function assessIntake(
  intake: Pick<CaseIntake, 'type' | 'description' | 'customerExpectation'>,
  rules: PriorityRules = DEFAULT_PRIORITY_RULES,
): PriorityAssessment {
  return assessPriority(
    {
      type: intake.type,
      description: intake.description,
      notes: [intake.customerExpectation],
      // Customer segments and history arrive with the customer 360 (server issue).
      segments: {},
      recentComplaintsIn30Days: 0,
    },
    rules,
  );
}

export interface RegisteredCase {
  state: CaseState;
  context: CaseContext;
  assessment: PriorityAssessment;
}

/** Thrown when the lifecycle refuses a registration step: a bug, never a user error. */
export class RegistrationRefused extends Error {
  constructor(readonly code: string) {
    super(`Case registration refused by the lifecycle: ${code}`);
  }
}

export function registerCase(input: {
  caseId: string;
  intake: CaseIntake;
  actor: CaseActor;
  /** When the customer reached the bank: starts every clock. */
  receivedAt: string;
  policy?: LifecyclePolicy;
  rules?: PriorityRules;
}): RegisteredCase {
  const assessment = assessIntake(input.intake, input.rules);
  let { state, context } = startCase({
    caseId: input.caseId,
    caseType: input.intake.type,
    receivedAt: input.receivedAt,
    registeredBy: input.actor.userId,
    ownerId: input.actor.userId,
    priority: assessment.priority,
    priorityReasons: assessment.reasons,
    ...(input.policy ? { policy: input.policy } : {}),
  });
  const steps: CaseEventInput[] = [
    { type: 'TRIAGE', priority: assessment.priority, reasons: assessment.reasons },
    { type: 'ACCEPT' },
  ];
  if (LIVE_CHANNELS.has(input.intake.channel)) steps.push({ type: 'RECORD_FIRST_CONTACT' });
  for (const step of steps) {
    const verdict = decideCaseEvent(state, context, {
      ...step,
      actor: input.actor,
      at: input.receivedAt,
    });
    if (!verdict.ok) throw new RegistrationRefused(verdict.code);
    ({ state, context } = verdict);
  }
  return { state, context, assessment };
}
