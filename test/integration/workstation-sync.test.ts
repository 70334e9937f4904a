// The workstation backend against a real central API on a real PostgreSQL: the outbox
// survives an outage and a restart, and reaches the server exactly once.
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
import { freePort } from '../support/processes';

let postgres: TestPostgres;
let database: pg.Client;
let api: CentralApi | null = null;
let apiPort: number;
let dir: string;

const intake = (description: string) => ({
  customerName: '郑晓东',
  customerPhone: '139-0000-4455',
  channel: 'phone' as const,
  type: 'complaint' as const,
  businessLine: 'payment' as const,
  description,
  customerExpectation: '退回重复扣款',
});

async function startApi() {
  api = await startCentralApi({
    port: apiPort,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'sync-test-secret',
  });
}

async function openBackend(secrets = new MemorySecretStore()) {
  return WorkstationBackend.open({
    dataDir: join(dir, 'workstation'),
    apiUrl: `http://127.0.0.1:${apiPort}`,
    secrets,
    sync: { pollIntervalMs: 60_000, baseBackoffMs: 50, maxBackoffMs: 200 },
  });
}

async function call<M extends MethodName>(backend: WorkstationBackend, method: M, input: unknown) {
  const result = (await backend.call(method, input)) as ContractResult<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

beforeAll(async () => {
  postgres = await startPostgres('workstation_sync');
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  apiPort = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'cw-sync-'));
  await startApi();
});

afterAll(async () => {
  await api?.close();
  await database.end();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the workstation and the central API', () => {
  it('needs the central API for the first sign-in on a workstation', async () => {
    const backend = await WorkstationBackend.open({
      dataDir: join(dir, 'never-online'),
      apiUrl: 'http://127.0.0.1:9',
      secrets: new MemorySecretStore(),
    });
    const result = await backend.call('session.signIn', {
      username: 'agent01',
      password: 'demo1234',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'OFFLINE_FIRST_SIGN_IN' } });
    await backend.close();
  });

  it('refuses a wrong password with a code the UI translates', async () => {
    const backend = await openBackend();
    const result = await backend.call('session.signIn', { username: 'agent01', password: 'wrong' });
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_CREDENTIALS' } });
    await backend.close();
  });

  it('keeps work done during an outage and delivers it once when the API returns', async () => {
    let backend = await openBackend();
    const session = await call(backend, 'session.signIn', {
      username: 'agent01',
      password: 'demo1234',
    });
    expect(session.user.role).toBe('agent');

    const online = await call(backend, 'cases.create', intake('网银转账重复扣款两次，每次500元'));
    await call(backend, 'sync.now', {});
    expect((await call(backend, 'sync.status', {})).pending).toBe(0);
    expect((await call(backend, 'cases.get', { caseId: online.id })).case.version).toBeGreaterThan(
      0,
    );

    await api!.close();
    api = null;
    const offline = await call(
      backend,
      'cases.create',
      intake('冻结的账户至今未解冻，影响工资入账'),
    );
    expect(offline.priority).toBe('urgent');
    await call(backend, 'cases.addNote', { caseId: online.id, text: '客户来电催办，已记录' });
    const status = await call(backend, 'sync.now', {});
    expect(status).toMatchObject({ state: 'offline', pending: 2 });

    // The workstation restarts while the API is still down: the outbox and the cases are intact,
    // and the last user signs in offline against the local verifier.
    await backend.close();
    backend = await openBackend();
    expect(await call(backend, 'session.current', {})).toBeNull();
    const wrong = await backend.call('session.signIn', { username: 'agent01', password: 'nope' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'BAD_CREDENTIALS' } });
    await call(backend, 'session.signIn', { username: 'agent01', password: 'demo1234' });
    const mine = await call(backend, 'cases.listMine', {});
    expect(mine.map((c) => c.number)).toEqual(
      expect.arrayContaining([online.number, offline.number]),
    );
    expect(mine.find((c) => c.id === offline.id)).toMatchObject({
      pending: true,
      maskedPhone: '139****4455',
    });
    expect((await call(backend, 'sync.status', {})).pending).toBe(2);

    await startApi();
    // No password is kept in memory: the session renews with the refresh token of the
    // secret store, which this keychain-less host lost at the restart. The outbox waits
    // for the agent's next online sign-in.
    expect(await call(backend, 'sync.now', {})).toMatchObject({
      state: 'signed_out',
      lastError: 'UNAUTHENTICATED',
      pending: 2,
    });
    await call(backend, 'session.signIn', { username: 'agent01', password: 'demo1234' });
    const after = await call(backend, 'sync.now', {});
    expect(after).toMatchObject({ state: 'online', pending: 0, rejected: 0 });

    const rows = await database.query('SELECT id, number, priority FROM cases WHERE id = ANY($1)', [
      [online.id, offline.id],
    ]);
    expect(rows.rows).toHaveLength(2);
    const notes = await database.query('SELECT text FROM case_notes WHERE case_id = $1', [
      online.id,
    ]);
    expect(notes.rows).toEqual([{ text: '客户来电催办，已记录' }]);
    const detail = await call(backend, 'cases.get', { caseId: online.id });
    expect(detail.notes).toMatchObject([{ text: '客户来电催办，已记录', pending: false }]);
    expect(detail.notes[0]!.createdAt).not.toBeNull();
    await backend.close();
  });

  it('moves a case through the lifecycle and the server agrees', async () => {
    const backend = await openBackend();
    await call(backend, 'session.signIn', { username: 'agent01', password: 'demo1234' });
    const created = await call(backend, 'cases.create', intake('APP登录后页面卡顿无法转账'));
    expect(created.status).toBe('in_progress');
    const fresh = await call(backend, 'cases.get', { caseId: created.id });
    expect(fresh.allowedEvents).toEqual(
      expect.arrayContaining(['RESOLVE', 'REQUEST_CUSTOMER_INFO', 'OPEN_TASK']),
    );
    expect(fresh.allowedEvents).not.toContain('RECORD_FEEDBACK');
    expect(fresh.deadlines.map((d) => d.kind)).toContain('regulatory_decision');
    const refused = await backend.call('cases.transition', {
      caseId: created.id,
      event: { type: 'RECORD_FEEDBACK', score: 5 },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED_IN_STATE' } });
    const incomplete = await backend.call('cases.transition', {
      caseId: created.id,
      event: { type: 'RESOLVE', rootCause: '新版本兼容性问题', solution: '', prevention: '回归测试' },
    });
    expect(incomplete).toMatchObject({ ok: false, error: { code: 'RESOLUTION_INCOMPLETE' } });
    await call(backend, 'cases.transition', {
      caseId: created.id,
      event: {
        type: 'RESOLVE',
        rootCause: '新版本兼容性问题',
        solution: '版本升级后恢复，已指导客户更新APP',
        prevention: '发布前增加老机型回归测试',
      },
    });
    await call(backend, 'sync.now', {});
    const server = await database.query(
      "SELECT status, lifecycle->'resolution'->>'solution' AS solution FROM cases WHERE id = $1",
      [created.id],
    );
    expect(server.rows[0]).toEqual({ status: 'resolved', solution: '版本升级后恢复，已指导客户更新APP' });
    const detail = await call(backend, 'cases.get', { caseId: created.id });
    expect(detail).toMatchObject({ pending: false, case: { status: 'resolved' } });
    expect(detail.allowedEvents).toContain('NOTIFY_CUSTOMER');
    // The server ran the same registration: the two lifecycles agree to the letter.
    expect(detail.case.lifecycle.clock.slice(0, 2)).toEqual(created.lifecycle.clock.slice(0, 2));
    await backend.close();
  });

  it('does not show another agent’s cases', async () => {
    const backend = await WorkstationBackend.open({
      dataDir: join(dir, 'agent02'),
      apiUrl: `http://127.0.0.1:${apiPort}`,
      secrets: new MemorySecretStore(),
    });
    await call(backend, 'session.signIn', { username: 'agent02', password: 'demo1234' });
    await call(backend, 'sync.now', {});
    const mine = await call(backend, 'cases.listMine', {});
    expect(mine.some((c) => c.customerName === '郑晓东')).toBe(false);
    await backend.close();
  });
});
