// Reference data on the workstation, against a real central API on a real PostgreSQL: the
// deadline rules an administrator chooses reach the workstation and every clock is counted
// by them, offline too; the knowledge base is searched offline in Chinese; attachment
// metadata arrives with the case.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CN_CALENDAR,
  CN_CBIRC_2020,
  computeDeadlines,
  GB_ENG_CALENDAR,
  UK_FCA_DISP,
  type Deadline,
} from '../../shared/clock';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { openDb, type Db } from '../../server/db';
import { seedKnowledge } from '../../server/knowledge';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, FaultProxy, intake, openWorkstation } from './sync-support';

let postgres: TestPostgres;
let db: Db;
let api: CentralApi;
let proxy: FaultProxy;
let dir: string;
const backends: WorkstationBackend[] = [];

beforeAll(async () => {
  postgres = await startPostgres('workstation_reference');
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'reference-secret-reference-secret',
  });
  db = await openDb({ databaseUrl: postgres.url });
  await seedKnowledge(db);
  proxy = await FaultProxy.start(Number(new URL(api.url).port));
  dir = mkdtempSync(join(tmpdir(), 'cw-reference-'));
}, 60_000);

afterAll(async () => {
  for (const backend of backends) await backend.close();
  await proxy?.close();
  await api?.close();
  await db?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function agentWorkstation(name: string): Promise<WorkstationBackend> {
  const backend = await openWorkstation(join(dir, name), proxy.url, { referenceRefreshMs: 0 });
  backends.push(backend);
  await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
  await call(backend, 'sync.now', {});
  return backend;
}

async function adminToken(): Promise<string> {
  const response = await fetch(`${api.url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin01', password: DEMO_PASSWORD, clientId: randomUUID() }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** What a deadline is, whenever it is looked at. */
const timeless = ({ remainingMs: _r, state: _s, ...rest }: Deadline) => rest;

describe('deadline rules from the central API', () => {
  it('counts every clock by the policy the administrator chose, and keeps it offline', async () => {
    const backend = await agentWorkstation('rules');
    const created = await call(backend, 'cases.create', intake('跨境汇款被退回，手续费未退'));
    await call(backend, 'sync.now', {});
    const clock = (await call(backend, 'cases.get', { caseId: created.id })).case.lifecycle.clock;
    const at = new Date();
    const china = computeDeadlines(clock, CN_CBIRC_2020, CN_CALENDAR, at);
    const britain = computeDeadlines(clock, UK_FCA_DISP, GB_ENG_CALENDAR, at);
    // The two policies must disagree on this case, or the test proves nothing.
    expect(britain.map(timeless)).not.toEqual(china.map(timeless));
    expect(
      (await call(backend, 'cases.get', { caseId: created.id })).deadlines.map(timeless),
    ).toEqual(china.map(timeless));

    const chosen = await fetch(`${api.url}/admin/deadline-rules`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${await adminToken()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ policyId: 'UK_FCA_DISP' }),
    });
    expect(chosen.status, await chosen.text()).toBe(200);
    await call(backend, 'sync.now', {});
    expect(backend.reference.deadlineRules()).toMatchObject({
      source: 'server',
      policy: { id: 'UK_FCA_DISP' },
    });
    expect(
      (await call(backend, 'cases.get', { caseId: created.id })).deadlines.map(timeless),
    ).toEqual(britain.map(timeless));

    // Offline and after a restart, the chosen rules still count.
    proxy.offline();
    try {
      await backend.close();
      backends.splice(backends.indexOf(backend), 1);
      const reopened = await openWorkstation(join(dir, 'rules'), proxy.url);
      backends.push(reopened);
      await call(reopened, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
      expect(
        (await call(reopened, 'cases.get', { caseId: created.id })).deadlines.map(timeless),
      ).toEqual(britain.map(timeless));
    } finally {
      proxy.online();
      const reset = await fetch(`${api.url}/admin/deadline-rules`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${await adminToken()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ policyId: 'CN_CBIRC_2020' }),
      });
      expect(reset.status).toBe(200);
    }
  }, 60_000);
});

describe('the knowledge base on the workstation', () => {
  it('finds articles and scripts offline, in Chinese, in the server’s order', async () => {
    const backend = await agentWorkstation('knowledge');
    const token = await adminToken();
    const online = await fetch(`${api.url}/knowledge/search?q=${encodeURIComponent('盗刷')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(online.status).toBe(200);
    const serverHits = ((await online.json()) as { hits: { id: string }[] }).hits;
    expect(serverHits.length).toBeGreaterThan(1);

    proxy.offline();
    try {
      const hits = await call(backend, 'knowledge.search', { q: '盗刷', limit: 20 });
      expect(hits.map((hit) => hit.id)).toEqual(serverHits.map((hit) => hit.id));
      // One character, and a Traditional spelling, find it too.
      expect(
        (await call(backend, 'knowledge.search', { q: '盗', limit: 5 })).length,
      ).toBeGreaterThan(0);
      expect(
        (await call(backend, 'knowledge.search', { q: '盜刷', limit: 20 })).map((h) => h.id),
      ).toEqual(hits.map((hit) => hit.id));
      const article = await call(backend, 'knowledge.get', { id: hits[0]!.id });
      expect(article.body.length).toBeGreaterThan(20);
      const missing = await backend.call('knowledge.get', { id: randomUUID() });
      expect(missing).toMatchObject({ ok: false, error: { code: 'ARTICLE_NOT_FOUND' } });
    } finally {
      proxy.online();
    }
  }, 60_000);

  it('drops an archived article at the next sync', async () => {
    const backend = await agentWorkstation('archive');
    const [first] = await call(backend, 'knowledge.search', { q: '盗刷', limit: 1 });
    expect(first).toBeDefined();
    const archived = await fetch(`${api.url}/admin/knowledge/${first!.id}/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await adminToken()}` },
    });
    expect(archived.status, await archived.text()).toBe(200);
    await call(backend, 'sync.now', {});
    const after = await call(backend, 'knowledge.search', { q: '盗刷', limit: 20 });
    expect(after.map((hit) => hit.id)).not.toContain(first!.id);
    expect(await backend.call('knowledge.get', { id: first!.id })).toMatchObject({ ok: false });
  }, 60_000);
});

describe('attachments on the workstation', () => {
  it('lists the metadata of a case’s attachments after a pull', async () => {
    const backend = await agentWorkstation('attachments');
    const created = await call(backend, 'cases.create', intake('手机银行转账失败但已扣款'));
    await call(backend, 'sync.now', {});
    const token = await (async () => {
      const response = await fetch(`${api.url}/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'agent01',
          password: DEMO_PASSWORD,
          clientId: randomUUID(),
        }),
      });
      return ((await response.json()) as { token: string }).token;
    })();
    const body = Buffer.from('转账失败截图的文字说明', 'utf8');
    const attachmentId = randomUUID();
    const uploaded = await fetch(`${api.url}/cases/${created.id}/attachments/${attachmentId}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'text/plain; charset=utf-8',
        'x-file-name': encodeURIComponent('转账说明.txt'),
        'x-content-sha256': createHash('sha256').update(body).digest('hex'),
      },
      body,
    });
    expect(uploaded.status, await uploaded.text()).toBe(201);
    await call(backend, 'sync.now', {});
    const detail = await call(backend, 'cases.get', { caseId: created.id });
    expect(detail.attachments).toMatchObject([
      { id: attachmentId, fileName: '转账说明.txt', size: body.length },
    ]);
  }, 60_000);
});
