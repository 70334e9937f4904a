// What the deadline engine reads: the clock-relevant facts of one case, in the order they
// happened. The lifecycle machines append these as the case moves; the engine derives every
// deadline from them, so a deadline is never stored and never drifts from its history.
import { z } from 'zod';
import { CaseType, Priority } from '../domain';
import { InstantString } from './local-time';

const at = InstantString;

export const ClockEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('received'),
    at,
    priority: Priority,
    caseType: CaseType,
    /** A major complaint (重大投诉) gets a second follow-up. */
    major: z.boolean().optional(),
    /**
     * Which of the policy's regulatory tracks applies (e.g. 'payment_services' under the FCA
     * policy); the policy's 'default' track when absent.
     */
    regulatoryTrack: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('priority_changed'), at, priority: Priority }),
  z.object({ kind: z.literal('first_contact'), at }),
  z.object({ kind: z.literal('interim_measure'), at }),
  /** The cause is known (urgent: within 2 h); a plan or a resolution implies it. */
  z.object({ kind: z.literal('root_cause_found'), at }),
  z.object({ kind: z.literal('plan_recorded'), at }),
  /** The customer was told how the case stands (high: every business day; CFPB: "in progress"). */
  z.object({ kind: z.literal('progress_update'), at }),
  /** The owner promised the customer a written solution by `promisedBy`. */
  z.object({ kind: z.literal('resolution_promised'), at, promisedBy: InstantString }),
  z.object({ kind: z.literal('waiting_customer_started'), at }),
  z.object({ kind: z.literal('waiting_customer_ended'), at }),
  /** External appraisal or testing: time the regulatory clock does not count. */
  z.object({ kind: z.literal('exclusion_started'), at, reason: z.string().min(1) }),
  z.object({ kind: z.literal('exclusion_ended'), at }),
  z.object({
    kind: z.literal('extension'),
    at,
    /** The new total of the regulatory period in days, counted from receipt (30, then 60). */
    toDays: z.number().int().positive(),
    approvalId: z.string().min(1).optional(),
    approvedBy: z.string().min(1).optional(),
    customerNoticeAt: InstantString.optional(),
    reason: z.string().optional(),
  }),
  /** New facts or material: the regulatory clock restarts from their receipt. */
  z.object({ kind: z.literal('new_facts'), at }),
  /** This case was merged into another open case: its own clocks stop. */
  z.object({ kind: z.literal('merged_into'), at, intoCaseId: z.string().optional() }),
  /** A repeat with no new facts was merged into this case: this case keeps its clock. */
  z.object({ kind: z.literal('absorbed_repeat'), at, repeatCaseId: z.string().optional() }),
  z.object({ kind: z.literal('resolved'), at }),
  /** The decision was told to the customer (CBIRC: within 15 days of receipt). */
  z.object({ kind: z.literal('decision_notified'), at }),
  z.object({ kind: z.literal('closed'), at }),
  /**
   * The case is handled again after a decision (the customer rated it below the threshold,
   * or asked to reopen): a new cycle of resolution starts here. After a `closed`, handling
   * resumes. The regulatory clock is not restarted by it (a decision was told); new facts
   * brought with it are a `new_facts` entry of their own.
   */
  z.object({
    kind: z.literal('reopened'),
    at,
    cause: z.enum(['low_satisfaction', 'reopen_requested']).optional(),
    reason: z.string().optional(),
  }),
  /** The customer withdrew: handling ends that day. */
  z.object({ kind: z.literal('withdrawn'), at }),
  z.object({ kind: z.literal('follow_up_done'), at, second: z.boolean().optional() }),
]);
export type ClockEntry = z.infer<typeof ClockEntry>;
export type ClockEntryKind = ClockEntry['kind'];
export type ClockEntryOf<K extends ClockEntryKind> = Extract<ClockEntry, { kind: K }>;
export type ExtensionEntry = ClockEntryOf<'extension'>;

/** Every kind of entry; policies name these in `metBy`, `restartedBy` and `triggeredBy`. */
export const CLOCK_ENTRY_KINDS = [
  'received',
  'priority_changed',
  'first_contact',
  'interim_measure',
  'root_cause_found',
  'plan_recorded',
  'progress_update',
  'resolution_promised',
  'waiting_customer_started',
  'waiting_customer_ended',
  'exclusion_started',
  'exclusion_ended',
  'extension',
  'new_facts',
  'merged_into',
  'absorbed_repeat',
  'resolved',
  'decision_notified',
  'closed',
  'reopened',
  'withdrawn',
  'follow_up_done',
] as const satisfies readonly ClockEntryKind[];
export const ClockEntryKindName = z.enum(CLOCK_ENTRY_KINDS);

// The list above names every kind of the union, no more and no fewer: a compile error here
// means one of the two was changed without the other.
type MissingKinds = Exclude<ClockEntryKind, (typeof CLOCK_ENTRY_KINDS)[number]>;
const everyKindListed: MissingKinds extends never ? true : MissingKinds = true;
void everyKindListed;

export const ClockHistory = z.array(ClockEntry);
export type ClockHistory = readonly ClockEntry[];
