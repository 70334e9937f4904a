// Scope exits and entries: a case that changes hands leaves the previous owner's cache (their
// queued work on it kept and explained) and arrives whole, older notes too, in the new one's.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseEventInput } from '../../shared/lifecycle/case-machine';
import type { Mutation, PullResponse, PushResponse } from '../../shared/sync-protocol';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { buildServer } from '../../server/app';
import { storeTransition, type StoredLifecycle } from '../../server/cases';
import { openDb, type Db } from '../../server/db';
import { hashPassword } from '../../server/passwords';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import {
  call,
  expectCacheMatchesServer,
  FaultProxy,
  intake,
  openWorkstation,
  waitFor,
} from './sync-support';

const JWT = 'scope-secret-scope-secret-scope-secret';
let postgres: TestPostgres;
let api: CentralApi;
let db: Db;
let app: FastifyInstance;
let database: pg.Client;
let dir: string;

beforeAll(async () => {
  postgres = await startPostgres('sync_scope');
  api = await startCentralApi({ port: 0, databaseUrl: postgres.url, seed: true, jwtSecret: JWT });
  db = await openDb({ databaseUrl: postgres.url });
  app = buildServer({ db, jwtSecret: new TextEncoder().encode(JWT) });
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  // A second team with one agent, for moves between teams.
  await database.query(
    `insert into teams (id, code, name) values ('team-t2x', 'T2X', '客服投诉三组')`,
  );
  await database.query(
    `insert into users (id, username, display_name, role, team_id, branch_id, password_hash)
     values ('u-agent03', 'agent03', '赵敏', 'agent', 'team-t2x', 'branch-sh', $1)`,
    [await hashPassword(DEMO_PASSWORD)],
  );
  dir = mkdtempSync(join(tmpdir(), 'cw-scope-'));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await api?.close();
  await database?.end();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// --- the protocol, on the server ----------------------------------------------------------

interface Session {
  clientId: string;
  headers: { authorization: string };
  code: string;
  seq: number;
  cursor: string;
}

async function signIn(username: string): Promise<Session> {
  const clientId = randomUUID();
  const response = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId },
  });
  expect(response.statusCode, response.body).toBe(200);
  const session: Session = {
    clientId,
    headers: { authorization: `Bearer ${response.json().token}` },
    code: response.json().workstationCode,
    seq: 0,
    cursor: '0',
  };
  await pullAll(session); // bootstrapped: from here on, pulls are incremental
  return session;
}

async function push(session: Session, mutations: Omit<Mutation, 'seq' | 'id' | 'recordedAt'>[]) {
  const response = await app.inject({
    method: 'POST',
    url: '/sync/push',
    headers: session.headers,
    payload: {
      protocolVersion: 1,
      clientId: session.clientId,
      mutations: mutations.map((m) => ({
        ...m,
        id: randomUUID(),
        seq: ++session.seq,
        recordedAt: new Date().toISOString(),
      })),
    },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as PushResponse;
}

/** Pulls to the end from the session's cursor: every page's cases, notes and removals. */
async function pullAll(session: Session, limit = 500) {
  const cases = new Set<string>();
  const notes = new Set<string>();
  const removed = new Set<string>();
  const attachments = new Set<string>();
  for (;;) {
    const query = new URLSearchParams({
      clientId: session.clientId,
      cursor: session.cursor,
      limit: String(limit),
    });
    const response = await app.inject({
      method: 'GET',
      url: `/sync/pull?${query}`,
      headers: session.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    const page: PullResponse = response.json();
    for (const c of page.cases) cases.add(c.id);
    for (const n of page.notes) notes.add(n.id);
    for (const id of page.removedCaseIds) removed.add(id);
    for (const a of page.attachments) attachments.add(a.id);
    session.cursor = page.cursor;
    if (!page.hasMore) return { cases, notes, removed, attachments };
  }
}

let numberSeq = 0;
async function newCase(owner: Session, notes = 1) {
  const caseId = randomUUID();
  const noteIds = Array.from({ length: notes }, () => randomUUID());
  const pushed = await push(owner, [
    {
      name: 'case.create@1',
      args: {
        caseId,
        number: `${owner.code}-261123-${String(++numberSeq).padStart(4, '0')}`,
        intake: intake('信用卡年费被重复扣收'),
      },
    },
    ...noteIds.map((noteId) => ({
      name: 'case.addNote@1' as const,
      args: { caseId, noteId, text: '已致电客户说明进度。' },
    })),
  ]);
  expect(pushed.results.every((r) => r.status === 'applied')).toBe(true);
  return { caseId, noteIds };
}

/** Uploads a small text file to the case, as the workstation does; returns its id. */
async function attach(session: Session, caseId: string): Promise<string> {
  const attachmentId = randomUUID();
  const body = Buffer.from('客户提供的扣款短信截图说明', 'utf8');
  const response = await app.inject({
    method: 'PUT',
    url: `/cases/${caseId}/attachments/${attachmentId}`,
    headers: {
      ...session.headers,
      'content-type': 'text/plain; charset=utf-8',
      'x-file-name': encodeURIComponent('扣款说明.txt'),
      'x-content-sha256': createHash('sha256').update(body).digest('hex'),
    },
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return attachmentId;
}

async function transition(session: Session, caseId: string, event: CaseEventInput) {
  const pushed = await push(session, [
    { name: 'case.transition@1', args: { caseId, event, baseVersion: 0 } },
  ]);
  return pushed.results[0]!;
}

const reassign = (toUserId: string): CaseEventInput => ({
  type: 'REASSIGN',
  toUserId,
  reason: '工作量调整',
});

describe('pull after a change of hands', () => {
  it('removes a reassigned case for its old owner and brings it, with older notes, to the new one', async () => {
    const agent1 = await signIn('agent01');
    const agent2 = await signIn('agent02');
    const lead = await signIn('lead01');
    const { caseId, noteIds } = await newCase(agent1, 2);
    const attachmentId = await attach(agent1, caseId);
    const first = await pullAll(agent1);
    expect(first.cases).toContain(caseId);
    expect([...first.attachments]).toEqual([attachmentId]);
    expect((await pullAll(lead)).attachments).toContain(attachmentId);
    expect((await pullAll(agent2)).attachments.size).toBe(0);

    expect(await transition(lead, caseId, reassign('u-agent02'))).toMatchObject({
      status: 'applied',
    });
    const changes = await database.query(
      'select old_owner_id, new_owner_id from case_scope_changes where case_id = $1',
      [caseId],
    );
    expect(changes.rows).toEqual([{ old_owner_id: 'u-agent01', new_owner_id: 'u-agent02' }]);

    const old = await pullAll(agent1);
    expect([...old.removed]).toEqual([caseId]);
    expect(old.cases.has(caseId)).toBe(false);
    const fresh = await pullAll(agent2);
    expect(fresh.cases).toContain(caseId);
    // The new owner's cursor had passed these notes: the scope entry brings them.
    expect([...fresh.notes].sort()).toEqual([...noteIds].sort());
    expect([...fresh.attachments]).toEqual([attachmentId]);
    expect(fresh.removed.size).toBe(0);
    // The lead saw the case before and after: an update, no removal, no notes again.
    const team = await pullAll(lead);
    expect(team.cases).toContain(caseId);
    expect(team.removed.size).toBe(0);
    expect(team.notes.size).toBe(0);
    // Nothing more for anyone on the next pull.
    for (const session of [agent1, agent2, lead]) {
      const again = await pullAll(session);
      expect(again.removed.size + again.cases.size + again.notes.size).toBe(0);
    }
  });

  it('does not remove a case that left and came back between two pulls', async () => {
    const agent1 = await signIn('agent01');
    const lead = await signIn('lead01');
    const { caseId } = await newCase(agent1);
    await pullAll(agent1);
    await transition(lead, caseId, reassign('u-agent02'));
    await transition(lead, caseId, reassign('u-agent01'));
    const pulled = await pullAll(agent1);
    expect(pulled.removed.has(caseId)).toBe(false);
    expect(pulled.cases).toContain(caseId);
  });

  it('removes it on the right page when paging, and only once', async () => {
    const agent1 = await signIn('agent01');
    const lead = await signIn('lead01');
    const cases = [await newCase(agent1), await newCase(agent1), await newCase(agent1)];
    await pullAll(agent1);
    for (const { caseId } of cases) await transition(lead, caseId, reassign('u-agent02'));
    await newCase(agent1, 2);
    const pulled = await pullAll(agent1, 1);
    expect([...pulled.removed].sort()).toEqual(cases.map((c) => c.caseId).sort());
  });

  it('removes a case whose owner recused it (no owner is nobody’s scope)', async () => {
    const agent1 = await signIn('agent01');
    const { caseId } = await newCase(agent1);
    await pullAll(agent1);
    expect(
      await transition(agent1, caseId, { type: 'RECUSE', reason: '与客户存在利害关系' }),
    ).toMatchObject({
      status: 'applied',
    });
    expect((await pullAll(agent1)).removed).toContain(caseId);
  });

  it('removes a case moved to another team for that team’s lead and the branch', async () => {
    const agent1 = await signIn('agent01');
    const lead = await signIn('lead01');
    const branch = await signIn('branch01');
    const admin = await signIn('admin01');
    const { caseId } = await newCase(agent1);
    for (const session of [agent1, lead, branch, admin]) await pullAll(session);
    // No lifecycle event moves a case between teams yet: the store's move, as one would.
    await db.transaction(async (tx) => {
      const row = (
        await tx.query<StoredLifecycle & { version: string }>(
          'select status, lifecycle, version from cases where id = $1 for update',
          [caseId],
        )
      ).rows[0]!;
      const bumped = await tx.query<{ v: string }>('update sync_version set v = v + 1 returning v');
      await storeTransition(
        tx,
        {
          actorId: 'u-admin01',
          clientId: null,
          at: new Date().toISOString(),
          version: bumped.rows[0]!.v,
        },
        caseId,
        'REASSIGN',
        { ...row, version: Number(row.version) },
        {
          status: row.status,
          lifecycle: { ...row.lifecycle, ownerId: 'u-agent03' },
          teamId: 'team-t2x',
          branchId: 'branch-sh',
        },
      );
    });
    expect((await pullAll(agent1)).removed).toContain(caseId);
    expect((await pullAll(lead)).removed).toContain(caseId);
    expect((await pullAll(branch)).removed).toContain(caseId);
    // Administrators handle no cases: nothing to show them, nothing to remove.
    const none = await pullAll(admin);
    expect(none.removed.has(caseId)).toBe(false);
    expect(none.cases.has(caseId)).toBe(false);
    const moved = await signIn('agent03');
    expect((await pullAll(moved)).cases.size).toBe(0); // bootstrapped at sign-in already
    const fromScratch = { ...moved, cursor: '0' };
    const full = await pullAll(fromScratch);
    expect(full.cases).toContain(caseId);
    expect(full.removed.size).toBe(0);
  });
});

// --- the workstations ---------------------------------------------------------------------

describe('workstations after a reassignment', () => {
  let agent1: WorkstationBackend;
  let agent2: WorkstationBackend;
  let lead: WorkstationBackend;
  let proxy: FaultProxy;

  afterAll(async () => {
    for (const backend of [agent1, agent2, lead]) await backend?.close();
    await proxy?.close();
  });

  it('drops the case from the old owner’s cache, keeps their queued work as needing attention, and shows it to the new owner', async () => {
    proxy = await FaultProxy.start(Number(new URL(api.url).port));
    agent1 = await openWorkstation(join(dir, 'agent01'), proxy.url);
    agent2 = await openWorkstation(join(dir, 'agent02'), api.url);
    lead = await openWorkstation(join(dir, 'lead01'), api.url);
    await call(agent1, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
    await call(agent2, 'session.signIn', { username: 'agent02', password: DEMO_PASSWORD });
    await call(lead, 'session.signIn', { username: 'lead01', password: DEMO_PASSWORD });

    const created = await call(agent1, 'cases.create', intake('网银转账重复扣款两次'));
    await call(agent1, 'cases.addNote', { caseId: created.id, text: '客户来电，已记录' });
    await call(agent1, 'sync.now', {});
    expect((await call(agent1, 'sync.status', {})).pending).toBe(0);

    // agent01 goes offline and keeps working on the case.
    proxy.offline();
    await call(agent1, 'cases.addNote', { caseId: created.id, text: '离线时补充的记录' });
    await call(agent1, 'cases.transition', {
      caseId: created.id,
      event: { type: 'RECORD_PLAN', plan: '联系清算部门核实' },
    });
    expect(await call(agent1, 'sync.now', {})).toMatchObject({ state: 'offline', pending: 2 });

    // Meanwhile the lead gives the case to agent02.
    await call(lead, 'sync.now', {});
    await call(lead, 'cases.transition', {
      caseId: created.id,
      event: { type: 'REASSIGN', toUserId: 'u-agent02', reason: '工作量调整' },
    });
    await call(lead, 'sync.now', {});
    expect((await call(lead, 'sync.status', {})).pending).toBe(0);

    // agent02 hears of it by a poke (its poll is a minute away) and has the case, notes too.
    await waitFor(
      async () => (await call(agent2, 'cases.listMine', {})).some((c) => c.id === created.id),
      3_000,
      'agent02 to be poked and pull the case',
    );
    const detail = await call(agent2, 'cases.get', { caseId: created.id });
    expect(detail.case.ownerId).toBe('u-agent02');
    expect(detail.notes.map((n) => n.text)).toEqual(['客户来电，已记录']);

    // agent01 comes back: the case is gone from the cache, the queued work is not.
    proxy.online();
    await call(agent1, 'sync.now', {});
    await waitFor(
      async () => (await call(agent1, 'sync.status', {})).state === 'online',
      3_000,
      'agent01 online',
    );
    expect((await call(agent1, 'cases.listMine', {})).some((c) => c.id === created.id)).toBe(false);
    expect(agent1.store.getCase(created.id)).toBeNull();
    expect(agent1.store.listNotes(created.id)).toEqual([]);
    expect(await agent1.call('cases.get', { caseId: created.id })).toMatchObject({
      ok: false,
      error: { code: 'CASE_NOT_FOUND' },
    });
    // Notes always merge: the note, written while the case was still agent01's, is on the
    // case; the plan, an act of an owner they no longer are, is refused and kept.
    expect(await call(agent1, 'sync.status', {})).toMatchObject({ pending: 0, rejected: 1 });
    const rejections = agent1.store.rejections();
    expect(rejections.map((r) => [r.name, r.code])).toEqual([
      ['case.transition@1', 'CASE_LEFT_SCOPE'],
    ]);
    expect(rejections[0]!.args).toMatchObject({ event: { plan: '联系清算部门核实' } }); // kept
    expect(rejections[0]!.message).toMatch(/NOT_OWNER_OR_LEAD/);

    // Every cache equals the server's view of its user; agent02 has the merged note too.
    await call(agent2, 'sync.now', {});
    await call(lead, 'sync.now', {});
    expect(
      (await call(agent2, 'cases.get', { caseId: created.id })).notes.map((n) => n.text),
    ).toEqual(['客户来电，已记录', '离线时补充的记录']);
    await expectCacheMatchesServer(agent1, database, 'agent01');
    await expectCacheMatchesServer(agent2, database, 'agent02');
    await expectCacheMatchesServer(lead, database, 'lead01');
  });
});
