// The case machine's clock, read by the deadline engine: every history the machine writes
// parses with the engine's own schema (shared/clock/history.ts), and the engine reads the
// reopenings in it as it says it does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDeadlines, type Deadline } from '../../shared/clock/deadlines';
import { CN_CALENDAR } from '../../shared/clock/default-calendars';
import { closedCaseOf } from '../../shared/clock/follow-ups';
import { CLOCK_ENTRY_KINDS, ClockHistory } from '../../shared/clock/history';
import { CN_CBIRC_2020 } from '../../shared/clock/policies';
import { ClockEntry as LifecycleClockEntry } from '../../shared/lifecycle/case-context';
import type { CaseContext } from '../../shared/lifecycle/case-machine';
import {
  awaitingFeedback,
  inProgress,
  lead,
  minute,
  newComplaint,
  owner,
  play,
  RESOLUTION,
  stamp,
  type CaseAt,
} from '../support/lifecycle-factories';
import { startFrom, walkCase, walkStartArb, walkStepArb } from '../support/lifecycle-walks';

const MACHINE_KINDS = LifecycleClockEntry.options.map((o) => o.shape.kind.value);

/** The engine's reading of a case's clock, a day after its last entry. */
function deadlinesOf(context: CaseContext): Deadline[] {
  const history = ClockHistory.parse(context.clock);
  const last = Math.max(...history.map((e) => Date.parse(e.at)));
  return computeDeadlines(history, CN_CBIRC_2020, CN_CALENDAR, new Date(last + 86_400_000));
}

const resolved = (n: number) => [
  stamp({ type: 'RESOLVE', ...RESOLUTION }, owner, minute(n)),
  stamp({ type: 'NOTIFY_CUSTOMER', channel: 'sms', summary: '处理结果' }, owner, minute(n + 1)),
];

/** Named paths through the machine, each ending somewhere different. */
const PATHS: Record<string, () => CaseAt> = {
  'rated 2, reopened, resolved again, rated 5, closed, followed up': () =>
    play(awaitingFeedback(), [
      stamp({ type: 'RECORD_FEEDBACK', score: 2, comment: '没解决' }, owner, minute(40)),
      stamp({ type: 'ACCEPT' }, owner, minute(41)),
      ...resolved(50),
      stamp({ type: 'RECORD_FEEDBACK', score: 5 }, owner, minute(60)),
      stamp({ type: 'RECORD_FOLLOW_UP', summary: '回访：满意' }, owner, minute(70)),
    ]),
  'closed without feedback, followed up, reopened with new facts, waiting, withdrawn': () =>
    play(awaitingFeedback(), [
      stamp({ type: 'CLOSE_WITHOUT_FEEDBACK', reason: '三次未接通' }, owner, minute(40)),
      stamp({ type: 'RECORD_FOLLOW_UP', summary: '回访' }, owner, minute(41)),
      stamp({ type: 'REOPEN', reason: '客户来电：问题仍在' }, owner, minute(42)),
      stamp({ type: 'ACCEPT' }, owner, minute(43)),
      stamp({ type: 'RECORD_NEW_FACTS', summary: '新的交易记录' }, owner, minute(44)),
      stamp({ type: 'REQUEST_CUSTOMER_INFO', what: '流水' }, owner, minute(45)),
      stamp({ type: 'WITHDRAW', reason: '客户撤诉' }, owner, minute(46)),
    ]),
  'reopened from resolved before the customer was told, then closed': () =>
    play(inProgress(), [
      stamp({ type: 'RESOLVE', ...RESOLUTION }, owner, minute(10)),
      stamp({ type: 'REOPEN', reason: '方案有误' }, owner, minute(11)),
      stamp({ type: 'ACCEPT' }, owner, minute(12)),
      ...resolved(20),
      stamp({ type: 'RECORD_FEEDBACK', score: 4 }, owner, minute(30)),
    ]),
  'urgent, every record, extended while excluded, merged': () =>
    play(inProgress({ major: true }), [
      stamp({ type: 'TRIAGE', priority: 'urgent' }, owner, minute(2)),
      stamp({ type: 'RECORD_FIRST_CONTACT' }, owner, minute(3)),
      stamp({ type: 'RECORD_INTERIM_MEASURE', measure: '止付' }, owner, minute(4)),
      stamp({ type: 'RECORD_ROOT_CAUSE', summary: '侧录' }, owner, minute(5)),
      stamp({ type: 'RECORD_PLAN', plan: '先止付' }, owner, minute(6)),
      stamp(
        { type: 'RECORD_PROGRESS_UPDATE', channel: 'app', summary: '核查中' },
        owner,
        minute(7),
      ),
      stamp({ type: 'PROMISE_RESOLUTION', promisedBy: minute(3000) }, owner, minute(8)),
      stamp({ type: 'ABSORB_REPEAT', fromCaseId: 'case-9' }, owner, minute(9)),
      stamp({ type: 'START_EXCLUSION', reason: '司法鉴定' }, owner, minute(10)),
      stamp(
        {
          type: 'EXTEND_DEADLINE',
          toDays: 30,
          approvalId: 'A-1',
          approvedBy: 'head-office',
          customerNoticeAt: minute(11),
          reason: '复杂',
        },
        lead,
        minute(11),
      ),
      stamp({ type: 'MERGE_INTO', targetCaseId: 'case-2', reason: '重复' }, owner, minute(12)),
    ]),
  'a second follow-up of a major complaint': () =>
    play(awaitingFeedback({ major: true }), [
      stamp({ type: 'RECORD_FEEDBACK', score: 3 }, owner, minute(40)),
      stamp({ type: 'RECORD_FOLLOW_UP', summary: '回访' }, owner, minute(50)),
      stamp({ type: 'RECORD_FOLLOW_UP', second: true, summary: '二次回访' }, owner, minute(60)),
    ]),
  'just registered': () => newComplaint(),
};

describe('the case machine’s clock in the deadline engine', () => {
  it('names no entry kind the engine does not know', () => {
    expect(CLOCK_ENTRY_KINDS).toEqual(expect.arrayContaining(MACHINE_KINDS));
    // And at compile time: a machine's clock is a history the engine takes as it is.
    const asHistory: ClockHistory = newComplaint().context.clock;
    expect(asHistory).toHaveLength(1);
  });

  for (const [name, path] of Object.entries(PATHS))
    it(`parses with the engine’s schema: ${name}`, () => {
      const { context } = path();
      expect(ClockHistory.safeParse(context.clock).error?.issues ?? []).toEqual([]);
      expect(() => deadlinesOf(context)).not.toThrow();
    });

  it('reopened, resolved again and closed: follow-ups run from the final closure, and the call after the first cycle does not count', () => {
    const { state, context } =
      PATHS['rated 2, reopened, resolved again, rated 5, closed, followed up']!();
    expect(state).toBe('closed');
    const deadlines = deadlinesOf(context);
    const followUp = deadlines.find((d) => d.kind === 'follow_up');
    expect(Date.parse(followUp!.startedAt)).toBe(Date.parse(minute(60)));
    expect(followUp).toMatchObject({ met: true });
    expect(Date.parse(followUp!.metAt!)).toBe(Date.parse(minute(70)));
    const resolution = deadlines.find((d) => d.kind === 'resolution');
    expect(Date.parse(resolution!.startedAt)).toBe(Date.parse(minute(40)));
    expect(Date.parse(resolution!.metAt!)).toBe(Date.parse(minute(50)));
    // The regulatory decision was told in the first cycle (minute 31) and stays met.
    expect(Date.parse(deadlines.find((d) => d.kind === 'regulatory_decision')!.metAt!)).toBe(
      Date.parse(minute(31)),
    );
    expect(closedCaseOf(ClockHistory.parse(context.clock), new Date(minute(80)))).toMatchObject({
      closedAt: new Date(minute(60)),
    });
  });

  it('closed, reopened and withdrawn: no follow-up is owed, and new facts restart the regulatory clock', () => {
    const { state, context } =
      PATHS['closed without feedback, followed up, reopened with new facts, waiting, withdrawn']!();
    expect(state).toBe('withdrawn');
    const deadlines = deadlinesOf(context);
    expect(deadlines.some((d) => d.kind === 'follow_up')).toBe(false);
    const decision = deadlines.find((d) => d.kind === 'regulatory_decision')!;
    expect(Date.parse(decision.startedAt)).toBe(Date.parse(minute(44)));
    expect(decision.state).toBe('stopped');
    expect(deadlines.find((d) => d.kind === 'resolution')?.state).toBe('stopped');
  });
});

describe('random walks through the case machine', () => {
  it('every clock the machine writes parses with the engine’s schema, and the engine reads reopenings as it says', () => {
    const seen = new Set<string>();
    let reopenedThenClosed = 0;
    fc.assert(
      fc.property(
        walkStartArb,
        fc.array(walkStepArb, { minLength: 30, maxLength: 80 }),
        (start, steps) => {
          const { at } = walkCase(startFrom(start), steps);
          const clock = at.context.clock;
          clock.forEach((e) => seen.add(e.kind));
          const parsed = ClockHistory.safeParse(clock);
          expect(parsed.error?.issues ?? []).toEqual([]);

          const deadlines = deadlinesOf(at.context);
          const times = (kind: string) =>
            clock.filter((e) => e.kind === kind).map((e) => Date.parse(e.at));
          const lastReopening = times('reopened').at(-1);
          const lastClosure = times('closed').at(-1);
          const followUps = deadlines.filter((d) => d.kind === 'follow_up');

          // Follow-ups only for a case that stands closed, from its final closure.
          if (at.state !== 'closed') expect(followUps).toEqual([]);
          for (const f of followUps) expect(Date.parse(f.startedAt)).toBe(lastClosure);
          if (at.state === 'closed' && lastReopening !== undefined) reopenedThenClosed++;

          // The resolution target of a reopened case is counted from the last reopening on.
          const resolution = deadlines.find((d) => d.kind === 'resolution');
          if (resolution && lastReopening !== undefined)
            expect(Date.parse(resolution.startedAt)).toBeGreaterThanOrEqual(lastReopening);

          // A reopening never restarts the regulatory clock: only the receipt or new facts do.
          const decision = deadlines.find((d) => d.kind === 'regulatory_decision');
          if (decision)
            expect([...times('received'), ...times('new_facts')]).toContain(
              Date.parse(decision.startedAt),
            );
        },
      ),
      { numRuns: 300, seed: 20260312 },
    );
    // The walks reached every kind of entry the machine writes, and reopened cases closed.
    expect([...seen].sort()).toEqual([...MACHINE_KINDS].sort());
    expect(reopenedThenClosed).toBeGreaterThan(0);
  });
});
