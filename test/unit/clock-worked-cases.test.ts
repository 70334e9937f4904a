// Hand-worked deadlines. Every expected instant below was counted by hand on the 2026 (and
// 2025) calendar of the State Council notices, not produced by the engine. A period in
// days ends at 24:00 of its last day, written as 00:00 of the next day.
//
// 2026, the days that matter here:
//   Jan  1 Thu–3 Sat off, 4 Sun works
//   Feb 13 Fri, 14 Sat works, 15 Sun–23 Mon off, 24 Tue, 28 Sat works, Mar 1 Sun
//   Mar  2 Mon, 6 Fri, 9 Mon, 15 Sun, 29 Sun; Apr 1 Wed, 4 Sat–6 Mon off (清明)
//   Apr 30 Thu, May 1 Fri–5 Tue off, 6 Wed, 9 Sat works
//   Sep 20 Sun works, 25 Fri–27 Sun off, 29 Tue, 30 Wed, Oct 1 Thu–7 Wed off, 8 Thu, 10 Sat works
import { describe, expect, it } from 'vitest';
import { GB_ENG_CALENDAR, US_FEDERAL_CALENDAR } from '../../shared/clock/default-calendars';
import { validateExtension } from '../../shared/clock/deadlines';
import { scheduleFollowUps } from '../../shared/clock/follow-ups';
import { UK_FCA_DISP, US_CFPB } from '../../shared/clock/policies';
import { CN_CALENDAR } from '../../shared/clock/default-calendars';
import { CN_CBIRC_2020 } from '../../shared/clock/policies';
import {
  approvedExtension,
  at,
  cst,
  deadlinesAt,
  exclusion,
  extension,
  received,
  theDeadline,
  waitingOnCustomer,
  zoned,
} from '../support/clock-cases';

const regulatoryDue = (history: Parameters<typeof deadlinesAt>[0], now: string) =>
  theDeadline(deadlinesAt(history, now), 'regulatory_decision').dueAt;

describe('the regulatory decision period (15 days, Civil Code counting)', () => {
  it('a complaint received on Fri 13 Feb 2026 (the day before the Spring Festival) is due at 24:00 on Sat 28 Feb, a swapped working day, without rolling on', () => {
    expect(regulatoryDue([received(cst('2026-02-13 10:00'))], cst('2026-02-13 11:00'))).toBe(
      '2026-03-01T00:00:00+08:00',
    );
  });

  it('a complaint received on the swapped working Sat 14 Feb ends on Sun 1 Mar, a rest day, so rolls to 24:00 on Mon 2 Mar', () => {
    expect(regulatoryDue([received(cst('2026-02-14 09:30'))], cst('2026-02-14 10:00'))).toBe(
      '2026-03-03T00:00:00+08:00',
    );
  });

  it('a period whose last day (Fri 20 Feb) falls in the Spring Festival ends at 24:00 on Tue 24 Feb, the first working day after it', () => {
    expect(regulatoryDue([received(cst('2026-02-05 15:00'))], cst('2026-02-05 16:00'))).toBe(
      '2026-02-25T00:00:00+08:00',
    );
  });

  it('a period whose last day is Labour Day (Fri 1 May) ends at 24:00 on Wed 6 May', () => {
    expect(regulatoryDue([received(cst('2026-04-16 09:00'))], cst('2026-04-16 10:00'))).toBe(
      '2026-05-07T00:00:00+08:00',
    );
  });

  it('a period whose last day is the swapped working Sat 9 May ends that day', () => {
    expect(regulatoryDue([received(cst('2026-04-24 14:00'))], cst('2026-04-24 15:00'))).toBe(
      '2026-05-10T00:00:00+08:00',
    );
  });

  it('a period whose last day is National Day (Thu 1 Oct) ends at 24:00 on Thu 8 Oct', () => {
    expect(regulatoryDue([received(cst('2026-09-16 10:00'))], cst('2026-09-16 11:00'))).toBe(
      '2026-10-09T00:00:00+08:00',
    );
  });

  it('a period whose last day is the swapped working Sun 20 Sep ends that day', () => {
    expect(regulatoryDue([received(cst('2026-09-05 10:00'))], cst('2026-09-05 11:00'))).toBe(
      '2026-09-21T00:00:00+08:00',
    );
  });

  it('a complaint received on Wed 17 Dec 2025 ends on New Year’s Day 2026 and rolls over 1–3 Jan to the working Sun 4 Jan', () => {
    expect(regulatoryDue([received(cst('2025-12-17 10:00'))], cst('2025-12-17 11:00'))).toBe(
      '2026-01-05T00:00:00+08:00',
    );
  });

  it('a complaint received on Mon 20 Jan 2025 ends on the last day of the 2025 Spring Festival (Tue 4 Feb) and rolls to Wed 5 Feb', () => {
    expect(regulatoryDue([received(cst('2025-01-20 10:00'))], cst('2025-01-20 11:00'))).toBe(
      '2025-02-06T00:00:00+08:00',
    );
  });

  it('a complaint received at 00:30 CST on Tue 10 Mar (16:30 UTC on Mon 9 Mar) counts its days from Wed 11 Mar, whatever the host zone', () => {
    expect(regulatoryDue([received('2026-03-09T16:30:00Z')], cst('2026-03-10 01:00'))).toBe(
      '2026-03-26T00:00:00+08:00',
    );
  });
});

describe('warnings and decisions on the regulatory clock', () => {
  const history = [received(cst('2026-03-09 10:00'))];

  it('the owner is warned once a fifth of the period is left: 374 h from 10:00 Mon 9 Mar to 24:00 Tue 24 Mar, so from 21:12 Sat 21 Mar', () => {
    expect(
      theDeadline(deadlinesAt(history, cst('2026-03-21 21:11')), 'regulatory_decision'),
    ).toMatchObject({ warnAt: '2026-03-21T21:12:00+08:00', state: 'running' });
    expect(
      theDeadline(deadlinesAt(history, cst('2026-03-21 21:12')), 'regulatory_decision').state,
    ).toBe('warning');
  });

  it('a decision told to the customer on Fri 20 Mar meets the regulatory deadline', () => {
    expect(
      theDeadline(
        deadlinesAt(
          [...history, at('decision_notified', cst('2026-03-20 15:00'))],
          cst('2026-03-30 10:00'),
        ),
        'regulatory_decision',
      ),
    ).toMatchObject({ state: 'met', metAt: '2026-03-20T15:00:00+08:00', metLate: false });
  });
});

describe('extensions of the regulatory period', () => {
  const base = [received(cst('2026-02-13 10:00'))];

  it('an extension to 30 days with the customer told runs from receipt: 13 Feb + 30 = Sun 15 Mar, rolled to 24:00 on Mon 16 Mar', () => {
    const history = [
      ...base,
      extension(cst('2026-02-26 10:00'), 30, { customerNoticeAt: cst('2026-02-26 10:00') }),
    ];
    const decision = theDeadline(
      deadlinesAt(history, cst('2026-02-27 10:00')),
      'regulatory_decision',
    );
    expect(decision).toMatchObject({
      dueAt: '2026-03-17T00:00:00+08:00',
      extensionLevel: 1,
      periodDays: 30,
    });
  });

  it('an extension to 30 days without a customer notice is refused and does not move the 15-day date', () => {
    const ext = extension(cst('2026-02-26 10:00'), 30);
    expect(validateExtension(base, ext, CN_CBIRC_2020, CN_CALENDAR)).toMatchObject({
      ok: false,
      code: 'EXTENSION_NEEDS_CUSTOMER_NOTICE',
    });
    expect(
      theDeadline(deadlinesAt([...base, ext], cst('2026-02-27 10:00')), 'regulatory_decision'),
    ).toMatchObject({ dueAt: '2026-03-01T00:00:00+08:00', extensionLevel: 0 });
  });

  it('a second extension to 60 days with head-office approval and a customer notice ends on Tue 14 Apr (13 Feb + 60)', () => {
    const history = [
      ...base,
      extension(cst('2026-02-26 10:00'), 30, { customerNoticeAt: cst('2026-02-26 10:00') }),
      approvedExtension(cst('2026-03-10 10:00'), 60),
    ];
    expect(
      theDeadline(deadlinesAt(history, cst('2026-03-11 10:00')), 'regulatory_decision'),
    ).toMatchObject({ dueAt: '2026-04-15T00:00:00+08:00', extensionLevel: 2, periodDays: 60 });
  });

  it('a second extension to 60 days without approval is refused and the 30-day date stands', () => {
    const first = extension(cst('2026-02-26 10:00'), 30, {
      customerNoticeAt: cst('2026-02-26 10:00'),
    });
    const second = extension(cst('2026-03-10 10:00'), 60, {
      customerNoticeAt: cst('2026-03-10 10:00'),
    });
    expect(validateExtension([...base, first], second, CN_CBIRC_2020, CN_CALENDAR)).toMatchObject({
      ok: false,
      code: 'EXTENSION_NEEDS_APPROVAL',
    });
    expect(
      theDeadline(
        deadlinesAt([...base, first, second], cst('2026-03-11 10:00')),
        'regulatory_decision',
      ),
    ).toMatchObject({ dueAt: '2026-03-17T00:00:00+08:00', extensionLevel: 1 });
  });

  it('skipping the 30-day step is out of order, and asking for 90 days is beyond the 60-day maximum', () => {
    expect(
      validateExtension(base, approvedExtension(cst('2026-02-20 10:00'), 60), CN_CBIRC_2020),
    ).toMatchObject({ ok: false, code: 'EXTENSION_OUT_OF_ORDER' });
    expect(
      validateExtension(base, approvedExtension(cst('2026-02-20 10:00'), 90), CN_CBIRC_2020),
    ).toMatchObject({ ok: false, code: 'EXTENSION_BEYOND_MAXIMUM' });
  });

  it('an extension recorded after the 15-day period ran out (24:00 28 Feb) is refused and the case stays breached', () => {
    const late = extension(cst('2026-03-01 09:00'), 30, {
      customerNoticeAt: cst('2026-03-01 09:00'),
    });
    expect(validateExtension(base, late, CN_CBIRC_2020, CN_CALENDAR)).toMatchObject({
      ok: false,
      code: 'EXTENSION_AFTER_DEADLINE',
    });
    expect(
      theDeadline(deadlinesAt([...base, late], cst('2026-03-02 09:00')), 'regulatory_decision'),
    ).toMatchObject({ dueAt: '2026-03-01T00:00:00+08:00', state: 'breached' });
  });
});

describe('time that does not count on the regulatory clock', () => {
  it('an external appraisal from Thu 12 Mar 15:00 to Mon 16 Mar 11:00 touches 5 days, so 15 counted days end on Sun 29 Mar, rolled to 24:00 Mon 30 Mar', () => {
    const history = [
      received(cst('2026-03-09 10:00')),
      ...exclusion(cst('2026-03-12 15:00'), cst('2026-03-16 11:00')),
    ];
    expect(regulatoryDue(history, cst('2026-03-17 10:00'))).toBe('2026-03-31T00:00:00+08:00');
  });

  it('an appraisal still under way pauses the regulatory clock, showing the date if it ended now (2 touched days: Thu 26 Mar)', () => {
    const history = [received(cst('2026-03-09 10:00')), ...exclusion(cst('2026-03-12 15:00'))];
    expect(
      theDeadline(deadlinesAt(history, cst('2026-03-13 10:00')), 'regulatory_decision'),
    ).toMatchObject({
      state: 'paused',
      dueAt: '2026-03-27T00:00:00+08:00',
      pausedMs: 19 * 3_600_000,
    });
  });

  it('waiting on the customer does not stop the regulatory clock: received Mon 9 Mar, still due 24:00 Tue 24 Mar', () => {
    const history = [
      received(cst('2026-03-09 10:00')),
      ...waitingOnCustomer(cst('2026-03-10 10:00'), cst('2026-03-20 10:00')),
    ];
    expect(regulatoryDue(history, cst('2026-03-21 10:00'))).toBe('2026-03-25T00:00:00+08:00');
  });

  it('new facts received on Fri 20 Mar restart the clock: 15 days end on Sat 4 Apr (清明), rolled to 24:00 Tue 7 Apr', () => {
    const history = [received(cst('2026-03-09 10:00')), at('new_facts', cst('2026-03-20 14:00'))];
    expect(
      theDeadline(deadlinesAt(history, cst('2026-03-21 10:00')), 'regulatory_decision'),
    ).toMatchObject({
      startedAt: '2026-03-20T14:00:00+08:00',
      dueAt: '2026-04-08T00:00:00+08:00',
    });
  });

  it('a repeat complaint merged into the open case keeps the open case’s clock (24:00 Tue 24 Mar)', () => {
    const history = [
      received(cst('2026-03-09 10:00')),
      at('absorbed_repeat', cst('2026-03-12 10:00')),
    ];
    expect(regulatoryDue(history, cst('2026-03-13 10:00'))).toBe('2026-03-25T00:00:00+08:00');
  });

  it('the repeat merged into another case stops its own clocks', () => {
    const history = [received(cst('2026-03-12 09:00')), at('merged_into', cst('2026-03-12 10:00'))];
    const deadlines = deadlinesAt(history, cst('2026-03-13 10:00'));
    expect(deadlines.map((d) => d.state)).toEqual(deadlines.map(() => 'stopped'));
  });

  it('a withdrawal ends handling that day: every open clock stops and no follow-up is owed', () => {
    const history = [received(cst('2026-03-09 10:00')), at('withdrawn', cst('2026-03-09 11:00'))];
    const deadlines = deadlinesAt(history, cst('2026-03-20 10:00'));
    expect(theDeadline(deadlines, 'first_response')).toMatchObject({
      state: 'stopped',
      remainingMs: null,
    });
    expect(theDeadline(deadlines, 'regulatory_decision')).toMatchObject({
      state: 'stopped',
      dueAt: '2026-03-25T00:00:00+08:00',
    });
    expect(deadlines.some((d) => d.kind === 'follow_up')).toBe(false);
  });
});

describe('urgent cases (calendar minutes, holidays included)', () => {
  const urgent = [received(cst('2026-02-16 23:55'), 'urgent')];

  it('an urgent case received at 23:55 on Spring Festival eve needs first contact and an interim measure by 00:10, the root cause by 01:55 and a plan by 23:55 next day', () => {
    const deadlines = deadlinesAt(urgent, cst('2026-02-16 23:56'));
    expect(theDeadline(deadlines, 'first_response').dueAt).toBe('2026-02-17T00:10:00+08:00');
    expect(theDeadline(deadlines, 'interim_measure').dueAt).toBe('2026-02-17T00:10:00+08:00');
    expect(theDeadline(deadlines, 'root_cause').dueAt).toBe('2026-02-17T01:55:00+08:00');
    expect(theDeadline(deadlines, 'plan').dueAt).toBe('2026-02-17T23:55:00+08:00');
  });

  it('the owner is warned 5 minutes before the first contact is due, then it is breached', () => {
    expect(
      theDeadline(deadlinesAt(urgent, cst('2026-02-17 00:06')), 'first_response'),
    ).toMatchObject({
      state: 'warning',
      warnAt: '2026-02-17T00:05:00+08:00',
      remainingMs: 4 * 60_000,
    });
    expect(
      theDeadline(deadlinesAt(urgent, cst('2026-02-17 00:11')), 'first_response'),
    ).toMatchObject({
      state: 'breached',
      remainingMs: -60_000,
    });
  });

  it('a first contact at 00:05 meets its deadline; an interim measure at 00:20 is met late', () => {
    const history = [
      ...urgent,
      at('first_contact', cst('2026-02-17 00:05')),
      at('interim_measure', cst('2026-02-17 00:20')),
    ];
    const deadlines = deadlinesAt(history, cst('2026-02-17 01:00'));
    expect(theDeadline(deadlines, 'first_response')).toMatchObject({
      state: 'met',
      metAt: '2026-02-17T00:05:00+08:00',
      metLate: false,
    });
    expect(theDeadline(deadlines, 'interim_measure')).toMatchObject({
      state: 'met',
      metLate: true,
    });
  });

  it('a normal case raised to urgent at 14:00 owes first contact by 14:15, counted from the change', () => {
    const history = [
      received(cst('2026-03-09 10:00')),
      {
        kind: 'priority_changed' as const,
        at: cst('2026-03-09 14:00'),
        priority: 'urgent' as const,
      },
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-09 14:01')), 'first_response').dueAt).toBe(
      '2026-03-09T14:15:00+08:00',
    );
  });
});

describe('high priority: 4 business hours, lunch break 12:00–13:30', () => {
  const firstResponse = (
    receivedAt: string,
    rest: Parameters<typeof deadlinesAt>[0] = [],
    now = receivedAt,
  ) => theDeadline(deadlinesAt([received(receivedAt, 'high'), ...rest], now), 'first_response');

  it('a high-priority case received at 11:30 on Fri 6 Mar gets half an hour before lunch and 3.5 h after: due 17:00', () => {
    expect(firstResponse(cst('2026-03-06 11:30')).dueAt).toBe('2026-03-06T17:00:00+08:00');
  });

  it('received at 15:30 on Fri 6 Mar: 2 h that day, the weekend skipped, 2 h on Monday: due 11:00 Mon 9 Mar', () => {
    expect(firstResponse(cst('2026-03-06 15:30')).dueAt).toBe('2026-03-09T11:00:00+08:00');
  });

  it('received at 15:30 on Fri 13 Feb: the next business day is the swapped working Sat 14 Feb: due 11:00 that Saturday', () => {
    expect(firstResponse(cst('2026-02-13 15:30')).dueAt).toBe('2026-02-14T11:00:00+08:00');
  });

  it('received during lunch (12:15 Thu 5 Mar) starts at 13:30 and ends at the close, 17:30, not the next morning', () => {
    expect(firstResponse(cst('2026-03-05 12:15')).dueAt).toBe('2026-03-05T17:30:00+08:00');
  });

  it('received at 16:00 on Thu 30 Apr: 1.5 h that day, Labour Day skipped, 2.5 h on Wed 6 May: due 11:30', () => {
    expect(firstResponse(cst('2026-04-30 16:00')).dueAt).toBe('2026-05-06T11:30:00+08:00');
  });

  it('waiting on the customer from Fri 16:30 to Mon 10:00 costs only the 2 business hours it covered: due 14:30 Mon 9 Mar', () => {
    const deadline = firstResponse(
      cst('2026-03-06 15:30'),
      waitingOnCustomer(cst('2026-03-06 16:30'), cst('2026-03-09 10:00')),
      cst('2026-03-09 10:30'),
    );
    expect(deadline).toMatchObject({
      dueAt: '2026-03-09T14:30:00+08:00',
      state: 'running',
      pausedMs: 65.5 * 3_600_000,
    });
  });

  it('the daily progress update after a first contact on Thu 30 Apr is due at the end of the next working day, Wed 6 May', () => {
    const history = [
      received(cst('2026-04-30 09:00'), 'high'),
      at('first_contact', cst('2026-04-30 10:00')),
    ];
    expect(
      theDeadline(deadlinesAt(history, cst('2026-04-30 11:00')), 'progress_update'),
    ).toMatchObject({
      startedAt: '2026-04-30T10:00:00+08:00',
      dueAt: '2026-05-07T00:00:00+08:00',
      missedCycles: 0,
    });
  });
});

describe('normal and suggestion targets', () => {
  it('a normal first response is due 24 h after receipt, and waiting 2 h on the customer moves it 2 h: 12:00 Tue 10 Mar', () => {
    const history = [
      received(cst('2026-03-09 10:00')),
      ...waitingOnCustomer(cst('2026-03-09 11:00'), cst('2026-03-09 13:00')),
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-09 14:00')), 'first_response').dueAt).toBe(
      '2026-03-10T12:00:00+08:00',
    );
  });

  it('a normal first response not given 24 h after receipt is breached', () => {
    expect(
      theDeadline(
        deadlinesAt([received(cst('2026-03-09 10:00'))], cst('2026-03-10 10:01')),
        'first_response',
      ),
    ).toMatchObject({ state: 'breached', remainingMs: -60_000 });
  });

  it('a written solution promised for 18:00 Wed 11 Mar is due then', () => {
    const history = [
      received(cst('2026-03-09 10:00')),
      {
        kind: 'resolution_promised' as const,
        at: cst('2026-03-09 11:00'),
        promisedBy: cst('2026-03-11 18:00'),
      },
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-09 12:00')), 'resolution').dueAt).toBe(
      '2026-03-11T18:00:00+08:00',
    );
  });

  it('a suggestion received on Wed 11 Feb gets 5 business days: 12, 13, the working Sat 14, then 24 and 25 Feb after the Spring Festival', () => {
    expect(
      theDeadline(
        deadlinesAt(
          [received(cst('2026-02-11 10:00'), 'suggestion', 'suggestion')],
          cst('2026-02-11 11:00'),
        ),
        'first_response',
      ).dueAt,
    ).toBe('2026-02-26T00:00:00+08:00');
  });

  it('a suggestion received on Tue 29 Sep counts 30 Sep, 8 Oct, 9 Oct, the working Sat 10 Oct and Mon 12 Oct', () => {
    expect(
      theDeadline(
        deadlinesAt(
          [received(cst('2026-09-29 10:00'), 'suggestion', 'suggestion')],
          cst('2026-09-29 11:00'),
        ),
        'first_response',
      ).dueAt,
    ).toBe('2026-10-13T00:00:00+08:00');
  });

  it('a wait that touches Wed 4 Mar takes that business day out of a 5-business-day count: due 24:00 Tue 10 Mar instead of Mon 9 Mar', () => {
    const history = [
      received(cst('2026-03-02 10:00'), 'suggestion', 'suggestion'),
      ...waitingOnCustomer(cst('2026-03-04 10:00'), cst('2026-03-04 11:00')),
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-05 10:00')), 'first_response').dueAt).toBe(
      '2026-03-11T00:00:00+08:00',
    );
  });

  it('the customer is told whether a suggestion was adopted within 30 days of the decision (Mon 9 Mar → Wed 8 Apr)', () => {
    const history = [
      received(cst('2026-03-02 10:00'), 'suggestion', 'suggestion'),
      at('first_contact', cst('2026-03-03 10:00')),
      at('resolved', cst('2026-03-09 16:00')),
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-10 10:00')), 'outcome_notice').dueAt).toBe(
      '2026-04-09T00:00:00+08:00',
    );
  });
});

describe('follow-ups after closure (回访)', () => {
  it('an urgent case closed at 18:00 Mon 9 Mar gets its follow-up call by 18:00 Tue 10 Mar', () => {
    const history = [
      received(cst('2026-03-09 09:00'), 'urgent'),
      at('closed', cst('2026-03-09 18:00')),
    ];
    expect(theDeadline(deadlinesAt(history, cst('2026-03-09 19:00')), 'follow_up').dueAt).toBe(
      '2026-03-10T18:00:00+08:00',
    );
  });

  it('a normal complaint closed on Thu 30 Apr has 3 days ending on Sun 3 May (Labour Day), rolled to 24:00 Wed 6 May', () => {
    const history = [received(cst('2026-04-28 09:00')), at('closed', cst('2026-04-30 15:00'))];
    expect(theDeadline(deadlinesAt(history, cst('2026-04-30 16:00')), 'follow_up').dueAt).toBe(
      '2026-05-07T00:00:00+08:00',
    );
  });

  it('an inquiry closed on Mon 9 Mar is followed up within 7 days: 24:00 Mon 16 Mar', () => {
    const [followUp] = scheduleFollowUps(
      {
        closedAt: new Date(cst('2026-03-09 11:00')),
        priority: 'normal',
        caseType: 'inquiry',
        major: false,
      },
      CN_CBIRC_2020,
      CN_CALENDAR,
    );
    expect(followUp?.dueAt.toISOString()).toBe(new Date('2026-03-17T00:00:00+08:00').toISOString());
  });

  it('a major complaint closed on Fri 13 Feb gets a follow-up by 24:00 Tue 24 Feb (3 days end in the holiday) and a second by 24:00 Mon 16 Mar (30 days end on Sun 15 Mar)', () => {
    const history = [
      received(cst('2026-02-09 09:00'), 'normal', 'complaint', { major: true }),
      at('closed', cst('2026-02-13 17:00')),
      { kind: 'follow_up_done' as const, at: cst('2026-02-24 10:00') },
    ];
    const deadlines = deadlinesAt(history, cst('2026-02-24 11:00'));
    expect(theDeadline(deadlines, 'follow_up')).toMatchObject({
      dueAt: '2026-02-25T00:00:00+08:00',
      state: 'met',
    });
    expect(theDeadline(deadlines, 'second_follow_up')).toMatchObject({
      dueAt: '2026-03-17T00:00:00+08:00',
      state: 'running',
    });
  });
});

describe('other jurisdictions, same engine', () => {
  const london = (local: string) => zoned(local, '+00:00');
  const newYork = (local: string) => zoned(local, '-05:00');
  const fca = { policy: UK_FCA_DISP, calendar: GB_ENG_CALENDAR };
  const cfpb = { policy: US_CFPB, calendar: US_FEDERAL_CALENDAR };

  it('an FCA payment-services complaint received Mon 30 Mar 2026 is due in 15 business days, Easter skipped: 24:00 Wed 22 Apr', () => {
    const history = [
      received(london('2026-03-30 10:00'), 'normal', 'complaint', {
        regulatoryTrack: 'payment_services',
      }),
    ];
    expect(
      theDeadline(deadlinesAt(history, london('2026-03-30 11:00'), fca), 'regulatory_decision')
        .dueAt,
    ).toBe('2026-04-23T00:00:00+00:00');
  });

  it('in exceptional cases, with a holding reply, the same complaint may take 35 business days: 24:00 Thu 21 May', () => {
    const history = [
      received(london('2026-03-30 10:00'), 'normal', 'complaint', {
        regulatoryTrack: 'payment_services',
      }),
      extension(london('2026-04-20 10:00'), 35, { customerNoticeAt: london('2026-04-20 10:00') }),
    ];
    expect(
      theDeadline(deadlinesAt(history, london('2026-04-21 10:00'), fca), 'regulatory_decision'),
    ).toMatchObject({
      dueAt: '2026-05-22T00:00:00+00:00',
      extensionLevel: 1,
    });
  });

  it('any other FCA complaint has 8 weeks, counted in calendar days without rolling: received Sat 7 Mar, due 24:00 Sat 2 May', () => {
    expect(
      theDeadline(
        deadlinesAt([received(london('2026-03-07 10:00'))], london('2026-03-07 11:00'), fca),
        'regulatory_decision',
      ).dueAt,
    ).toBe('2026-05-03T00:00:00+00:00');
  });

  it('an FCA complaint received Wed 1 Apr and closed on Wed 8 Apr, the 3rd business day after Easter, needs a summary resolution letter', () => {
    const history = [
      received(london('2026-04-01 10:00')),
      at('closed', london('2026-04-08 16:00')),
    ];
    expect(
      theDeadline(deadlinesAt(history, london('2026-04-08 17:00'), fca), 'summary_resolution'),
    ).toMatchObject({
      dueAt: '2026-04-09T00:00:00+00:00',
      state: 'met',
      letterRequired: true,
    });
  });

  it('closed on Thu 9 Apr, after the window, it needs no summary resolution letter', () => {
    const history = [
      received(london('2026-04-01 10:00')),
      at('closed', london('2026-04-09 09:00')),
    ];
    expect(
      theDeadline(deadlinesAt(history, london('2026-04-09 10:00'), fca), 'summary_resolution'),
    ).toMatchObject({
      state: 'stopped',
      letterRequired: false,
    });
  });

  it('a CFPB complaint received Mon 2 Mar must be answered or marked in progress by 24:00 Tue 17 Mar and finally answered by 24:00 Fri 1 May', () => {
    const history = [
      received(newYork('2026-03-02 10:00')),
      at('progress_update', newYork('2026-03-10 12:00')),
    ];
    const deadlines = deadlinesAt(history, newYork('2026-03-11 10:00'), cfpb);
    expect(theDeadline(deadlines, 'regulatory_response')).toMatchObject({
      dueAt: '2026-03-18T00:00:00-05:00',
      state: 'met',
    });
    expect(theDeadline(deadlines, 'regulatory_decision')).toMatchObject({
      dueAt: '2026-05-02T00:00:00-05:00',
      state: 'running',
    });
  });
});
