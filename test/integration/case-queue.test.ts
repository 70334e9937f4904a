// The agent's queues over the local cache: the index follows every write of a case (create,
// pull, rebase, removal, reset, notes), its filters, sorts and windows give what a plain
// scan of the cases would, its SLA states are the deadline engine's at any later moment,
// and search finds every substring of the searchable texts, Traditional or Simplified.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CN_CALENDAR,
  CN_CBIRC_2020,
  computeDeadlines,
  GB_ENG_CALENDAR,
  UK_FCA_DISP,
} from '../../shared/clock';
import type { CaseRecord } from '../../shared/case-views';
import {
  BUSINESS_LINES,
  CHANNELS,
  PRIORITIES,
  type CaseIntake,
  type Channel,
} from '../../shared/domain';
import { registerCase } from '../../shared/intake';
import {
  CASE_STATES,
  decideCaseEvent,
  type CaseActor,
  type CaseEventInput,
} from '../../shared/lifecycle/case-machine';
import { toSimplified } from '../../shared/lifecycle/traditional-chinese';
import type { PullResponse, ServerNote } from '../../shared/sync-protocol';
import { openCacheDb } from '../../main/backend/cache-db';
import {
  installCaseQueueFunctions,
  queryQueue,
  reindexCaseQueue,
  SLA_STATES,
  type QueueQuery,
  type QueueRow,
  type SlaState,
} from '../../main/backend/case-queue';
import { CaseStore } from '../../main/backend/case-store';
import { migration001 } from '../../main/backend/migrations/001_cache';
import { migration002 } from '../../main/backend/migrations/002_departed_cases';
import { migration003 } from '../../main/backend/migrations/003_conflict_log';

const dir = mkdtempSync(join(tmpdir(), 'cw-case-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openCache = () => openCacheDb(join(dir, `${randomUUID()}.sqlite`));

// --- factories ------------------------------------------------------------------------------

const AGENT: CaseActor = { userId: 'u-agent01', role: 'agent' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const intakeOf = (overrides: Partial<CaseIntake> = {}): CaseIntake => ({
  customerName: '郑晓东',
  customerPhone: '13900004455',
  channel: 'phone',
  type: 'complaint',
  businessLine: 'payment',
  description: '网银转账重复扣款两次，每次500元',
  customerExpectation: '退回重复扣款',
  ...overrides,
});

/** A case as the server sends it: registered `ageMs` ago, then `events` a minute apart. */
function serverCase(
  options: {
    ageMs?: number;
    intake?: Partial<CaseIntake>;
    events?: CaseEventInput[];
    ownerId?: string;
    teamId?: string | null;
    number?: string;
  } = {},
): CaseRecord {
  const id = randomUUID();
  const intake = intakeOf(options.intake);
  const receivedMs = Date.now() - (options.ageMs ?? HOUR);
  const actor = { ...AGENT, userId: options.ownerId ?? AGENT.userId };
  let { state, context } = registerCase({
    caseId: id,
    intake,
    actor,
    receivedAt: new Date(receivedMs).toISOString(),
  });
  (options.events ?? []).forEach((event, index) => {
    const at = new Date(receivedMs + (index + 1) * 60_000).toISOString();
    const verdict = decideCaseEvent(state, context, { ...event, actor, at });
    if (!verdict.ok) throw new Error(`${event.type} refused: ${verdict.code}`);
    ({ state, context } = verdict);
  });
  const updatedAt = new Date(receivedMs + (options.events?.length ?? 0) * 60_000).toISOString();
  return {
    ...intake,
    id,
    number: options.number ?? `BJA7-261101-${id.slice(0, 6)}`,
    status: state,
    lifecycle: context,
    priority: context.priority,
    ownerId: actor.userId,
    ownerName: '李娜',
    teamId: options.teamId === undefined ? 'team-t1' : options.teamId,
    branchId: null,
    createdAt: new Date(receivedMs).toISOString(),
    updatedAt,
    version: 1,
  };
}

const WAIT_ON_CUSTOMER: CaseEventInput = { type: 'REQUEST_CUSTOMER_INFO', what: '交易流水截图' };
const CLOSE: CaseEventInput[] = [
  { type: 'RESOLVE', rootCause: '清算通道超时', solution: '退回重复扣款', prevention: '增加监控' },
  { type: 'NOTIFY_CUSTOMER', channel: 'phone', summary: '已退款' },
  { type: 'RECORD_FEEDBACK', score: 5 },
];

let cursor = 0;
function pull(
  store: CaseStore,
  page: Partial<Pick<PullResponse, 'cases' | 'notes' | 'removedCaseIds' | 'lastSeq'>>,
) {
  return store.applyPull({
    cursor: String(++cursor),
    lastSeq: page.lastSeq ?? 0,
    cases: page.cases ?? [],
    notes: page.notes ?? [],
    removedCaseIds: page.removedCaseIds ?? [],
    attachments: [],
    hasMore: false,
  });
}

const serverNote = (caseId: string, text: string): ServerNote => ({
  id: randomUUID(),
  caseId,
  authorId: AGENT.userId,
  authorName: '李娜',
  text,
  createdAt: new Date().toISOString(),
  recordedAt: new Date().toISOString(),
});

const mine = (overrides: Partial<QueueQuery> = {}): QueueQuery => ({
  scope: 'mine',
  userId: AGENT.userId,
  sort: 'nextDue',
  offset: 0,
  limit: 500,
  ...overrides,
});

const ids = (rows: QueueRow[]) => rows.map((row) => row.id);

// --- the reference: the deadline engine and plain scans --------------------------------------

/** What the case detail page would show at `now`, read the same way as the queue. */
function expectedClocks(
  record: CaseRecord,
  now: Date,
): { nextDueMs: number | null; sla: SlaState } {
  const deadlines = computeDeadlines(record.lifecycle.clock, CN_CBIRC_2020, CN_CALENDAR, now);
  const live = deadlines.filter((d) => ['running', 'warning', 'breached'].includes(d.state));
  const dues = live.filter((d) => d.dueAt !== null).map((d) => Date.parse(d.dueAt!));
  const has = (state: string) => deadlines.some((d) => d.state === state);
  const sla: SlaState = has('breached')
    ? 'breached'
    : has('warning')
      ? 'warning'
      : has('paused')
        ? 'paused'
        : 'ok';
  return { nextDueMs: dues.length > 0 ? Math.min(...dues) : null, sla };
}

function fold(text: string): string {
  return toSimplified(text.toLowerCase());
}

function matchesSearch(record: CaseRecord, notes: string[], query: string): boolean {
  const q = fold(query).trim();
  if (q.length === 0) return true;
  return [
    record.number,
    record.customerName,
    record.customerPhone.slice(-4),
    record.description,
    record.customerExpectation,
    ...notes,
  ].some((field) => fold(field).includes(q));
}

// --- the index follows the case store ----------------------------------------------------------

describe('the queue index', () => {
  it('lists a case created offline at once, due when its first deadline is', () => {
    const db = openCache();
    const store = new CaseStore(db);
    const record = serverCase({ intake: { channel: 'email' } });
    const { number: _number, version: _version, ...input } = record;
    const created = store.createCase({
      record: input,
      workstationCode: 'BJA7',
      actor: AGENT,
      now: new Date(),
    });
    const page = queryQueue(db, mine(), new Date());
    expect(page.total).toBe(1);
    expect(page.rows[0]).toMatchObject({ id: created.id, number: created.number, pending: true });
    const expected = expectedClocks(created, new Date());
    expect(page.rows[0]!.nextDueAt).toBe(new Date(expected.nextDueMs!).toISOString());
    expect(page.rows[0]!.slaState).toBe(expected.sla);
  });

  it('indexes a deferred bootstrap afterwards exactly as it would have at once', () => {
    const records = Array.from({ length: 23 }, (_, i) =>
      serverCase({ ageMs: (i + 1) * HOUR, intake: { description: `第${i}件：信用卡被盗刷` } }),
    );
    const notes = records.slice(0, 5).map((record) => serverNote(record.id, '客户称资金冻结'));
    const direct = openCache();
    pull(new CaseStore(direct), { cases: records, notes });

    const deferred = openCache();
    const store = new CaseStore(deferred);
    store.deferQueueIndex(true);
    pull(store, { cases: records, notes });
    store.deferQueueIndex(false);
    // Nothing indexed yet: the bootstrap only noted the cases.
    expect(queryQueue(deferred, mine(), new Date()).total).toBe(0);
    const remaining: number[] = [];
    for (let left = Infinity; left > 0;) remaining.push((left = store.catchUpQueueIndex(10)));
    expect(remaining).toEqual([13, 3, 0]);

    const now = new Date();
    for (const query of [mine(), mine({ search: '冻结' }), mine({ search: '盗刷' })]) {
      expect(queryQueue(deferred, query, now)).toEqual(queryQueue(direct, query, now));
    }
    expect(queryQueue(deferred, mine({ search: '冻结' }), now).total).toBe(5);
  });

  it('follows pulls: new rows come in, changed rows move, removed rows leave', () => {
    const db = openCache();
    const store = new CaseStore(db);
    const older = serverCase({ ageMs: 3 * DAY });
    const newer = serverCase({ ageMs: HOUR });
    pull(store, { cases: [newer, older] });
    expect(ids(queryQueue(db, mine(), new Date()).rows)).toEqual([older.id, newer.id]);

    // The older case now waits on the customer: its service clocks pause.
    const waiting = serverCase({ ageMs: 3 * DAY, events: [WAIT_ON_CUSTOMER] });
    pull(store, { cases: [{ ...waiting, id: older.id, number: older.number, version: 2 }] });
    const [first] = queryQueue(
      db,
      mine({ filters: { status: ['waiting_customer'] } }),
      new Date(),
    ).rows;
    expect(first).toMatchObject({ id: older.id, status: 'waiting_customer' });
    expect(first!.slaState).toBe(expectedClocks(waiting, new Date()).sla);

    pull(store, { removedCaseIds: [newer.id] });
    expect(ids(queryQueue(db, mine(), new Date()).rows)).toEqual([older.id]);
    expect(queryQueue(db, mine({ search: '重复扣款' }), new Date()).total).toBe(1);
  });

  it('follows a rebase: a pending transition shows over the pulled row until it is refused', () => {
    const db = openCache();
    const store = new CaseStore(db);
    const record = serverCase();
    pull(store, { cases: [record] });
    store.transitionCase({
      caseId: record.id,
      event: WAIT_ON_CUSTOMER,
      actor: AGENT,
      now: new Date(),
    });
    const paused = queryQueue(db, mine({ filters: { sla: ['paused'] } }), new Date());
    expect(ids(paused.rows)).toEqual([record.id]);
    expect(paused.rows[0]!.pending).toBe(true);

    // The server's row comes back unchanged while the transition still waits: replayed on top.
    pull(store, { cases: [{ ...record, version: 2 }] });
    expect(queryQueue(db, mine({ filters: { sla: ['paused'] } }), new Date()).total).toBe(1);

    // Refused: the view (and the queue) fall back to the server's row.
    const [mutation] = store.pendingMutations();
    store.recordPushResults([
      {
        mutationId: mutation!.id,
        seq: mutation!.seq,
        status: 'rejected',
        code: 'CONFLICT',
        message: null,
      },
    ]);
    const page = queryQueue(db, mine(), new Date());
    expect(page.rows[0]).toMatchObject({ id: record.id, status: record.status });
    expect(page.rows[0]!.slaState).toBe(expectedClocks(record, new Date()).sla);
  });

  it('finds a note as soon as it is written and forgets the cases of a previous user', () => {
    const db = openCache();
    const store = new CaseStore(db);
    const record = serverCase();
    pull(store, { cases: [record], notes: [serverNote(record.id, '客户称已报警')] });
    expect(queryQueue(db, mine({ search: '報警' }), new Date()).total).toBe(1);
    store.addNote({
      caseId: record.id,
      text: '约定周五回电',
      author: { id: AGENT.userId, name: '李娜' },
      actor: AGENT,
      now: new Date(),
    });
    expect(queryQueue(db, mine({ search: '回电' }), new Date()).total).toBe(1);
    expect(queryQueue(db, mine({ search: '电约' }), new Date()).total).toBe(0);
    store.resetForUser('u-agent02');
    expect(queryQueue(db, mine(), new Date()).total).toBe(0);
    expect(queryQueue(db, mine({ search: '回电' }), new Date()).total).toBe(0);
  });

  it('lists closed cases with a follow-up call owed in the follow-ups queue', () => {
    const db = openCache();
    const store = new CaseStore(db);
    const open = serverCase();
    const closed = serverCase({ ageMs: 2 * DAY, events: CLOSE });
    pull(store, { cases: [open, closed] });
    const page = queryQueue(db, mine({ scope: 'followUps' }), new Date());
    expect(ids(page.rows)).toEqual([closed.id]);
    expect(page.rows[0]!.followUpDueAt).not.toBeNull();
  });

  it('counts with the deadline rules in force, and recounts cached cases when they change', () => {
    const db = openCache();
    const store = new CaseStore(db);
    // Closed two days ago: the follow-up calls owed differ between the two rule sets.
    const record = serverCase({ ageMs: 2 * DAY, events: CLOSE });
    pull(store, { cases: [record] });
    const due = (rows: QueueRow[]) => rows[0]!.nextDueAt;
    const chinaMs = expectedClocks(record, new Date()).nextDueMs;
    const china = chinaMs === null ? null : new Date(chinaMs).toISOString();
    expect(due(queryQueue(db, mine(), new Date()).rows)).toBe(china);

    const uk = { policy: UK_FCA_DISP, calendar: GB_ENG_CALENDAR };
    installCaseQueueFunctions(db, () => uk);
    expect(reindexCaseQueue(db, uk)).toBe(1);
    const ukDeadlines = computeDeadlines(record.lifecycle.clock, uk.policy, uk.calendar, new Date())
      .filter((d) => ['running', 'warning', 'breached'].includes(d.state) && d.dueAt !== null)
      .map((d) => Date.parse(d.dueAt!));
    const ukDue = ukDeadlines.length > 0 ? new Date(Math.min(...ukDeadlines)).toISOString() : null;
    expect(ukDue).not.toBe(china);
    expect(due(queryQueue(db, mine(), new Date()).rows)).toBe(ukDue);
  });

  it('fills itself from the cases and notes of a cache made before it existed', () => {
    const file = join(dir, 'before-queue.sqlite');
    const old = new Database(file);
    [migration001, migration002, migration003].forEach((sql) => old.exec(sql));
    old.pragma('user_version = 3');
    const records = [serverCase({ ageMs: 2 * DAY }), serverCase({ ageMs: HOUR })];
    const insert = old.prepare(
      'INSERT INTO cases (id, number, owner_id, updated_at, server_json, view_json, pending) VALUES (?, ?, ?, ?, ?, ?, 0)',
    );
    for (const record of records)
      insert.run(
        record.id,
        record.number,
        record.ownerId,
        record.updatedAt,
        JSON.stringify(record),
        JSON.stringify(record),
      );
    const note = { ...serverNote(records[1]!.id, '客户要求书面答复'), pending: false };
    old
      .prepare('INSERT INTO notes (id, case_id, data_json, pending) VALUES (?, ?, ?, 0)')
      .run(note.id, note.caseId, JSON.stringify(note));
    old.close();

    const db = openCacheDb(file);
    const page = queryQueue(db, mine(), new Date());
    expect(ids(page.rows)).toEqual(records.map((record) => record.id));
    expect(ids(queryQueue(db, mine({ search: '书面' }), new Date()).rows)).toEqual([
      records[1]!.id,
    ]);
    db.close();
  });
});

// --- against plain scans (fast-check) -----------------------------------------------------------

/** Lifecycles of many ages and shapes: running, in warning, breached, paused, closed. */
function lifecyclePool(): CaseRecord[] {
  const pool: CaseRecord[] = [];
  const ages = [10 * 60_000, 3 * HOUR, 26 * HOUR, 4 * DAY, 20 * DAY];
  const shapes: { intake: Partial<CaseIntake>; events: CaseEventInput[] }[] = [
    { intake: {}, events: [] },
    { intake: { channel: 'email' }, events: [] },
    { intake: { description: '信用卡被盗刷，要求冻结账户' }, events: [] },
    { intake: { type: 'inquiry', description: '咨询理财产品赎回' }, events: [] },
    { intake: {}, events: [WAIT_ON_CUSTOMER] },
    { intake: {}, events: CLOSE },
  ];
  for (const ageMs of ages) for (const shape of shapes) pool.push(serverCase({ ageMs, ...shape }));
  return pool;
}

const OWNERS = ['u-agent01', 'u-agent02'];
const TEAMS = ['team-t1', 'team-t2'];

const caseArb = (pool: CaseRecord[]) =>
  fc.record({
    template: fc.integer({ min: 0, max: pool.length - 1 }),
    owner: fc.constantFrom(...OWNERS),
    team: fc.constantFrom(...TEAMS),
    status: fc.constantFrom(...CASE_STATES),
    priority: fc.constantFrom(...PRIORITIES),
    channel: fc.constantFrom(...CHANNELS),
    businessLine: fc.constantFrom(...BUSINESS_LINES),
    updatedMinute: fc.integer({ min: 0, max: 5 }),
  });

// Mostly no filter, so that windows are seldom empty; otherwise one to three values.
const subset = <T>(values: readonly T[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as T[]) },
    { weight: 1, arbitrary: fc.subarray([...values], { minLength: 1, maxLength: 3 }) },
  );

const queryArb = fc.record({
  scope: fc.constantFrom('mine', 'team', 'followUps') as fc.Arbitrary<QueueQuery['scope']>,
  userId: fc.constantFrom(...OWNERS),
  teamId: fc.constantFrom(...TEAMS),
  filters: fc.record({
    status: subset(CASE_STATES),
    priority: subset(PRIORITIES),
    channel: subset(CHANNELS),
    businessLine: subset(BUSINESS_LINES),
    sla: subset(SLA_STATES),
  }),
  sort: fc.constantFrom('nextDue', 'updated', 'priority') as fc.Arbitrary<QueueQuery['sort']>,
  offset: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 })),
  limit: fc.integer({ min: 0, max: 30 }),
  laterMs: fc.integer({ min: 0, max: 40 * DAY }),
});

describe('a queue window', () => {
  const pool = lifecyclePool();

  it('is the window of a plain filter and sort of the cases, at any later moment', () => {
    fc.assert(
      fc.property(
        fc.array(caseArb(pool), { minLength: 20, maxLength: 60, size: 'max' }),
        fc.array(queryArb, { minLength: 1, maxLength: 8 }),
        (cases, queries) => {
          const db = openCache();
          try {
            const store = new CaseStore(db);
            const base = Date.parse('2026-11-01T00:00:00.000Z');
            const records = cases.map((c, index): CaseRecord => ({
              ...pool[c.template]!,
              id: randomUUID(),
              number: `BJA7-261101-${String(index).padStart(4, '0')}`,
              ownerId: c.owner,
              teamId: c.team,
              status: c.status,
              priority: c.priority,
              channel: c.channel as Channel,
              businessLine: c.businessLine,
              updatedAt: new Date(base + c.updatedMinute * 60_000).toISOString(),
            }));
            pull(store, { cases: records });
            for (const query of queries) {
              const now = new Date(Date.now() + query.laterMs);
              const q: QueueQuery = { ...query };
              const expected = expectedWindow(records, q, now);
              const page = queryQueue(db, q, now);
              expect(page.total).toBe(expected.total);
              expect(ids(page.rows)).toEqual(expected.ids);
              for (const row of page.rows) {
                const clocks = expectedClocks(
                  records.find((r) => r.id === row.id)!,
                  now,
                );
                expect(row.slaState).toBe(clocks.sla);
                expect(row.nextDueAt).toBe(
                  clocks.nextDueMs === null ? null : new Date(clocks.nextDueMs).toISOString(),
                );
              }
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

function expectedWindow(records: CaseRecord[], query: QueueQuery, now: Date) {
  const rank = (p: string) => PRIORITIES.indexOf(p as (typeof PRIORITIES)[number]);
  const f = query.filters ?? {};
  const within = <T>(values: readonly T[] | undefined, value: T) =>
    !values || values.length === 0 || values.includes(value);
  const rows = records
    .map((record) => ({
      record,
      clocks: expectedClocks(record, now),
      followUp: followUpOwed(record, now),
    }))
    .filter(({ record, followUp }) =>
      query.scope === 'team'
        ? record.teamId === query.teamId
        : record.ownerId === query.userId && (query.scope === 'mine' || followUp),
    )
    .filter(
      ({ record, clocks }) =>
        within(f.status, record.status) &&
        within(f.priority, record.priority) &&
        within(f.channel, record.channel) &&
        within(f.businessLine, record.businessLine) &&
        within(f.sla, clocks.sla),
    );
  const due = (ms: number | null) => ms ?? Number.MAX_SAFE_INTEGER;
  const byNumber = (a: CaseRecord, b: CaseRecord) =>
    a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  rows.sort((a, b) => {
    if (query.sort === 'updated')
      return b.record.updatedAt.localeCompare(a.record.updatedAt) || byNumber(a.record, b.record);
    const byDue = due(a.clocks.nextDueMs) - due(b.clocks.nextDueMs);
    const byRank = rank(a.record.priority) - rank(b.record.priority);
    const first = query.sort === 'nextDue' ? byDue || byRank : byRank || byDue;
    return first || byNumber(a.record, b.record);
  });
  return {
    total: rows.length,
    ids: rows.slice(query.offset, query.offset + query.limit).map(({ record }) => record.id),
  };
}

function followUpOwed(record: CaseRecord, now: Date): boolean {
  return computeDeadlines(record.lifecycle.clock, CN_CBIRC_2020, CN_CALENDAR, now).some(
    (d) =>
      (d.kind === 'follow_up' || d.kind === 'second_follow_up') &&
      ['running', 'warning', 'breached'].includes(d.state),
  );
}

// --- search (fast-check) ------------------------------------------------------------------------

// Characters that make frequent collisions: Simplified and Traditional pairs, Latin in both
// cases, digits, punctuation and a space.
const ALPHABET = [...'冻凍结結盗盜骗騙卡账户转款扣费被aAbBxX0145，。 '];
const textArb = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 24 })
  .map((chars) => chars.join(''));

describe('search over the cache', () => {
  it('finds exactly the cases with the query as a substring of a searchable text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: textArb,
            description: textArb,
            expectation: textArb,
            notes: fc.array(textArb, { maxLength: 2 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.array(
          fc
            .array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 6 })
            .map((c) => c.join('')),
          { minLength: 1, maxLength: 10 },
        ),
        (cases, queries) => {
          const db = openCache();
          try {
            const store = new CaseStore(db);
            const template = serverCase();
            const records = cases.map((c, index): CaseRecord => ({
              ...template,
              id: randomUUID(),
              number: `BJA7-261101-${String(index).padStart(4, '0')}`,
              customerName: c.name,
              description: c.description,
              customerExpectation: c.expectation,
            }));
            const notes = cases.flatMap((c, index) =>
              c.notes.map((text) => serverNote(records[index]!.id, text)),
            );
            pull(store, { cases: records, notes });
            // Random queries seldom hit with 3+ characters: also a piece of a case's own text.
            const pieces = queries.map((query, index) => {
              const text = [...cases[index % cases.length]!.description];
              const start = (index * 7) % text.length;
              return text.slice(start, start + [...query].length).join('');
            });
            for (const query of [...queries, ...pieces]) {
              const expected = records
                .filter((record, index) => matchesSearch(record, cases[index]!.notes, query))
                .map((record) => record.id)
                .sort();
              const page = queryQueue(db, mine({ search: query }), new Date());
              expect({ query, ids: ids(page.rows).sort() }).toEqual({ query, ids: expected });
              expect(page.total).toBe(expected.length);
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
