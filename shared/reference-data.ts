// Reference data as it travels: the deadline policies and work calendars an administrator
// keeps on the server, each saved as numbered revisions, and the deployment's active pair
// that every workstation caches to count deadlines offline. The bodies are the deadline
// engine's own schemas (shared/clock), so what the server accepts the engine can run.
import { z } from 'zod';
import { CalendarData } from './clock/calendar';
import { DeadlinePolicy } from './clock/policies';

/** A policy or calendar id as the bodies carry it (CN_CBIRC_2020, cn, gb-eng-2026). */
export const ReferenceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'REFERENCE_ID_INVALID' });

/** Sync versions travel as decimal strings, like the case cursor. */
const Version = z.string().regex(/^\d{1,18}$/);

const revisionFields = {
  id: ReferenceId,
  /** 1, 2, 3…: every change an administrator saves is a new revision; the latest is in force. */
  revision: z.number().int().positive(),
  savedAt: z.string(),
  /** Null for the defaults shipped with the system. */
  savedBy: z.string().nullable(),
  /** The sync version of the save: it orders every change of reference data. */
  version: Version,
};

export const PolicyRevision = z.object({ ...revisionFields, policy: DeadlinePolicy });
export type PolicyRevision = z.infer<typeof PolicyRevision>;

export const CalendarRevision = z.object({ ...revisionFields, calendar: CalendarData });
export type CalendarRevision = z.infer<typeof CalendarRevision>;

/** What GET /reference/deadline-rules answers: the pair in force, with their revisions. */
export const DeadlineRules = z.object({
  /**
   * The highest version of the choice and the two revisions: a workstation whose cached
   * rules carry the same version has them already.
   */
  version: Version,
  chosenAt: z.string().nullable(),
  policy: PolicyRevision,
  calendar: CalendarRevision,
});
export type DeadlineRules = z.infer<typeof DeadlineRules>;

/** The administrator's choice; without a calendar, the one the policy names (calendarId). */
export const ChooseDeadlineRules = z.object({
  policyId: ReferenceId,
  calendarId: ReferenceId.optional(),
});
export type ChooseDeadlineRules = z.infer<typeof ChooseDeadlineRules>;

export const ReferenceSummary = z.object({
  id: ReferenceId,
  name: z.string().nullable(),
  revision: z.number().int().positive(),
  savedAt: z.string(),
  /** Part of the active pair. */
  active: z.boolean(),
});
export type ReferenceSummary = z.infer<typeof ReferenceSummary>;

export const ReferenceList = z.object({ items: z.array(ReferenceSummary) });
export type ReferenceList = z.infer<typeof ReferenceList>;
