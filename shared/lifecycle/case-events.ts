// The events of a case's lifecycle, one zod schema each. `CaseEventInput` is what the
// UI sends over the wire; the server (or the workstation, offline) adds who acted and
// when, which makes a `CaseEvent`.
//
// Schemas check the shape (types, identifiers, ISO times, enums). What the content must
// say — a non-blank root cause, a score on the scale, an approval on an extension — is a
// rule of the machine with a reason code, so that the workstation and the server refuse
// with the same, translatable reason.
import { z } from 'zod';
import { Priority, ROLES } from '../domain';
import { ApprovalDecision } from './approval-machine';
import { PriorityReason } from './priority-rules';

export const Timestamp = z.iso.datetime({ offset: true });
export const Id = z.string().min(1).max(100);
const Text = z.string().max(4000);

/** Who acts: a person of a case role, or the server's own distributor ('system'). */
export const CASE_ACTOR_ROLES = [...ROLES, 'system'] as const;
export const CaseActorRole = z.enum(CASE_ACTOR_ROLES);
export type CaseActorRole = z.infer<typeof CaseActorRole>;
export const CaseActor = z.object({ userId: Id, role: CaseActorRole });
export type CaseActor = z.infer<typeof CaseActor>;

export const DEPARTMENTS = ['operations', 'risk', 'compliance', 'product'] as const;
export const Department = z.enum(DEPARTMENTS);
export type Department = z.infer<typeof Department>;

export const NOTICE_CHANNELS = ['sms', 'app', 'phone', 'letter', 'email'] as const;
export const NoticeChannel = z.enum(NOTICE_CHANNELS);
export type NoticeChannel = z.infer<typeof NoticeChannel>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape });

// Intake and ownership
export const TriageInput = event('TRIAGE', {
  priority: Priority,
  reasons: z.array(PriorityReason).optional(),
});
export const AssignInput = event('ASSIGN', { assigneeId: Id });
export const AcceptInput = event('ACCEPT', {});
export const ReassignInput = event('REASSIGN', { toUserId: Id, reason: Text });
export const RecuseInput = event('RECUSE', { reason: Text });

// Working the case
export const RequestCustomerInfoInput = event('REQUEST_CUSTOMER_INFO', { what: Text });
export const CustomerRespondedInput = event('CUSTOMER_RESPONDED', { summary: Text.optional() });
export const OpenTaskInput = event('OPEN_TASK', {
  taskId: Id,
  department: Department,
  request: Text,
  dueAt: Timestamp,
});
export const AnswerTaskInput = event('ANSWER_TASK', { taskId: Id, answer: Text });
/** amountFen: integer fen (800 CNY = 80000); see policy.ts. */
export const RequestCompensationInput = event('REQUEST_COMPENSATION', {
  requestId: Id,
  amountFen: z.number(),
  reason: Text,
});
export const CompensationDecidedInput = event('COMPENSATION_DECIDED', {
  requestId: Id,
  approved: z.boolean(),
  levels: z.array(ApprovalDecision),
});

// Resolution and closure
export const ResolveInput = event('RESOLVE', {
  rootCause: Text,
  solution: Text,
  prevention: Text,
  compensationSummary: Text.optional(),
});
/** A suggestion's resolution: evaluated (reach, feasibility, value), adopted or declined. */
export const DecideSuggestionInput = event('DECIDE_SUGGESTION', {
  adopted: z.boolean(),
  customerReach: Text,
  feasibility: Text,
  value: Text,
  rationale: Text,
});
export const NotifyCustomerInput = event('NOTIFY_CUSTOMER', {
  channel: NoticeChannel,
  summary: Text,
});
export const RecordFeedbackInput = event('RECORD_FEEDBACK', {
  score: z.number(),
  comment: Text.optional(),
});
export const CloseWithoutFeedbackInput = event('CLOSE_WITHOUT_FEEDBACK', { reason: Text });
export const ReopenInput = event('REOPEN', { reason: Text });
export const MergeIntoInput = event('MERGE_INTO', { targetCaseId: Id, reason: Text });
export const WithdrawInput = event('WITHDRAW', { reason: Text });

// Clock only: recorded, guarded, the state stays
export const RecordFirstContactInput = event('RECORD_FIRST_CONTACT', {});
export const RecordInterimMeasureInput = event('RECORD_INTERIM_MEASURE', { measure: Text });
export const RecordPlanInput = event('RECORD_PLAN', { plan: Text });
export const RecordRootCauseInput = event('RECORD_ROOT_CAUSE', { summary: Text });
export const RecordProgressUpdateInput = event('RECORD_PROGRESS_UPDATE', {
  channel: NoticeChannel,
  summary: Text,
});
export const PromiseResolutionInput = event('PROMISE_RESOLUTION', { promisedBy: Timestamp });
/** A follow-up call after closure (回访); `second` for a major complaint's second one. */
export const RecordFollowUpInput = event('RECORD_FOLLOW_UP', {
  second: z.boolean().optional(),
  summary: Text,
});
export const StartExclusionInput = event('START_EXCLUSION', { reason: Text });
export const EndExclusionInput = event('END_EXCLUSION', {});
/**
 * toDays: the new total (30, then 60 by the default policy). The approval and the
 * customer notice are optional in the shape so that their absence is refused with its
 * own reason (EXTENSION_NEEDS_APPROVAL, EXTENSION_NEEDS_CUSTOMER_NOTICE).
 */
export const ExtendDeadlineInput = event('EXTEND_DEADLINE', {
  toDays: z.number(),
  approvalId: z.string().max(100).optional(),
  approvedBy: z.string().max(100).optional(),
  customerNoticeAt: Timestamp.optional(),
  reason: Text,
});
export const RecordNewFactsInput = event('RECORD_NEW_FACTS', { summary: Text });
export const AbsorbRepeatInput = event('ABSORB_REPEAT', { fromCaseId: Id });

const INPUTS = [
  TriageInput,
  AssignInput,
  AcceptInput,
  ReassignInput,
  RecuseInput,
  RequestCustomerInfoInput,
  CustomerRespondedInput,
  OpenTaskInput,
  AnswerTaskInput,
  RequestCompensationInput,
  CompensationDecidedInput,
  ResolveInput,
  DecideSuggestionInput,
  NotifyCustomerInput,
  RecordFeedbackInput,
  CloseWithoutFeedbackInput,
  ReopenInput,
  MergeIntoInput,
  WithdrawInput,
  RecordFirstContactInput,
  RecordInterimMeasureInput,
  RecordPlanInput,
  RecordRootCauseInput,
  RecordProgressUpdateInput,
  PromiseResolutionInput,
  RecordFollowUpInput,
  StartExclusionInput,
  EndExclusionInput,
  ExtendDeadlineInput,
  RecordNewFactsInput,
  AbsorbRepeatInput,
] as const;

/** An event as the UI or the wire sends it: without actor and time. */
export const CaseEventInput = z.discriminatedUnion('type', INPUTS);
export type CaseEventInput = z.infer<typeof CaseEventInput>;

/** Added by whoever applies the event: the server, or the workstation offline. */
export const CaseEventStamp = z.object({ actor: CaseActor, at: Timestamp });
export type CaseEventStamp = z.infer<typeof CaseEventStamp>;

export const CaseEvent = z.intersection(CaseEventInput, CaseEventStamp);
export type CaseEvent = CaseEventInput & CaseEventStamp;
export type CaseEventType = CaseEvent['type'];
export type CaseEventOf<T extends CaseEventType> = Extract<CaseEvent, { type: T }>;

export const CASE_EVENT_TYPES: readonly CaseEventType[] = INPUTS.map((s) => s.shape.type.value);
