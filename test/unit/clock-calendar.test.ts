import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CalendarData, createWorkCalendar, mergeCalendarData } from '../../shared/clock/calendar';
import { CN_2025_CALENDAR } from '../../shared/clock/cn-2025-calendar';
import { CN_2026_CALENDAR } from '../../shared/clock/cn-2026-calendar';
import { CN_CALENDAR } from '../../shared/clock/default-calendars';
import { GB_ENG_2026_CALENDAR } from '../../shared/clock/gb-eng-2026-calendar';
import {
  addDaysToLocalDate,
  dayNumberOf,
  formatInstant,
  localDateOf,
  weekdayOfDay,
} from '../../shared/clock/local-time';
import { US_FEDERAL_2026_CALENDAR } from '../../shared/clock/us-federal-2026-calendar';
import { cst } from '../support/clock-cases';

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** One line of a notice: the days off as a range with the weekdays it states, and the working days. */
interface NoticeLine {
  holiday: string;
  off: [from: string, fromWeekday: string, to: string, toWeekday: string];
  /** 共N天 */
  days: number;
  work: [date: string, weekday: string][];
}

function daysOf(line: NoticeLine): string[] {
  const [from, , to] = line.off;
  const days: string[] = [];
  for (let d = from; d <= to; d = addDaysToLocalDate(d, 1)) days.push(d);
  return days;
}

function checkAgainstNotice(data: CalendarData, notice: readonly NoticeLine[]) {
  const calendar = createWorkCalendar(data);
  for (const line of notice) {
    const [from, fromWeekday, to, toWeekday] = line.off;
    expect(WEEKDAY[weekdayOfDay(dayNumberOf(from))], `${line.holiday} starts`).toBe(fromWeekday);
    expect(WEEKDAY[weekdayOfDay(dayNumberOf(to))], `${line.holiday} ends`).toBe(toWeekday);
    expect(daysOf(line), `${line.holiday} 共${line.days}天`).toHaveLength(line.days);
    for (const day of daysOf(line)) expect(calendar.isWorkingDay(day), `${day} off`).toBe(false);
    for (const [day, weekday] of line.work) {
      expect(WEEKDAY[weekdayOfDay(dayNumberOf(day))], `${day} is a ${weekday}`).toBe(weekday);
      expect(calendar.isWorkingDay(day), `${day} works`).toBe(true);
    }
  }
  // Nothing in the data beyond what the notice says.
  expect([...data.holidays].sort()).toEqual(notice.flatMap(daysOf).sort());
  expect([...data.workingWeekends].sort()).toEqual(
    notice.flatMap((l) => l.work.map(([d]) => d)).sort(),
  );
}

describe('the 2026 calendar', () => {
  it('matches the State Council notice (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04)', () => {
    // Each line as the notice writes it; verify here against the notice itself.
    checkAgainstNotice(CN_2026_CALENDAR, [
      // 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
      {
        holiday: '元旦',
        off: ['2026-01-01', '周四', '2026-01-03', '周六'],
        days: 3,
        work: [['2026-01-04', '周日']],
      },
      // 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
      //    2月14日（周六）、2月28日（周六）上班。
      {
        holiday: '春节',
        off: ['2026-02-15', '周日', '2026-02-23', '周一'],
        days: 9,
        work: [
          ['2026-02-14', '周六'],
          ['2026-02-28', '周六'],
        ],
      },
      // 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
      { holiday: '清明节', off: ['2026-04-04', '周六', '2026-04-06', '周一'], days: 3, work: [] },
      // 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
      {
        holiday: '劳动节',
        off: ['2026-05-01', '周五', '2026-05-05', '周二'],
        days: 5,
        work: [['2026-05-09', '周六']],
      },
      // 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
      { holiday: '端午节', off: ['2026-06-19', '周五', '2026-06-21', '周日'], days: 3, work: [] },
      // 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
      { holiday: '中秋节', off: ['2026-09-25', '周五', '2026-09-27', '周日'], days: 3, work: [] },
      // 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
      {
        holiday: '国庆节',
        off: ['2026-10-01', '周四', '2026-10-07', '周三'],
        days: 7,
        work: [
          ['2026-09-20', '周日'],
          ['2026-10-10', '周六'],
        ],
      },
    ]);
  });

  it('matches the State Council notice for 2025 (国办发明电〔2024〕12号)', () => {
    checkAgainstNotice(CN_2025_CALENDAR, [
      // 一、元旦：1月1日（周三）放假1天，不调休。
      { holiday: '元旦', off: ['2025-01-01', '周三', '2025-01-01', '周三'], days: 1, work: [] },
      // 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
      //    1月26日（周日）、2月8日（周六）上班。
      {
        holiday: '春节',
        off: ['2025-01-28', '周二', '2025-02-04', '周二'],
        days: 8,
        work: [
          ['2025-01-26', '周日'],
          ['2025-02-08', '周六'],
        ],
      },
      // 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
      { holiday: '清明节', off: ['2025-04-04', '周五', '2025-04-06', '周日'], days: 3, work: [] },
      // 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
      {
        holiday: '劳动节',
        off: ['2025-05-01', '周四', '2025-05-05', '周一'],
        days: 5,
        work: [['2025-04-27', '周日']],
      },
      // 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
      { holiday: '端午节', off: ['2025-05-31', '周六', '2025-06-02', '周一'], days: 3, work: [] },
      // 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
      {
        holiday: '国庆节、中秋节',
        off: ['2025-10-01', '周三', '2025-10-08', '周三'],
        days: 8,
        work: [
          ['2025-09-28', '周日'],
          ['2025-10-11', '周六'],
        ],
      },
    ]);
  });

  it('has 248 working days in 2026 (365 − 104 weekend days − 19 weekday holidays + 6 swapped weekends)', () => {
    let working = 0;
    for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDaysToLocalDate(d, 1))
      if (CN_CALENDAR.isWorkingDay(d)) working++;
    expect(working).toBe(248);
  });

  it('is covered for 2025 and 2026 only; other years know weekends but no holidays', () => {
    expect(CN_CALENDAR.covers('2025-12-31')).toBe(true);
    expect(CN_CALENDAR.covers('2027-01-01')).toBe(false);
    expect(CN_CALENDAR.isWorkingDay('2027-01-01')).toBe(true); // a Friday: unknown holiday
  });
});

describe('the calendar files for administrators', () => {
  const mirrors: [string, CalendarData][] = [
    ['cn-2026.json', CN_2026_CALENDAR],
    ['cn-2025.json', CN_2025_CALENDAR],
    ['gb-eng-2026.json', GB_ENG_2026_CALENDAR],
    ['us-federal-2026.json', US_FEDERAL_2026_CALENDAR],
  ];
  for (const [file, data] of mirrors)
    it(`resources/calendars/${file} equals its TypeScript module and is valid`, () => {
      const json: unknown = JSON.parse(
        readFileSync(new URL(`../../resources/calendars/${file}`, import.meta.url), 'utf8'),
      );
      expect(json).toEqual(data);
      expect(CalendarData.safeParse(json).success).toBe(true);
    });
});

describe('working days and periods', () => {
  it('knows swapped working weekends, holidays and plain weekends', () => {
    expect(CN_CALENDAR.isWorkingDay('2026-02-14')).toBe(true); // Sat, 调休
    expect(CN_CALENDAR.isWorkingDay('2026-02-16')).toBe(false); // 除夕
    expect(CN_CALENDAR.isWorkingDay('2026-03-07')).toBe(false); // plain Saturday
    expect(CN_CALENDAR.isHoliday('2026-02-21')).toBe(true); // Saturday inside the holiday
    expect(CN_CALENDAR.isHoliday('2026-03-07')).toBe(false);
  });

  it('finds the next working day after a holiday, and after a Friday before a swapped Saturday', () => {
    expect(CN_CALENDAR.nextWorkingDay('2026-02-14')).toBe('2026-02-24');
    expect(CN_CALENDAR.nextWorkingDay('2026-02-13')).toBe('2026-02-14');
    expect(CN_CALENDAR.nextWorkingDay('2026-09-30')).toBe('2026-10-08');
    expect(CN_CALENDAR.nextWorkingDay('2025-12-31')).toBe('2026-01-04');
  });

  it('counts business days after the day of receipt, even when received on a rest day', () => {
    const sunday = new Date(cst('2026-03-08 10:00'));
    expect(formatInstant(CN_CALENDAR.addBusinessDays(sunday, 1), 480)).toBe(
      '2026-03-10T00:00:00+08:00',
    );
    expect(formatInstant(CN_CALENDAR.addBusinessDays(sunday, 0), 480)).toBe(
      '2026-03-09T00:00:00+08:00',
    );
  });

  it('ends a civil period on its last day when that is a working day, without rolling', () => {
    expect(
      formatInstant(CN_CALENDAR.addCalendarDaysCivil(new Date(cst('2026-03-09 10:00')), 3), 480),
    ).toBe('2026-03-13T00:00:00+08:00');
  });

  it('rolls a civil period but not a plain calendar-day period off a weekend', () => {
    const friday = new Date(cst('2026-03-06 10:00'));
    expect(formatInstant(CN_CALENDAR.addCalendarDaysCivil(friday, 1), 480)).toBe(
      '2026-03-10T00:00:00+08:00',
    );
    expect(formatInstant(CN_CALENDAR.addCalendarDays(friday, 1), 480)).toBe(
      '2026-03-08T00:00:00+08:00',
    );
  });

  it('counts business hours around the lunch break and takes pauses out of business time only', () => {
    const start = new Date(cst('2026-03-09 11:00'));
    expect(formatInstant(CN_CALENDAR.addBusinessHours(start, 1.5), 480)).toBe(
      '2026-03-09T14:00:00+08:00',
    );
    const lunchPause = {
      start: new Date(cst('2026-03-09 11:30')),
      end: new Date(cst('2026-03-09 14:00')),
    };
    // 11:00–11:30 counts, 11:30–14:00 paused (30 min of business time), resume at 14:00.
    expect(formatInstant(CN_CALENDAR.addBusinessHours(start, 1.5, [lunchPause]), 480)).toBe(
      '2026-03-09T15:00:00+08:00',
    );
    expect(
      CN_CALENDAR.businessMsBetween(
        new Date(cst('2026-03-06 17:00')),
        new Date(cst('2026-03-09 09:30')),
      ),
    ).toBe(60 * 60_000);
  });

  it('says whether an instant is inside business hours of a working day, shift ends included', () => {
    expect(CN_CALENDAR.isWithinBusinessHours(new Date(cst('2026-03-09 12:00')))).toBe(true);
    expect(CN_CALENDAR.isWithinBusinessHours(new Date(cst('2026-03-09 12:30')))).toBe(false);
    expect(CN_CALENDAR.isWithinBusinessHours(new Date(cst('2026-02-14 10:00')))).toBe(true);
    expect(CN_CALENDAR.isWithinBusinessHours(new Date(cst('2026-02-16 10:00')))).toBe(false);
  });

  it('reads local days in China time whatever zone the host is set to', () => {
    const previous = process.env['TZ'];
    try {
      process.env['TZ'] = 'America/Los_Angeles';
      const instant = new Date('2026-03-09T16:30:00Z'); // 00:30 CST on 10 Mar
      expect(localDateOf(instant, 480)).toBe('2026-03-10');
      expect(formatInstant(CN_CALENDAR.addCalendarDaysCivil(instant, 15), 480)).toBe(
        '2026-03-26T00:00:00+08:00',
      );
    } finally {
      if (previous === undefined) delete process.env['TZ'];
      else process.env['TZ'] = previous;
    }
  });
});

describe('calendar data', () => {
  const valid = CN_2026_CALENDAR;
  const issues = (data: unknown) =>
    CalendarData.safeParse(data).error?.issues.map((i) => i.message) ?? [];

  it('refuses a day that is both a holiday and a working day, a weekday listed as a working weekend, and a date outside its years', () => {
    expect(
      issues({ ...valid, workingWeekends: [...valid.workingWeekends, '2026-01-01'] }),
    ).toContain('BOTH_HOLIDAY_AND_WORKING');
    expect(issues({ ...valid, workingWeekends: ['2026-03-09'] })).toContain('NOT_A_WEEKEND_DAY');
    expect(issues({ ...valid, holidays: [...valid.holidays, '2027-01-01'] })).toContain(
      'DATE_OUTSIDE_YEARS',
    );
    expect(issues({ ...valid, holidays: ['2026-02-30'] })).toContain('LOCAL_DATE_INVALID');
  });

  it('refuses overlapping or reversed shifts', () => {
    expect(
      issues({
        ...valid,
        businessHours: [
          { from: '09:00', to: '12:00' },
          { from: '11:00', to: '17:00' },
        ],
      }),
    ).toContain('SHIFTS_OVERLAP');
    expect(issues({ ...valid, businessHours: [{ from: '12:00', to: '09:00' }] })).toContain(
      'SHIFT_ENDS_BEFORE_START',
    );
  });

  it('merges years that share zone and hours, and refuses to merge different zones or the same year twice', () => {
    const merged = mergeCalendarData('cn', [CN_2025_CALENDAR, CN_2026_CALENDAR]);
    expect(merged.years).toEqual([2025, 2026]);
    expect(merged.holidays).toHaveLength(
      CN_2025_CALENDAR.holidays.length + CN_2026_CALENDAR.holidays.length,
    );
    expect(() => mergeCalendarData('x', [CN_2026_CALENDAR, GB_ENG_2026_CALENDAR])).toThrow();
    expect(() => mergeCalendarData('x', [CN_2026_CALENDAR, CN_2026_CALENDAR])).toThrow();
  });
});
