// A revoked workstation, end to end: an administrator revokes it on the central API, its next
// sync is answered WORKSTATION_REVOKED, and it forgets its cases, outbox and secrets and
// signs out. Also: the access token is renewed from the refresh token, never the password.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../main/backend/secret-store';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, intake, openWorkstation, waitFor } from './sync-support';

let postgres: TestPostgres;
let api: CentralApi;
let database: pg.Client;
let dir: string;

beforeAll(async () => {
  postgres = await startPostgres('workstation_revoke');
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'revoke-secret-revoke-secret-revoke-secret',
  });
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  dir = mkdtempSync(join(tmpdir(), 'cw-revoke-'));
}, 120_000);

afterAll(async () => {
  await api?.close();
  await database?.end();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function adminToken(): Promise<string> {
  const response = await fetch(`${api.url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: 'admin01',
      password: DEMO_PASSWORD,
      clientId: crypto.randomUUID(),
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

describe('a workstation and its session', () => {
  it('renews an expired access token with the refresh token, keeping no password', async () => {
    const secrets = new MemorySecretStore();
    const backend = await openWorkstation(join(dir, 'renews'), api.url, { secrets });
    try {
      await call(backend, 'session.signIn', { username: 'agent02', password: DEMO_PASSWORD });
      const firstRefresh = await secrets.get('api-refresh-token');
      expect(firstRefresh).toBeTruthy();
      // The access token is no longer any good (here: forged), as after 15 minutes.
      await secrets.set('api-token', 'expired.token.value');
      await call(backend, 'cases.create', intake('令牌过期后登记的投诉'));
      await call(backend, 'sync.now', {});
      expect(await call(backend, 'sync.status', {})).toMatchObject({ state: 'online', pending: 0 });
      const rotated = await secrets.get('api-refresh-token');
      expect(rotated).toBeTruthy();
      expect(rotated).not.toBe(firstRefresh);
      // No field of the backend holds the password, or an object carrying one.
      const holdsPassword = (value: unknown) =>
        value === DEMO_PASSWORD ||
        (typeof value === 'object' && value !== null && 'password' in value);
      expect(Object.values(backend).some(holdsPassword)).toBe(false);
    } finally {
      await backend.close();
    }
  });

  it('starts its cache over when an administrator moves its user to another team', async () => {
    const admin = await adminToken();
    const asAdmin = (method: string, path: string, body: unknown) =>
      fetch(`${api.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await asAdmin('POST', '/admin/people', {
      username: 'lead05',
      displayName: '郑强',
      role: 'lead',
      teamId: 'team-t1',
      password: 'lead05-first-password',
    });
    expect(created.status).toBe(201);
    const { id: leadId } = (await created.json()) as { id: string };
    const teamCase = await database.query<{ id: string }>(
      `select id from cases where team_id = 'team-t1' order by number limit 1`,
    );
    const caseId = teamCase.rows[0]!.id;

    const backend = await openWorkstation(join(dir, 'moved'), api.url);
    try {
      const credentials = { username: 'lead05', password: 'lead05-first-password' };
      await call(backend, 'session.signIn', credentials);
      await call(backend, 'sync.now', {});
      expect(backend.store.getCase(caseId)).not.toBeNull();

      expect(
        (await asAdmin('PATCH', `/admin/people/${leadId}`, { teamId: 'team-t2' })).status,
      ).toBe(200);
      await call(backend, 'sync.now', {});
      expect(await call(backend, 'sync.status', {})).toMatchObject({ state: 'signed_out' });
      await call(backend, 'session.signIn', credentials);
      await call(backend, 'sync.now', {});
      expect(await call(backend, 'sync.status', {})).toMatchObject({ state: 'online' });
      expect(backend.store.getCase(caseId)).toBeNull();
    } finally {
      await backend.close();
    }
  });

  it('wipes its cases, outbox and secrets and signs out when the API says it is revoked', async () => {
    const secrets = new MemorySecretStore();
    const backend = await openWorkstation(join(dir, 'revoked'), api.url, { secrets });
    try {
      await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
      await call(backend, 'cases.create', intake('银行卡丢失后被盗刷三笔'));
      await call(backend, 'sync.now', {});
      const clientId = backend.store.clientId();

      const revoked = await fetch(`${api.url}/admin/workstations/${clientId}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      expect(revoked.status).toBe(200);

      // Work done meanwhile never leaves the machine: the server refuses this install.
      const pendingCase = await call(backend, 'cases.create', intake('撤销前刚登记的投诉'));
      expect(backend.store.waitingCount()).toBeGreaterThan(0);
      await backend.call('sync.now', {});
      await waitFor(
        async () =>
          (await backend.call('session.current', {})).ok && !backend.store.getMeta('session'),
        5_000,
        'the revoked workstation to sign out',
      );
      expect(await call(backend, 'session.current', {})).toBeNull();
      expect(backend.store.listCasesOwnedBy('u-agent01')).toEqual([]);
      expect(backend.store.getCase(pendingCase.id)).toBeNull();
      expect(backend.store.waitingCount()).toBe(0);
      expect(backend.store.getMeta('verifier:agent01')).toBeNull();
      expect(await secrets.get('api-token')).toBeNull();
      expect(await secrets.get('api-refresh-token')).toBeNull();
      expect(backend.store.clientId()).toBe(clientId);
      const stored = await database.query('select 1 from cases where id = $1', [pendingCase.id]);
      expect(stored.rows).toEqual([]);

      // Signing in again here is refused, with the code the UI explains.
      const again = await backend.call('session.signIn', {
        username: 'agent01',
        password: DEMO_PASSWORD,
      });
      expect(again).toMatchObject({ ok: false, error: { code: 'WORKSTATION_REVOKED' } });
    } finally {
      await backend.close();
    }
  });
});
