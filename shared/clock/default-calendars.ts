// The calendars the default policies name, ready to use. Callers that load an
// administrator's JSON from resources/calendars build theirs with createWorkCalendar.
import { createWorkCalendar, mergeCalendarData, type WorkCalendar } from './calendar';
import { CN_2025_CALENDAR } from './cn-2025-calendar';
import { CN_2026_CALENDAR } from './cn-2026-calendar';
import { GB_ENG_2026_CALENDAR } from './gb-eng-2026-calendar';
import { US_FEDERAL_2026_CALENDAR } from './us-federal-2026-calendar';

/** Mainland China, 2025 and 2026: cases received in late 2025 run into 2026. */
export const CN_CALENDAR: WorkCalendar = createWorkCalendar(
  mergeCalendarData('cn', [CN_2025_CALENDAR, CN_2026_CALENDAR], '中国内地节假日与调休'),
);
export const GB_ENG_CALENDAR: WorkCalendar = createWorkCalendar(GB_ENG_2026_CALENDAR);
export const US_FEDERAL_CALENDAR: WorkCalendar = createWorkCalendar(US_FEDERAL_2026_CALENDAR);

/** By the id a policy names in `calendarId`. */
export const DEFAULT_CALENDARS: Readonly<Record<string, WorkCalendar>> = {
  [CN_CALENDAR.id]: CN_CALENDAR,
  [GB_ENG_CALENDAR.id]: GB_ENG_CALENDAR,
  [US_FEDERAL_CALENDAR.id]: US_FEDERAL_CALENDAR,
};
