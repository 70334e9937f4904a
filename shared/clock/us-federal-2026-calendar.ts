// US federal holidays in 2026 (5 U.S.C. 6103; a holiday on a Saturday is observed on the
// Friday before: Independence Day, Saturday 4 July, is observed Friday 3 July). The CFPB
// periods are calendar days; this calendar serves the internal business-hour targets.
// Verify against opm.gov before relying on it. Fixed offset −5 h (US Eastern Standard
// Time): see the CFPB policy for the daylight-saving approximation. Mirrored in
// resources/calendars/us-federal-2026.json.
import type { CalendarData } from './calendar';

export const US_FEDERAL_2026_CALENDAR: CalendarData = {
  id: 'us-federal-2026',
  name: 'US federal holidays 2026',
  timeZoneOffsetMinutes: -300,
  years: [2026],
  holidays: [
    '2026-01-01', // New Year's Day
    '2026-01-19', // Birthday of Martin Luther King, Jr.
    '2026-02-16', // Washington's Birthday
    '2026-05-25', // Memorial Day
    '2026-06-19', // Juneteenth National Independence Day
    '2026-07-03', // Independence Day (observed)
    '2026-09-07', // Labor Day
    '2026-10-12', // Columbus Day
    '2026-11-11', // Veterans Day
    '2026-11-26', // Thanksgiving Day
    '2026-12-25', // Christmas Day
  ],
  workingWeekends: [],
  businessHours: [{ from: '09:00', to: '17:00' }],
  source: 'opm.gov federal holidays 2026; verify before use',
};
