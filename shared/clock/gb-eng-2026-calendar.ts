// Bank holidays of England and Wales in 2026 (Banking and Financial Dealings Act 1971 and
// royal proclamation; published on gov.uk/bank-holidays), for the FCA policy's business days.
// Easter Sunday 2026 is 5 April; Boxing Day falls on a Saturday, so Monday 28 December is
// the substitute day. Verify against gov.uk before relying on them. Fixed offset 0: see the
// FCA policy for the British Summer Time approximation. Mirrored in
// resources/calendars/gb-eng-2026.json.
import type { CalendarData } from './calendar';

export const GB_ENG_2026_CALENDAR: CalendarData = {
  id: 'gb-eng-2026',
  name: 'England and Wales bank holidays 2026',
  timeZoneOffsetMinutes: 0,
  years: [2026],
  holidays: [
    '2026-01-01', // New Year's Day
    '2026-04-03', // Good Friday
    '2026-04-06', // Easter Monday
    '2026-05-04', // Early May bank holiday
    '2026-05-25', // Spring bank holiday
    '2026-08-31', // Summer bank holiday
    '2026-12-25', // Christmas Day
    '2026-12-28', // Boxing Day (substitute day)
  ],
  workingWeekends: [],
  businessHours: [{ from: '09:00', to: '17:00' }],
  source: 'gov.uk/bank-holidays, England and Wales, 2026; verify before use',
};
