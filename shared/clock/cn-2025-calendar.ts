// The official 2025 schedule of mainland China: 国务院办公厅关于2025年部分节假日安排的通知
// (国办发明电〔2024〕12号, 12 November 2024), the first under the November 2024 revision of
// 全国年节及纪念日放假办法 (one more day each for the Spring Festival and Labour Day). Needed
// for complaints received in late 2025 whose periods run into 2026. Checked against the
// notice's text as republished (Xinhua, 2024-11-12); verify against the State Council notice.
// Mirrored in resources/calendars/cn-2025.json.
import type { CalendarData } from './calendar';

export const CN_2025_CALENDAR: CalendarData = {
  id: 'cn-2025',
  name: '中国内地 2025 年节假日与调休',
  timeZoneOffsetMinutes: 480,
  years: [2025],
  holidays: [
    // 一、元旦：1月1日（周三）放假1天，不调休。
    '2025-01-01',
    // 二、春节：1月28日（除夕、周二）至2月4日（正月初七、周二）放假调休，共8天。
    '2025-01-28',
    '2025-01-29',
    '2025-01-30',
    '2025-01-31',
    '2025-02-01',
    '2025-02-02',
    '2025-02-03',
    '2025-02-04',
    // 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
    '2025-04-04',
    '2025-04-05',
    '2025-04-06',
    // 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。
    '2025-05-01',
    '2025-05-02',
    '2025-05-03',
    '2025-05-04',
    '2025-05-05',
    // 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
    '2025-05-31',
    '2025-06-01',
    '2025-06-02',
    // 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。
    '2025-10-01',
    '2025-10-02',
    '2025-10-03',
    '2025-10-04',
    '2025-10-05',
    '2025-10-06',
    '2025-10-07',
    '2025-10-08',
  ],
  workingWeekends: [
    '2025-01-26', // 春节：1月26日（周日）上班
    '2025-02-08', // 春节：2月8日（周六）上班
    '2025-04-27', // 劳动节：4月27日（周日）上班
    '2025-09-28', // 国庆节、中秋节：9月28日（周日）上班
    '2025-10-11', // 国庆节、中秋节：10月11日（周六）上班
  ],
  businessHours: [
    { from: '09:00', to: '12:00' },
    { from: '13:30', to: '17:30' },
  ],
  source:
    '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）; verify against the State Council notice',
};
