// The official 2026 schedule of mainland China: 国务院办公厅关于2026年部分节假日安排的通知,
// dated 4 November 2025 and published by Xinhua that day (document number cited to us as
// 国办发明电〔2025〕7号; the number itself not seen in a source here). Dates were checked
// against the notice's text as republished by gmw.cn (2025-11-04) and other outlets; verify
// against the State Council notice before relying on them. Mirrored, for administrators, in
// resources/calendars/cn-2026.json (a test keeps the two equal).
import type { CalendarData } from './calendar';

export const CN_2026_CALENDAR: CalendarData = {
  id: 'cn-2026',
  name: '中国内地 2026 年节假日与调休',
  timeZoneOffsetMinutes: 480, // China Standard Time, UTC+8, no daylight saving
  years: [2026],
  holidays: [
    // 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。
    '2026-01-01',
    '2026-01-02',
    '2026-01-03',
    // 二、春节：2月15日（腊月二十八、周日）至23日（正月初七、周一）放假调休，共9天。
    '2026-02-15',
    '2026-02-16',
    '2026-02-17',
    '2026-02-18',
    '2026-02-19',
    '2026-02-20',
    '2026-02-21',
    '2026-02-22',
    '2026-02-23',
    // 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
    '2026-04-04',
    '2026-04-05',
    '2026-04-06',
    // 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。
    '2026-05-01',
    '2026-05-02',
    '2026-05-03',
    '2026-05-04',
    '2026-05-05',
    // 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
    '2026-06-19',
    '2026-06-20',
    '2026-06-21',
    // 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
    '2026-09-25',
    '2026-09-26',
    '2026-09-27',
    // 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。
    '2026-10-01',
    '2026-10-02',
    '2026-10-03',
    '2026-10-04',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ],
  workingWeekends: [
    '2026-01-04', // 元旦：1月4日（周日）上班
    '2026-02-14', // 春节：2月14日（周六）上班
    '2026-02-28', // 春节：2月28日（周六）上班
    '2026-05-09', // 劳动节：5月9日（周六）上班
    '2026-09-20', // 国庆节：9月20日（周日）上班
    '2026-10-10', // 国庆节：10月10日（周六）上班
  ],
  // A branch counter's day with its lunch break; a deployment sets its own desk's hours.
  businessHours: [
    { from: '09:00', to: '12:00' },
    { from: '13:30', to: '17:30' },
  ],
  source:
    '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社发布）; verify against the State Council notice',
};
