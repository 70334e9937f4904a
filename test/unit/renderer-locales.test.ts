// The renderer's strings: both languages complete, every domain, lifecycle and error code labelled.
import { describe, expect, it } from 'vitest';
import { DEADLINE_KINDS, DEADLINE_STATES } from '../../shared/clock/deadlines';
import { BUSINESS_LINES, CASE_TYPES, CHANNELS, PRIORITIES, ROLES } from '../../shared/domain';
import {
  CASE_EVENT_TYPES,
  CASE_REJECTIONS,
  CASE_STATES,
  ClockEntry,
  CompensationStatus,
  CustomerNotice,
  DEPARTMENTS,
  NOTICE_CHANNELS,
  OwnershipMove,
  Reopening,
} from '../../shared/lifecycle/case-machine';
import { APPROVER_ROLES, DEFAULT_LIFECYCLE_POLICY } from '../../shared/lifecycle/policy';
import { PriorityReason } from '../../shared/lifecycle/priority-rules';
import { EVENT_GROUPS, STATUS_FILTERS } from '../../renderer/src/case-lifecycle';
import { EVENT_FORMS } from '../../renderer/src/event-forms';
import { LANGUAGES, resources } from '../../renderer/src/locales';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const BACKEND_ERROR_CODES = [
  'VALIDATION',
  'BAD_CREDENTIALS',
  'UNAUTHENTICATED',
  'NOT_SIGNED_IN',
  'OFFLINE_FIRST_SIGN_IN',
  'OTHER_USER_PENDING',
  'HOST_UNAVAILABLE',
  'UNAVAILABLE',
  'CASE_NOT_FOUND',
  'FORBIDDEN',
  'CASE_EXISTS',
  'CASE_NUMBER_TAKEN',
  'NOTE_EXISTS',
  'ASSIGNEE_NOT_IN_TEAM',
  'INTERNAL',
];
const FIELD_CODES = [
  'REQUIRED',
  'PHONE_INVALID',
  'TOO_LONG',
  'INVALID_VALUE',
  'AMOUNT_INVALID',
  'FUTURE_REQUIRED',
];
const SYNC_STATES = ['online', 'offline', 'syncing', 'signed_out'];
const CLOCK_KINDS = ClockEntry.options.map((o) => o.shape.kind.value);
const REASON_CODES = PriorityReason.options.map((o) => o.shape.code.value);

describe('renderer locales', () => {
  const zh = leaves(resources['zh-CN'].translation as unknown as Tree);

  it.each(LANGUAGES)('%s has exactly the keys of zh-CN, none empty', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    expect([...messages.keys()].sort()).toEqual([...zh.keys()].sort());
    for (const [key, value] of messages) expect(value.trim(), key).not.toBe('');
  });

  it.each(LANGUAGES)('%s keeps the same interpolation variables as zh-CN', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    const vars = (s: string) => [...s.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
    for (const [key, value] of zh) expect(vars(messages.get(key)!), key).toEqual(vars(value));
  });

  it.each(LANGUAGES)('%s labels every domain code, error code and sync state', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    const expected = [
      ...CHANNELS.map((c) => `channels.${c}`),
      ...CASE_TYPES.map((c) => `caseTypes.${c}`),
      ...BUSINESS_LINES.map((c) => `businessLines.${c}`),
      ...PRIORITIES.map((c) => `priorities.${c}`),
      ...PRIORITIES.map((c) => `intake.sla.${c}`),
      ...ROLES.map((c) => `roles.${c}`),
      ...BACKEND_ERROR_CODES.map((c) => `errors.${c}`),
      ...FIELD_CODES.map((c) => `fieldErrors.${c}`),
      ...SYNC_STATES.map((c) => `sync.state.${c}`),
      'errors.unknown',
      'fieldErrors.unknown',
    ];
    for (const key of expected) expect(messages.has(key), key).toBe(true);
    expect(messages.get('errors.unknown')).toContain('{{code}}');
  });

  it.each(LANGUAGES)('%s labels every lifecycle state, event and refusal', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    const expected = [
      ...CASE_STATES.map((s) => `statuses.${s}`),
      ...CASE_EVENT_TYPES.map((e) => `events.${e}`),
      // A refusal shows error.code translated: every reason the machine can give.
      ...CASE_REJECTIONS.map((c) => `errors.${c}`),
      ...REASON_CODES.map((c) => `priorityReasons.${c}`),
      ...STATUS_FILTERS.map((f) => `cases.filters.${f}`),
      ...Object.keys(EVENT_GROUPS).map((g) => `eventGroups.${g}`),
    ];
    for (const key of expected) expect(messages.has(key), key).toBe(true);
    expect(messages.get('priorityReasons.RISK_KEYWORD')).toContain('{{keyword}}');
  });

  it.each(LANGUAGES)('%s labels every event form: hint and each field', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    for (const type of CASE_EVENT_TYPES) {
      expect(messages.has(`eventForms.${type}.hint`), `${type} hint`).toBe(true);
      for (const field of EVENT_FORMS[type]) {
        if (field.kind === 'generated') continue;
        expect(messages.has(`eventForms.${type}.${field.name}`), `${type}.${field.name}`).toBe(
          true,
        );
        for (const option of field.options ?? []) {
          expect(messages.has(`${field.optionLabels}.${option}`), option).toBe(true);
        }
      }
    }
  });

  it.each(LANGUAGES)('%s labels every deadline, clock entry and context code', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    const expected = [
      ...DEADLINE_KINDS.map((k) => `deadlines.kinds.${k}`),
      ...DEADLINE_STATES.map((s) => `deadlines.states.${s}`),
      ...CLOCK_KINDS.map((k) => `clockEntries.${k}`),
      ...DEPARTMENTS.map((d) => `departments.${d}`),
      ...NOTICE_CHANNELS.map((c) => `noticeChannels.${c}`),
      ...APPROVER_ROLES.map((r) => `approverRoles.${r}`),
      ...DEFAULT_LIFECYCLE_POLICY.approvalChain.map((l) => `approvalLevels.${l.name}`),
      ...CompensationStatus.options.map((s) => `compensationStatuses.${s}`),
      ...CustomerNotice.shape.purpose.options.map((p) => `panels.noticePurposes.${p}`),
      ...OwnershipMove.shape.kind.options.map((k) => `timeline.ownership.${k}`),
      ...Reopening.shape.cause.options.map((c) => `timeline.reopenCauses.${c}`),
    ];
    for (const key of expected) expect(messages.has(key), key).toBe(true);
  });
});
