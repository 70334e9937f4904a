// What a case's lifecycle remembers: everything needed to rebuild its snapshot and to
// compute its deadlines. Stored as a column next to the state value; plain JSON.
import { z } from 'zod';
import { CaseType, Priority } from '../domain';
import { ApprovalDecision } from './approval-machine';
import { Department, Id, NoticeChannel, Timestamp } from './case-events';
import { DEFAULT_LIFECYCLE_POLICY, LifecyclePolicy } from './policy';
import { DEFAULT_PRIORITY_RULES, PriorityReason } from './priority-rules';

/**
 * The case's clock: what the deadline engine reads to compute first-response, plan,
 * resolution and regulatory deadlines. Appended by the machine, never rewritten.
 * - waiting_customer_* pause the internal service clocks, not the regulatory one;
 * - exclusion_* (external appraisal) stop the regulatory clock;
 * - new_facts restarts it; extension moves its end (toDays is the new total);
 * - decision_notified (the first notice after a resolution) is when the decision was told;
 * - reopened: a new cycle of resolution begins (not in the list the engine was given:
 *   after a `closed`, the case is handled again).
 * Field names follow shared/clock/history.ts where both name the same thing; the extra
 * fields here (what, measure, summary, channel, from) are for the case's own history.
 * A case that ends (merged, withdrawn) while waiting or excluded gets the matching
 * *_ended entry at the same time, so that every interval the engine reads is closed.
 */
export const ClockEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('received'),
    at: Timestamp,
    priority: Priority,
    caseType: CaseType,
    /** A major complaint (重大投诉): a second follow-up within 30 days of closure. */
    major: z.boolean().optional(),
    /** The policy's regulatory track when not its default (e.g. FCA payment services). */
    regulatoryTrack: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('first_contact'), at: Timestamp }),
  /** The cause is known (urgent: within 2 h). */
  z.object({ kind: z.literal('root_cause_found'), at: Timestamp, summary: z.string() }),
  /** The customer was told how the case stands (high: every business day). */
  z.object({ kind: z.literal('progress_update'), at: Timestamp, channel: NoticeChannel }),
  /** The owner promised a written solution by `promisedBy` (normal: within the promised time). */
  z.object({ kind: z.literal('resolution_promised'), at: Timestamp, promisedBy: Timestamp }),
  z.object({ kind: z.literal('waiting_customer_started'), at: Timestamp, what: z.string() }),
  z.object({ kind: z.literal('waiting_customer_ended'), at: Timestamp }),
  z.object({ kind: z.literal('exclusion_started'), at: Timestamp, reason: z.string() }),
  z.object({ kind: z.literal('exclusion_ended'), at: Timestamp }),
  z.object({
    kind: z.literal('extension'),
    at: Timestamp,
    toDays: z.number().int().positive(),
    approvalId: z.string(),
    approvedBy: z.string(),
    customerNoticeAt: Timestamp,
    reason: z.string(),
  }),
  z.object({ kind: z.literal('new_facts'), at: Timestamp, summary: z.string() }),
  z.object({ kind: z.literal('absorbed_repeat'), at: Timestamp, repeatCaseId: Id }),
  z.object({ kind: z.literal('merged_into'), at: Timestamp, intoCaseId: Id }),
  z.object({ kind: z.literal('resolved'), at: Timestamp }),
  z.object({ kind: z.literal('decision_notified'), at: Timestamp, channel: NoticeChannel }),
  z.object({ kind: z.literal('closed'), at: Timestamp }),
  z.object({ kind: z.literal('withdrawn'), at: Timestamp, reason: z.string() }),
  /** `priority` is the new one. */
  z.object({
    kind: z.literal('priority_changed'),
    at: Timestamp,
    from: Priority,
    priority: Priority,
  }),
  z.object({ kind: z.literal('interim_measure'), at: Timestamp, measure: z.string() }),
  z.object({ kind: z.literal('plan_recorded'), at: Timestamp, plan: z.string() }),
  /** A follow-up call (回访) after closure; `second` for a major complaint's second one. */
  z.object({
    kind: z.literal('follow_up_done'),
    at: Timestamp,
    second: z.boolean(),
    summary: z.string(),
  }),
  z.object({
    kind: z.literal('reopened'),
    at: Timestamp,
    cause: z.enum(['low_satisfaction', 'reopen_requested']),
    reason: z.string(),
  }),
]);
export type ClockEntry = z.infer<typeof ClockEntry>;
export type ClockEntryKind = ClockEntry['kind'];

/** Every move of ownership, kept (首接责任制: only a lead moves a case, and it is recorded). */
export const OwnershipMove = z.object({
  kind: z.enum(['assigned', 'reassigned', 'recused']),
  from: Id.nullable(),
  to: Id.nullable(),
  by: Id,
  reason: z.string().nullable(),
  at: Timestamp,
});
export type OwnershipMove = z.infer<typeof OwnershipMove>;

export const CustomerInfoRequest = z.object({
  what: z.string(),
  requestedBy: Id,
  requestedAt: Timestamp,
  respondedAt: Timestamp.nullable(),
  response: z.string().nullable(),
});
export type CustomerInfoRequest = z.infer<typeof CustomerInfoRequest>;

/** A cross-department task (协办): its own deadline; its answer is recorded with who gave it. */
export const DepartmentTask = z.object({
  id: Id,
  department: Department,
  request: z.string(),
  dueAt: Timestamp,
  openedBy: Id,
  openedAt: Timestamp,
  answeredAt: Timestamp.nullable(),
  answeredBy: Id.nullable(),
  answer: z.string().nullable(),
});
export type DepartmentTask = z.infer<typeof DepartmentTask>;

export const CompensationStatus = z.enum(['granted', 'pending', 'approved', 'rejected']);
export type CompensationStatus = z.infer<typeof CompensationStatus>;
export const CompensationRequest = z.object({
  id: Id,
  /** Integer fen. */
  amountFen: z.number().int().positive(),
  reason: z.string(),
  requestedBy: Id,
  requestedAt: Timestamp,
  /** 0: within the frontline limit, granted at once. */
  requiredLevels: z.number().int().nonnegative(),
  status: CompensationStatus,
  decidedAt: Timestamp.nullable(),
  levels: z.array(ApprovalDecision),
});
export type CompensationRequest = z.infer<typeof CompensationRequest>;

export const Resolution = z.object({
  rootCause: z.string(),
  solution: z.string(),
  prevention: z.string(),
  compensationSummary: z.string().nullable(),
  recordedBy: Id,
  recordedAt: Timestamp,
});
export type Resolution = z.infer<typeof Resolution>;

export const SuggestionDecision = z.object({
  adopted: z.boolean(),
  customerReach: z.string(),
  feasibility: z.string(),
  value: z.string(),
  rationale: z.string(),
  decidedBy: Id,
  decidedAt: Timestamp,
});
export type SuggestionDecision = z.infer<typeof SuggestionDecision>;

export const CustomerNotice = z.object({
  /** The decision (resolution) or how the case stands meanwhile. */
  purpose: z.enum(['decision', 'progress']),
  channel: NoticeChannel,
  summary: z.string(),
  by: Id,
  at: Timestamp,
});
export type CustomerNotice = z.infer<typeof CustomerNotice>;

export const Feedback = z.object({
  score: z.number().int(),
  comment: z.string().nullable(),
  recordedBy: Id,
  at: Timestamp,
});
export type Feedback = z.infer<typeof Feedback>;

export const Extension = z.object({
  toDays: z.number().int().positive(),
  approvalId: z.string(),
  approvedBy: z.string(),
  customerNoticeAt: Timestamp,
  reason: z.string(),
  at: Timestamp,
});
export type Extension = z.infer<typeof Extension>;

/** A finished cycle, kept when the case reopens; the current cycle starts empty. */
export const Reopening = z.object({
  at: Timestamp,
  by: Id,
  cause: z.enum(['low_satisfaction', 'reopen_requested']),
  reason: z.string(),
  resolution: Resolution.nullable(),
  suggestionDecision: SuggestionDecision.nullable(),
  decisionNotifiedAt: Timestamp.nullable(),
  feedback: Feedback.nullable(),
  closeReason: z.string().nullable(),
});
export type Reopening = z.infer<typeof Reopening>;

export const CaseContext = z.object({
  caseId: Id,
  caseType: CaseType,
  /** The policy in force when the case was registered; the case keeps it. */
  policy: LifecyclePolicy,
  registeredBy: Id,
  receivedAt: Timestamp,
  /** null while unassigned (no owner yet, or the owner recused). */
  ownerId: Id.nullable(),
  priority: Priority,
  priorityReasons: z.array(PriorityReason),
  ownership: z.array(OwnershipMove),
  recusedUserIds: z.array(Id),
  customerRequests: z.array(CustomerInfoRequest),
  tasks: z.array(DepartmentTask),
  compensations: z.array(CompensationRequest),
  // The current cycle (emptied into `reopenings` when the case reopens):
  resolution: Resolution.nullable(),
  suggestionDecision: SuggestionDecision.nullable(),
  decisionNotifiedAt: Timestamp.nullable(),
  feedback: Feedback.nullable(),
  closeReason: z.string().nullable(),
  notices: z.array(CustomerNotice),
  reopenCount: z.number().int().nonnegative(),
  reopenings: z.array(Reopening),
  mergedInto: Id.nullable(),
  withdrawReason: z.string().nullable(),
  absorbed: z.array(Id),
  extensions: z.array(Extension),
  exclusionOpen: z.boolean(),
  firstContactAt: Timestamp.nullable(),
  clock: z.array(ClockEntry),
});
export type CaseContext = z.infer<typeof CaseContext>;

export interface CaseContextInput {
  caseId: string;
  caseType: CaseType;
  /** When the bank received the complaint: the regulatory clock starts from it. */
  receivedAt: string;
  registeredBy: string;
  /** The first-contact agent (首接), who owns the case; null to leave it to distribution. */
  ownerId?: string | null;
  priority?: Priority;
  /** A major complaint (重大投诉), for the second follow-up. */
  major?: boolean;
  /** The policy's regulatory track when not its default. */
  regulatoryTrack?: string;
  priorityReasons?: PriorityReason[];
  policy?: LifecyclePolicy;
}

export function createCaseContext(input: CaseContextInput): CaseContext {
  const priority = input.priority ?? DEFAULT_PRIORITY_RULES.basePriorityByType[input.caseType];
  return {
    caseId: input.caseId,
    caseType: input.caseType,
    policy: input.policy ?? DEFAULT_LIFECYCLE_POLICY,
    registeredBy: input.registeredBy,
    receivedAt: input.receivedAt,
    ownerId: input.ownerId ?? null,
    priority,
    priorityReasons: input.priorityReasons ?? [],
    ownership: [],
    recusedUserIds: [],
    customerRequests: [],
    tasks: [],
    compensations: [],
    resolution: null,
    suggestionDecision: null,
    decisionNotifiedAt: null,
    feedback: null,
    closeReason: null,
    notices: [],
    reopenCount: 0,
    reopenings: [],
    mergedInto: null,
    withdrawReason: null,
    absorbed: [],
    extensions: [],
    exclusionOpen: false,
    firstContactAt: null,
    clock: [
      {
        kind: 'received',
        at: input.receivedAt,
        priority,
        caseType: input.caseType,
        ...(input.major === undefined ? {} : { major: input.major }),
        ...(input.regulatoryTrack === undefined ? {} : { regulatoryTrack: input.regulatoryTrack }),
      },
    ],
  };
}

/** The deadline the regulator's clock runs to now: the base, or the last approved extension. */
export function currentDeadlineDays(context: Pick<CaseContext, 'policy' | 'extensions'>): number {
  return context.extensions.at(-1)?.toDays ?? context.policy.regulatoryDeadlineDays;
}

export function openTasks(context: Pick<CaseContext, 'tasks'>): DepartmentTask[] {
  return context.tasks.filter((t) => t.answeredAt === null);
}

export function pendingCompensation(
  context: Pick<CaseContext, 'compensations'>,
): CompensationRequest | undefined {
  return context.compensations.find((c) => c.status === 'pending');
}

/** Whether the case waits on the customer (an information request with no response yet). */
export function isWaitingOnCustomer(context: Pick<CaseContext, 'customerRequests'>): boolean {
  return context.customerRequests.at(-1)?.respondedAt === null;
}
