// Properties of the deadline engine over generated cases. Seeds are fixed so a failure
// reproduces; fast-check prints the shrunk counterexample.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWorkCalendar, type CalendarData } from '../../shared/clock/calendar';
import { CN_2025_CALENDAR } from '../../shared/clock/cn-2025-calendar';
import { CN_2026_CALENDAR } from '../../shared/clock/cn-2026-calendar';
import { computeDeadlines, type Deadline } from '../../shared/clock/deadlines';
import {
  CN_CALENDAR,
  GB_ENG_CALENDAR,
  US_FEDERAL_CALENDAR,
} from '../../shared/clock/default-calendars';
import type { ClockEntry } from '../../shared/clock/history';
import { localDateOfDay, MS_PER_DAY, MS_PER_MINUTE } from '../../shared/clock/local-time';
import { mergeCalendarData } from '../../shared/clock/calendar';
import { CN_CBIRC_2020, UK_FCA_DISP, US_CFPB } from '../../shared/clock/policies';
import { CASE_TYPES, PRIORITIES } from '../../shared/domain';

const RUNS = { numRuns: 300 };
const FROM = Date.parse('2025-12-01T00:00:00+08:00');
const TO = Date.parse('2026-11-30T00:00:00+08:00');

/** A whole minute between December 2025 and November 2026. */
const instant = fc
  .integer({ min: FROM / MS_PER_MINUTE, max: TO / MS_PER_MINUTE })
  .map((m) => m * MS_PER_MINUTE);
const iso = (ms: number) => new Date(ms).toISOString();
const priority = fc.constantFrom(...PRIORITIES);
const caseType = fc.constantFrom(...CASE_TYPES);

/** Up to three intervals starting within 20 days of `from`, each up to 5 days long. */
const intervalsAfter = (from: number) =>
  fc.array(
    fc
      .tuple(fc.integer({ min: 0, max: 20 * 24 * 60 }), fc.integer({ min: 1, max: 5 * 24 * 60 }))
      .map(([offset, length]) => ({
        start: from + offset * MS_PER_MINUTE,
        end: from + (offset + length) * MS_PER_MINUTE,
      })),
    { maxLength: 3 },
  );

function dueOf(deadlines: readonly Deadline[], kind: Deadline['kind']): number | null {
  const due = deadlines.find((d) => d.kind === kind)?.dueAt;
  return due ? Date.parse(due) : null;
}

/** Waits, or exclusions, as paired entries; overlapping ones are folded by the engine's reading. */
function pairedEntries(
  intervals: readonly { start: number; end: number }[],
  kind: 'wait' | 'exclusion',
): ClockEntry[] {
  return [...intervals]
    .sort((a, b) => a.start - b.start)
    .flatMap((i): ClockEntry[] =>
      kind === 'wait'
        ? [
            { kind: 'waiting_customer_started', at: iso(i.start) },
            { kind: 'waiting_customer_ended', at: iso(i.end) },
          ]
        : [
            { kind: 'exclusion_started', at: iso(i.start), reason: '外部鉴定' },
            { kind: 'exclusion_ended', at: iso(i.end) },
          ],
    );
}

/** A calendar with one more day off (taken from the swapped working days if it was one). */
function withExtraHoliday(base: CalendarData, date: string): CalendarData {
  if (base.holidays.includes(date)) return base;
  return {
    ...base,
    holidays: [...base.holidays, date],
    workingWeekends: base.workingWeekends.filter((d) => d !== date),
  };
}

describe('deadline properties', () => {
  it('pausing (waiting on the customer, or an excluded interval) never makes a deadline earlier', () => {
    const scenario = instant.chain((receivedMs) =>
      fc.record({
        receivedMs: fc.constant(receivedMs),
        priority,
        caseType,
        waits: intervalsAfter(receivedMs),
        exclusions: intervalsAfter(receivedMs),
      }),
    );
    fc.assert(
      fc.property(scenario, (s) => {
        const receipt: ClockEntry = {
          kind: 'received',
          at: iso(s.receivedMs),
          priority: s.priority,
          caseType: s.caseType,
        };
        const now = new Date(s.receivedMs + 90 * MS_PER_DAY);
        const plain = computeDeadlines([receipt], CN_CBIRC_2020, CN_CALENDAR, now);
        const paused = computeDeadlines(
          [receipt, ...pairedEntries(s.waits, 'wait'), ...pairedEntries(s.exclusions, 'exclusion')],
          CN_CBIRC_2020,
          CN_CALENDAR,
          now,
        );
        for (const d of plain) {
          const before = dueOf(plain, d.kind);
          const after = dueOf(paused, d.kind);
          if (before !== null) expect(after, d.kind).not.toBeNull();
          if (before !== null && after !== null)
            expect(after, d.kind).toBeGreaterThanOrEqual(before);
        }
      }),
      { ...RUNS, seed: 20260213 },
    );
  });

  it('adding a holiday never makes a business-day or business-hour deadline earlier', () => {
    const dayOf2026 = fc
      .integer({ min: 0, max: 364 })
      .map((i) => localDateOfDay(Date.parse('2026-01-01T00:00:00Z') / MS_PER_DAY + i));
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 }), dayOf2026, (start, n, date) => {
        const extra = createWorkCalendar(
          mergeCalendarData('cn+1', [CN_2025_CALENDAR, withExtraHoliday(CN_2026_CALENDAR, date)]),
        );
        const from = new Date(start);
        expect(+extra.addBusinessDays(from, n)).toBeGreaterThanOrEqual(
          +CN_CALENDAR.addBusinessDays(from, n),
        );
        expect(+extra.addCalendarDaysCivil(from, n)).toBeGreaterThanOrEqual(
          +CN_CALENDAR.addCalendarDaysCivil(from, n),
        );
        expect(+extra.addBusinessHours(from, n)).toBeGreaterThanOrEqual(
          +CN_CALENDAR.addBusinessHours(from, n),
        );
      }),
      { ...RUNS, seed: 20260217 },
    );
  });

  it('extensions without approval and customer notice never change the regulatory due date', () => {
    const scenario = instant.chain((receivedMs) =>
      fc.record({
        receivedMs: fc.constant(receivedMs),
        exclusions: intervalsAfter(receivedMs),
        // Sometimes a proper first extension, so the bare ones meet a clock at level 1 too.
        properFirst: fc.option(fc.integer({ min: 0, max: 14 * 24 * 60 }), { nil: undefined }),
        bare: fc.array(
          fc.record({
            after: fc.integer({ min: 0, max: 70 * 24 * 60 }),
            toDays: fc.constantFrom(15, 20, 30, 45, 60, 90),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      }),
    );
    fc.assert(
      fc.property(scenario, (s) => {
        const base: ClockEntry[] = [
          { kind: 'received', at: iso(s.receivedMs), priority: 'normal', caseType: 'complaint' },
          ...pairedEntries(s.exclusions, 'exclusion'),
        ];
        if (s.properFirst !== undefined) {
          const at = iso(s.receivedMs + s.properFirst * MS_PER_MINUTE);
          base.push({ kind: 'extension', at, toDays: 30, customerNoticeAt: at });
        }
        const bare: ClockEntry[] = s.bare.map((b) => ({
          kind: 'extension',
          at: iso(s.receivedMs + b.after * MS_PER_MINUTE),
          toDays: b.toDays,
          reason: '情况复杂',
        }));
        const now = new Date(s.receivedMs + 100 * MS_PER_DAY);
        const due = (history: ClockEntry[]) =>
          computeDeadlines(history, CN_CBIRC_2020, CN_CALENDAR, now).find(
            (d) => d.kind === 'regulatory_decision',
          )?.dueAt;
        expect(due([...base, ...bare])).toBe(due(base));
      }),
      { ...RUNS, seed: 20260501 },
    );
  });

  it('due dates are monotone in the receipt time, under every default policy', () => {
    const settings = [
      { policy: CN_CBIRC_2020, calendar: CN_CALENDAR },
      { policy: UK_FCA_DISP, calendar: GB_ENG_CALENDAR },
      { policy: US_CFPB, calendar: US_FEDERAL_CALENDAR },
    ];
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 10 * 24 * 60 }),
        priority,
        caseType,
        fc.constantFrom(0, 1, 2),
        fc.boolean(),
        (t1, laterBy, p, type, which, paymentServices) => {
          const { policy, calendar } = settings[which]!;
          const t2 = t1 + laterBy * MS_PER_MINUTE;
          const receipt = (ms: number): ClockEntry => ({
            kind: 'received',
            at: iso(ms),
            priority: p,
            caseType: type,
            ...(paymentServices ? { regulatoryTrack: 'payment_services' } : {}),
          });
          const now = new Date(t2);
          const early = computeDeadlines([receipt(t1)], policy, calendar, now);
          const late = computeDeadlines([receipt(t2)], policy, calendar, now);
          expect(late.map((d) => d.kind)).toEqual(early.map((d) => d.kind));
          for (const d of early) {
            const a = dueOf(early, d.kind);
            const b = dueOf(late, d.kind);
            if (a !== null && b !== null) expect(b, d.kind).toBeGreaterThanOrEqual(a);
          }
        },
      ),
      { ...RUNS, seed: 20261001 },
    );
  });

  it('a business-hours deadline always falls inside business hours of a working day', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 160 }).map((q) => q / 4),
        instant.chain((s) => intervalsAfter(s)),
        (start, hours, pauses) => {
          const due = CN_CALENDAR.addBusinessHours(
            new Date(start),
            hours,
            pauses.map((p) => ({ start: new Date(p.start), end: new Date(p.end) })),
          );
          expect(CN_CALENDAR.isWithinBusinessHours(due), due.toISOString()).toBe(true);
        },
      ),
      { ...RUNS, seed: 20260930 },
    );
  });

  it('a high-priority first response is due inside business hours, waits or not', () => {
    const scenario = instant.chain((receivedMs) =>
      fc.record({ receivedMs: fc.constant(receivedMs), waits: intervalsAfter(receivedMs) }),
    );
    fc.assert(
      fc.property(scenario, (s) => {
        const history: ClockEntry[] = [
          { kind: 'received', at: iso(s.receivedMs), priority: 'high', caseType: 'complaint' },
          ...pairedEntries(s.waits, 'wait'),
        ];
        const now = new Date(s.receivedMs + 30 * MS_PER_DAY);
        const due = dueOf(
          computeDeadlines(history, CN_CBIRC_2020, CN_CALENDAR, now),
          'first_response',
        );
        expect(due).not.toBeNull();
        expect(CN_CALENDAR.isWithinBusinessHours(new Date(due!))).toBe(true);
      }),
      { ...RUNS, seed: 20260614 },
    );
  });

  it('the order in which entries are handed over does not matter, only their times', () => {
    const scenario = instant.chain((receivedMs) =>
      fc.record({
        receivedMs: fc.constant(receivedMs),
        p: priority,
        steps: fc.uniqueArray(fc.integer({ min: 1, max: 30 * 24 * 60 }), { maxLength: 8 }),
        kinds: fc.array(
          fc.constantFrom(
            'first_contact',
            'interim_measure',
            'plan_recorded',
            'progress_update',
            'resolved',
            'decision_notified',
            'closed',
            'waiting_customer_started',
            'waiting_customer_ended',
            'new_facts',
          ),
          { minLength: 8, maxLength: 8 },
        ),
        seed: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(scenario, (s) => {
        const history: ClockEntry[] = [
          { kind: 'received', at: iso(s.receivedMs), priority: s.p, caseType: 'complaint' },
          ...s.steps.map(
            (m, i) =>
              ({ kind: s.kinds[i]!, at: iso(s.receivedMs + m * MS_PER_MINUTE) }) as ClockEntry,
          ),
        ];
        const shuffled = [...history].sort((a, b) => hash(a.at + s.seed) - hash(b.at + s.seed));
        const now = new Date(s.receivedMs + 40 * MS_PER_DAY);
        expect(computeDeadlines(shuffled, CN_CBIRC_2020, CN_CALENDAR, now)).toEqual(
          computeDeadlines(history, CN_CBIRC_2020, CN_CALENDAR, now),
        );
      }),
      { ...RUNS, seed: 20260404 },
    );
  });
});

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
