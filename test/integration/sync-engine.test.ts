// The sync engine driven by the sync machine, against a real central API: the poke stream
// coming back means "retry now", whatever the backoff said; a refused session keeps the
// outbox until the agent signs in again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../main/backend/secret-store';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { hashPassword } from '../../server/passwords';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, FaultProxy, intake, openWorkstation, waitFor } from './sync-support';

let postgres: TestPostgres;
let api: CentralApi;
let database: pg.Client;
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  postgres = await startPostgres('sync_engine');
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'engine-secret-engine-secret-engine',
  });
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  dir = mkdtempSync(join(tmpdir(), 'cw-engine-'));
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await api?.close();
  await database?.end();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(
  name: string,
  apiUrl: string,
  sync = {},
  secrets = new MemorySecretStore(),
): Promise<WorkstationBackend> {
  const backend = await openWorkstation(join(dir, name), apiUrl, { sync, secrets });
  cleanups.push(() => backend.close());
  return backend;
}

describe('the sync engine', () => {
  it('retries at once when the poke stream comes back, long before its backoff would', async () => {
    const proxy = await FaultProxy.start(Number(new URL(api.url).port));
    cleanups.push(() => proxy.close());
    const backend = await open('network-back', proxy.url, {
      // The retry timer would wait ~20 s; the stream reconnects within 50 ms.
      baseBackoffMs: 20_000,
      maxBackoffMs: 60_000,
      streamBaseBackoffMs: 50,
      streamMaxBackoffMs: 50,
      random: () => 0.99,
    });
    await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
    await waitFor(() => backend.sync.machineState === 'idle', 5_000, 'the first sync');

    proxy.offline();
    await call(backend, 'cases.create', intake('断网期间登记的投诉'));
    await waitFor(() => backend.sync.machineState === 'offline', 5_000, 'offline');
    const offline = await call(backend, 'sync.status', {});
    expect(offline).toMatchObject({ state: 'offline', pending: 1 });
    expect(Date.parse(offline.nextRetryAt!) - Date.now()).toBeGreaterThan(15_000);

    const back = Date.now();
    proxy.online();
    await waitFor(
      async () => {
        const status = await call(backend, 'sync.status', {});
        return status.pending === 0 && status.state === 'online';
      },
      3_000,
      'the outbox to drain after NETWORK_BACK',
    );
    expect(Date.now() - back).toBeLessThan(3_000);
    expect(await call(backend, 'sync.status', {})).toMatchObject({
      state: 'online',
      lastError: null,
      nextRetryAt: null,
    });
  });

  it('keeps the outbox through a refused session and sends it after the next sign-in', async () => {
    const secrets = new MemorySecretStore();
    const backend = await open('token-expired', api.url, {}, secrets);
    await call(backend, 'session.signIn', { username: 'agent02', password: DEMO_PASSWORD });
    await call(backend, 'sync.now', {});

    // The session ends on the server (signed out elsewhere, say), and the password the
    // workstation remembers no longer works: only the agent can help.
    const token = (await secrets.get('api-token'))!;
    const out = await fetch(`${api.url}/auth/sign-out`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(204);
    const oldHash = (
      await database.query<{ password_hash: string }>(
        `select password_hash from users where username = 'agent02'`,
      )
    ).rows[0]!.password_hash;
    await database.query(`update users set password_hash = $1 where username = 'agent02'`, [
      await hashPassword('changed-elsewhere'),
    ]);
    try {
      const created = await call(backend, 'cases.create', intake('会话过期后登记的投诉'));
      await call(backend, 'sync.now', {});
      expect(backend.sync.machineState).toBe('token_expired');
      expect(await call(backend, 'sync.status', {})).toMatchObject({
        state: 'signed_out',
        lastError: 'UNAUTHENTICATED',
        pending: 1,
      });
      // Requests change nothing until then, and lose nothing.
      await call(backend, 'sync.now', {});
      expect(backend.sync.machineState).toBe('token_expired');
      expect(await call(backend, 'cases.get', { caseId: created.id })).toMatchObject({
        pending: true,
      });

      await database.query(`update users set password_hash = $1 where username = 'agent02'`, [
        oldHash,
      ]);
      await call(backend, 'session.signIn', { username: 'agent02', password: DEMO_PASSWORD });
      await waitFor(
        async () => {
          const status = await call(backend, 'sync.status', {});
          return status.pending === 0 && status.state === 'online';
        },
        5_000,
        'the outbox to drain after the sign-in',
      );
      expect(await call(backend, 'sync.status', {})).toMatchObject({
        state: 'online',
        lastError: null,
        rejected: 0,
      });
      const stored = await database.query('select 1 from cases where id = $1', [created.id]);
      expect(stored.rows).toHaveLength(1);
    } finally {
      await database.query(`update users set password_hash = $1 where username = 'agent02'`, [
        oldHash,
      ]);
    }
  });
});
