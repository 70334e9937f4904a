// Hand-worked deadlines of reopened cases. Every expected instant below was counted by hand
// on the 2026 calendar of the State Council notice, not produced by the engine. A period in
// days ends at 24:00 of its last day, written as 00:00 of the next day.
//
// The rules (shared/clock/deadlines.ts): a reopening starts a new cycle of resolution. The
// targets of that cycle (resolution, urgent root cause and plan, the daily progress update,
// a suggestion's outcome notice) run again from the reopening with the policy of the
// priority in force; the first response and interim measure are owed once per case. The
// regulatory decision clock is not restarted (a decision was told), unless new facts come
// (DOMAIN). Follow-ups are counted from the final closure.
//
// 2026, the days that matter here:
//   Feb 13 Fri, 14 Sat works, 15 Sun–23 Mon off (Spring Festival)
//   Mar  9 Mon, 12 Thu, 13 Fri, 16 Mon, 19 Thu
//   Apr 10 Fri, 12 Sun, 13 Mon, 14 Tue, 17 Fri, 20 Mon, 25 Sat, 27 Mon, 30 Thu
//   May  1 Fri–5 Tue off (Labour Day), 6 Wed, 14 Thu, 20 Wed, 30 Sat; Jun 1 Mon
import { describe, expect, it } from 'vitest';
import { validateExtension, type Deadline } from '../../shared/clock/deadlines';
import { CN_CALENDAR } from '../../shared/clock/default-calendars';
import { closedCaseOf, scheduleFollowUps } from '../../shared/clock/follow-ups';
import type { ClockEntry } from '../../shared/clock/history';
import { CN_CBIRC_2020 } from '../../shared/clock/policies';
import {
  at,
  cst,
  deadlinesAt,
  extension,
  promised,
  received,
  reopened,
  theDeadline,
  waitingOnCustomer,
} from '../support/clock-cases';

const kindsOf = (deadlines: readonly Deadline[]) => deadlines.map((d) => d.kind);

describe('a normal complaint rated 2 (reopened with no closure before it)', () => {
  const firstCycle: ClockEntry[] = [
    received(cst('2026-03-09 10:00')),
    at('first_contact', cst('2026-03-09 11:00')),
    promised(cst('2026-03-09 11:00'), cst('2026-03-11 18:00')),
    at('resolved', cst('2026-03-10 16:00')),
    at('decision_notified', cst('2026-03-10 16:30')),
  ];
  const reopening = [...firstCycle, reopened(cst('2026-03-12 10:00'))];

  it('before the rating, the resolution promised for 18:00 Wed 11 Mar was met at 16:00 Tue 10 Mar', () => {
    expect(
      theDeadline(deadlinesAt(firstCycle, cst('2026-03-11 10:00')), 'resolution'),
    ).toMatchObject({
      state: 'met',
      dueAt: '2026-03-11T18:00:00+08:00',
      metAt: '2026-03-10T16:00:00+08:00',
    });
  });

  it('reopened at 10:00 Thu 12 Mar: the resolution runs again from the reopening, with no due instant until a new promise', () => {
    expect(
      theDeadline(deadlinesAt(reopening, cst('2026-03-12 11:00')), 'resolution'),
    ).toMatchObject({
      startedAt: '2026-03-12T10:00:00+08:00',
      dueAt: null,
      warnAt: null,
      met: false,
      state: 'running',
    });
  });

  it('the first response stays met (once per case), and the regulatory decision told on Tue 10 Mar stays met: not restarted', () => {
    const deadlines = deadlinesAt(reopening, cst('2026-03-12 11:00'));
    expect(theDeadline(deadlines, 'first_response')).toMatchObject({
      state: 'met',
      dueAt: '2026-03-10T10:00:00+08:00',
      metAt: '2026-03-09T11:00:00+08:00',
    });
    expect(theDeadline(deadlines, 'regulatory_decision')).toMatchObject({
      state: 'met',
      startedAt: '2026-03-09T10:00:00+08:00',
      dueAt: '2026-03-25T00:00:00+08:00',
      metAt: '2026-03-10T16:30:00+08:00',
      extensionLevel: 0,
    });
    expect(kindsOf(deadlines)).not.toContain('follow_up');
  });

  const promisedAgain = [
    ...reopening,
    promised(cst('2026-03-12 10:30'), cst('2026-03-16 18:00')),
    ...waitingOnCustomer(cst('2026-03-13 10:00'), cst('2026-03-13 14:00')),
  ];

  it('a new promise at 10:30 Thu 12 Mar for 18:00 Mon 16 Mar, and 4 h waiting on the customer on Fri 13 Mar: due 22:00 Mon 16 Mar, warned from 21:00', () => {
    expect(
      theDeadline(deadlinesAt(promisedAgain, cst('2026-03-13 15:00')), 'resolution'),
    ).toMatchObject({
      startedAt: '2026-03-12T10:30:00+08:00',
      dueAt: '2026-03-16T22:00:00+08:00',
      warnAt: '2026-03-16T21:00:00+08:00',
      state: 'running',
      pausedMs: 4 * 3_600_000,
    });
  });

  it('resolved again at 15:00 and closed at 17:00 Mon 16 Mar: met in time, and the follow-up runs 3 days from that closure, to 24:00 Thu 19 Mar', () => {
    const closed = [
      ...promisedAgain,
      at('resolved', cst('2026-03-16 15:00')),
      at('decision_notified', cst('2026-03-16 15:10')),
      at('closed', cst('2026-03-16 17:00')),
    ];
    const deadlines = deadlinesAt(closed, cst('2026-03-17 10:00'));
    expect(theDeadline(deadlines, 'resolution')).toMatchObject({
      state: 'met',
      metAt: '2026-03-16T15:00:00+08:00',
      metLate: false,
    });
    expect(theDeadline(deadlines, 'follow_up')).toMatchObject({
      startedAt: '2026-03-16T17:00:00+08:00',
      dueAt: '2026-03-20T00:00:00+08:00',
      warnAt: '2026-03-19T00:00:00+08:00',
      state: 'running',
    });
    expect(theDeadline(deadlines, 'regulatory_decision').metAt).toBe('2026-03-10T16:30:00+08:00');
  });

  it('raised to urgent at 14:00 after the reopening: root cause by 16:00 and plan by 14:00 next day, counted from the change', () => {
    const raised: ClockEntry[] = [
      ...reopening,
      { kind: 'priority_changed', at: cst('2026-03-12 14:00'), priority: 'urgent' },
    ];
    const deadlines = deadlinesAt(raised, cst('2026-03-12 14:30'));
    expect(theDeadline(deadlines, 'root_cause')).toMatchObject({
      startedAt: '2026-03-12T14:00:00+08:00',
      dueAt: '2026-03-12T16:00:00+08:00',
      state: 'running',
    });
    expect(theDeadline(deadlines, 'plan').dueAt).toBe('2026-03-13T14:00:00+08:00');
    expect(theDeadline(deadlines, 'first_response').state).toBe('met');
  });
});

describe('a major complaint closed, reopened on request and closed again', () => {
  const firstCycle: ClockEntry[] = [
    received(cst('2026-04-10 09:00'), 'normal', 'complaint', { major: true }),
    at('first_contact', cst('2026-04-10 09:30')),
    at('resolved', cst('2026-04-13 15:00')),
    at('decision_notified', cst('2026-04-13 15:30')),
    at('closed', cst('2026-04-14 10:00')),
    { kind: 'follow_up_done', at: cst('2026-04-15 10:00'), second: false },
  ];
  const reopening = [...firstCycle, reopened(cst('2026-04-20 09:00'), 'reopen_requested')];
  const finalClosure = [
    ...reopening,
    promised(cst('2026-04-20 10:00'), cst('2026-04-23 18:00')),
    at('resolved', cst('2026-04-22 16:00')),
    at('decision_notified', cst('2026-04-22 16:30')),
    at('closed', cst('2026-04-30 11:00')),
  ];

  it('closed on Tue 14 Apr: the follow-up (to 24:00 Fri 17 Apr) was made on Wed 15 Apr, the second runs to 24:00 Thu 14 May', () => {
    const deadlines = deadlinesAt(firstCycle, cst('2026-04-20 08:00'));
    expect(theDeadline(deadlines, 'follow_up')).toMatchObject({
      dueAt: '2026-04-18T00:00:00+08:00',
      state: 'met',
      metAt: '2026-04-15T10:00:00+08:00',
    });
    expect(theDeadline(deadlines, 'second_follow_up')).toMatchObject({
      dueAt: '2026-05-15T00:00:00+08:00',
      state: 'running',
    });
  });

  it('reopened at 09:00 Mon 20 Apr: no follow-up is owed while it is handled, the resolution runs from the reopening, the decision told on 13 Apr stays met', () => {
    const deadlines = deadlinesAt(reopening, cst('2026-04-20 10:00'));
    expect(kindsOf(deadlines)).not.toContain('follow_up');
    expect(kindsOf(deadlines)).not.toContain('second_follow_up');
    expect(theDeadline(deadlines, 'resolution')).toMatchObject({
      startedAt: '2026-04-20T09:00:00+08:00',
      dueAt: null,
      state: 'running',
    });
    // 10 Apr + 15 = Sat 25 Apr, a rest day: rolled to 24:00 Mon 27 Apr. Met on 13 Apr.
    expect(theDeadline(deadlines, 'regulatory_decision')).toMatchObject({
      startedAt: '2026-04-10T09:00:00+08:00',
      dueAt: '2026-04-28T00:00:00+08:00',
      state: 'met',
      metAt: '2026-04-13T15:30:00+08:00',
    });
    expect(closedCaseOf(reopening, new Date(cst('2026-04-20 10:00')))).toBeNull();
  });

  it('closed again at 11:00 Thu 30 Apr: the follow-up runs from that closure, 3 days ending in Labour Day, to 24:00 Wed 6 May; the call of 15 Apr does not count', () => {
    const deadlines = deadlinesAt(finalClosure, cst('2026-04-30 12:00'));
    expect(theDeadline(deadlines, 'follow_up')).toMatchObject({
      startedAt: '2026-04-30T11:00:00+08:00',
      dueAt: '2026-05-07T00:00:00+08:00',
      warnAt: '2026-05-06T00:00:00+08:00',
      met: false,
      state: 'running',
    });
    expect(theDeadline(deadlines, 'resolution')).toMatchObject({
      dueAt: '2026-04-23T18:00:00+08:00',
      state: 'met',
      metAt: '2026-04-22T16:00:00+08:00',
    });
  });

  it('and the second follow-up 30 days from it: Sat 30 May, a rest day, rolled to 24:00 Mon 1 Jun, warned 3 days before', () => {
    expect(
      theDeadline(deadlinesAt(finalClosure, cst('2026-04-30 12:00')), 'second_follow_up'),
    ).toMatchObject({
      startedAt: '2026-04-30T11:00:00+08:00',
      dueAt: '2026-06-02T00:00:00+08:00',
      warnAt: '2026-05-30T00:00:00+08:00',
      state: 'running',
    });
  });

  it('closedCaseOf reads the final closure, and scheduleFollowUps counts from it', () => {
    const closed = closedCaseOf(finalClosure, new Date(cst('2026-04-30 12:00')));
    expect(closed).toEqual({
      closedAt: new Date(cst('2026-04-30 11:00')),
      priority: 'normal',
      caseType: 'complaint',
      major: true,
    });
    const schedule = scheduleFollowUps(closed!, CN_CBIRC_2020, CN_CALENDAR);
    expect(schedule.map((f) => [f.kind, f.dueAt.toISOString()])).toEqual([
      ['follow_up', new Date('2026-05-07T00:00:00+08:00').toISOString()],
      ['second_follow_up', new Date('2026-06-02T00:00:00+08:00').toISOString()],
    ]);
    // Before the reopening was recorded, the case stood closed since 14 Apr.
    expect(closedCaseOf(finalClosure, new Date(cst('2026-04-16 12:00')))?.closedAt).toEqual(
      new Date(cst('2026-04-14 10:00')),
    );
  });

  it('new facts with the reopening (09:05 Mon 20 Apr) restart the regulatory clock: 15 days end on Tue 5 May (Labour Day), rolled to 24:00 Wed 6 May', () => {
    const withFacts = [...reopening, at('new_facts', cst('2026-04-20 09:05'))];
    // Warned when a fifth of the 23,935 minutes from 09:05 20 Apr to 24:00 6 May is left:
    // 4,787 minutes (3 d 7 h 47 min) before it.
    expect(
      theDeadline(deadlinesAt(withFacts, cst('2026-04-20 10:00')), 'regulatory_decision'),
    ).toMatchObject({
      startedAt: '2026-04-20T09:05:00+08:00',
      dueAt: '2026-05-07T00:00:00+08:00',
      warnAt: '2026-05-03T16:13:00+08:00',
      state: 'running',
      periodDays: 15,
      extensionLevel: 0,
    });
    expect(
      theDeadline(
        deadlinesAt(
          [...withFacts, at('decision_notified', cst('2026-04-22 16:30'))],
          cst('2026-04-23 10:00'),
        ),
        'regulatory_decision',
      ),
    ).toMatchObject({ state: 'met', metAt: '2026-04-22T16:30:00+08:00' });
  });

  it('an extension after the reopening is out of order (the decision was told) unless new facts restarted the clock: then 30 days from 20 Apr, to 24:00 Wed 20 May', () => {
    const ext = extension(cst('2026-04-21 10:00'), 30, {
      customerNoticeAt: cst('2026-04-21 10:00'),
    });
    expect(validateExtension(reopening, ext, CN_CBIRC_2020, CN_CALENDAR)).toMatchObject({
      ok: false,
      code: 'EXTENSION_OUT_OF_ORDER',
    });
    const withFacts = [...reopening, at('new_facts', cst('2026-04-20 09:05'))];
    expect(validateExtension(withFacts, ext, CN_CBIRC_2020, CN_CALENDAR)).toEqual({
      ok: true,
      level: 1,
      toDays: 30,
    });
    expect(
      theDeadline(deadlinesAt([...withFacts, ext], cst('2026-04-22 10:00')), 'regulatory_decision')
        .dueAt,
    ).toBe('2026-05-21T00:00:00+08:00');
  });

  it('withdrawn after the reopening (10:00 Tue 21 Apr): the new cycle stops and no follow-up is owed', () => {
    const deadlines = deadlinesAt(
      [...reopening, at('withdrawn', cst('2026-04-21 10:00'))],
      cst('2026-04-22 10:00'),
    );
    expect(theDeadline(deadlines, 'resolution')).toMatchObject({
      state: 'stopped',
      remainingMs: null,
    });
    expect(theDeadline(deadlines, 'regulatory_decision').state).toBe('met');
    expect(kindsOf(deadlines)).not.toContain('follow_up');
  });
});

describe('the daily progress update of a high-priority case', () => {
  const history: ClockEntry[] = [
    received(cst('2026-04-27 09:00'), 'high'),
    at('first_contact', cst('2026-04-27 10:00')),
    at('progress_update', cst('2026-04-28 10:00')),
    at('resolved', cst('2026-04-29 11:00')),
    at('decision_notified', cst('2026-04-29 11:30')),
  ];
  const reopening = [...history, reopened(cst('2026-04-30 10:00'))];

  it('is met by the decision at 11:00 Wed 29 Apr', () => {
    expect(
      theDeadline(deadlinesAt(history, cst('2026-04-29 12:00')), 'progress_update'),
    ).toMatchObject({ state: 'met', metAt: '2026-04-29T11:00:00+08:00' });
  });

  it('runs again from a reopening at 10:00 Thu 30 Apr: the next working day is Wed 6 May, so due 24:00 that day, warned 8 h before', () => {
    expect(
      theDeadline(deadlinesAt(reopening, cst('2026-04-30 11:00')), 'progress_update'),
    ).toMatchObject({
      startedAt: '2026-04-30T10:00:00+08:00',
      dueAt: '2026-05-07T00:00:00+08:00',
      warnAt: '2026-05-06T16:00:00+08:00',
      missedCycles: 0,
      state: 'running',
    });
  });

  it('an update at 15:00 Wed 6 May starts the next cycle: due 24:00 Thu 7 May; the first response stays met', () => {
    const deadlines = deadlinesAt(
      [...reopening, at('progress_update', cst('2026-05-06 15:00'))],
      cst('2026-05-06 16:00'),
    );
    expect(theDeadline(deadlines, 'progress_update')).toMatchObject({
      startedAt: '2026-05-06T15:00:00+08:00',
      dueAt: '2026-05-08T00:00:00+08:00',
      missedCycles: 0,
    });
    expect(theDeadline(deadlines, 'first_response')).toMatchObject({
      state: 'met',
      metAt: '2026-04-27T10:00:00+08:00',
    });
  });
});

describe('an urgent case reopened during the Spring Festival (calendar minutes)', () => {
  const history: ClockEntry[] = [
    received(cst('2026-02-13 20:00'), 'urgent'),
    at('first_contact', cst('2026-02-13 20:05')),
    at('interim_measure', cst('2026-02-13 20:10')),
    at('root_cause_found', cst('2026-02-13 21:00')),
    at('plan_recorded', cst('2026-02-14 10:00')),
    at('resolved', cst('2026-02-14 15:00')),
    at('decision_notified', cst('2026-02-14 15:10')),
    reopened(cst('2026-02-16 09:00'), 'reopen_requested'),
  ];

  it('reopened at 09:00 Mon 16 Feb: root cause due 11:00 (warned at 10:36), plan due 09:00 Tue 17 Feb (warned at 04:12)', () => {
    const deadlines = deadlinesAt(history, cst('2026-02-16 09:30'));
    expect(theDeadline(deadlines, 'root_cause')).toMatchObject({
      startedAt: '2026-02-16T09:00:00+08:00',
      dueAt: '2026-02-16T11:00:00+08:00',
      warnAt: '2026-02-16T10:36:00+08:00',
      state: 'running',
    });
    expect(theDeadline(deadlines, 'plan')).toMatchObject({
      startedAt: '2026-02-16T09:00:00+08:00',
      dueAt: '2026-02-17T09:00:00+08:00',
      warnAt: '2026-02-17T04:12:00+08:00',
      state: 'running',
    });
  });

  it('the first contact and the interim measure of 13 Feb stay met; a root cause found at 10:00 meets the new cycle’s', () => {
    const deadlines = deadlinesAt(
      [...history, at('root_cause_found', cst('2026-02-16 10:00'))],
      cst('2026-02-16 10:30'),
    );
    expect(theDeadline(deadlines, 'first_response')).toMatchObject({
      state: 'met',
      metAt: '2026-02-13T20:05:00+08:00',
    });
    expect(theDeadline(deadlines, 'interim_measure')).toMatchObject({
      state: 'met',
      metAt: '2026-02-13T20:10:00+08:00',
    });
    expect(theDeadline(deadlines, 'root_cause')).toMatchObject({
      state: 'met',
      metAt: '2026-02-16T10:00:00+08:00',
      metLate: false,
    });
    expect(theDeadline(deadlines, 'plan').state).toBe('running');
  });
});

describe('reopened before the customer was told', () => {
  it('a suggestion reopened at 10:00 Tue 10 Mar owes no outcome notice until it is decided again (Fri 13 Mar): then 30 days, Sun 12 Apr rolled to 24:00 Mon 13 Apr', () => {
    const history: ClockEntry[] = [
      received(cst('2026-03-02 10:00'), 'suggestion', 'suggestion'),
      at('first_contact', cst('2026-03-03 10:00')),
      at('resolved', cst('2026-03-09 16:00')),
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-09 17:00')), 'outcome_notice').dueAt).toBe(
      '2026-04-09T00:00:00+08:00',
    );
    const reopening = [...history, reopened(cst('2026-03-10 10:00'), 'reopen_requested')];
    expect(kindsOf(deadlinesAt(reopening, cst('2026-03-10 11:00')))).not.toContain(
      'outcome_notice',
    );
    expect(
      theDeadline(
        deadlinesAt(
          [...reopening, at('resolved', cst('2026-03-13 15:00'))],
          cst('2026-03-13 16:00'),
        ),
        'outcome_notice',
      ),
    ).toMatchObject({
      startedAt: '2026-03-13T15:00:00+08:00',
      dueAt: '2026-04-14T00:00:00+08:00',
      state: 'running',
    });
  });

  it('a complaint resolved on Tue 10 Mar and reopened on Wed 11 Mar before any notice: the regulatory clock keeps running to 24:00 Tue 24 Mar, and a notice on Fri 20 Mar meets it', () => {
    const history: ClockEntry[] = [
      received(cst('2026-03-09 10:00')),
      at('resolved', cst('2026-03-10 16:00')),
      reopened(cst('2026-03-11 10:00'), 'reopen_requested'),
    ];
    expect(
      theDeadline(deadlinesAt(history, cst('2026-03-12 10:00')), 'regulatory_decision'),
    ).toMatchObject({
      startedAt: '2026-03-09T10:00:00+08:00',
      dueAt: '2026-03-25T00:00:00+08:00',
      state: 'running',
    });
    expect(
      theDeadline(
        deadlinesAt(
          [...history, at('decision_notified', cst('2026-03-20 15:00'))],
          cst('2026-03-21 10:00'),
        ),
        'regulatory_decision',
      ),
    ).toMatchObject({ state: 'met', metAt: '2026-03-20T15:00:00+08:00', metLate: false });
  });
});
