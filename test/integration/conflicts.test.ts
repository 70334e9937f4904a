// Conflicts are never silent: a change the central API refuses stays with the agent, with
// what they typed, until they redo it, keep it as a note, or discard it (logged).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractResult, MethodName, MethodOutput } from '../../shared/contract';
import { MemorySecretStore } from '../../main/backend/secret-store';
import { WorkstationBackend } from '../../main/backend/workstation-backend';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';

let postgres: TestPostgres;
let database: pg.Client;
let api: CentralApi;
let dir: string;

async function call<M extends MethodName>(backend: WorkstationBackend, method: M, input: unknown) {
  const result = (await backend.call(method, input)) as ContractResult<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function workstation(name: string) {
  const backend = await WorkstationBackend.open({
    dataDir: join(dir, name),
    apiUrl: api.url,
    secrets: new MemorySecretStore(),
    sync: { pollIntervalMs: 60_000, baseBackoffMs: 50, maxBackoffMs: 200 },
  });
  await call(backend, 'session.signIn', { username: 'agent01', password: 'demo1234' });
  await call(backend, 'sync.now', {});
  return backend;
}

const resolve = (solution: string) => ({
  type: 'RESOLVE',
  rootCause: '清算通道超时',
  solution,
  prevention: '增加通道监控告警',
});

beforeAll(async () => {
  postgres = await startPostgres('conflicts');
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'conflicts',
  });
  dir = mkdtempSync(join(tmpdir(), 'cw-conflicts-'));
});

afterAll(async () => {
  await api.close();
  await database.end();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a change the server refuses', () => {
  it('stays listed with its data until the agent keeps it as a note, redoes it or discards it', async () => {
    // The same agent on two workstations: the second resolves a case the first already resolved.
    const desk = await workstation('desk');
    const laptop = await workstation('laptop');
    const created = await call(desk, 'cases.create', {
      customerName: '冯建华',
      customerPhone: '13900003344',
      channel: 'phone',
      type: 'complaint',
      businessLine: 'payment',
      description: '跨行转账显示失败但已扣款',
      customerExpectation: '退回款项',
    });
    await call(desk, 'sync.now', {});
    await call(laptop, 'sync.now', {});
    laptop.sync.stop(); // the laptop goes off the network with the case as it was
    await call(desk, 'cases.transition', { caseId: created.id, event: resolve('款项已退回') });
    await call(desk, 'sync.now', {});
    await call(laptop, 'cases.transition', {
      caseId: created.id,
      event: resolve('已联系清算中心，款项次日退回'),
    });
    laptop.sync.start();
    const status = await call(laptop, 'sync.now', {});
    expect(status).toMatchObject({ pending: 0, rejected: 1 });

    const [conflict] = await call(laptop, 'sync.conflicts', {});
    expect(conflict).toMatchObject({
      caseId: created.id,
      caseNumber: created.number,
      code: 'NOT_ALLOWED_IN_STATE',
      name: 'case.transition@1',
      args: { event: { solution: '已联系清算中心，款项次日退回' } },
    });
    expect((await call(laptop, 'cases.get', { caseId: created.id })).rejections).toHaveLength(1);

    // Kept as a note: the agent's words reach the server, the conflict leaves the list.
    await call(laptop, 'sync.settleConflict', {
      mutationId: conflict!.mutationId,
      decision: 'note',
    });
    expect(await call(laptop, 'sync.conflicts', {})).toEqual([]);
    await call(laptop, 'sync.now', {});
    const notes = await database.query<{ text: string }>(
      'SELECT text FROM case_notes WHERE case_id = $1',
      [created.id],
    );
    expect(notes.rows.map((row) => row.text).join('\n')).toContain('已联系清算中心，款项次日退回');

    // A second stale change: the desk closed the case while the laptop was away again.
    laptop.sync.stop();
    await call(desk, 'cases.transition', {
      caseId: created.id,
      event: { type: 'NOTIFY_CUSTOMER', channel: 'phone', summary: '款项已退回' },
    });
    await call(desk, 'cases.transition', {
      caseId: created.id,
      event: { type: 'CLOSE_WITHOUT_FEEDBACK', reason: '客户三次未接听回访电话' },
    });
    await call(desk, 'sync.now', {});
    await call(laptop, 'cases.transition', {
      caseId: created.id,
      event: { type: 'NOTIFY_CUSTOMER', channel: 'sms', summary: '您的款项已退回原账户' },
    });
    laptop.sync.start();
    expect(await call(laptop, 'sync.now', {})).toMatchObject({ pending: 0, rejected: 1 });
    const [planConflict] = await call(laptop, 'sync.conflicts', {});
    expect(planConflict).toMatchObject({ code: 'NOT_ALLOWED_IN_STATE' });

    // Redone: sent again as new work (still refused here, so it comes back under a new id).
    await call(laptop, 'sync.settleConflict', {
      mutationId: planConflict!.mutationId,
      decision: 'retry',
    });
    expect(await call(laptop, 'sync.now', {})).toMatchObject({ pending: 0, rejected: 1 });
    const [redone] = await call(laptop, 'sync.conflicts', {});
    expect(redone!.mutationId).not.toBe(planConflict!.mutationId);
    expect(redone).toMatchObject({ args: { event: { summary: '您的款项已退回原账户' } } });

    // Discarded: gone from the list; every decision stays in the local log.
    await call(laptop, 'sync.settleConflict', {
      mutationId: redone!.mutationId,
      decision: 'discard',
    });
    expect(await call(laptop, 'sync.conflicts', {})).toEqual([]);
    expect(await call(laptop, 'sync.status', {})).toMatchObject({ rejected: 0 });
    const log = laptop.store.conflictDecisions();
    expect(log.map((entry) => entry.decision)).toEqual(['note', 'retry', 'discard']);
    const unknown = await laptop.call('sync.settleConflict', {
      mutationId: crypto.randomUUID(),
      decision: 'discard',
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'CONFLICT_NOT_FOUND' } });
    await desk.close();
    await laptop.close();
  });
});
