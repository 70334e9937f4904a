// The central API against a real PostgreSQL 15: sign-in, push (exactly once, in order,
// rejections recorded), pull (scope, paging, concurrent writers) and the audit trail.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseIntake } from '../../shared/domain';
import type { CaseEventInput } from '../../shared/lifecycle/case-machine';
import type { Mutation, PullResponse, PushResponse } from '../../shared/sync-protocol';
import { buildServer } from '../../server/app';
import { openDb, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { MUTATIONS_PER_TRANSACTION } from '../../server/sync';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startCentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('integration-secret-integration-secret');
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  postgres = await startPostgres();
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 6 });
  app = buildServer({ db, jwtSecret });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
});

// --- small factories -------------------------------------------------------------------

interface Session {
  clientId: string;
  userId: string;
  headers: { authorization: string };
  workstationCode: string;
}

async function signIn(username: string, clientId: string = randomUUID()): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId },
  });
  expect(response.statusCode).toBe(200);
  const body = response.json();
  return {
    clientId,
    userId: body.user.id,
    headers: { authorization: `Bearer ${body.token}` },
    workstationCode: body.workstationCode,
  };
}

let numberSeq = 0;
const nextCaseNumber = () => `TSA0-261123-${String(++numberSeq).padStart(4, '0')}`;

const intake = (overrides: Partial<CaseIntake> = {}): CaseIntake => ({
  customerName: '测试客户',
  customerPhone: '139-0000-5678',
  channel: 'phone',
  type: 'complaint',
  businessLine: 'card',
  description: '客户反映信用卡年费被重复扣收。',
  customerExpectation: '退还重复扣收的年费。',
  ...overrides,
});

const recordedAt = () => new Date().toISOString();

function createCase(
  seq: number,
  caseId: string = randomUUID(),
  number = nextCaseNumber(),
): Mutation {
  return {
    id: randomUUID(),
    seq,
    recordedAt: recordedAt(),
    name: 'case.create@1',
    args: { caseId, number, intake: intake() },
  };
}

function addNote(seq: number, caseId: string, text = '已致电客户说明进度。'): Mutation {
  return {
    id: randomUUID(),
    seq,
    recordedAt: recordedAt(),
    name: 'case.addNote@1',
    args: { caseId, noteId: randomUUID(), text },
  };
}

function transition(seq: number, caseId: string, event: CaseEventInput): Mutation {
  return {
    id: randomUUID(),
    seq,
    recordedAt: recordedAt(),
    name: 'case.transition@1',
    args: { caseId, event, baseVersion: 0 },
  };
}

function push(session: Session, mutations: unknown[]) {
  return app.inject({
    method: 'POST',
    url: '/sync/push',
    headers: session.headers,
    payload: { protocolVersion: 1, clientId: session.clientId, mutations },
  });
}

async function pushOk(session: Session, mutations: Mutation[]): Promise<PushResponse> {
  const response = await push(session, mutations);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function pull(session: Session, cursor = '0', limit?: number): Promise<PullResponse> {
  const query = new URLSearchParams({ clientId: session.clientId, cursor });
  if (limit) query.set('limit', String(limit));
  const response = await app.inject({
    method: 'GET',
    url: `/sync/pull?${query}`,
    headers: session.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** Pulls page after page until nothing more; the pages and the final cursor. */
async function pullAll(session: Session, cursor = '0', limit?: number) {
  const pages: PullResponse[] = [];
  for (;;) {
    const page = await pull(session, cursor, limit);
    pages.push(page);
    cursor = page.cursor;
    if (!page.hasMore) return { pages, cursor };
  }
}

const caseIdsOf = (pages: PullResponse[]) =>
  new Set(pages.flatMap((p) => p.cases.map((c) => c.id)));

async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const result = await db.query<{ n: string }>(
    `select count(*) as n from ${table} where ${where}`,
    params,
  );
  return Number(result.rows[0]!.n);
}

// --- tests ----------------------------------------------------------------------------

describe('sign-in', () => {
  it('signs in with the demo password and gives the workstation a site code', async () => {
    const clientId = randomUUID();
    const response = await app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      payload: { username: 'agent01', password: DEMO_PASSWORD, clientId },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual({
      id: 'u-agent01',
      username: 'agent01',
      displayName: '王晓梅',
      role: 'agent',
      teamId: 'team-t1',
      branchId: 'branch-bj',
    });
    expect(body.workstationCode).toMatch(/^BJ[0-9A-Z]{2}$/);
    const claims = decodeJwt(body.token);
    expect(claims).toMatchObject({ sub: 'u-agent01', role: 'agent', cid: clientId });
    expect(claims.exp! - claims.iat!).toBe(15 * 60); // short-lived; /auth/refresh renews it
  });

  it('keeps an install’s workstation code across sign-ins and gives another install its own', async () => {
    const clientId = randomUUID();
    const first = await signIn('lead01', clientId);
    const again = await signIn('agent02', clientId);
    const other = await signIn('lead01');
    expect(first.workstationCode).toMatch(/^T1[0-9A-Z]{2}$/);
    expect(again.workstationCode).toBe(first.workstationCode);
    expect(other.workstationCode).not.toBe(first.workstationCode);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    for (const payload of [
      { username: 'agent01', password: 'wrong-password', clientId: randomUUID() },
      { username: 'nobody', password: DEMO_PASSWORD, clientId: randomUUID() },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/auth/sign-in', payload });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'BAD_CREDENTIALS' });
    }
  });

  it('knows the signed-in user, and forgets the token at sign-out', async () => {
    const session = await signIn('branch01');
    const me = await app.inject({ method: 'GET', url: '/me', headers: session.headers });
    expect(me.json()).toEqual({
      id: 'u-branch01',
      username: 'branch01',
      displayName: '陈静',
      role: 'branch',
      teamId: null,
      branchId: 'branch-bj',
    });
    const out = await app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: session.headers,
    });
    expect(out.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/me', headers: session.headers });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('answers 401 UNAUTHENTICATED without a token or with a forged one', async () => {
    const none = await app.inject({ method: 'GET', url: `/sync/pull?clientId=${randomUUID()}` });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const session = await signIn('agent01');
    const [header, payload] = session.headers.authorization.slice(7).split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    const response = await app.inject({
      method: 'GET',
      url: '/me',
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(response.statusCode).toBe(401);
  });
});

describe('service', () => {
  it('reports health after a round trip to the database', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document of every route', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    // Each area (customers, knowledge, …) adds its own routes and tests them in its own file.
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/auth/sign-in',
        '/auth/sign-out',
        '/health',
        '/me',
        '/sync/events',
        '/sync/pull',
        '/sync/push',
      ]),
    );
    expect(Object.keys(doc.paths['/sync/push'])).toEqual(['post']);
    expect(
      doc.paths['/sync/push'].post.requestBody.content['application/json'].schema,
    ).toBeTruthy();
    expect(Object.keys(doc.paths['/sync/pull'].get.responses)).toContain('200');
  });

  it('starts as a process-embeddable API on a port and closes cleanly', async () => {
    const api = await startCentralApi({
      port: 0,
      databaseUrl: postgres.url,
      jwtSecret: 'x'.repeat(32),
    });
    try {
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${api.url}/health`);
      expect(await response.json()).toEqual({ status: 'ok' });
    } finally {
      await api.close();
    }
  });
});

describe('push', () => {
  it('creates a case owned by the pushing agent, with its history', async () => {
    const agent = await signIn('agent01');
    const mutation = createCase(1);
    const pushed = await pushOk(agent, [mutation]);
    expect(pushed).toEqual({
      results: [{ seq: 1, mutationId: mutation.id, status: 'applied', code: null, message: null }],
      lastSeq: 1,
    });
    const { pages } = await pullAll(agent);
    const created = pages.flatMap((p) => p.cases).find((c) => c.id === mutation.args.caseId);
    expect(created).toMatchObject({
      number: (mutation.args as { number: string }).number,
      // A phone intake is taken by its agent at once: triaged, accepted, first contact made.
      status: 'in_progress',
      priority: 'normal',
      ownerId: 'u-agent01',
      ownerName: '王晓梅',
      teamId: 'team-t1',
      branchId: 'branch-bj',
      customerPhone: '13900005678',
    });
    expect(created!.lifecycle.clock.map((entry) => entry.kind)).toEqual([
      'received',
      'first_contact',
    ]);
    expect(created!.version).toBeGreaterThan(0);
    const history = await db.query<{ action: string; actor_id: string; client_id: string }>(
      'select action, actor_id, client_id from case_history where case_id = $1',
      [mutation.args.caseId],
    );
    expect(history.rows).toEqual([
      { action: 'case.create', actor_id: 'u-agent01', client_id: agent.clientId },
    ]);
  });

  it('applies a push re-sent after a lost response once, answering the same results', async () => {
    const agent = await signIn('agent01');
    const create = createCase(1);
    const mutations = [create, addNote(2, create.args.caseId)];
    const casesBefore = await count('cases');
    const first = await pushOk(agent, mutations);
    const historyAfterFirst = await count('case_history', 'case_id = $1', [create.args.caseId]);
    const resent = await pushOk(agent, mutations);
    expect(resent).toEqual(first);
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await count('cases')).toBe(casesBefore + 1);
    expect(await count('case_notes', 'case_id = $1', [create.args.caseId])).toBe(1);
    expect(await count('case_history', 'case_id = $1', [create.args.caseId])).toBe(
      historyAfterFirst,
    );
    // A re-send that overlaps with new work: old ones answered from storage, the new applied.
    const overlap = await pushOk(agent, [...mutations, addNote(3, create.args.caseId)]);
    expect(overlap.results.slice(0, 2)).toEqual(first.results);
    expect(overlap.results[2]).toMatchObject({ seq: 3, status: 'applied' });
    expect(overlap.lastSeq).toBe(3);
  });

  it('answers a gap with 409 OUT_OF_ORDER and the seq to resend from', async () => {
    const agent = await signIn('agent01');
    await pushOk(agent, [createCase(1)]);
    const gap = createCase(3);
    const response = await push(agent, [gap]);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'OUT_OF_ORDER', expectedSeq: 2 });
    expect(await count('cases', 'id = $1', [gap.args.caseId])).toBe(0);
    expect(await count('mutation_results', 'client_id = $1', [agent.clientId])).toBe(1);
  });

  it('refuses a malformed mutation with 400 naming the field, and stores nothing of the push', async () => {
    const agent = await signIn('agent01');
    const good = createCase(1);
    const bad = createCase(2);
    const malformed = {
      ...bad,
      args: { ...bad.args, intake: { ...intake(), customerPhone: '12345' } },
    };
    const before = {
      cases: await count('cases'),
      results: await count('mutation_results'),
      clients: await count('sync_clients'),
      history: await count('case_history'),
    };
    const response = await push(agent, [good, malformed]);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('VALIDATION');
    expect(body.message).toContain('mutations.1.args.intake.customerPhone');
    expect(body.fields).toEqual([
      { path: 'mutations.1.args.intake.customerPhone', code: 'PHONE_INVALID' },
    ]);
    expect({
      cases: await count('cases'),
      results: await count('mutation_results'),
      clients: await count('sync_clients'),
      history: await count('case_history'),
    }).toEqual(before);
  });

  it('rejects an illegal transition with the machine’s reason, records it, and takes the next seq', async () => {
    const agent = await signIn('agent01');
    const create = createCase(1);
    const caseId = create.args.caseId;
    const pushed = await pushOk(agent, [
      create,
      transition(2, caseId, { type: 'RECORD_FEEDBACK', score: 5 }),
      transition(3, caseId, {
        type: 'RESOLVE',
        rootCause: '年费规则',
        solution: '   ',
        prevention: '培训',
      }),
      transition(4, caseId, { type: 'RECORD_PLAN', plan: '核实消费笔数后退还年费' }),
    ]);
    expect(pushed.results.map((r) => [r.seq, r.status, r.code])).toEqual([
      [1, 'applied', null],
      [2, 'rejected', 'NOT_ALLOWED_IN_STATE'],
      [3, 'rejected', 'RESOLUTION_INCOMPLETE'],
      [4, 'applied', null],
    ]);
    expect(pushed.lastSeq).toBe(4);
    const stored = await db.query<{ seq: string; status: string; code: string | null }>(
      'select seq, status, code from mutation_results where client_id = $1 order by seq',
      [agent.clientId],
    );
    expect(stored.rows.map((r) => [Number(r.seq), r.status, r.code])).toEqual([
      [1, 'applied', null],
      [2, 'rejected', 'NOT_ALLOWED_IN_STATE'],
      [3, 'rejected', 'RESOLUTION_INCOMPLETE'],
      [4, 'applied', null],
    ]);
    const next = await pushOk(agent, [
      transition(5, caseId, {
        type: 'RESOLVE',
        rootCause: '系统未统计部分消费笔数',
        solution: '已退还年费',
        prevention: '修正统计规则',
      }),
    ]);
    expect(next.results[0]).toMatchObject({ seq: 5, status: 'applied' });
    const row = await db.query<{ status: string; solution: string }>(
      "select status, lifecycle->'resolution'->>'solution' as solution from cases where id = $1",
      [caseId],
    );
    expect(row.rows[0]).toEqual({ status: 'resolved', solution: '已退还年费' });
    const history = await db.query<{ action: string; before: unknown; after: unknown }>(
      'select action, before, after from case_history where case_id = $1 order by id',
      [caseId],
    );
    expect(history.rows.map((h) => h.action)).toEqual([
      'case.create',
      'case.transition.RECORD_PLAN',
      'case.transition.RESOLVE',
    ]);
    expect(history.rows[2]).toMatchObject({
      before: { status: 'in_progress', lifecycle: { resolution: null } },
      after: { status: 'resolved', lifecycle: { resolution: { solution: '已退还年费' } } },
    });
  });

  it('lets only the owner or a lead of the case’s team act on it', async () => {
    const owner = await signIn('agent01');
    const colleague = await signIn('agent02');
    const lead = await signIn('lead01');
    const create = createCase(1);
    const caseId = create.args.caseId;
    await pushOk(owner, [create]);
    const refused = await pushOk(colleague, [
      addNote(1, caseId),
      transition(2, caseId, { type: 'RECORD_PLAN', plan: '联系清算部门核实' }),
    ]);
    expect(refused.results.map((r) => r.code)).toEqual(['FORBIDDEN', 'NOT_OWNER_OR_LEAD']);
    const allowed = await pushOk(lead, [
      addNote(1, caseId),
      transition(2, caseId, { type: 'RECORD_PLAN', plan: '联系清算部门核实' }),
    ]);
    expect(allowed.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const missing = await pushOk(owner, [addNote(2, randomUUID())]);
    expect(missing.results[0]!.code).toBe('CASE_NOT_FOUND');
  });

  it('refuses a second case with the same id or number', async () => {
    const agent = await signIn('agent02');
    const create = createCase(1);
    const sameId = createCase(2, create.args.caseId);
    const sameNumber = createCase(3, randomUUID(), (create.args as { number: string }).number);
    const pushed = await pushOk(agent, [create, sameId, sameNumber]);
    expect(pushed.results.map((r) => r.code)).toEqual([null, 'CASE_EXISTS', 'CASE_NUMBER_TAKEN']);
    expect(pushed.lastSeq).toBe(3);
  });

  it('stops at a seq or a mutation id used before for something else', async () => {
    const agent = await signIn('agent01');
    const first = createCase(1);
    await pushOk(agent, [first]);
    const sameSeq = await push(agent, [createCase(1)]);
    expect(sameSeq.statusCode).toBe(409);
    expect(sameSeq.json()).toMatchObject({ code: 'SEQ_REUSED', expectedSeq: 2 });
    const sameId = await push(agent, [{ ...createCase(2), id: first.id }]);
    expect(sameId.statusCode).toBe(409);
    expect(sameId.json()).toMatchObject({ code: 'MUTATION_ID_REUSED', expectedSeq: 2 });
    expect(await count('mutation_results', 'client_id = $1', [agent.clientId])).toBe(1);
  });

  it('refuses text the database cannot store, and moves the queue on', async () => {
    const agent = await signIn('agent01');
    const create = createCase(1);
    const pushed = await pushOk(agent, [
      create,
      addNote(2, create.args.caseId, 'NUL \u0000 inside'),
      addNote(3, create.args.caseId),
    ]);
    expect(pushed.results.map((r) => r.code ?? r.status)).toEqual([
      'applied',
      'INVALID_DATA',
      'applied',
    ]);
    expect(await count('case_notes', 'case_id = $1', [create.args.caseId])).toBe(1);
  });

  it('commits the mutations before a conflict in the same push, and answers the conflict', async () => {
    const agent = await signIn('agent01');
    const create = createCase(1);
    const note = addNote(2, create.args.caseId);
    // The third repeats the note's id: everything before it stays, nothing after it lands.
    const response = await push(agent, [
      create,
      note,
      { ...addNote(3, create.args.caseId), id: note.id },
      addNote(4, create.args.caseId),
    ]);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'MUTATION_ID_REUSED', expectedSeq: 3 });
    expect(await count('case_notes', 'case_id = $1', [create.args.caseId])).toBe(1);
    expect(await count('mutation_results', 'client_id = $1', [agent.clientId])).toBe(2);
    // The retry of the good part answers from the stored results and goes on.
    const retried = await pushOk(agent, [create, note, addNote(3, create.args.caseId)]);
    expect(retried.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(retried.lastSeq).toBe(3);
    expect(await count('case_notes', 'case_id = $1', [create.args.caseId])).toBe(2);
  });

  it('applies a push longer than one transaction in order, one version per transaction', async () => {
    const agent = await signIn('agent01');
    const create = createCase(1);
    const total = MUTATIONS_PER_TRANSACTION * 2 + 5;
    const mutations: Mutation[] = [create];
    for (let seq = 2; seq <= total; seq++)
      mutations.push(addNote(seq, create.args.caseId, `第${seq}条`));
    const pushed = await pushOk(agent, mutations);
    expect(pushed.results.map((r) => r.seq)).toEqual(mutations.map((m) => m.seq));
    expect(pushed.results.every((r) => r.status === 'applied')).toBe(true);
    expect(pushed.lastSeq).toBe(total);
    const versions = await db.query<{ version: string; n: string }>(
      `select version, count(*) as n from case_notes where case_id = $1 group by version order by version`,
      [create.args.caseId],
    );
    // Notes 2..100 share the first transaction's version with the case, then 100 and 5.
    expect(versions.rows.map((r) => Number(r.n))).toEqual([
      MUTATIONS_PER_TRANSACTION - 1,
      MUTATIONS_PER_TRANSACTION,
      5,
    ]);
    const caseVersion = await db.query<{ version: string }>(
      'select version from cases where id = $1',
      [create.args.caseId],
    );
    expect(caseVersion.rows[0]!.version).toBe(versions.rows[0]!.version);
  });

  it('refuses mutations pushed for another workstation than the token’s', async () => {
    const agent = await signIn('agent01');
    const response = await push({ ...agent, clientId: randomUUID() }, [createCase(1)]);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'CLIENT_MISMATCH' });
  });

  it('answers 503 and keeps nothing when the database fails mid-mutation; the retry applies', async () => {
    let failNext = true;
    const flaky: Db = {
      ...db,
      transaction: (fn, opts) =>
        db.transaction(
          (tx) =>
            fn({
              ...tx,
              query: async <T>(sql: string, params?: unknown[]) => {
                if (failNext && sql.includes('insert into mutation_results')) {
                  failNext = false;
                  throw Object.assign(new Error('terminating connection'), { code: '57P01' });
                }
                return tx.query<T>(sql, params);
              },
            }),
          opts,
        ),
    };
    const flakyApp = buildServer({ db: flaky, jwtSecret });
    try {
      const agent = await signIn('agent01');
      const create = createCase(1);
      const response = await flakyApp.inject({
        method: 'POST',
        url: '/sync/push',
        headers: agent.headers,
        payload: { protocolVersion: 1, clientId: agent.clientId, mutations: [create] },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'UNAVAILABLE' });
      expect(await count('cases', 'id = $1', [create.args.caseId])).toBe(0);
      expect(await count('case_history', 'case_id = $1', [create.args.caseId])).toBe(0);
      const retried = await pushOk(agent, [create]);
      expect(retried.results[0]).toMatchObject({ status: 'applied' });
      expect(await count('cases', 'id = $1', [create.args.caseId])).toBe(1);
    } finally {
      await flakyApp.close();
    }
  });
});

describe('demo seed', () => {
  it('seeds the same cases from the same seed, and only once', async () => {
    await db.query('create database seed_twin');
    const twinUrl = new URL(postgres.url);
    twinUrl.pathname = '/seed_twin';
    const twin = await openDb({ databaseUrl: twinUrl.href });
    try {
      await runMigrations(twin);
      expect(await seedDemo(twin, { cases: 6 })).toEqual({ seeded: true, users: 5, cases: 6 });
      const seededCases = (d: Db) =>
        d.query(
          `select number, customer_name, customer_phone, description, status, owner_id
             from cases where number like 'SDA0-%' order by number`,
        );
      expect((await seededCases(twin)).rows).toEqual((await seededCases(db)).rows);
      expect((await seededCases(twin)).rows).toHaveLength(6);

      const before = await count('cases');
      expect(await seedDemo(db)).toEqual({ seeded: false, users: 0, cases: 0 });
      expect(await count('cases')).toBe(before);
    } finally {
      await twin.close();
    }
  });
});

describe('case history', () => {
  it('refuses UPDATE and DELETE of an audit row', async () => {
    const rows = await count('case_history');
    expect(rows).toBeGreaterThan(0);
    await expect(db.query("update case_history set action = 'forged'")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('delete from case_history')).rejects.toThrow(/append-only/);
    await expect(db.query('truncate case_history')).rejects.toThrow(/append-only/);
    expect(await count('case_history', "action = 'forged'")).toBe(0);
    expect(await count('case_history')).toBe(rows);
  });
});

describe('pull', () => {
  it('shows agents their own cases, a lead the team’s, branch staff the branch’s', async () => {
    const agent1 = await signIn('agent01');
    const agent2 = await signIn('agent02');
    const mine = createCase(1);
    const theirs = createCase(1);
    await pushOk(agent1, [mine, addNote(2, mine.args.caseId)]);
    await pushOk(agent2, [theirs]);

    // Which of [agent01's case, agent02's case] each user pulls.
    const visibleTo = async (username: string) => {
      const ids = caseIdsOf((await pullAll(await signIn(username))).pages);
      return [ids.has(mine.args.caseId), ids.has(theirs.args.caseId)];
    };
    const users = ['agent01', 'agent02', 'lead01', 'branch01', 'admin01'];
    const visible = Object.fromEntries(
      await Promise.all(users.map(async (u) => [u, await visibleTo(u)] as const)),
    );
    expect(visible).toEqual({
      agent01: [true, false],
      agent02: [false, true],
      lead01: [true, true],
      branch01: [true, false], // agent02 has no branch: their case is not the Beijing branch's
      admin01: [false, false], // administrators handle no cases
    });

    const notesOf = async (session: Session) =>
      (await pullAll(session)).pages
        .flatMap((p) => p.notes)
        .filter((n) => n.caseId === mine.args.caseId);
    expect(await notesOf(agent2)).toEqual([]);
    const [note] = await notesOf(agent1);
    expect(note).toMatchObject({
      authorId: 'u-agent01',
      authorName: '王晓梅',
      text: '已致电客户说明进度。',
    });
    expect(Date.parse(note!.createdAt)).not.toBeNaN();
  });

  it('pages with the cursor without losing or repeating a change', async () => {
    const lead = await signIn('lead01');
    const whole = await pull(lead, '0', 2000);
    expect(whole.hasMore).toBe(false);
    const { pages, cursor } = await pullAll(lead, '0', 3);
    expect(pages.length).toBeGreaterThan(3);
    expect(cursor).toBe(whole.cursor);
    // A page holds the limit, plus the rest of its last transaction's rows (ties stay together).
    for (const page of pages) {
      const tie =
        (await count('cases', 'version = $1', [page.cursor])) +
        (await count('case_notes', 'version = $1', [page.cursor]));
      expect(page.cases.length + page.notes.length).toBeLessThanOrEqual(Math.max(3, tie + 2));
    }
    const cursors = pages.map((p) => BigInt(p.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const paged = pages.flatMap((p) => p.cases.map((c) => c.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect(new Set(paged)).toEqual(new Set(whole.cases.map((c) => c.id)));
    expect(pages.flatMap((p) => p.notes.map((n) => n.id)).sort()).toEqual(
      whole.notes.map((n) => n.id).sort(),
    );
  });

  it('moves the cursor to the current version when nothing is new, and returns the last seq', async () => {
    const agent = await signIn('agent02');
    await pushOk(agent, [createCase(1), createCase(2)]);
    const { cursor } = await pullAll(agent);
    // Someone else's writes move the global version but are not agent02's business.
    const other = await signIn('agent01');
    await pushOk(other, [createCase(1)]);
    const idle = await pull(agent, cursor);
    const current = await db.query<{ v: string }>('select v from sync_version');
    expect(idle).toEqual({
      cursor: current.rows[0]!.v,
      lastSeq: 2,
      cases: [],
      notes: [],
      attachments: [],
      removedCaseIds: [],
      hasMore: false,
    });
  });

  it('starts over for a cursor from a replaced database', async () => {
    const agent = await signIn('agent01');
    const fresh = await pull(agent, '0', 2000);
    const future = await pull(agent, '999999999999', 2000);
    expect(future.cases.map((c) => c.id)).toEqual(fresh.cases.map((c) => c.id));
  });

  it('refuses a malformed cursor with 400 VALIDATION', async () => {
    const agent = await signIn('agent01');
    const response = await app.inject({
      method: 'GET',
      url: `/sync/pull?clientId=${agent.clientId}&cursor=abc`,
      headers: agent.headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION',
      fields: [{ path: 'cursor', code: 'CURSOR_INVALID' }],
    });
  });
});

describe('concurrent writers', () => {
  /**
   * The same database, but every push transaction dawdles a random few milliseconds before
   * it commits: without a commit-ordered version, commits land out of version order and a
   * reader polling in between moves its cursor past a case that is not visible yet.
   */
  function dawdlingBeforeCommit(inner: Db): Db {
    return {
      ...inner,
      transaction: (fn, opts) =>
        inner.transaction(
          (tx) =>
            fn({
              ...tx,
              query: async <T>(sql: string, params?: unknown[]) => {
                const result = await tx.query<T>(sql, params);
                if (sql.includes('update sync_clients set last_seq')) {
                  await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
                }
                return result;
              },
            }),
          opts,
        ),
    };
  }

  it('never lets a polling reader miss a case while 20 workstations push at once', async () => {
    // Writers and the reader on their own pools, so that the reader polls while they wait.
    const writerDb = await openDb({ databaseUrl: postgres.url });
    const writerApp = buildServer({ db: dawdlingBeforeCommit(writerDb), jwtSecret });
    const reader = await signIn('lead01'); // both writers are of the lead's team
    const start = await pullAll(reader);
    const writers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(i % 2 ? 'agent01' : 'agent02')),
    );
    const created: string[] = [];

    let writing = true;
    const seen: string[] = [];
    const poll = (async () => {
      let cursor = start.cursor;
      let polls = 0;
      // Keep polling while writers run, then once more to take the last commits.
      for (let last = false; !last; polls++) {
        last = !writing;
        const { pages, cursor: next } = await pullAll(reader, cursor, 7);
        seen.push(...pages.flatMap((p) => p.cases.map((c) => c.id)));
        cursor = next;
      }
      return polls;
    })();

    try {
      await Promise.all(
        writers.map(async (writer) => {
          for (let seq = 1; seq <= 3; seq++) {
            const create = createCase(seq);
            created.push(create.args.caseId);
            const response = await writerApp.inject({
              method: 'POST',
              url: '/sync/push',
              headers: writer.headers,
              payload: { protocolVersion: 1, clientId: writer.clientId, mutations: [create] },
            });
            expect(response.statusCode, response.body).toBe(200);
          }
        }),
      );
    } finally {
      writing = false;
      await writerApp.close();
      await writerDb.close();
    }
    const polls = await poll;

    expect(polls).toBeGreaterThan(2);
    expect(created).toHaveLength(60);
    expect(created.filter((id) => !seen.includes(id))).toEqual([]);
    // Each case was written once, so each was pulled once: no page repeated another.
    expect(seen).toHaveLength(new Set(seen).size);
  }, 30_000);
});
