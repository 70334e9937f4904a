// The agent's queues over the local cache: mine, my team's, my follow-up calls, filtered,
// sorted (next deadline, last update, priority), searched, and read one window at a time,
// so a virtualized table over 100,000 cases only loads the rows on screen.
//
// The index itself (table case_queue, FTS5 tables case_search and case_search_chars) is
// migration 004; its triggers call the two SQL functions registered here. What a queue
// row stores about deadlines is fixed when the view is written: the earliest due instant
// and the earliest warning instant of the clocks that run. Neither moves with time while
// the case does not change (a running clock's due instant depends on the history only),
// so the SLA state at any later `now` is two integer comparisons.
import {
  CN_CALENDAR,
  CN_CBIRC_2020,
  computeDeadlines,
  type DeadlinePolicy,
  type WorkCalendar,
} from '../../shared/clock';
import { maskPhone, type CaseRecord, type CaseSummary } from '../../shared/case-views';
import { PRIORITIES, type BusinessLine, type Channel, type Priority } from '../../shared/domain';
import type { CaseState } from '../../shared/lifecycle/case-machine';
import { toSimplified } from '../../shared/lifecycle/traditional-chinese';
import type { CacheDb } from './cache-db';
import { CATCH_UP_CASE_QUEUE } from './migrations/004_queue_index';

export const SLA_STATES = ['ok', 'warning', 'breached', 'paused'] as const;
/**
 * The worst of a case's running clocks at `now`: breached (one is past due), warning (one
 * is in its warning period), paused (one waits on the customer or an exclusion), else ok.
 */
export type SlaState = (typeof SLA_STATES)[number];

export type QueueScope = 'mine' | 'team' | 'followUps';
export type QueueSort = 'nextDue' | 'updated' | 'priority';

export interface QueueFilters {
  status?: readonly CaseState[];
  priority?: readonly Priority[];
  channel?: readonly Channel[];
  businessLine?: readonly BusinessLine[];
  sla?: readonly SlaState[];
}

export interface QueueQuery {
  /** mine: owned by userId; team: of teamId; followUps: mine with a follow-up call owed. */
  scope: QueueScope;
  userId: string;
  teamId?: string | null;
  /** An empty or missing list does not filter. */
  filters?: QueueFilters;
  sort: QueueSort;
  /** Any substring of the case number, customer name, last 4 phone digits, description,
   * customer expectation or a note; Traditional characters match Simplified ones. */
  search?: string;
  offset: number;
  limit: number;
}

export interface QueueRow extends CaseSummary {
  ownerId: string | null;
  ownerName: string | null;
  /** The earliest due instant of the clocks that run (ISO); null when none runs. */
  nextDueAt: string | null;
  /** The earliest warning instant of the clocks that run (ISO): a live countdown turns
   * orange then without asking again. */
  nextWarnAt: string | null;
  /** The earliest follow-up call still owed (ISO), closed cases only. */
  followUpDueAt: string | null;
  slaState: SlaState;
}

export interface QueuePage {
  /** Rows matching the query, all windows together: the table's scroll height. */
  total: number;
  rows: QueueRow[];
}

/** Largest window one call returns: a screen, with room to spare. */
export const MAX_QUEUE_WINDOW = 500;
const NO_DUE = Number.MAX_SAFE_INTEGER;
const FIELD_SEPARATOR = '\n';

// --- indexing (called by the triggers of migration 004) -------------------------------------

/** The queue columns of one case, as the JSON object case_queue_fields returns. */
export interface QueueFields {
  number: string;
  owner_id: string;
  team_id: string | null;
  status: string;
  priority: string;
  priority_rank: number;
  channel: string;
  type: string;
  business_line: string;
  created_at: string;
  updated_at: string;
  next_due_ms: number | null;
  due_order: number;
  next_warn_ms: number | null;
  paused: 0 | 1;
  follow_up_due_ms: number | null;
}

/** The deadline rules the queue counts with: the same as the case detail page's. */
export interface DeadlineRules {
  policy: DeadlinePolicy;
  calendar: WorkCalendar;
}
export const CHINA_RULES: DeadlineRules = { policy: CN_CBIRC_2020, calendar: CN_CALENDAR };

/**
 * Registers the SQL functions the index's triggers call. Must run on every connection that
 * writes cases or notes, before migrating (openCacheDb does both). `rules` is read on each
 * write; after it changes, reindexCaseQueue recounts the cases already cached.
 */
export function installCaseQueueFunctions(
  db: CacheDb,
  rules: () => DeadlineRules = () => CHINA_RULES,
): void {
  db.function('case_queue_deferred', { deterministic: false }, () =>
    deferredConnections.has(db) ? 1 : 0,
  );
  db.function('case_queue_fields', { deterministic: false }, (viewJson) =>
    JSON.stringify(queueFieldsOf(JSON.parse(String(viewJson)) as CaseRecord, new Date(), rules())),
  );
  // Both search tables are given the same text in one trigger: the last answer is reused.
  let last: { viewJson: unknown; notesText: unknown; body: string } | null = null;
  db.function('case_search_body', { deterministic: true }, (viewJson, notesText) => {
    if (last && last.viewJson === viewJson && last.notesText === notesText) return last.body;
    const notes = typeof notesText === 'string' ? notesText.split(FIELD_SEPARATOR) : [];
    const body = searchBodyOf(JSON.parse(String(viewJson)) as CaseRecord, notes);
    last = { viewJson, notesText, body };
    return body;
  });
  db.function('search_chars', { deterministic: true }, (body) => searchChars(String(body)));
}

/**
 * What the queue stores about a case written at `writtenAt`. Deadlines are computed at the
 * later of the write and the case's last update, so that a case whose server clock runs a
 * little ahead of this workstation's still shows its latest entries.
 */
export function queueFieldsOf(
  record: CaseRecord,
  writtenAt: Date,
  rules: DeadlineRules = CHINA_RULES,
): QueueFields {
  const clocks = runningClocks(record, writtenAt, rules);
  return {
    number: record.number,
    owner_id: record.ownerId ?? '',
    team_id: record.teamId,
    status: record.status,
    priority: record.priority,
    priority_rank: PRIORITIES.indexOf(record.priority),
    channel: record.channel,
    type: record.type,
    business_line: record.businessLine,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    next_due_ms: clocks.nextDueMs,
    due_order: clocks.nextDueMs ?? NO_DUE,
    next_warn_ms: clocks.nextWarnMs,
    paused: clocks.paused ? 1 : 0,
    follow_up_due_ms: clocks.followUpDueMs,
  };
}

interface RunningClocks {
  nextDueMs: number | null;
  nextWarnMs: number | null;
  paused: boolean;
  followUpDueMs: number | null;
}

function runningClocks(record: CaseRecord, writtenAt: Date, rules: DeadlineRules): RunningClocks {
  const at = new Date(Math.max(+writtenAt, Date.parse(record.updatedAt) || 0));
  const clocks: RunningClocks = {
    nextDueMs: null,
    nextWarnMs: null,
    paused: false,
    followUpDueMs: null,
  };
  let deadlines;
  try {
    deadlines = computeDeadlines(record.lifecycle.clock, rules.policy, rules.calendar, at);
  } catch {
    // A history the engine cannot read must not block the write (a pull would fail): the
    // case is listed without a due time, and its detail page shows the engine's error.
    return clocks;
  }
  const earliest = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));
  for (const deadline of deadlines) {
    if (deadline.state === 'paused') {
      // Its due instant moves later while the pause lasts: no due time to sort on.
      clocks.paused = true;
      continue;
    }
    if (deadline.met || deadline.state === 'stopped' || deadline.dueAt === null) continue;
    const dueMs = Date.parse(deadline.dueAt);
    clocks.nextDueMs = earliest(clocks.nextDueMs, dueMs);
    if (deadline.warnAt !== null)
      clocks.nextWarnMs = earliest(clocks.nextWarnMs, Date.parse(deadline.warnAt));
    if (deadline.kind === 'follow_up' || deadline.kind === 'second_follow_up')
      clocks.followUpDueMs = earliest(clocks.followUpDueMs, dueMs);
  }
  return clocks;
}

const deferredConnections = new WeakSet<CacheDb>();

/**
 * While deferred, writes of cases and notes only note the case in a backlog: a bootstrap
 * pull of tens of thousands of cases is not held up by their deadlines and search text.
 * catchUpCaseQueue indexes the backlog afterwards.
 */
export function deferCaseQueueIndex(db: CacheDb, deferred: boolean): void {
  if (deferred) deferredConnections.add(db);
  else deferredConnections.delete(db);
}

/** Indexes up to `limit` cases of the backlog in one transaction; answers how many remain. */
export function catchUpCaseQueue(db: CacheDb, limit = 500): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be ≥ 1: ${limit}`);
  db.transaction(() => db.exec(CATCH_UP_CASE_QUEUE.replace('%LIMIT%', String(limit)))).immediate();
  return (db.prepare('SELECT count(*) AS n FROM case_queue_backlog').get() as { n: number }).n;
}

/** Recounts every cached case's deadlines with the rules in force (after they changed). */
export function reindexCaseQueue(db: CacheDb, rules: DeadlineRules = CHINA_RULES): number {
  const columns: (keyof QueueFields)[] = [
    'next_due_ms',
    'due_order',
    'next_warn_ms',
    'paused',
    'follow_up_due_ms',
  ];
  const update = db.prepare(
    `UPDATE case_queue SET ${columns.map((column) => `${column} = @${column}`).join(', ')} WHERE case_id = @id`,
  );
  const cases = db.prepare('SELECT id, view_json FROM cases').all() as {
    id: string;
    view_json: string;
  }[];
  db.transaction(() => {
    for (const row of cases) {
      const fields = queueFieldsOf(JSON.parse(row.view_json) as CaseRecord, new Date(), rules);
      update.run({
        id: row.id,
        ...Object.fromEntries(columns.map((column) => [column, fields[column]])),
      });
    }
  }).immediate();
  return cases.length;
}

// --- search text ------------------------------------------------------------------------

/** Case-folded and in Simplified characters: how both the index and the query are read. */
export function foldForSearch(text: string): string {
  return toSimplified(text.toLowerCase());
}

/** The searchable fields of a case, one per line; no query can span a line break. */
export function searchableFieldsOf(record: CaseRecord, noteTexts: readonly string[]): string[] {
  return [
    record.number,
    record.customerName,
    record.customerPhone.slice(-4),
    record.description,
    record.customerExpectation,
    ...noteTexts,
  ];
}

function searchBodyOf(record: CaseRecord, noteTexts: readonly string[]): string {
  return searchableFieldsOf(record, noteTexts)
    .map((field) => foldForSearch(field).replaceAll(FIELD_SEPARATOR, ' '))
    .join(FIELD_SEPARATOR);
}

/**
 * The tokens of the 1–2 character index: each character (u + code point) and each pair of
 * neighbours within a field (b + both code points), six hex digits each, so punctuation and
 * spaces are characters like any other and no pair spans two fields.
 */
export function searchChars(body: string): string {
  const tokens: string[] = [];
  for (const field of body.split(FIELD_SEPARATOR)) {
    const codes = [...field].map(codeOf);
    codes.forEach((code, index) => {
      tokens.push(`u${code}`);
      if (index + 1 < codes.length) tokens.push(`b${code}${codes[index + 1]}`);
    });
  }
  return tokens.join(' ');
}

function codeOf(ch: string): string {
  return ch.codePointAt(0)!.toString(16).padStart(6, '0');
}

/** The query as the agent meant it: folded, trimmed, line breaks and controls removed. */
export function normalizeSearch(search: string): string {
  // eslint-disable-next-line no-control-regex
  return foldForSearch(search.replace(/[\u0000-\u001f\u007f]/g, '')).trim();
}

/**
 * The FTS5 MATCH clause for a normalized, non-empty query: 3+ characters as a phrase of
 * the trigram index, 1 or 2 as one token of the character index.
 */
function searchClause(query: string): { table: string; match: string } {
  const chars = [...query];
  if (chars.length >= 3) return { table: 'case_search', match: `"${query.replaceAll('"', '""')}"` };
  const token = chars.length === 1 ? `u${codeOf(chars[0]!)}` : `b${chars.map(codeOf).join('')}`;
  return { table: 'case_search_chars', match: token };
}

// --- queries ----------------------------------------------------------------------------

const ORDER_BY: Record<QueueSort, string> = {
  nextDue: 'q.due_order, q.priority_rank, q.number',
  updated: 'q.updated_at DESC, q.number',
  priority: 'q.priority_rank, q.due_order, q.number',
};

/** Each SLA state as a condition on the stored instants at `now` (parameter @now). */
const SLA_CONDITION: Record<SlaState, string> = {
  breached: 'q.next_due_ms < @now',
  warning: '(q.next_due_ms >= @now AND q.next_warn_ms <= @now)',
  paused:
    '(q.paused = 1 AND (q.next_due_ms IS NULL OR (q.next_due_ms >= @now AND (q.next_warn_ms IS NULL OR q.next_warn_ms > @now))))',
  ok: '(q.paused = 0 AND (q.next_due_ms IS NULL OR (q.next_due_ms >= @now AND (q.next_warn_ms IS NULL OR q.next_warn_ms > @now))))',
};

export class CaseQueueError extends Error {
  constructor(
    readonly code: 'TEAM_REQUIRED' | 'WINDOW_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/** One window of a queue at `now`, with the number of rows of the whole queue. */
export function queryQueue(db: CacheDb, query: QueueQuery, now: Date): QueuePage {
  if (
    !Number.isInteger(query.offset) ||
    !Number.isInteger(query.limit) ||
    query.offset < 0 ||
    query.limit < 0 ||
    query.limit > MAX_QUEUE_WINDOW
  )
    throw new CaseQueueError('WINDOW_INVALID', `A window is 0–${MAX_QUEUE_WINDOW} rows from 0`);
  const params: Record<string, unknown> = { now: +now };
  const where: string[] = [];
  if (query.scope === 'team') {
    if (!query.teamId) throw new CaseQueueError('TEAM_REQUIRED', 'A team queue needs a team');
    where.push('q.team_id = @team');
    params.team = query.teamId;
  } else {
    where.push('q.owner_id = @user');
    params.user = query.userId;
    if (query.scope === 'followUps') where.push('q.follow_up_due_ms IS NOT NULL');
  }
  const filters = query.filters ?? {};
  const listFilter = (column: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    const names = values.map((value, index) => {
      params[`${column}${index}`] = value;
      return `@${column}${index}`;
    });
    where.push(`q.${column} IN (${names.join(', ')})`);
  };
  listFilter('status', filters.status);
  listFilter('priority', filters.priority);
  listFilter('channel', filters.channel);
  listFilter('business_line', filters.businessLine);
  if (filters.sla && filters.sla.length > 0)
    where.push(`(${filters.sla.map((state) => SLA_CONDITION[state]).join(' OR ')})`);
  const search = normalizeSearch(query.search ?? '');
  if (search.length > 0) {
    const clause = searchClause(search);
    where.push(
      `q.row_key IN (SELECT rowid FROM ${clause.table} WHERE ${clause.table} MATCH @search)`,
    );
    params.search = clause.match;
  }
  const condition = where.join(' AND ');
  const total = (
    statement(db, `SELECT count(*) AS n FROM case_queue q WHERE ${condition}`).get(params) as {
      n: number;
    }
  ).n;
  if (query.limit === 0 || query.offset >= total) return { total, rows: [] };
  const rows = statement(
    db,
    // The window's keys first, from the index alone: rows skipped by a deep OFFSET (a
    // scrollbar dragged to case 99,900) are never joined to their case (540 ms → ms).
    `WITH win AS (SELECT q.row_key FROM case_queue q
                   WHERE ${condition} ORDER BY ${ORDER_BY[query.sort]} LIMIT @limit OFFSET @offset)
     SELECT c.view_json, q.pending, q.next_due_ms, q.next_warn_ms, q.paused, q.follow_up_due_ms
       FROM win JOIN case_queue q ON q.row_key = win.row_key JOIN cases c ON c.id = q.case_id
      ORDER BY ${ORDER_BY[query.sort]}`,
  ).all({ ...params, limit: query.limit, offset: query.offset }) as StoredRow[];
  return { total, rows: rows.map((row) => toQueueRow(row, +now)) };
}

interface StoredRow {
  view_json: string;
  pending: number;
  next_due_ms: number | null;
  next_warn_ms: number | null;
  paused: number;
  follow_up_due_ms: number | null;
}

/** The SLA state at `nowMs` of the stored instants: the same rules as SLA_CONDITION. */
export function slaStateAt(
  stored: { nextDueMs: number | null; nextWarnMs: number | null; paused: boolean },
  nowMs: number,
): SlaState {
  if (stored.nextDueMs !== null && stored.nextDueMs < nowMs) return 'breached';
  if (stored.nextWarnMs !== null && stored.nextWarnMs <= nowMs) return 'warning';
  return stored.paused ? 'paused' : 'ok';
}

function toQueueRow(row: StoredRow, nowMs: number): QueueRow {
  const record = JSON.parse(row.view_json) as CaseRecord;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: record.id,
    number: record.number,
    customerName: record.customerName,
    maskedPhone: maskPhone(record.customerPhone),
    channel: record.channel,
    type: record.type,
    businessLine: record.businessLine,
    status: record.status,
    priority: record.priority,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    descriptionPreview: record.description.slice(0, 80),
    pending: row.pending === 1,
    ownerId: record.ownerId,
    ownerName: record.ownerName,
    nextDueAt: iso(row.next_due_ms),
    nextWarnAt: iso(row.next_warn_ms),
    followUpDueAt: iso(row.follow_up_due_ms),
    slaState: slaStateAt(
      { nextDueMs: row.next_due_ms, nextWarnMs: row.next_warn_ms, paused: row.paused === 1 },
      nowMs,
    ),
  };
}

// Queries differ by which filters are set: a handful of shapes, each prepared once.
const statements = new WeakMap<CacheDb, Map<string, ReturnType<CacheDb['prepare']>>>();
function statement(db: CacheDb, sql: string): ReturnType<CacheDb['prepare']> {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}
