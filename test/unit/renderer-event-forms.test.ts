// The event forms against the lifecycle's schemas: every event has a form with exactly the
// fields of its schema, and what a filled-in form builds is an event the wire accepts.
import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import {
  CASE_EVENT_TYPES,
  CASE_STATES,
  CaseEventInput,
  type CaseEventType,
} from '../../shared/lifecycle/case-machine';
import {
  EVENT_GROUPS,
  groupAllowedEvents,
  liveDeadline,
  matchesStatusFilter,
  orderDeadlines,
  STATUS_GROUPS,
} from '../../renderer/src/case-lifecycle';
import {
  buildEventInput,
  decodeReason,
  encodeReason,
  EVENT_FORMS,
  isConfirmOnly,
  mintIdentifiers,
  type FieldSpec,
  type FormValues,
} from '../../renderer/src/event-forms';
import { formatDueTime, formatMoney, fromPickerValue, toPickerValue } from '../../renderer/src/format';
import type { Deadline } from '../../shared/clock';

const schemaOf = (type: CaseEventType) => {
  const schema = CaseEventInput.options.find((o) => o.shape.type.value === type);
  if (!schema) throw new Error(`no schema for ${type}`);
  return schema;
};

/** A plausible value for each control, as antd's form would hold it. */
function sampleValue(spec: FieldSpec): unknown {
  const future = dayjs().add(2, 'day');
  switch (spec.kind) {
    case 'text':
    case 'textarea':
    case 'user':
      return `  ${spec.name} text  `;
    case 'select':
      return spec.options![0];
    case 'datetime':
      return future;
    case 'yuan':
      return '1,200.50';
    case 'rate':
      return 4;
    case 'yesNo':
      return true;
    case 'checkbox':
      return true;
    case 'extensionDays':
      return 30;
    case 'openTask':
    case 'pendingCompensation':
    case 'otherCase':
      return 'some-id';
    case 'priorityReasons':
      return ['RISK_KEYWORD:盗刷', 'VIP'];
    case 'approvalLevels':
      return [
        { approverId: 'u-lead01', role: 'lead', decision: 'approved', comment: 'ok', at: future },
      ];
    case 'generated':
      return undefined;
  }
}

describe('event forms', () => {
  it('cover every event type, and nothing else', () => {
    expect(Object.keys(EVENT_FORMS).sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it.each(CASE_EVENT_TYPES)('%s has exactly the fields of its schema', (type) => {
    const schemaFields = Object.keys(schemaOf(type).shape).filter((k) => k !== 'type');
    expect(EVENT_FORMS[type].map((f) => f.name).sort()).toEqual(schemaFields.sort());
    for (const field of EVENT_FORMS[type]) {
      const optional = schemaOf(type).shape[field.name as never] as {
        safeParse: (v: unknown) => { success: boolean };
      };
      // A field the schema leaves optional may be left blank only when the form says so
      // (the extension's approval and notice are asked for although optional in the shape).
      if (!field.required) expect(optional.safeParse(undefined).success, field.name).toBe(true);
    }
  });

  it.each(CASE_EVENT_TYPES)('%s builds an event the wire accepts', (type) => {
    const values: FormValues = {};
    for (const spec of EVENT_FORMS[type]) values[spec.name] = sampleValue(spec);
    const generated = mintIdentifiers(type, () => '7f1c0e3a-0000-4000-8000-000000000001');
    const built = buildEventInput(type, values, generated);
    expect(built.ok, JSON.stringify(built)).toBe(true);
    if (!built.ok) return;
    expect(built.event.type).toBe(type);
    expect(CaseEventInput.safeParse(built.event).success).toBe(true);
  });

  it('events without fields are confirmations', () => {
    const confirms = CASE_EVENT_TYPES.filter(isConfirmOnly).sort();
    expect(confirms).toEqual(['ACCEPT', 'END_EXCLUSION', 'RECORD_FIRST_CONTACT']);
  });

  it('sends money in fen, texts trimmed, blanks of optional fields left out', () => {
    const built = buildEventInput(
      'REQUEST_COMPENSATION',
      { amountFen: '800', reason: '  年费误扣  ' },
      { requestId: 'r-1' },
    );
    expect(built).toEqual({
      ok: true,
      event: {
        type: 'REQUEST_COMPENSATION',
        requestId: 'r-1',
        amountFen: 80000,
        reason: '年费误扣',
      },
    });
    const resolve = buildEventInput('RESOLVE', {
      rootCause: 'a',
      solution: 'b',
      prevention: 'c',
      compensationSummary: '   ',
    });
    expect(resolve.ok && 'compensationSummary' in resolve.event).toBe(false);
  });

  it('refuses an amount that is not money', () => {
    const built = buildEventInput(
      'REQUEST_COMPENSATION',
      { amountFen: '12.345', reason: 'x' },
      { requestId: 'r-1' },
    );
    expect(built.ok).toBe(false);
  });

  it('mints identifiers with crypto.randomUUID for tasks and compensation requests', () => {
    expect(Object.keys(mintIdentifiers('OPEN_TASK'))).toEqual(['taskId']);
    expect(mintIdentifiers('REQUEST_COMPENSATION').requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(mintIdentifiers('RESOLVE')).toEqual({});
  });

  it('round-trips priority reasons through the select', () => {
    for (const reason of [
      { code: 'RISK_KEYWORD', keyword: '盗刷' },
      { code: 'VIP' },
      { code: 'ELDERLY' },
      { code: 'REPEAT_COMPLAINANT' },
    ] as const) {
      expect(decodeReason(encodeReason(reason))).toEqual(reason);
    }
    expect(decodeReason('RISK_KEYWORD:')).toBeNull();
  });
});

describe('money', () => {
  it('shows fen as yuan with separators', () => {
    expect(formatMoney(120050)).toBe('¥1,200.50');
    expect(formatMoney(50_000)).toBe('¥500.00');
    expect(formatMoney(123456789)).toBe('¥1,234,567.89');
  });
});

describe('Beijing time', () => {
  it('edits and shows Beijing wall-clock time, whatever the host zone', () => {
    const picked = toPickerValue('2026-11-23T06:30:00Z');
    expect(picked.format('YYYY-MM-DD HH:mm')).toBe('2026-11-23 14:30');
    expect(fromPickerValue(picked)).toBe('2026-11-23T14:30:00+08:00');
    expect(Date.parse(fromPickerValue(picked))).toBe(Date.parse('2026-11-23T06:30:00Z'));
  });

  it('shows a period ending at midnight as 24:00 of its last day', () => {
    expect(formatDueTime('2026-11-24T00:00:00+08:00')).toBe('2026-11-23 24:00');
    expect(formatDueTime('2026-11-23T10:15:00Z')).toBe('2026-11-23 18:15');
  });
});

describe('lifecycle grouping', () => {
  it('puts every state in exactly one list filter', () => {
    for (const state of CASE_STATES) {
      const groups = Object.entries(STATUS_GROUPS).filter(([, states]) =>
        (states as readonly string[]).includes(state),
      );
      expect(groups.length, state).toBe(1);
      expect(matchesStatusFilter(state, 'all')).toBe(true);
    }
  });

  it('puts every event in exactly one action group', () => {
    const all = Object.values(EVENT_GROUPS).flat();
    expect([...all].sort()).toEqual([...CASE_EVENT_TYPES].sort());
    expect(groupAllowedEvents(['RESOLVE', 'ACCEPT'])).toEqual([
      { group: 'handling', events: ['ACCEPT'] },
      { group: 'closure', events: ['RESOLVE'] },
    ]);
  });

  const deadline = (over: Partial<Deadline>): Deadline => ({
    kind: 'first_response',
    clock: 'calendar-minutes',
    startedAt: '2026-11-23T00:00:00Z',
    dueAt: '2026-11-23T10:00:00Z',
    warnAt: '2026-11-23T08:00:00Z',
    met: false,
    state: 'running',
    remainingMs: 3_600_000,
    pausedMs: 0,
    calendarCovered: true,
    ...over,
  });

  it('counts a live deadline down, to warning and past due', () => {
    const loaded = Date.parse('2026-11-23T07:00:00Z');
    const d = deadline({ remainingMs: 3 * 3_600_000 });
    expect(liveDeadline(d, loaded, loaded)).toEqual({
      state: 'running',
      remainingMs: 3 * 3_600_000,
    });
    expect(liveDeadline(d, loaded, loaded + 3_600_000).state).toBe('warning');
    expect(liveDeadline(d, loaded, loaded + 4 * 3_600_000)).toEqual({
      state: 'breached',
      remainingMs: -3_600_000,
    });
    const paused = deadline({ state: 'paused', remainingMs: 5_000 });
    expect(liveDeadline(paused, loaded, loaded + 99_999_999)).toEqual({
      state: 'paused',
      remainingMs: 5_000,
    });
  });

  it('lists overdue clocks first, then the nearest due, then the settled ones', () => {
    const ordered = orderDeadlines([
      deadline({ kind: 'first_response', state: 'met', remainingMs: null }),
      deadline({ kind: 'resolution', dueAt: '2026-11-30T00:00:00Z' }),
      deadline({ kind: 'plan', dueAt: '2026-11-24T00:00:00Z' }),
      deadline({ kind: 'root_cause', state: 'breached' }),
    ]);
    expect(ordered.map((d) => d.kind)).toEqual([
      'root_cause',
      'plan',
      'resolution',
      'first_response',
    ]);
  });
});
