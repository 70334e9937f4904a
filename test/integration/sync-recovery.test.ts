// Recovery from crashes on either side of the wire: a workstation backend killed between
// writing an action and pushing it, and PostgreSQL restarted under a pushing workstation.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../main/backend/secret-store';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { DEMO_PASSWORD } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { freePort, startCentralApiProcess, type Service } from '../support/processes';
import { call, FaultProxy, intake, openWorkstation, waitFor } from './sync-support';

let postgres: TestPostgres;
/** A pool, not a client: it outlives a restart of the database. */
let database: pg.Pool;
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  postgres = await startPostgres('sync_recovery');
  database = new pg.Pool({ connectionString: postgres.url, max: 2 });
  database.on('error', () => {});
  dir = mkdtempSync(join(tmpdir(), 'cw-recovery-'));
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await database?.end();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const result = await database.query<{ n: string }>(sql, params);
  return Number(result.rows[0]!.n);
}

async function apiProcess(): Promise<{ service: Service; url: string }> {
  const port = await freePort();
  const service = await startCentralApiProcess(postgres.url, port);
  cleanups.push(() => service.stop());
  return { service, url: `http://127.0.0.1:${port}` };
}

/** Signs in through the API (so the cache holds a session), returning the token. */
async function signInAndClose(cacheDir: string, apiUrl: string, username: string) {
  const secrets = new MemorySecretStore();
  const backend = await openWorkstation(cacheDir, apiUrl, { secrets });
  await call(backend, 'session.signIn', { username, password: DEMO_PASSWORD });
  await call(backend, 'sync.now', {});
  const token = (await secrets.get('api-token'))!;
  const clientId = backend.store.clientId();
  await backend.close();
  return { token, clientId };
}

async function reopen(cacheDir: string, apiUrl: string, token: string) {
  const secrets = new MemorySecretStore();
  await secrets.set('api-token', token);
  const backend = await openWorkstation(cacheDir, apiUrl, { secrets }); // resumes the session
  cleanups.push(() => backend.close());
  return backend;
}

/** The workstation backend as its own process: one action through `backend.call`, then wait. */
const CHILD = `
const { MemorySecretStore } = await import(process.env.CW_SECRETS);
const { WorkstationBackend } = await import(process.env.CW_BACKEND);
const secrets = new MemorySecretStore();
await secrets.set('api-token', process.env.CW_TOKEN);
const backend = await WorkstationBackend.open({
  dataDir: process.env.CW_DATA_DIR,
  apiUrl: process.env.CW_API_URL,
  secrets,
  sync: { pollIntervalMs: 60000, baseBackoffMs: 50, maxBackoffMs: 200 },
});
const result = await backend.call('cases.create', JSON.parse(process.env.CW_INTAKE));
if (!result.ok) { console.log('FAILED ' + JSON.stringify(result.error)); process.exit(1); }
console.log('READY ' + result.value.id);
setInterval(() => {}, 60000);
`;

const moduleUrl = (path: string) => pathToFileURL(resolve(path)).href;

describe('a workstation backend killed between writing an action and pushing it', () => {
  it('keeps the action in the outbox and delivers it exactly once when the API is back', async () => {
    const { url } = await apiProcess();
    const proxy = await FaultProxy.start(Number(new URL(url).port));
    cleanups.push(() => proxy.close());
    const cacheDir = join(dir, 'killed-workstation');
    const { token, clientId } = await signInAndClose(cacheDir, proxy.url, 'agent01');

    // The API unreachable: the child writes the action, cannot push it, and is killed.
    proxy.offline();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', CHILD],
      {
        env: {
          ...process.env,
          CW_SECRETS: moduleUrl('main/backend/secret-store.ts'),
          CW_BACKEND: moduleUrl('main/backend/workstation-backend.ts'),
          CW_TOKEN: token,
          CW_DATA_DIR: cacheDir,
          CW_API_URL: proxy.url,
          CW_INTAKE: JSON.stringify(intake('借记卡境外被盗刷，客户已挂失')),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cleanups.push(async () => void child.kill('SIGKILL'));
    await waitFor(() => /READY |FAILED /.test(output) || child.exitCode !== null, 60_000, 'READY');
    const caseId = /READY (\S+)/.exec(output)?.[1];
    expect(caseId, output).toBeDefined();
    child.kill('SIGKILL');
    await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
    expect(child.signalCode).toBe('SIGKILL');

    // Reopened in this process, still offline: the action is in the outbox.
    let backend = await reopen(cacheDir, proxy.url, token);
    const queued = backend.store.pendingMutations();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ seq: 1, name: 'case.create@1', args: { caseId } });
    expect(backend.store.getCase(caseId!)).not.toBeNull();
    expect(await count('select count(*) as n from cases where id = $1', [caseId])).toBe(0);
    await backend.close();

    // With the API up it reaches the server, once, even when pushed again after a restart.
    proxy.online();
    backend = await reopen(cacheDir, proxy.url, token);
    await waitFor(
      async () => (await call(backend, 'sync.now', {})).pending === 0,
      20_000,
      'the outbox to drain',
    );
    await backend.close();
    backend = await reopen(cacheDir, proxy.url, token);
    expect(await call(backend, 'sync.now', {})).toMatchObject({ pending: 0, rejected: 0 });
    expect(await count('select count(*) as n from cases where id = $1', [caseId])).toBe(1);
    expect(await count('select count(*) as n from case_history where case_id = $1', [caseId])).toBe(
      1,
    );
    const results = await database.query<{ seq: string; status: string }>(
      'select seq, status from mutation_results where client_id = $1',
      [clientId],
    );
    expect(results.rows).toEqual([{ seq: '1', status: 'applied' }]);
    expect(backend.store.getCase(caseId!)!.version).toBeGreaterThan(0);
  }, 90_000);
});

describe('PostgreSQL restarted during sync', () => {
  it('the API process recovers without a restart and every mutation is applied once', async () => {
    const { service, url } = await apiProcess();
    const proxy = await FaultProxy.start(Number(new URL(url).port));
    cleanups.push(() => proxy.close());
    const backend: WorkstationBackend = await openWorkstation(join(dir, 'pg-restart'), proxy.url);
    cleanups.push(() => backend.close());
    await call(backend, 'session.signIn', { username: 'agent02', password: DEMO_PASSWORD });
    await call(backend, 'sync.now', {});
    const clientId = backend.store.clientId();

    // 200 mutations queued offline: 50 cases with 3 notes each.
    proxy.offline();
    const caseIds: string[] = [];
    const noteIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const created = await call(backend, 'cases.create', intake(`数据库重启期间的投诉${i + 1}`));
      caseIds.push(created.id);
      for (let j = 0; j < 3; j++) {
        noteIds.push(
          (await call(backend, 'cases.addNote', { caseId: created.id, text: `跟进${j}` })).id,
        );
      }
    }
    expect((await call(backend, 'sync.status', {})).pending).toBe(200);

    // 20 ms more per mutation inside PostgreSQL, so the push is surely mid-flight.
    await database.query(`create function slow_down() returns trigger language plpgsql as $$
      begin perform pg_sleep(0.02); return new; end $$`);
    await database.query(`create trigger slow_results before insert on mutation_results
      for each row execute function slow_down()`);
    const results = () =>
      count('select count(*) as n from mutation_results where client_id = $1', [clientId]);
    proxy.online();
    void call(backend, 'sync.now', {});
    await waitFor(async () => (await results()) > 30, 30_000, 'the push to be under way');

    // The database goes down under the push and comes back; the API process stays up.
    await postgres.halt();
    await new Promise((done) => setTimeout(done, 500));
    const duringOutage = await fetch(`${url}/sync/pull?clientId=${clientId}`, {
      headers: { authorization: 'Bearer x' },
    }).catch(() => null);
    expect(service.process.exitCode, service.output()).toBeNull();
    await postgres.resume();
    expect(duringOutage?.status ?? 0).not.toBe(0); // the API answered, not crashed

    await waitFor(
      async () => {
        const status = await call(backend, 'sync.status', {});
        return status.pending === 0 && status.state === 'online';
      },
      60_000,
      'the outbox to drain after the restart',
    );
    await database.query('drop trigger slow_results on mutation_results');
    await database.query('drop function slow_down()');
    expect(service.process.exitCode).toBeNull();
    expect(service.process.signalCode).toBeNull();

    const stored = await database.query<{ seq: string; status: string }>(
      'select seq, status from mutation_results where client_id = $1 order by seq',
      [clientId],
    );
    expect(stored.rows.map((r) => Number(r.seq))).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(stored.rows.every((r) => r.status === 'applied')).toBe(true);
    expect(await count('select count(*) as n from cases where id = any($1)', [caseIds])).toBe(50);
    expect(await count('select count(*) as n from case_notes where id = any($1)', [noteIds])).toBe(
      150,
    );
    expect(
      await count('select count(*) as n from case_history where case_id = any($1)', [caseIds]),
    ).toBe(200);
    expect(await call(backend, 'sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
    // The push cut by the shutdown was answered 503 (logged as such), never 500.
    expect(service.output()).toMatch(/database unavailable/);
    expect(service.output()).not.toMatch(/"statusCode":500/);
  }, 120_000);
});
