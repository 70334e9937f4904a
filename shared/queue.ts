// The queue as the contract carries it: what the UI may ask (scope, filters, sort, search,
// one window), what a row shows, and the saved views an agent names. Who is asking (user,
// team) is never part of a request: the backend takes it from the session.
import { z } from 'zod';
import { CaseSummary } from './case-views';
import { BUSINESS_LINES, BusinessLine, Channel, CHANNELS, Priority, PRIORITIES } from './domain';
import { CASE_STATES, CaseState } from './lifecycle/case-machine';

export const QUEUE_SCOPES = ['mine', 'team', 'followUps'] as const;
export const QueueScope = z.enum(QUEUE_SCOPES);
export type QueueScope = z.infer<typeof QueueScope>;

export const QUEUE_SORTS = ['nextDue', 'updated', 'priority'] as const;
export const QueueSort = z.enum(QUEUE_SORTS);
export type QueueSort = z.infer<typeof QueueSort>;

/** ok, warning (in its warning period), breached (past due), paused (waits on the customer). */
export const SLA_STATE_NAMES = ['ok', 'warning', 'breached', 'paused'] as const;
export const SlaState = z.enum(SLA_STATE_NAMES);
export type SlaState = z.infer<typeof SlaState>;

/** Largest window one request may ask for (the backend's own limit). */
export const QUEUE_WINDOW_MAX = 500;
export const QUEUE_SEARCH_MAX = 100;

/** A list filter: each value at most once; empty or missing does not filter. */
const anyOf = <T extends z.ZodType<string>>(item: T, count: number) =>
  z
    .array(item)
    .max(count)
    .refine((values) => new Set(values).size === values.length, { message: 'DUPLICATE' })
    .optional();

export const QueueFilters = z
  .object({
    status: anyOf(CaseState, CASE_STATES.length),
    priority: anyOf(Priority, PRIORITIES.length),
    channel: anyOf(Channel, CHANNELS.length),
    businessLine: anyOf(BusinessLine, BUSINESS_LINES.length),
    sla: anyOf(SlaState, SLA_STATE_NAMES.length),
  })
  .strict();
export type QueueFilters = z.infer<typeof QueueFilters>;

/** What a queue shows, without the window: also what a saved view keeps. */
export const QueueSelection = z
  .object({
    scope: QueueScope,
    filters: QueueFilters.default({}),
    sort: QueueSort.default('nextDue'),
    search: z.string().max(QUEUE_SEARCH_MAX, { message: 'TOO_LONG' }).default(''),
  })
  .strict();
export type QueueSelection = z.infer<typeof QueueSelection>;

export const QueueRequest = QueueSelection.extend({
  offset: z.number().int().nonnegative().max(10_000_000),
  limit: z.number().int().nonnegative().max(QUEUE_WINDOW_MAX),
}).strict();
export type QueueRequest = z.infer<typeof QueueRequest>;

export const QueueRow = CaseSummary.extend({
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  /** The earliest due instant of the clocks that run; null when none runs. */
  nextDueAt: z.string().nullable(),
  /** When the earliest running clock enters its warning period. */
  nextWarnAt: z.string().nullable(),
  followUpDueAt: z.string().nullable(),
  /** The SLA state when the window was read; the UI recounts it as time passes. */
  slaState: SlaState,
});
export type QueueRow = z.infer<typeof QueueRow>;

export const QueuePage = z.object({
  /** Rows of the whole queue: the virtualized table's height. */
  total: z.number().int().nonnegative(),
  rows: z.array(QueueRow),
});
export type QueuePage = z.infer<typeof QueuePage>;

export const QUEUE_VIEW_NAME_MAX = 30;
/** Enough views for any desk; more is a list nobody reads. */
export const QUEUE_VIEWS_MAX = 30;

export const QueueViewName = z
  .string()
  .trim()
  .min(1, { message: 'REQUIRED' })
  .max(QUEUE_VIEW_NAME_MAX, { message: 'TOO_LONG' })
  // eslint-disable-next-line no-control-regex
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), { message: 'INVALID_CHARACTERS' });

export const SavedQueueView = z.object({
  id: z.uuid(),
  name: z.string(),
  query: QueueSelection,
  savedAt: z.string(),
});
export type SavedQueueView = z.infer<typeof SavedQueueView>;

export const SaveQueueViewRequest = z
  .object({ name: QueueViewName, query: QueueSelection })
  .strict();
