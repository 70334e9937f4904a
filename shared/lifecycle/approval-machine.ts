// Compensation approval (补偿审批). An amount within the frontline limit is granted at
// once; above it the request climbs the approval chain (team lead, department head,
// service committee) as far as its amount band says, one decision per level; a
// rejection at any level ends it. Pure, like the case machine: the server keeps the
// state value and context, and tells the case the outcome (COMPENSATION_DECIDED).
import { and, assign, initialTransition, setup, transition, type SnapshotFrom } from 'xstate';
import { z } from 'zod';
import {
  AmountFen,
  ApprovalLevelPolicy,
  ApproverRole,
  DEFAULT_LIFECYCLE_POLICY,
  requiredApprovalLevels,
  type LifecyclePolicy,
} from './policy';

const Timestamp = z.iso.datetime({ offset: true });
const Id = z.string().min(1).max(100);

export const ApprovalActor = z.object({ userId: Id, role: ApproverRole });
export type ApprovalActor = z.infer<typeof ApprovalActor>;

// Schemas check the shape; what the content must say (a comment, the right level) is a
// rule of the machine, so that the workstation and the server name the same reason.
const Decision = { level: z.number().int().positive(), comment: z.string().max(2000) };
export const ApproveInput = z.object({ type: z.literal('APPROVE'), ...Decision });
export const RejectInput = z.object({ type: z.literal('REJECT'), ...Decision });
/** What the UI or the wire sends; the server adds actor and at. */
export const ApprovalEventInput = z.discriminatedUnion('type', [ApproveInput, RejectInput]);
export type ApprovalEventInput = z.infer<typeof ApprovalEventInput>;

const Stamp = { actor: ApprovalActor, at: Timestamp };
export const ApprovalEvent = z.discriminatedUnion('type', [
  ApproveInput.extend(Stamp),
  RejectInput.extend(Stamp),
]);
export type ApprovalEvent = z.infer<typeof ApprovalEvent>;
export type ApprovalEventType = ApprovalEvent['type'];
export const APPROVAL_EVENT_TYPES: readonly ApprovalEventType[] = ['APPROVE', 'REJECT'];

/** One level's decision, as the case records it. */
export const ApprovalDecision = z.object({
  level: z.number().int().positive(),
  approverId: Id,
  role: ApproverRole,
  decision: z.enum(['approved', 'rejected']),
  comment: z.string(),
  at: Timestamp,
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const APPROVAL_STATES = ['awaiting_approval', 'granted', 'approved', 'rejected'] as const;
export const ApprovalState = z.enum(APPROVAL_STATES);
export type ApprovalState = z.infer<typeof ApprovalState>;
const FINAL_APPROVAL_STATES: readonly ApprovalState[] = ['granted', 'approved', 'rejected'];

export const ApprovalContext = z.object({
  requestId: Id,
  caseId: Id,
  amountFen: AmountFen,
  reason: z.string(),
  requestedBy: Id,
  requestedAt: Timestamp,
  /** The levels this amount needs, copied from the policy when it was requested. */
  chain: z.array(ApprovalLevelPolicy),
  decisions: z.array(ApprovalDecision),
});
export type ApprovalContext = z.infer<typeof ApprovalContext>;

export interface ApprovalRequestInput {
  requestId: string;
  caseId: string;
  amountFen: number;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  policy?: Pick<
    LifecyclePolicy,
    'frontlineCompensationLimitFen' | 'approvalBands' | 'approvalChain'
  >;
}

/** Why an approval event was refused: translated by the UI, returned by the API. */
export const APPROVAL_REJECTIONS = [
  'APPROVAL_FINAL',
  'EVENT_MALFORMED',
  'NOT_ALLOWED_IN_STATE',
  'WRONG_APPROVER_ROLE',
  'SELF_APPROVAL',
  'APPROVER_ALREADY_DECIDED',
  'LEVEL_MISMATCH',
  'COMMENT_REQUIRED',
] as const;
export type ApprovalRejection = (typeof APPROVAL_REJECTIONS)[number];

export function createApprovalContext(input: ApprovalRequestInput): ApprovalContext {
  const policy = input.policy ?? DEFAULT_LIFECYCLE_POLICY;
  const levels = requiredApprovalLevels(input.amountFen, policy);
  return {
    requestId: input.requestId,
    caseId: input.caseId,
    amountFen: input.amountFen,
    reason: input.reason,
    requestedBy: input.requestedBy,
    requestedAt: input.requestedAt,
    chain: policy.approvalChain.slice(0, levels),
    decisions: [],
  };
}

/** The level waiting for a decision, from 1. */
export function currentApprovalLevel(context: ApprovalContext): number {
  return context.decisions.length + 1;
}

// Checks in the order they are explained: the first that fails names the rejection.
// 'actor' checks depend on who acts and the request only (allowedApprovalEvents judges
// them before the form is filled); 'form' checks read the event's own content.
type Check =
  | {
      code: ApprovalRejection;
      on: 'actor';
      test: (c: ApprovalContext, a: ApprovalActor) => boolean;
    }
  | {
      code: ApprovalRejection;
      on: 'form';
      test: (c: ApprovalContext, e: ApprovalEvent) => boolean;
    };

const DECISION_CHECKS: readonly Check[] = [
  {
    code: 'WRONG_APPROVER_ROLE',
    on: 'actor',
    test: (c, a) => c.chain[c.decisions.length]?.approverRoles.includes(a.role) ?? false,
  },
  // Four eyes: who asked does not approve, and nobody decides two levels.
  { code: 'SELF_APPROVAL', on: 'actor', test: (c, a) => a.userId !== c.requestedBy },
  {
    code: 'APPROVER_ALREADY_DECIDED',
    on: 'actor',
    test: (c, a) => c.decisions.every((d) => d.approverId !== a.userId),
  },
  { code: 'LEVEL_MISMATCH', on: 'form', test: (c, e) => e.level === currentApprovalLevel(c) },
  { code: 'COMMENT_REQUIRED', on: 'form', test: (_, e) => e.comment.trim().length > 0 },
];

function firstFailingCheck(
  context: ApprovalContext,
  event: ApprovalEvent,
): ApprovalRejection | null {
  for (const check of DECISION_CHECKS) {
    const passes =
      check.on === 'actor' ? check.test(context, event.actor) : check.test(context, event);
    if (!passes) return check.code;
  }
  return null;
}

export const approvalMachine = setup({
  types: {
    context: {} as ApprovalContext,
    events: {} as ApprovalEvent,
    input: {} as ApprovalRequestInput,
  },
  guards: {
    permitted: ({ context, event }) => firstFailingCheck(context, event) === null,
    withinFrontlineLimit: ({ context }) => context.chain.length === 0,
    lastLevel: ({ context }) => currentApprovalLevel(context) === context.chain.length,
  },
  actions: {
    record: assign({
      decisions: ({ context, event }) => [
        ...context.decisions,
        {
          level: currentApprovalLevel(context),
          approverId: event.actor.userId,
          role: event.actor.role,
          decision: event.type === 'APPROVE' ? ('approved' as const) : ('rejected' as const),
          comment: event.comment.trim(),
          at: event.at,
        },
      ],
    }),
  },
}).createMachine({
  id: 'approval',
  initial: 'requested',
  context: ({ input }) => createApprovalContext(input),
  states: {
    // Transient: decided at once by the amount.
    requested: {
      always: [
        { guard: 'withinFrontlineLimit', target: 'granted' },
        { target: 'awaiting_approval' },
      ],
    },
    awaiting_approval: {
      on: {
        APPROVE: [
          { guard: and(['permitted', 'lastLevel']), target: 'approved', actions: 'record' },
          { guard: 'permitted', actions: 'record' },
        ],
        REJECT: { guard: 'permitted', target: 'rejected', actions: 'record' },
      },
    },
    granted: { type: 'final' },
    approved: { type: 'final' },
    rejected: { type: 'final' },
  },
});

export type ApprovalSnapshot = SnapshotFrom<typeof approvalMachine>;

/** A new request and where it starts: granted (within the limit) or awaiting level 1. */
export function startApproval(input: ApprovalRequestInput): {
  state: ApprovalState;
  context: ApprovalContext;
} {
  const [snapshot] = initialTransition(approvalMachine, input);
  return { state: snapshot.value as ApprovalState, context: snapshot.context };
}

/** Rebuilds a snapshot from the stored state value and context. */
export function approvalSnapshot(state: ApprovalState, context: ApprovalContext): ApprovalSnapshot {
  return approvalMachine.resolveState({ value: state, context });
}

export type ApprovalVerdict =
  | { ok: true; state: ApprovalState; context: ApprovalContext }
  | { ok: false; code: ApprovalRejection };

/** Why the event would be refused now, or null when it would be accepted. */
export function explainApprovalEvent(
  state: ApprovalState,
  context: ApprovalContext,
  event: ApprovalEvent,
): ApprovalRejection | null {
  if (FINAL_APPROVAL_STATES.includes(state)) return 'APPROVAL_FINAL';
  if (!ApprovalEvent.safeParse(event).success) return 'EVENT_MALFORMED';
  return firstFailingCheck(context, event);
}

/** Applies one decision; the same function decides on the workstation and on the server. */
export function decideApprovalEvent(
  state: ApprovalState,
  context: ApprovalContext,
  event: ApprovalEvent,
): ApprovalVerdict {
  const code = explainApprovalEvent(state, context, event);
  if (code) return { ok: false, code };
  const snapshot = approvalSnapshot(state, context);
  if (!snapshot.can(event)) return { ok: false, code: 'NOT_ALLOWED_IN_STATE' };
  const [next] = transition(approvalMachine, snapshot, event);
  return { ok: true, state: next.value as ApprovalState, context: next.context };
}

/** The decisions this actor may take now, for the UI to offer only legal actions. */
export function allowedApprovalEvents(
  state: ApprovalState,
  context: ApprovalContext,
  actor: ApprovalActor,
): ApprovalEventType[] {
  if (state !== 'awaiting_approval') return [];
  const ok = DECISION_CHECKS.every((check) => check.on !== 'actor' || check.test(context, actor));
  return ok ? [...APPROVAL_EVENT_TYPES] : [];
}

/**
 * What the case is told once the chain has settled (its COMPENSATION_DECIDED input);
 * null while it waits, and for a grant within the limit, which the case made itself.
 */
export function approvalOutcome(
  state: ApprovalState,
  context: ApprovalContext,
): {
  type: 'COMPENSATION_DECIDED';
  requestId: string;
  approved: boolean;
  levels: ApprovalDecision[];
} | null {
  if (state !== 'approved' && state !== 'rejected') return null;
  return {
    type: 'COMPENSATION_DECIDED',
    requestId: context.requestId,
    approved: state === 'approved',
    levels: context.decisions,
  };
}

/**
 * Whether the decisions are a settled chain of `requiredLevels` levels: every level
 * approved in order (approved), or approvals then one rejection (rejected). The case
 * checks this, so that no compensation above the limit is recorded as approved without
 * all its levels.
 */
export function isSettledApprovalChain(
  requiredLevels: number,
  approved: boolean,
  levels: readonly ApprovalDecision[],
): boolean {
  if (levels.some((d, i) => d.level !== i + 1)) return false;
  const approvals = levels.filter((d) => d.decision === 'approved').length;
  if (approved) return levels.length === requiredLevels && approvals === requiredLevels;
  return (
    levels.length >= 1 &&
    levels.length <= requiredLevels &&
    approvals === levels.length - 1 &&
    levels.at(-1)?.decision === 'rejected'
  );
}
