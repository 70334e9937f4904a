// Sync under faults, end to end: real workstation backends on real SQLite files, the central
// API on a real PostgreSQL. The API killed mid-push; a push whose answer is lost; a
// workstation whose clock runs 5 hours fast; three workstations working through flaky links.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { CN_CALENDAR, CN_CBIRC_2020, computeDeadlines, type Deadline } from '../../shared/clock';
import type { CaseEventInput, CaseEventType } from '../../shared/lifecycle/case-machine';
import { MemorySecretStore } from '../../main/backend/secret-store';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { freePort, startCentralApiProcess, type Service } from '../support/processes';
import {
  cacheView,
  call,
  expectCacheMatchesServer,
  FaultProxy,
  intake,
  openWorkstation,
  waitFor,
} from './sync-support';

/** The secret `startCentralApiProcess` gives the API, so tokens work across both kinds. */
const JWT = 'e2e-secret-e2e-secret-e2e-secret!';
let postgres: TestPostgres;
let database: pg.Client;
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  postgres = await startPostgres('sync_faults');
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  dir = mkdtempSync(join(tmpdir(), 'cw-faults-'));
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await database?.end();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function inProcessApi(port = 0): Promise<CentralApi> {
  const api = await startCentralApi({
    port,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: JWT,
  });
  cleanups.push(() => api.close());
  return api;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const result = await database.query<{ n: string }>(sql, params);
  return Number(result.rows[0]!.n);
}

async function signedIn(backend: WorkstationBackend, username: string) {
  cleanups.push(() => backend.close());
  await call(backend, 'session.signIn', { username, password: DEMO_PASSWORD });
  await call(backend, 'sync.now', {});
  return backend;
}

describe('the central API killed mid-push', () => {
  it('applies every mutation of a 500-mutation push (5 batches) exactly once after a SIGKILL and a restart', async () => {
    const port = await freePort();
    let service: Service = await startCentralApiProcess(postgres.url, port);
    cleanups.push(() => service.stop());
    const apiUrl = `http://127.0.0.1:${port}`;
    const backend = await signedIn(await openWorkstation(join(dir, 'killed'), apiUrl), 'agent01');
    const clientId = backend.store.clientId();

    // 500 mutations queue up while the API is away: 100 cases with 4 notes each, pushed
    // 100 to a request.
    await service.stop();
    const caseIds: string[] = [];
    const noteIds: string[] = [];
    for (let i = 0; i < 100; i++) {
      const created = await call(backend, 'cases.create', intake(`离线登记的第${i + 1}件投诉`));
      caseIds.push(created.id);
      for (let j = 0; j < 4; j++) {
        const note = await call(backend, 'cases.addNote', {
          caseId: created.id,
          text: `跟进${j + 1}`,
        });
        noteIds.push(note.id);
      }
    }
    expect((await call(backend, 'sync.status', {})).pending).toBe(500);

    // Each mutation takes 20 ms more inside PostgreSQL, so the push is surely mid-flight
    // when the process dies: the test database only, as fault injection.
    await database.query(`create function slow_down() returns trigger language plpgsql as $$
      begin perform pg_sleep(0.02); return new; end $$`);
    await database.query(`create trigger slow_results before insert on mutation_results
      for each row execute function slow_down()`);
    const results = () =>
      count('select count(*) as n from mutation_results where client_id = $1', [clientId]);
    try {
      service = await startCentralApiProcess(postgres.url, port);
      // The workstation notices by itself (retry timer, poke stream back) and pushes.
      // Killed in the second batch: the first request answered, the second in flight.
      await waitFor(async () => (await results()) > 120, 30_000, 'the second batch to start');
      service.process.kill('SIGKILL');
      await new Promise((resolve) => service.process.once('exit', resolve));
    } finally {
      await database.query('drop trigger slow_results on mutation_results');
      await database.query('drop function slow_down()');
    }
    // PostgreSQL rolls back the transaction the process was in; what committed, committed.
    await waitFor(
      async () =>
        (await count(
          `select count(*) as n from pg_stat_activity where query like '%mutation_results%' and pid <> pg_backend_pid() and state <> 'idle'`,
        )) === 0,
      5_000,
      'the killed process’s transaction to end',
    );
    const atKill = await results();
    expect(atKill).toBeGreaterThan(100);
    expect(atKill).toBeLessThan(500);
    // All or nothing per mutation: the cases that exist are exactly the creates answered.
    expect(await count('select count(*) as n from cases where id = any($1)', [caseIds])).toBe(
      await count(
        `select count(*) as n from mutation_results where client_id = $1 and name = 'case.create@1'`,
        [clientId],
      ),
    );
    expect((await call(backend, 'sync.status', {})).pending).toBe(500);

    service = await startCentralApiProcess(postgres.url, port);
    await waitFor(
      async () => {
        const status = await call(backend, 'sync.status', {});
        return status.pending === 0 && status.state === 'online';
      },
      40_000,
      'the waiting count to return to 0',
    );

    const stored = await database.query<{ seq: string; status: string }>(
      'select seq, status from mutation_results where client_id = $1 order by seq',
      [clientId],
    );
    expect(stored.rows.map((r) => Number(r.seq))).toEqual(
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    expect(stored.rows.every((r) => r.status === 'applied')).toBe(true);
    expect(await count('select count(*) as n from cases where id = any($1)', [caseIds])).toBe(100);
    expect(await count('select count(*) as n from case_notes where id = any($1)', [noteIds])).toBe(
      400,
    );
    expect(
      await count('select count(*) as n from case_history where case_id = any($1)', [caseIds]),
    ).toBe(500);
    expect(await call(backend, 'sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
    for (const caseId of caseIds) {
      expect(cacheView(backend, caseId).notes).toHaveLength(4);
      expect(backend.store.getCase(caseId)!.version).toBeGreaterThan(0);
    }
    await backend.close();
    await service.stop();
  }, 120_000);
});

describe('a push whose answer is lost', () => {
  it('re-pushed from a cache that never recorded the answer, creates nothing twice', async () => {
    const api = await inProcessApi();
    const cacheDir = join(dir, 'lost-answer');
    const secrets = new MemorySecretStore();
    let backend = await signedIn(await openWorkstation(cacheDir, api.url, { secrets }), 'agent02');
    const clientId = backend.store.clientId();

    // Work queued while the API is down...
    const port = Number(new URL(api.url).port);
    await api.close();
    const created = [
      await call(backend, 'cases.create', intake('ATM吞卡后未及时退回')),
      await call(backend, 'cases.create', intake('手机银行转账限额被误调低')),
    ];
    for (const c of created)
      await call(backend, 'cases.addNote', { caseId: c.id, text: '已安抚客户' });
    await call(backend, 'cases.transition', {
      caseId: created[0]!.id,
      event: { type: 'RECORD_PLAN', plan: '联系网点核实' },
    });
    expect((await call(backend, 'sync.status', {})).pending).toBe(5);
    await backend.close();
    // ...and the cache as it is before the push: the copy that will "lose" the answer.
    const before = `${cacheDir}-before-push`;
    cpSync(cacheDir, before, { recursive: true });

    const again = await inProcessApi(port);
    backend = await openWorkstation(cacheDir, again.url, { secrets }); // resumes the session
    cleanups.push(() => backend.close());
    await call(backend, 'sync.now', {});
    expect(await call(backend, 'sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
    const ids = created.map((c) => c.id);
    const snapshot = async () => ({
      cases: await count('select count(*) as n from cases where id = any($1)', [ids]),
      notes: await count('select count(*) as n from case_notes where case_id = any($1)', [ids]),
      history: await count('select count(*) as n from case_history where case_id = any($1)', [ids]),
      results: await count('select count(*) as n from mutation_results where client_id = $1', [
        clientId,
      ]),
      version: await count('select v as n from sync_version'),
    });
    const applied = await snapshot();
    expect(applied).toMatchObject({ cases: 2, notes: 2, history: 5, results: 5 });
    await backend.close();

    // The answer never reached the cache: restore the copy and start again.
    rmSync(cacheDir, { recursive: true, force: true });
    cpSync(before, cacheDir, { recursive: true });
    backend = await openWorkstation(cacheDir, again.url, { secrets });
    cleanups.push(() => backend.close());
    expect(backend.store.pendingMutations().map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    await call(backend, 'sync.now', {});
    expect(await call(backend, 'sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
    // Nothing new on the server, not even a version bump: the re-push was answered from storage.
    expect(await snapshot()).toEqual(applied);
    for (const c of created) {
      expect(cacheView(backend, c.id).notes).toMatchObject([
        { text: '已安抚客户', pending: false },
      ]);
    }
    await expectCacheMatchesServer(backend, database, 'agent02');
  }, 60_000);
});

describe('a workstation clock 5 hours fast', () => {
  it('cannot put the regulatory clock of a case it registers offline into the future', async () => {
    const api = await inProcessApi();
    const fast = () => new Date(Date.now() + 5 * 3600_000);
    const backend = await signedIn(
      await openWorkstation(join(dir, 'fast-clock'), api.url, { now: fast }),
      'agent01',
    );
    const port = Number(new URL(api.url).port);
    await api.close();
    const created = await call(backend, 'cases.create', intake('信用卡被盗刷三笔，急需处理'));
    const note = await call(backend, 'cases.addNote', { caseId: created.id, text: '已冻结卡片' });
    // Offline, the workstation counts on the server's time it learned at sign-in, not its own.
    expect(Math.abs(Date.parse(created.lifecycle.clock[0]!.at) - Date.now())).toBeLessThan(5_000);
    await inProcessApi(port);
    const synced = await call(backend, 'sync.now', {});
    expect(synced).toMatchObject({ state: 'online', pending: 0, rejected: 0 });

    const row = (
      await database.query<{
        lifecycle: { clock: { kind: string; at: string }[] };
        created_at: Date;
        now: Date;
      }>('select lifecycle, created_at, now() as now from cases where id = $1', [created.id])
    ).rows[0]!;
    const serverNow = row.now.getTime();
    const received = row.lifecycle.clock.find((entry) => entry.kind === 'received')!;
    expect(Date.parse(received.at)).toBeLessThanOrEqual(serverNow);
    // Clamped to the server's own time of the write, not merely "less far in the future".
    expect(Date.parse(received.at)).toBeLessThanOrEqual(row.created_at.getTime());
    expect(serverNow - Date.parse(received.at)).toBeLessThan(60_000);
    for (const entry of row.lifecycle.clock)
      expect(Date.parse(entry.at)).toBeLessThanOrEqual(serverNow);
    const history = await database.query<{ at: Date }>(
      'select at from case_history where case_id = $1',
      [created.id],
    );
    for (const h of history.rows) expect(h.at.getTime()).toBeLessThanOrEqual(serverNow);
    // The note's recorded time is the workstation's (corrected) time; the server stamps its own.
    const stored = (
      await database.query<{ created_at: Date; recorded_at: Date }>(
        'select created_at, recorded_at from case_notes where id = $1',
        [note.id],
      )
    ).rows[0]!;
    expect(stored.created_at.getTime()).toBeLessThanOrEqual(serverNow);
    expect(Math.abs(stored.recorded_at.getTime() - serverNow)).toBeLessThan(60_000);
    // And the workstation now shows the server's clock, deadlines included.
    const detail = await call(backend, 'cases.get', { caseId: created.id });
    expect(detail.case.lifecycle.clock[0]).toEqual(received);
  }, 60_000);
});

describe('clock skew correction', () => {
  const HOURS_3 = 3 * 3600_000;
  /** The parts of a deadline that do not depend on the moment it is looked at. */
  const timeless = ({ remainingMs: _remaining, state: _state, ...rest }: Deadline) => rest;

  it.each([
    ['3 hours behind', -HOURS_3],
    ['3 hours ahead', HOURS_3],
  ])(
    'corrects the receipt time of a case registered offline by a clock %s, by the push’s skew',
    async (_label, offsetMs) => {
      const api = await inProcessApi();
      const proxy = await FaultProxy.start(Number(new URL(api.url).port));
      cleanups.push(() => proxy.close());
      // The workstation's clock: real time plus its error; frozen on demand to compare.
      let frozen: number | null = null;
      const now = () => new Date((frozen ?? Date.now()) + offsetMs);
      const backend = await signedIn(
        await openWorkstation(join(dir, `skew${offsetMs}`), proxy.url, { now }),
        'agent02',
      );
      proxy.offline();
      const actedAt = Date.now();
      const created = await call(backend, 'cases.create', intake('跨行转账到账延迟两天'));
      // Offline, the workstation already counts on the server's time it learned at sign-in.
      expect(Math.abs(Date.parse(created.lifecycle.clock[0]!.at) - actedAt)).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // pushed a little later
      proxy.online();
      expect(await call(backend, 'sync.now', {})).toMatchObject({ pending: 0, rejected: 0 });

      const row = (
        await database.query<{ lifecycle: { clock: { kind: string; at: string }[] } }>(
          'select lifecycle from cases where id = $1',
          [created.id],
        )
      ).rows[0]!;
      const received = row.lifecycle.clock.find((entry) => entry.kind === 'received')!;
      // The real time of the action, not 3 h off (and never after the server's now).
      expect(Math.abs(Date.parse(received.at) - actedAt)).toBeLessThan(5_000);
      expect(Date.parse(received.at)).toBeLessThanOrEqual(Date.now());

      // The client shows the server's lifecycle, so the same deadlines as the server's clock.
      frozen = Date.now();
      const detail = await call(backend, 'cases.get', { caseId: created.id });
      expect(detail.case.lifecycle.clock).toEqual(row.lifecycle.clock);
      const serverDeadlines = computeDeadlines(
        row.lifecycle.clock as Parameters<typeof computeDeadlines>[0],
        CN_CBIRC_2020,
        CN_CALENDAR,
        new Date(frozen),
      );
      expect(serverDeadlines.length).toBeGreaterThan(0);
      // The client counts from the server's time too: the same deadlines, due and warning
      // instants alike, and what is left within the Date header's one-second resolution.
      expect(detail.deadlines.map(timeless)).toEqual(serverDeadlines.map(timeless));
      for (const [i, deadline] of detail.deadlines.entries()) {
        const truth = serverDeadlines[i]!;
        if (truth.remainingMs === null) expect(deadline.remainingMs).toBeNull();
        else expect(Math.abs(truth.remainingMs - deadline.remainingMs!)).toBeLessThan(2_000);
      }
    },
    60_000,
  );
});

describe('notes always merge', () => {
  it('accepts a note the agent wrote offline after a lead reassigned the case, and rejects their resolve', async () => {
    const api = await inProcessApi();
    const proxy = await FaultProxy.start(Number(new URL(api.url).port));
    cleanups.push(() => proxy.close());
    const agent = await signedIn(
      await openWorkstation(join(dir, 'merge-agent01'), proxy.url),
      'agent01',
    );
    const lead = await signedIn(
      await openWorkstation(join(dir, 'merge-lead01'), api.url),
      'lead01',
    );
    const heir = await signedIn(
      await openWorkstation(join(dir, 'merge-agent02'), api.url),
      'agent02',
    );
    const agentClient = agent.store.clientId();

    // The agent's case, in progress, known to the lead.
    const created = await call(agent, 'cases.create', intake('理财产品赎回资金未到账'));
    const caseId = created.id;
    for (let step = 0; step < 4; step++) {
      const { allowedEvents } = await call(agent, 'cases.get', { caseId });
      if (allowedEvents.includes('RESOLVE')) break;
      if (allowedEvents.includes('ACCEPT'))
        await call(agent, 'cases.transition', { caseId, event: { type: 'ACCEPT' } });
      else
        await call(agent, 'cases.transition', {
          caseId,
          event: { type: 'TRIAGE', priority: 'normal' },
        });
    }
    expect(await call(agent, 'sync.now', {})).toMatchObject({ pending: 0, rejected: 0 });
    await call(lead, 'sync.now', {});

    proxy.offline();
    // The agent's link goes down; the lead hands the case to agent02 meanwhile...
    const before = await call(lead, 'cases.get', { caseId });
    expect(before.allowedEvents).toContain('REASSIGN');
    await call(lead, 'cases.transition', {
      caseId,
      event: { type: 'REASSIGN', toUserId: 'u-agent02', reason: '坐席休假' },
    });
    expect(await call(lead, 'sync.now', {})).toMatchObject({ pending: 0, rejected: 0 });
    // ...and the agent, unaware, adds a note and resolves it.
    const note = await call(agent, 'cases.addNote', { caseId, text: '客户同意等待三个工作日' });
    const resolving = await call(agent, 'cases.get', { caseId });
    expect(resolving.allowedEvents).toContain('RESOLVE');
    await call(agent, 'cases.transition', {
      caseId,
      event: {
        type: 'RESOLVE',
        rootCause: '赎回到账需T+3',
        solution: '已告知客户到账时间',
        prevention: '产品说明中标明到账时间',
      },
    });
    expect((await call(agent, 'sync.status', {})).pending).toBe(2);

    proxy.online();
    await call(agent, 'sync.now', {});
    const status = await call(agent, 'sync.status', {});
    expect(status.pending).toBe(0);
    expect(status.rejected).toBeGreaterThanOrEqual(1);

    // On the server: the note applied, written by a previous owner; the resolve refused.
    const results = await database.query<{ name: string; status: string; code: string | null }>(
      'select name, status, code from mutation_results where client_id = $1 order by seq desc limit 2',
      [agentClient],
    );
    expect(results.rows.map((r) => [r.name, r.status])).toEqual([
      ['case.transition@1', 'rejected'],
      ['case.addNote@1', 'applied'],
    ]);
    const code = results.rows[0]!.code!;
    expect(code).toMatch(/^[A-Z_]+$/);
    const stored = await database.query<{ author_id: string; text: string }>(
      'select author_id, text from case_notes where id = $1',
      [note.id],
    );
    expect(stored.rows).toEqual([{ author_id: 'u-agent01', text: '客户同意等待三个工作日' }]);
    const history = await database.query<{ actor_id: string; after: { writtenAs?: string } }>(
      `select actor_id, after from case_history where case_id = $1 and action = 'case.addNote'`,
      [caseId],
    );
    expect(history.rows).toEqual([
      { actor_id: 'u-agent01', after: expect.objectContaining({ writtenAs: 'previousOwner' }) },
    ]);
    const row = await database.query<{ owner_id: string; status: string }>(
      'select owner_id, status from cases where id = $1',
      [caseId],
    );
    expect(row.rows[0]).toEqual({ owner_id: 'u-agent02', status: 'in_progress' });

    // The agent's backend reports the refusal with its code, and the case left their queue.
    const rejections = agent.store.rejections();
    // The server's code, as the backend explains it: the case left the agent's scope.
    const refusal = rejections.find((r) => r.caseId === caseId && r.name === 'case.transition@1');
    expect(refusal).toMatchObject({ code: 'CASE_LEFT_SCOPE' });
    expect(refusal!.message).toContain(code);
    expect((await call(agent, 'cases.listMine', {})).map((c) => c.id)).not.toContain(caseId);

    // The lead and the new owner see the note.
    for (const [backend, username] of [
      [lead, 'lead01'],
      [heir, 'agent02'],
    ] as const) {
      await call(backend, 'sync.now', {});
      expect(cacheView(backend, caseId).notes.map((n) => n.id)).toContain(note.id);
      await expectCacheMatchesServer(backend, database, username);
    }
  }, 60_000);
});

// --- three workstations through flaky links -----------------------------------------------

/** mulberry32: the same sequence of choices for one seed (timing still varies). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T | undefined =>
  items.length === 0 ? undefined : items[Math.floor(random() * items.length)];

/** Events whose content is easy to make up; the machine decides whether they apply. */
const WORK_EVENTS: Partial<Record<CaseEventType, CaseEventInput>> = {
  RECORD_PLAN: { type: 'RECORD_PLAN', plan: '核实交易流水后答复' },
  RECORD_INTERIM_MEASURE: { type: 'RECORD_INTERIM_MEASURE', measure: '先行冻结可疑交易' },
  REQUEST_CUSTOMER_INFO: { type: 'REQUEST_CUSTOMER_INFO', what: '请提供交易截图' },
  CUSTOMER_RESPONDED: { type: 'CUSTOMER_RESPONDED', summary: '客户已补充材料' },
  RECORD_PROGRESS_UPDATE: {
    type: 'RECORD_PROGRESS_UPDATE',
    channel: 'phone',
    summary: '告知处理进度',
  },
  RESOLVE: {
    type: 'RESOLVE',
    rootCause: '系统重复扣款',
    solution: '已退回重复扣款',
    prevention: '修复扣款幂等校验',
  },
  NOTIFY_CUSTOMER: { type: 'NOTIFY_CUSTOMER', channel: 'sms', summary: '已短信告知处理结果' },
};

async function workOn(backend: WorkstationBackend, caseId: string, random: () => number) {
  const detail = await call(backend, 'cases.get', { caseId });
  const events = detail.allowedEvents.filter((type) => WORK_EVENTS[type]);
  const type = pick(random, events);
  if (type) await call(backend, 'cases.transition', { caseId, event: WORK_EVENTS[type] });
}

async function agentStep(backend: WorkstationBackend, random: () => number) {
  const mine = await call(backend, 'cases.listMine', {});
  const roll = random();
  const target = pick(random, mine);
  if (roll < 0.25 || !target) {
    await call(
      backend,
      'cases.create',
      intake(`并发测试投诉 ${Math.floor(random() * 1e6)}`, 'app'),
    );
  } else if (roll < 0.6) {
    await call(backend, 'cases.addNote', {
      caseId: target.id,
      text: `坐席跟进 ${Math.floor(random() * 1e6)}`,
    });
  } else {
    await workOn(backend, target.id, random);
  }
}

async function leadStep(backend: WorkstationBackend, random: () => number) {
  const caseId = pick(random, backend.store.listCaseIds());
  if (!caseId) return;
  const roll = random();
  if (roll < 0.35) {
    const detail = await call(backend, 'cases.get', { caseId });
    if (!detail.allowedEvents.includes('REASSIGN') || !detail.case.ownerId) return;
    const toUserId = detail.case.ownerId === 'u-agent01' ? 'u-agent02' : 'u-agent01';
    await call(backend, 'cases.transition', {
      caseId,
      event: { type: 'REASSIGN', toUserId, reason: '组长调配工作量' },
    });
  } else if (roll < 0.7) {
    await call(backend, 'cases.addNote', {
      caseId,
      text: `组长批注 ${Math.floor(random() * 1e6)}`,
    });
  } else {
    await workOn(backend, caseId, random);
  }
}

/** The run's seed: fixed so CI is repeatable; SYNC_SEED explores others or replays a failure. */
const SEED = process.env.SYNC_SEED ? Number(process.env.SYNC_SEED) : 20261123;

describe('three workstations through flaky links', () => {
  it('end with identical views of every case they share, equal to PostgreSQL', async () => {
    if (!Number.isSafeInteger(SEED)) throw new Error(`SYNC_SEED is not an integer: ${SEED}`);
    onTestFailed(() => {
      console.error(
        `three workstations through flaky links failed with seed ${SEED}: replay with SYNC_SEED=${SEED}`,
      );
    });
    const api = await inProcessApi();
    const port = Number(new URL(api.url).port);
    const users = ['agent01', 'agent02', 'lead01'] as const;
    const stations = await Promise.all(
      users.map(async (username, i) => {
        const proxy = await FaultProxy.start(port);
        cleanups.push(() => proxy.close());
        const backend = await signedIn(
          await openWorkstation(join(dir, `flaky-${username}`), proxy.url, {
            sync: { random: prng(SEED + 100 + i) },
          }),
          username,
        );
        return {
          username,
          proxy,
          backend,
          random: prng(SEED + 1 + i),
          actions: 0,
          failures: 0,
          cuts: 0,
        };
      }),
    );

    const until = Date.now() + 5_000;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await Promise.all(
      stations.flatMap((station) => [
        // The agent (or lead) at work, whatever the link does.
        (async () => {
          while (Date.now() < until) {
            try {
              if (station.username === 'lead01') await leadStep(station.backend, station.random);
              else await agentStep(station.backend, station.random);
              station.actions += 1;
            } catch {
              station.failures += 1; // refused locally (the machine said no): fine
            }
            await sleep(10 + station.random() * 30);
          }
        })(),
        // The link: random outages, cutting whatever is in flight.
        (async () => {
          while (Date.now() < until) {
            await sleep(150 + station.random() * 400);
            if (station.random() < 0.5) {
              station.proxy.offline();
              station.cuts += 1;
              await sleep(100 + station.random() * 500);
              station.proxy.online();
            }
          }
        })(),
      ]),
    );

    // Quiet: every link up, every outbox drained, then everyone pulls what the others did.
    for (const station of stations) station.proxy.online();
    await waitFor(
      async () => {
        const statuses = await Promise.all(stations.map((s) => call(s.backend, 'sync.now', {})));
        return statuses.every((status) => status.pending === 0 && status.state === 'online');
      },
      30_000,
      'every outbox to drain',
    );
    for (let round = 0; round < 2; round++) {
      for (const station of stations) await call(station.backend, 'sync.now', {});
    }

    for (const station of stations) {
      expect(station.actions).toBeGreaterThan(20);
      expect(station.cuts).toBeGreaterThan(0);
    }
    const views = new Map<string, Set<string>>();
    for (const station of stations) {
      views.set(
        station.username,
        await expectCacheMatchesServer(station.backend, database, station.username),
      );
    }
    // The cases two workstations share look the same in both, case and notes.
    const lead = stations.find((s) => s.username === 'lead01')!;
    let shared = 0;
    for (const agent of stations.filter((s) => s !== lead)) {
      for (const caseId of views.get(agent.username)!) {
        if (!views.get('lead01')!.has(caseId)) continue;
        shared += 1;
        expect(cacheView(agent.backend, caseId)).toEqual(cacheView(lead.backend, caseId));
      }
    }
    expect(shared).toBeGreaterThan(30);

    // Exactly once, per workstation: one stored result per seq, with no gap; one history row
    // per applied mutation; every refusal kept in the outbox, none silently dropped.
    let reassigned = 0;
    for (const { backend } of stations) {
      const clientId = backend.store.clientId();
      const results = await database.query<{ seq: string; status: string; name: string }>(
        'select seq, status, name from mutation_results where client_id = $1 order by seq',
        [clientId],
      );
      const lastSeq = Number(backend.store.getMeta('lastSeq'));
      expect(results.rows.map((r) => Number(r.seq))).toEqual(
        Array.from({ length: lastSeq }, (_, i) => i + 1),
      );
      const applied = results.rows.filter((r) => r.status === 'applied').length;
      expect(
        await count('select count(*) as n from case_history where client_id = $1', [clientId]),
      ).toBe(applied);
      expect(backend.store.rejections().map((r) => r.seq)).toEqual(
        results.rows.filter((r) => r.status === 'rejected').map((r) => Number(r.seq)),
      );
      expect(backend.store.pendingMutations()).toEqual([]);
      reassigned += await count(
        `select count(*) as n from case_history where client_id = $1 and action = 'case.transition.REASSIGN'`,
        [clientId],
      );
    }
    expect(reassigned).toBeGreaterThan(0);
  }, 90_000);
});
