// The queue through the contract, against a real central API on a real PostgreSQL and a real
// SQLite cache: whose queue it is comes from the session, windows add up to the whole queue
// in next-deadline order, filters and 1–2 character Chinese search narrow it offline too,
// bad requests are refused with VALIDATION, and saved views belong to the user who saved them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractError } from '../../shared/contract';
import type { QueueRow } from '../../shared/queue';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, FaultProxy, intake, openWorkstation } from './sync-support';

let postgres: TestPostgres;
let api: CentralApi;
let proxy: FaultProxy;
let dir: string;
let backend: WorkstationBackend;

beforeAll(async () => {
  postgres = await startPostgres('workstation_queue');
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'queue-secret-queue-secret-queue-secret',
  });
  proxy = await FaultProxy.start(Number(new URL(api.url).port));
  dir = mkdtempSync(join(tmpdir(), 'cw-queue-'));
  backend = await openWorkstation(join(dir, 'desk'), proxy.url, { referenceRefreshMs: 0 });
}, 60_000);

afterAll(async () => {
  await backend?.close();
  await proxy?.close();
  await api?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signInAs(username: string): Promise<void> {
  await call(backend, 'session.signIn', { username, password: DEMO_PASSWORD });
  await call(backend, 'sync.now', {});
}

async function refused(method: Parameters<WorkstationBackend['call']>[0], input: unknown) {
  const result = await backend.call(method, input);
  expect(result.ok, `${method} should refuse ${JSON.stringify(input)}`).toBe(false);
  return (result as { ok: false; error: ContractError }).error;
}

/** Every row of a queue, read window by window as the table scrolls. */
async function wholeQueue(selection: Record<string, unknown>, window = 7) {
  const rows: QueueRow[] = [];
  let total = Infinity;
  for (let offset = 0; offset < total; offset += window) {
    const page = await call(backend, 'cases.queue', { ...selection, offset, limit: window });
    total = page.total;
    rows.push(...page.rows);
  }
  return { total, rows };
}

const dueOrder = (row: QueueRow) =>
  row.nextDueAt === null ? Number.MAX_SAFE_INTEGER : Date.parse(row.nextDueAt);

describe('the queue through the contract', () => {
  it('answers nothing before a sign-in', async () => {
    const error = await refused('cases.queue', { scope: 'mine', offset: 0, limit: 10 });
    expect(error.code).toBe('NOT_SIGNED_IN');
  });

  it('lists my cases window by window in next-deadline order, the whole queue once', async () => {
    await signInAs('agent01');
    const mine = await wholeQueue({ scope: 'mine' });
    const owned = backend.store.listCasesOwnedBy('u-agent01');
    expect(owned.length).toBeGreaterThan(5);
    expect(mine.total).toBe(owned.length);
    expect(new Set(mine.rows.map((row) => row.id))).toEqual(new Set(owned.map((c) => c.id)));
    expect(mine.rows.every((row) => row.ownerId === 'u-agent01')).toBe(true);
    const order = mine.rows.map(dueOrder);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Rows show masked identifiers only.
    expect(mine.rows.every((row) => /^\d{3}\*+\d{4}$/.test(row.maskedPhone))).toBe(true);

    const team = await call(backend, 'cases.queue', { scope: 'team', offset: 0, limit: 500 });
    expect(team.rows.length).toBe(team.total);
    expect(team.total).toBeGreaterThanOrEqual(mine.total);
  });

  it('narrows by filters and by a two-character search, offline too', async () => {
    await signInAs('agent01');
    const frozen = await call(
      backend,
      'cases.create',
      intake('客户称银行卡突然被冻结，无法取现也无法转账'),
    );
    await call(backend, 'sync.now', {});
    proxy.offline();
    try {
      const urgent = await wholeQueue({ scope: 'mine', filters: { priority: ['urgent'] } });
      expect(urgent.total).toBeGreaterThan(0);
      expect(urgent.rows.every((row) => row.priority === 'urgent')).toBe(true);
      expect(urgent.rows.map((row) => row.id)).toContain(frozen.id);

      const searched = await wholeQueue({ scope: 'mine', search: '冻结' });
      expect(searched.rows.map((row) => row.id)).toContain(frozen.id);
      const all = await call(backend, 'cases.queue', { scope: 'mine', offset: 0, limit: 0 });
      expect(searched.total).toBeLessThan(all.total);
      // The Traditional spelling finds the same cases.
      expect((await wholeQueue({ scope: 'mine', search: '凍結' })).rows.map((r) => r.id)).toEqual(
        searched.rows.map((r) => r.id),
      );

      const filtered = await wholeQueue({
        scope: 'mine',
        search: '冻结',
        filters: { channel: ['app'], businessLine: ['payment'] },
      });
      expect(filtered.rows.map((row) => row.id)).not.toContain(frozen.id);

      const breached = await wholeQueue({ scope: 'mine', filters: { sla: ['breached'] } });
      expect(breached.rows.every((row) => row.slaState === 'breached')).toBe(true);
      const now = Date.now();
      expect(breached.rows.every((row) => Date.parse(row.nextDueAt!) < now)).toBe(true);
    } finally {
      proxy.online();
    }
  });

  it('refuses a request that names a user or team, or asks for too much, with VALIDATION', async () => {
    await signInAs('agent01');
    const bad: unknown[] = [
      { scope: 'mine', offset: 0, limit: 10, userId: 'u-agent02' },
      { scope: 'team', offset: 0, limit: 10, teamId: 'team-t2' },
      { scope: 'everyone', offset: 0, limit: 10 },
      { scope: 'mine', offset: 0, limit: 501 },
      { scope: 'mine', offset: -1, limit: 10 },
      { scope: 'mine', offset: 0.5, limit: 10 },
      { scope: 'mine', offset: 0 },
      { scope: 'mine', offset: 0, limit: 10, sort: 'owner' },
      { scope: 'mine', offset: 0, limit: 10, search: '冻'.repeat(101) },
      { scope: 'mine', offset: 0, limit: 10, filters: { status: ['lost'] } },
      { scope: 'mine', offset: 0, limit: 10, filters: { priority: ['urgent', 'urgent'] } },
      { scope: 'mine', offset: 0, limit: 10, filters: { owner: ['u-agent02'] } },
      { scope: 'mine', offset: 0, limit: 10, filters: { sla: 'breached' } },
    ];
    for (const input of bad) {
      const error = await refused('cases.queue', input);
      expect(error.code, JSON.stringify(input)).toBe('VALIDATION');
    }
  });
});

describe('saved queue views', () => {
  const urgentView = {
    scope: 'mine',
    filters: { priority: ['urgent'], sla: ['warning', 'breached'] },
    sort: 'nextDue',
    search: '盗刷',
  } as const;

  it('saves, lists, replaces by name and deletes; bad input stores nothing', async () => {
    await signInAs('agent01');
    expect(await call(backend, 'queue.views.list', {})).toEqual([]);
    const saved = await call(backend, 'queue.views.save', {
      name: ' 紧急待办 ',
      query: urgentView,
    });
    expect(saved.name).toBe('紧急待办');
    expect(saved.query).toEqual(urgentView);
    expect(await call(backend, 'queue.views.list', {})).toEqual([saved]);

    // The same name again replaces the view and keeps its id.
    const replaced = await call(backend, 'queue.views.save', {
      name: '紧急待办',
      query: { scope: 'team' },
    });
    expect(replaced.id).toBe(saved.id);
    expect(replaced.query).toEqual({ scope: 'team', filters: {}, sort: 'nextDue', search: '' });
    expect(await call(backend, 'queue.views.list', {})).toEqual([replaced]);

    const empty = await refused('queue.views.save', { name: '  ', query: urgentView });
    expect(empty).toMatchObject({
      code: 'VALIDATION',
      fields: [{ path: 'name', code: 'REQUIRED' }],
    });
    const long = await refused('queue.views.save', { name: '视'.repeat(31), query: urgentView });
    expect(long.fields).toEqual([{ path: 'name', code: 'TOO_LONG' }]);
    const control = await refused('queue.views.save', { name: 'a\u0000b', query: urgentView });
    expect(control.code).toBe('VALIDATION');
    const badQuery = await refused('queue.views.save', {
      name: '别人的',
      query: { ...urgentView, userId: 'u-agent02' },
    });
    expect(badQuery.code).toBe('VALIDATION');
    expect((await refused('queue.views.delete', { id: 'not-a-uuid' })).code).toBe('VALIDATION');
    expect((await refused('queue.views.delete', { id: crypto.randomUUID() })).code).toBe(
      'QUEUE_VIEW_NOT_FOUND',
    );
    expect(await call(backend, 'queue.views.list', {})).toEqual([replaced]);
  });

  it('keeps each user’s views apart on one workstation, across sign-outs', async () => {
    await signInAs('agent01');
    const before = await call(backend, 'queue.views.list', {});
    const mine = await call(backend, 'queue.views.save', {
      name: '今日回访',
      query: { scope: 'followUps' },
    });
    await call(backend, 'session.signOut', {});

    await signInAs('agent02');
    expect(await call(backend, 'queue.views.list', {})).toEqual([]);
    const theirs = await call(backend, 'queue.views.save', { name: '今日回访', query: urgentView });
    expect(theirs.id).not.toBe(mine.id);
    // agent01's view cannot be deleted by agent02.
    expect((await refused('queue.views.delete', { id: mine.id })).code).toBe(
      'QUEUE_VIEW_NOT_FOUND',
    );
    await call(backend, 'session.signOut', {});

    await signInAs('agent01');
    expect(await call(backend, 'queue.views.list', {})).toEqual([...before, mine]);
    await call(backend, 'queue.views.delete', { id: mine.id });
    expect(await call(backend, 'queue.views.list', {})).toEqual(before);
  });
});
