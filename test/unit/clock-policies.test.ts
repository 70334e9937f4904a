import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDARS } from '../../shared/clock/default-calendars';
import { CLOCK_ENTRY_KINDS, ClockEntry, ClockHistory } from '../../shared/clock/history';
import {
  CN_CBIRC_2020,
  DEFAULT_POLICIES,
  DeadlinePolicy,
  UK_FCA_DISP,
  US_CFPB,
  compensationApprovalLevels,
} from '../../shared/clock/policies';
import { computeDeadlines } from '../../shared/clock/deadlines';
import { CN_CALENDAR, GB_ENG_CALENDAR } from '../../shared/clock/default-calendars';
import { cst, received } from '../support/clock-cases';

const issues = (data: unknown) =>
  DeadlinePolicy.safeParse(data).error?.issues.map((i) => i.message) ?? [];

describe('the default policies', () => {
  for (const [file, policy] of [
    ['cn-cbirc-2020.json', CN_CBIRC_2020],
    ['uk-fca-disp.json', UK_FCA_DISP],
    ['us-cfpb.json', US_CFPB],
  ] as const)
    it(`resources/policies/${file} equals ${policy.id} and both pass the schema`, () => {
      const json: unknown = JSON.parse(
        readFileSync(new URL(`../../resources/policies/${file}`, import.meta.url), 'utf8'),
      );
      expect(json).toEqual(policy);
      expect(issues(json)).toEqual([]);
      expect(issues(policy)).toEqual([]);
    });

  it('each names a calendar that exists and counts days in that calendar’s zone', () => {
    for (const policy of DEFAULT_POLICIES) {
      const calendar = DEFAULT_CALENDARS[policy.calendarId];
      expect(calendar, policy.id).toBeDefined();
      expect(calendar?.timeZoneOffsetMinutes).toBe(policy.timeZoneOffsetMinutes);
    }
  });

  it('carries DOMAIN.md’s numbers as data: 15 → 30 → 60 days, frontline limit 500 CNY, three approval levels', () => {
    const track = CN_CBIRC_2020.regulatory?.tracks['default'];
    expect(track?.baseDays).toBe(15);
    expect(track?.extensions.map((s) => s.toDays)).toEqual([30, 60]);
    expect(track?.extensions[1]).toMatchObject({
      requiresApproval: true,
      requiresCustomerNotice: true,
    });
    expect(CN_CBIRC_2020.compensation?.frontlineLimitMinorUnits).toBe(500_00);
    expect(CN_CBIRC_2020.riskKeywords).toEqual(
      expect.arrayContaining(['被骗', '盗刷', '资金被转走']),
    );
  });
});

describe('compensation approval bands', () => {
  const compensation = CN_CBIRC_2020.compensation!;
  it.each([
    [500_00, 0],
    [500_01, 1],
    [2_000_00, 1],
    [2_000_01, 2],
    [10_000_00, 2],
    [10_000_01, 3],
  ])('%i fen needs %i approval levels', (amount, levels) => {
    expect(compensationApprovalLevels(amount, compensation)).toBe(levels);
  });
});

describe('policy validation', () => {
  it('refuses extension steps that do not ascend', () => {
    const bad = structuredClone(CN_CBIRC_2020);
    bad.regulatory!.tracks['default']!.extensions = [
      { toDays: 60, requiresApproval: true, requiresCustomerNotice: true },
      { toDays: 30, requiresApproval: false, requiresCustomerNotice: true },
    ];
    expect(issues(bad)).toContain('STEPS_ASCEND');
  });

  it('refuses a regulatory policy with no default track', () => {
    const bad = structuredClone(UK_FCA_DISP);
    delete bad.regulatory!.tracks['default'];
    expect(issues(bad)).toContain('DEFAULT_TRACK_MISSING');
  });

  it('refuses approval bands that do not ascend or name more levels than the chain has', () => {
    const bad = structuredClone(CN_CBIRC_2020);
    bad.compensation!.approvalBands = [
      { upToMinorUnits: 10_000, levels: 1 },
      { upToMinorUnits: null, levels: 4 },
    ];
    expect(issues(bad)).toEqual(expect.arrayContaining(['BANDS_ASCEND', 'CHAIN_TOO_SHORT']));
  });

  it('refuses fractional days and a promised-time target on a business clock', () => {
    const bad = structuredClone(CN_CBIRC_2020);
    bad.targets.suggestion[0]!.span = 4.5;
    bad.targets.normal[1]!.clock = 'business-hours';
    expect(issues(bad)).toEqual(expect.arrayContaining(['WHOLE_DAYS', 'PROMISE_IS_WALL_CLOCK']));
  });

  it('is what the engine reads: a shorter regulatory period in the policy gives an earlier date', () => {
    const strict = structuredClone(CN_CBIRC_2020);
    strict.regulatory!.tracks['default']!.baseDays = 10;
    const history = [received(cst('2026-03-09 10:00'))];
    const now = new Date(cst('2026-03-09 11:00'));
    const due = (p: DeadlinePolicy) =>
      computeDeadlines(history, p, CN_CALENDAR, now).find((d) => d.kind === 'regulatory_decision')
        ?.dueAt;
    expect(due(CN_CBIRC_2020)).toBe('2026-03-25T00:00:00+08:00');
    expect(due(strict)).toBe('2026-03-20T00:00:00+08:00'); // Thu 19 Mar
  });

  it('will not count a policy’s days in another zone’s calendar', () => {
    expect(() =>
      computeDeadlines(
        [received(cst('2026-03-09 10:00'))],
        CN_CBIRC_2020,
        GB_ENG_CALENDAR,
        new Date(),
      ),
    ).toThrow(RangeError);
  });
});

describe('the clock history schema', () => {
  it('accepts a history as the machines write it and lists every entry kind', () => {
    const history = [
      received(cst('2026-03-09 10:00'), 'high', 'complaint', { major: true }),
      {
        kind: 'extension',
        at: cst('2026-03-20 10:00'),
        toDays: 30,
        customerNoticeAt: cst('2026-03-20 10:00'),
      },
      { kind: 'follow_up_done', at: cst('2026-03-30 10:00'), second: true },
    ];
    expect(ClockHistory.safeParse(history).success).toBe(true);
    expect(new Set(CLOCK_ENTRY_KINDS).size).toBe(ClockEntry.options.length);
  });

  it('refuses an instant without an offset, an unknown kind and an exclusion without a reason', () => {
    expect(ClockEntry.safeParse({ kind: 'first_contact', at: '2026-03-09T10:00:00' }).success).toBe(
      false,
    );
    expect(ClockEntry.safeParse({ kind: 'escalated', at: cst('2026-03-09 10:00') }).success).toBe(
      false,
    );
    expect(
      ClockEntry.safeParse({ kind: 'exclusion_started', at: cst('2026-03-09 10:00') }).success,
    ).toBe(false);
  });
});
