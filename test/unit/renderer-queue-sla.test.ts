// The queue's live SLA cell: the state a row shows as time passes, between two reads, follows
// the backend's rules (case-queue's slaStateAt), and the countdown reads as an agent expects.
import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import type { QueueRow } from '../../shared/queue';
import { formatSpan, liveSlaState } from '../../renderer/src/screens/queue/sla-state';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const READ_AT = Date.parse('2026-11-23T08:00:00Z');

const row = (overrides: Partial<QueueRow>): QueueRow => ({
  id: '00000000-0000-4000-8000-000000000001',
  number: 'BJA0-261123-0001',
  customerName: '钱文静',
  maskedPhone: '138****8000',
  channel: 'phone',
  type: 'complaint',
  businessLine: 'account',
  status: 'in_progress',
  priority: 'urgent',
  createdAt: new Date(READ_AT).toISOString(),
  updatedAt: new Date(READ_AT).toISOString(),
  descriptionPreview: '银行卡被冻结',
  pending: false,
  ownerId: 'u-agent01',
  ownerName: '王晓梅',
  nextDueAt: new Date(READ_AT + 15 * MINUTE).toISOString(),
  nextWarnAt: new Date(READ_AT + 10 * MINUTE).toISOString(),
  followUpDueAt: null,
  slaState: 'ok',
  ...overrides,
});

// Units as the zh-CN resources write them, without i18next.
const UNITS: Record<string, string> = { d: '天', h: '小时', m: '分', s: '秒' };
const t = ((key: string, options: { count: string | number }) =>
  `${options.count}${UNITS[key.slice(-1)]}`) as unknown as TFunction;

describe('the live SLA state of a queue row', () => {
  it('turns warning at the warning instant and breached once the due instant has passed', () => {
    const fresh = row({});
    expect(liveSlaState(fresh, READ_AT)).toBe('ok');
    expect(liveSlaState(fresh, READ_AT + 10 * MINUTE)).toBe('warning');
    expect(liveSlaState(fresh, READ_AT + 15 * MINUTE)).toBe('warning');
    expect(liveSlaState(fresh, READ_AT + 15 * MINUTE + 1)).toBe('breached');
  });

  it('stays paused while a clock waits on the customer, until the due instant of a running one', () => {
    const paused = row({ slaState: 'paused', nextDueAt: null, nextWarnAt: null });
    expect(liveSlaState(paused, READ_AT + 100 * HOUR)).toBe('paused');
    const partly = row({ slaState: 'paused' });
    expect(liveSlaState(partly, READ_AT + MINUTE)).toBe('paused');
    expect(liveSlaState(partly, READ_AT + 16 * MINUTE)).toBe('breached');
  });

  it('never shows a row read as breached as on time, even on a desk clock running behind', () => {
    const breached = row({ slaState: 'breached' });
    expect(liveSlaState(breached, READ_AT)).toBe('breached');
  });
});

describe('the countdown text', () => {
  it('is to the second under an hour, to the minute under a day, in days beyond', () => {
    expect(formatSpan(t, 14 * MINUTE + 5_000)).toBe('14分 05秒');
    expect(formatSpan(t, 2 * HOUR + 3 * MINUTE + 9_000)).toBe('2小时 03分 09秒');
    expect(formatSpan(t, 3 * 24 * HOUR + 2 * HOUR + 59 * MINUTE)).toBe('3天 2小时');
    expect(formatSpan(t, -(2 * HOUR))).toBe('2小时 00分 00秒');
  });
});
