// The form of every lifecycle event: exactly the fields of its schema (case-events.ts), each
// with the control that edits it, and the one function that turns what the agent entered into
// the event the wire carries. Pure (no React, no i18next), so that a unit test can check the
// catalogue against the schemas.
import type { Dayjs } from 'dayjs';
import {
  APPROVER_ROLES,
  parseYuanToFen,
  requiredApprovalLevels,
} from '../../shared/lifecycle/policy';
import {
  CASE_EVENT_TYPES,
  CaseEventInput,
  DEPARTMENTS,
  NOTICE_CHANNELS,
  type CaseEventType,
} from '../../shared/lifecycle/case-machine';
import { PRIORITIES } from '../../shared/domain';
import type { PriorityReason } from '../../shared/lifecycle/priority-rules';
import { fromPickerValue } from './format';

export type FieldKind =
  /** One line of text. */
  | 'text'
  /** Several lines of text (max 4000). */
  | 'textarea'
  /** A person's user id, free text with suggestions. */
  | 'user'
  /** One of a fixed list of codes (`options`, labelled under `optionLabels`). */
  | 'select'
  /** A Beijing date and time, sent as an ISO string. */
  | 'datetime'
  /** Money typed in yuan, sent in integer fen. */
  | 'yuan'
  /** The satisfaction score, with stars. */
  | 'rate'
  /** Yes or no, as two radio buttons. */
  | 'yesNo'
  /** A tick box (an optional flag). */
  | 'checkbox'
  /** The next regulatory period, in days (the policy's extension steps). */
  | 'extensionDays'
  /** One of the case's open cross-department tasks. */
  | 'openTask'
  /** The compensation request waiting for approval. */
  | 'pendingCompensation'
  /** Another case of the agent's. */
  | 'otherCase'
  /** Why the case has its priority (risk keywords, segments). */
  | 'priorityReasons'
  /** One decision per approval level. */
  | 'approvalLevels'
  /** An identifier the workstation mints (crypto.randomUUID), never shown. */
  | 'generated';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  /** For `select`: the codes, and the i18n group that labels them. */
  options?: readonly string[];
  optionLabels?: string;
}

const text = (name: string, required = true): FieldSpec => ({ name, kind: 'textarea', required });
const line = (name: string, required = true): FieldSpec => ({ name, kind: 'text', required });
const select = (
  name: string,
  options: readonly string[],
  optionLabels: string,
  required = true,
): FieldSpec => ({ name, kind: 'select', required, options, optionLabels });
const of = (name: string, kind: FieldKind, required = true): FieldSpec => ({
  name,
  kind,
  required,
});

/** Every event's fields, in the order the form shows them. No fields: a confirmation. */
export const EVENT_FORMS: { [T in CaseEventType]: readonly FieldSpec[] } = {
  TRIAGE: [select('priority', PRIORITIES, 'priorities'), of('reasons', 'priorityReasons', false)],
  ASSIGN: [of('assigneeId', 'user')],
  ACCEPT: [],
  REASSIGN: [of('toUserId', 'user'), text('reason')],
  RECUSE: [text('reason')],
  REQUEST_CUSTOMER_INFO: [text('what')],
  CUSTOMER_RESPONDED: [text('summary', false)],
  OPEN_TASK: [
    of('taskId', 'generated'),
    select('department', DEPARTMENTS, 'departments'),
    text('request'),
    of('dueAt', 'datetime'),
  ],
  ANSWER_TASK: [of('taskId', 'openTask'), text('answer')],
  REQUEST_COMPENSATION: [of('requestId', 'generated'), of('amountFen', 'yuan'), text('reason')],
  COMPENSATION_DECIDED: [
    of('requestId', 'pendingCompensation'),
    of('approved', 'yesNo'),
    of('levels', 'approvalLevels'),
  ],
  RESOLVE: [
    text('rootCause'),
    text('solution'),
    text('prevention'),
    text('compensationSummary', false),
  ],
  DECIDE_SUGGESTION: [
    of('adopted', 'yesNo'),
    text('customerReach'),
    text('feasibility'),
    text('value'),
    text('rationale'),
  ],
  NOTIFY_CUSTOMER: [select('channel', NOTICE_CHANNELS, 'noticeChannels'), text('summary')],
  RECORD_FEEDBACK: [of('score', 'rate'), text('comment', false)],
  CLOSE_WITHOUT_FEEDBACK: [text('reason')],
  REOPEN: [text('reason')],
  MERGE_INTO: [of('targetCaseId', 'otherCase'), text('reason')],
  WITHDRAW: [text('reason')],
  RECORD_FIRST_CONTACT: [],
  RECORD_INTERIM_MEASURE: [text('measure')],
  RECORD_PLAN: [text('plan')],
  RECORD_ROOT_CAUSE: [text('summary')],
  RECORD_PROGRESS_UPDATE: [select('channel', NOTICE_CHANNELS, 'noticeChannels'), text('summary')],
  PROMISE_RESOLUTION: [of('promisedBy', 'datetime')],
  RECORD_FOLLOW_UP: [of('second', 'checkbox', false), text('summary')],
  START_EXCLUSION: [text('reason')],
  END_EXCLUSION: [],
  // The approval and the customer notice are optional in the schema only so that the
  // machine names their absence; the form asks for them like the regulation does.
  EXTEND_DEADLINE: [
    of('toDays', 'extensionDays'),
    line('approvalId'),
    line('approvedBy'),
    of('customerNoticeAt', 'datetime'),
    text('reason'),
  ],
  RECORD_NEW_FACTS: [text('summary')],
  ABSORB_REPEAT: [of('fromCaseId', 'otherCase')],
};

/** The fields the agent fills in (the generated identifiers left out). */
export function visibleFields(type: CaseEventType): readonly FieldSpec[] {
  return EVENT_FORMS[type].filter((f) => f.kind !== 'generated');
}

/** A confirmation rather than a form. */
export function isConfirmOnly(type: CaseEventType): boolean {
  return visibleFields(type).length === 0;
}

/** Identifiers minted when a form opens, kept across retries of the same form. */
export function mintIdentifiers(
  type: CaseEventType,
  uuid: () => string = () => crypto.randomUUID(),
): Record<string, string> {
  return Object.fromEntries(
    EVENT_FORMS[type].filter((f) => f.kind === 'generated').map((f) => [f.name, uuid()]),
  );
}

// ── Priority reasons in a multi-select ───────────────────────────────────────────────
/** `RISK_KEYWORD:盗刷`, `VIP`: a reason as one select value. */
export function encodeReason(reason: PriorityReason): string {
  return reason.code === 'RISK_KEYWORD' ? `RISK_KEYWORD:${reason.keyword}` : reason.code;
}

export function decodeReason(value: string): PriorityReason | null {
  if (value.startsWith('RISK_KEYWORD:')) {
    const keyword = value.slice('RISK_KEYWORD:'.length);
    return keyword ? { code: 'RISK_KEYWORD', keyword } : null;
  }
  if (value === 'VIP' || value === 'ELDERLY' || value === 'REPEAT_COMPLAINANT')
    return { code: value };
  return null;
}

export const SEGMENT_REASONS = ['VIP', 'ELDERLY', 'REPEAT_COMPLAINANT'] as const;

// ── Approval levels ──────────────────────────────────────────────────────────────────
export interface ApprovalLevelValue {
  approverId?: string;
  role?: (typeof APPROVER_ROLES)[number];
  decision?: 'approved' | 'rejected';
  comment?: string;
  at?: Dayjs;
}

export { APPROVER_ROLES, requiredApprovalLevels };

// ── From the form to the event ───────────────────────────────────────────────────────
export type FormValues = Record<string, unknown>;

function trimmed(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t.length > 0 ? t : undefined;
}

function fieldValue(spec: FieldSpec, raw: unknown, generated: Record<string, string>): unknown {
  switch (spec.kind) {
    case 'generated':
      return generated[spec.name];
    case 'text':
    case 'textarea':
    case 'user':
    case 'select':
    case 'openTask':
    case 'pendingCompensation':
    case 'otherCase':
      return trimmed(raw);
    case 'datetime':
      return raw && typeof raw === 'object' && 'format' in raw
        ? fromPickerValue(raw as Dayjs)
        : undefined;
    case 'yuan':
      return typeof raw === 'string' ? (parseYuanToFen(raw) ?? undefined) : undefined;
    case 'rate':
    case 'extensionDays':
      return typeof raw === 'number' ? raw : undefined;
    case 'yesNo':
    case 'checkbox':
      return typeof raw === 'boolean' ? raw : spec.kind === 'checkbox' ? false : undefined;
    case 'priorityReasons':
      return Array.isArray(raw)
        ? raw.map((v) => decodeReason(String(v))).filter((r): r is PriorityReason => r !== null)
        : undefined;
    case 'approvalLevels':
      return Array.isArray(raw)
        ? (raw as ApprovalLevelValue[]).map((level, index) => ({
            level: index + 1,
            approverId: trimmed(level?.approverId) ?? '',
            role: level?.role,
            decision: level?.decision,
            comment: level?.comment?.trim() ?? '',
            at: level?.at ? fromPickerValue(level.at) : undefined,
          }))
        : undefined;
  }
}

export type BuiltEvent =
  { ok: true; event: CaseEventInput } | { ok: false; fields: { path: string; code: string }[] };

/** The event the form describes, checked against its schema (the machine judges the rest). */
export function buildEventInput(
  type: CaseEventType,
  values: FormValues,
  generated: Record<string, string> = {},
): BuiltEvent {
  const event: Record<string, unknown> = { type };
  for (const spec of EVENT_FORMS[type]) {
    const value = fieldValue(spec, values[spec.name], generated);
    if (value !== undefined) event[spec.name] = value;
  }
  const parsed = CaseEventInput.safeParse(event);
  if (parsed.success) return { ok: true, event: parsed.data };
  return {
    ok: false,
    fields: parsed.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      code: issue.code === 'too_big' ? 'TOO_LONG' : 'INVALID_VALUE',
    })),
  };
}

export { CASE_EVENT_TYPES };
