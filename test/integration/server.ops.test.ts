// Operating the central API: configuration from the environment, logs without personal
// data, readiness, graceful shutdown of a real process, and two processes on one database.
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/sync-protocol';
import { buildServer, loggableError, loggableUrl } from '../../server/app';
import { ConfigError, loadConfig } from '../../server/config';
import { openDb, type Db } from '../../server/db';
import { MIGRATIONS_DIR, runMigrations } from '../../server/migrations';
import { caseScope } from '../../server/cases';
import { DEMO_PASSWORD, seedAtScale, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { freePort, startCentralApiProcess, type Service } from '../support/processes';

const jwtSecret = new TextEncoder().encode('ops-secret-ops-secret-ops-secret-ops');
let postgres: TestPostgres;
let db: Db;

beforeAll(async () => {
  postgres = await startPostgres('case_ops');
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 4 });
}, 60_000);

afterAll(async () => {
  await db?.close();
  await postgres?.stop();
});

function createCase(seq: number, number: string, name: string, phone: string): Mutation {
  return {
    id: randomUUID(),
    seq,
    recordedAt: new Date().toISOString(),
    name: 'case.create@1',
    args: {
      caseId: randomUUID(),
      number,
      intake: {
        customerName: name,
        customerPhone: phone,
        channel: 'phone',
        type: 'complaint',
        businessLine: 'card',
        description: `客户${name}反映信用卡被盗刷，联系电话${phone}。`.padEnd(1500, '。'),
        customerExpectation: '追回被盗刷的资金。',
      },
    },
  };
}

describe('configuration', () => {
  it('reads every setting from the environment, with defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '.data/server',
      jwtSecret: undefined,
      seedDemo: true,
      seedScale: 'demo',
      seed: 20261101,
      logLevel: 'info',
      shutdownGraceMs: 10_000,
    });
    expect(
      loadConfig({
        PORT: '0',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgres://u:p@db:5432/cases',
        DATA_DIR: '/var/lib/cases',
        JWT_SECRET: 's'.repeat(32),
        SEED_DEMO: 'no',
        SEED_SCALE: 'FULL',
        SEED: '7',
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '2500',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/cases',
      dataDir: '/var/lib/cases',
      jwtSecret: 's'.repeat(32),
      seedDemo: false,
      seedScale: 'full',
      seed: 7,
      logLevel: 'warn',
      shutdownGraceMs: 2500,
    });
  });

  it('names every bad variable at once', () => {
    let thrown: unknown;
    try {
      loadConfig({
        PORT: '80a',
        DATABASE_URL: 'mysql://db/cases',
        JWT_SECRET: 'short',
        SEED_DEMO: 'maybe',
        SEED_SCALE: 'huge',
        LOG_LEVEL: 'loud',
        SHUTDOWN_GRACE_MS: '-1',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'JWT_SECRET',
      'SEED_DEMO',
      'SEED_SCALE',
      'LOG_LEVEL',
      'SHUTDOWN_GRACE_MS',
    ]) {
      expect(problems).toContain(name);
    }
  });
});

describe('logs', () => {
  it('drops query values and masks long digit runs in logged URLs', () => {
    expect(loggableUrl('/customers/lookup?phone=13912345678&x=1')).toBe(
      '/customers/lookup?phone=&x=',
    );
    expect(loggableUrl('/customers/110101199003071234/cases')).toBe(
      '/customers/******************/cases',
    );
    expect(loggableUrl('/sync/pull')).toBe('/sync/pull');
  });

  it('logs errors without the values they quote or pg’s detail', () => {
    const failure = Object.assign(
      new Error('duplicate key value violates unique constraint "cases_phone" for "欧阳娜娜"'),
      {
        code: '23505',
        detail: 'Key (customer_phone)=(13912345678) already exists.',
        where: 'SQL function "link_customer"',
      },
    );
    failure.stack = `${failure.message}\n    at insertCase (server/cases.ts:1:1)`;
    const logged = JSON.stringify(loggableError(failure));
    expect(JSON.parse(logged)).toMatchObject({ type: 'Error', code: '23505' });
    expect(logged).toContain('insertCase');
    for (const secret of ['欧阳娜娜', '13912345678', 'cases_phone', 'link_customer', 'detail']) {
      expect(logged).not.toContain(secret);
    }
    expect(JSON.stringify(loggableError(new RangeError('Not a phone: 13912345678')))).not.toContain(
      '13912345678',
    );
  });

  it('writes JSON lines with a request id and no name, phone or token', async () => {
    const lines: string[] = [];
    const app = buildServer({
      db,
      jwtSecret,
      logger: { level: 'info', stream: { write: (line) => lines.push(line) } },
    });
    try {
      const name = '欧阳娜娜';
      const phone = '13912345678';
      const clientId = randomUUID();
      const signIn = await app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        headers: { 'x-request-id': 'desk-7.sign-in' },
        payload: { username: 'agent01', password: DEMO_PASSWORD, clientId },
      });
      expect(signIn.statusCode).toBe(200);
      // A sane incoming id is kept and echoed; anything else is replaced.
      expect(signIn.headers['x-request-id']).toBe('desk-7.sign-in');
      const { token, workstationCode } = signIn.json();
      const authorization = `Bearer ${token}`;
      const pushed = await app.inject({
        method: 'POST',
        url: '/sync/push',
        headers: { authorization, 'x-request-id': 'evil\nid {"x":1}' },
        payload: {
          protocolVersion: 1,
          clientId,
          mutations: [createCase(1, `${workstationCode}-261123-0001`, name, '139-1234-5678')],
        },
      });
      expect(pushed.statusCode, pushed.body).toBe(200);
      expect(pushed.json().results[0].status).toBe('applied');
      expect(pushed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const lookup = await app.inject({
        method: 'GET',
        url: `/customers/lookup?phone=${phone}&name=${encodeURIComponent(name)}`,
        headers: { authorization },
      });
      expect(lookup.statusCode).toBeLessThan(500);
      const failed = await app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        payload: { username: name, password: phone, clientId },
      });
      expect(failed.statusCode).toBe(401);

      const text = lines.join('');
      expect(lines.length).toBeGreaterThanOrEqual(8);
      for (const line of lines) {
        const entry = JSON.parse(line);
        expect(entry).toMatchObject({ level: expect.any(Number), time: expect.any(Number) });
        expect(entry.reqId, line).toEqual(expect.any(String));
      }
      expect(text).toContain('desk-7.sign-in');
      expect(text).toContain('/customers/lookup?phone=&name=');
      for (const secret of [name, phone, '1234-5678', token, token.split('.')[2], 'evil']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });
});

describe('readiness', () => {
  it('is ready when the database answers and every migration is applied', async () => {
    const app = buildServer({ db, jwtSecret });
    try {
      const response = await app.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ready' });
    } finally {
      await app.close();
    }
  });

  it('answers 503 while a migration this build ships is not applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'case-migrations-'));
    try {
      for (const file of readdirSync(MIGRATIONS_DIR))
        copyFileSync(join(MIGRATIONS_DIR, file), join(dir, file));
      writeFileSync(join(dir, '999_later.sql'), 'select 1;');
      const app = buildServer({ db, jwtSecret, migrationsDir: dir });
      try {
        const response = await app.inject({ method: 'GET', url: '/ready' });
        expect(response.statusCode).toBe(503);
        expect(response.json()).toMatchObject({
          code: 'NOT_READY',
          message: expect.stringContaining('999'),
        });
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 when the database is unreachable', async () => {
    const gone = await openDb({
      databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/x`,
    });
    const app = buildServer({ db: gone, jwtSecret });
    try {
      const response = await app.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'NOT_READY' });
    } finally {
      await app.close();
      await gone.close();
    }
  });
});

async function signInOver(url: string, username = 'agent01', clientId = randomUUID()) {
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, clientId }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string; workstationCode: string };
  return { clientId, token: body.token, code: body.workstationCode };
}

const exited = (service: Service) =>
  new Promise<number | null>((resolve) => {
    if (service.process.exitCode !== null) return resolve(service.process.exitCode);
    service.process.once('exit', (code) => resolve(code));
  });

describe('a real API process', () => {
  it('finishes a slow push in flight at SIGTERM, then exits 0', async () => {
    const service = await startCentralApiProcess(postgres.url, await freePort());
    try {
      const session = await signInOver(service.ready);
      const mutations = Array.from({ length: 500 }, (_, i) =>
        createCase(
          i + 1,
          `${session.code}-261123-${String(i + 1).padStart(4, '0')}`,
          '赵敏',
          '13900002222',
        ),
      );
      const requestId = `slow-push-${Date.now()}`;
      const answer = fetch(`${service.ready}/sync/push`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${session.token}`,
          'x-request-id': requestId,
        },
        body: JSON.stringify({ protocolVersion: 1, clientId: session.clientId, mutations }),
      });
      // SIGTERM once the process has logged the request: it is in flight.
      const deadline = Date.now() + 10_000;
      while (!service.output().includes(`"reqId":"${requestId}"`)) {
        if (Date.now() > deadline) throw new Error(`push never arrived:\n${service.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const exit = exited(service);
      service.process.kill('SIGTERM');
      const response = await answer;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { results: { status: string }[]; lastSeq: number };
      expect(body.lastSeq).toBe(500);
      expect(body.results.every((r) => r.status === 'applied')).toBe(true);
      expect(await exit).toBe(0);
      // Completed means committed: every case is there.
      const stored = await db.query<{ n: string }>(
        `select count(*) as n from cases where number like $1`,
        [`${session.code}-261123-%`],
      );
      expect(Number(stored.rows[0]!.n)).toBe(500);
      await expect(fetch(`${service.ready}/health`)).rejects.toThrow();
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('behaves as one with a second process on the same database', async () => {
    const [first, second] = await Promise.all([
      startCentralApiProcess(postgres.url, await freePort()),
      startCentralApiProcess(postgres.url, await freePort()),
    ]);
    try {
      for (const service of [first, second]) {
        expect((await fetch(`${service.ready}/ready`)).status).toBe(200);
      }
      const session = await signInOver(first.ready, 'agent02');
      const authorization = `Bearer ${session.token}`;
      const me = await fetch(`${second.ready}/me`, { headers: { authorization } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: 'agent02' });

      const mutation = createCase(1, `${session.code}-261124-0001`, '孙悦', '13900003333');
      const pushed = await fetch(`${first.ready}/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({
          protocolVersion: 1,
          clientId: session.clientId,
          mutations: [mutation],
        }),
      });
      expect(pushed.status).toBe(200);
      const pulled = await fetch(
        `${second.ready}/sync/pull?clientId=${session.clientId}&limit=2000`,
        { headers: { authorization } },
      );
      expect(pulled.status).toBe(200);
      const body = (await pulled.json()) as { lastSeq: number; cases: { id: string }[] };
      expect(body.lastSeq).toBe(1);
      expect(body.cases.map((c) => c.id)).toContain((mutation.args as { caseId: string }).caseId);

      // A sign-out on one is a sign-out on both.
      const out = await fetch(`${second.ready}/auth/sign-out`, {
        method: 'POST',
        headers: { authorization },
      });
      expect(out.status).toBe(204);
      expect((await fetch(`${first.ready}/me`, { headers: { authorization } })).status).toBe(401);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  }, 60_000);
});

describe('demo data at scale', () => {
  const size = { cases: 2_000, agents: 20, teams: 4, branches: 4 };
  const endAt = new Date('2026-11-20T00:00:00Z');

  /** Every seeded row, minus what is random by design (password salts, customer ids). */
  async function dump(target: Db): Promise<string> {
    const tables = {
      teams: 'select * from teams order by id',
      branches: 'select * from branches order by id',
      users: 'select id, username, display_name, role, team_id, branch_id from users order by id',
      // Customer records get random ids where cases are linked to them (customers.ts).
      cases: "select to_jsonb(c) - 'customer_id' as row from cases c order by number",
      case_notes: 'select * from case_notes order by id',
      case_history:
        "select to_jsonb(h) #- '{after,customer_id}' as row from case_history h order by id",
      sync_version: 'select v from sync_version',
    };
    const out: Record<string, unknown> = {};
    for (const [name, sql] of Object.entries(tables)) out[name] = (await target.query(sql)).rows;
    return JSON.stringify(out);
  }

  it('seeds the same people and cases twice from the same seed, reachable and realistic', async () => {
    const dumps: string[] = [];
    let scaleDb: Db | undefined;
    for (const name of ['case_scale_a', 'case_scale_b']) {
      await db.query(`create database ${name}`);
      const target = await openDb({ databaseUrl: postgres.url.replace(/\/case_ops$/, `/${name}`) });
      try {
        await runMigrations(target);
        const started = performance.now();
        const result = await seedAtScale(target, { size, seed: 42, endAt });
        console.log(
          `scale seed of ${size.cases} cases: ${(performance.now() - started).toFixed(0)} ms`,
        );
        expect(result).toEqual({ seeded: true, users: 4 + 4 + 20, cases: 2_000 });
        expect(await seedAtScale(target, { size, seed: 42, endAt })).toMatchObject({
          seeded: false,
        });
        dumps.push(await dump(target));
      } finally {
        if (scaleDb) await target.close();
        else scaleDb = target;
      }
    }
    const [first, second] = dumps.map((d) => JSON.parse(d) as Record<string, unknown[]>);
    for (const table of Object.keys(first!)) {
      const a = first![table]!;
      const b = second![table]!;
      const at = a.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(b[i]));
      expect(at === -1 ? null : { table, a: a[at], b: b[at] }).toBeNull();
      expect(b.length, table).toBe(a.length);
    }
    const scaled = scaleDb!;
    try {
      // The demo accounts the other tests know are all there.
      const demo = await scaled.query<{ username: string }>(
        `select username from users where username = any($1) order by username`,
        [['admin01', 'agent01', 'agent02', 'branch01', 'lead01']],
      );
      expect(demo.rows).toHaveLength(5);
      const statuses = await scaled.query<{ status: string; n: string; old_open: string }>(
        `select status, count(*) as n,
                count(*) filter (where created_at < $1::timestamptz - interval '15 days') as old_open
           from cases where number like 'SDS0-%' group by status`,
        [endAt.toISOString()],
      );
      const count = Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)]));
      const total = Object.values(count).reduce((a, b) => a + b, 0);
      expect(total).toBe(2_000);
      expect(count.closed! / total).toBeGreaterThan(0.6);
      const open = ['in_progress', 'waiting_customer', 'reopened'];
      expect(open.reduce((sum, s) => sum + (count[s] ?? 0), 0) / total).toBeGreaterThan(0.05);
      // Breached: open and older than the regulator's 15 days.
      const breached = statuses.rows
        .filter((r) => open.includes(r.status))
        .reduce((sum, r) => sum + Number(r.old_open), 0);
      expect(breached).toBeGreaterThan(10);
      // Each row agrees with the machine's walk: its own lifecycle, the last history step.
      const mismatched = await scaled.query(
        `select c.number from cases c
          where c.lifecycle->>'caseId' <> c.id::text
             or c.lifecycle->>'ownerId' is distinct from c.owner_id
             or c.lifecycle->>'priority' <> c.priority
             or c.status <> (select h.after->>'status' from case_history h
                              where h.case_id = c.id order by h.id desc limit 1)`,
      );
      expect(mismatched.rows).toEqual([]);
      const spread = await scaled.query<{ channels: string; lines: string; days: string }>(
        `select count(distinct channel) as channels, count(distinct business_line) as lines,
                max(created_at)::date - min(created_at)::date as days
           from cases where number like 'SDS0-%'`,
      );
      expect(Number(spread.rows[0]!.channels)).toBeGreaterThanOrEqual(6);
      expect(Number(spread.rows[0]!.lines)).toBeGreaterThanOrEqual(7);
      expect(Number(spread.rows[0]!.days)).toBeGreaterThan(350);
    } finally {
      await scaled.close();
    }
  }, 120_000);
});

describe('case search', () => {
  async function searchAs(app: ReturnType<typeof buildServer>, username: string, query: string) {
    const signIn = await app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      payload: { username, password: DEMO_PASSWORD, clientId: randomUUID() },
    });
    return app.inject({
      method: 'GET',
      url: `/cases/search?${query}`,
      headers: { authorization: `Bearer ${signIn.json().token}` },
    });
  }

  it('finds cases by number, one-character name or description, only in the caller’s scope', async () => {
    const app = buildServer({ db, jwtSecret });
    try {
      const mine = await signInOverInject(app, 'agent02');
      const number = `${mine.code}-261125-0001`;
      const pushed = await app.inject({
        method: 'POST',
        url: '/sync/push',
        headers: { authorization: `Bearer ${mine.token}` },
        payload: {
          protocolVersion: 1,
          clientId: mine.clientId,
          mutations: [createCase(1, number, '钱多多', '13900004444')],
        },
      });
      expect(pushed.statusCode, pushed.body).toBe(200);

      const byName = (await searchAs(app, 'agent02', `q=${encodeURIComponent('钱')}`)).json();
      expect(byName.hits.map((h: { number: string }) => h.number)).toContain(number);
      const hit = byName.hits.find((h: { number: string }) => h.number === number);
      expect(hit).toMatchObject({
        customerName: '钱多多',
        customerPhoneMasked: '139****4444',
        matchedIn: 'customerName',
        ownerId: 'u-agent02',
      });
      expect(JSON.stringify(byName)).not.toContain('13900004444');
      const byNumber = (
        await searchAs(app, 'agent02', `q=${number.slice(-11).toLowerCase()}`)
      ).json();
      expect(byNumber.hits).toEqual([expect.objectContaining({ number, matchedIn: 'number' })]);
      const byText = (await searchAs(app, 'agent02', `q=${encodeURIComponent('盗刷')}`)).json();
      expect(byText.hits.map((h: { number: string }) => h.number)).toContain(number);

      // agent01 is in the same team but does not own it.
      const other = (await searchAs(app, 'agent01', `q=${encodeURIComponent('钱多多')}`)).json();
      expect(other.hits).toEqual([]);
      // Everyone else sees exactly what the scope rule of cases.ts lets them read.
      for (const username of ['lead01', 'branch01', 'admin01']) {
        const seen = (await searchAs(app, username, `q=${encodeURIComponent('钱多多')}`)).json();
        const profile = await db.query<{
          id: string;
          role: 'agent' | 'lead' | 'branch' | 'admin';
          team_id: string | null;
          branch_id: string | null;
        }>('select id, role, team_id, branch_id from users where username = $1', [username]);
        const user = profile.rows[0]!;
        const scope = caseScope(
          { id: user.id, role: user.role, teamId: user.team_id, branchId: user.branch_id },
          2,
        );
        const readable = await db.query<{ number: string }>(
          `select number from cases c where customer_name = $1 and coalesce(${scope.sql}, false)`,
          ['钱多多', ...scope.params],
        );
        expect(
          seen.hits.map((h: { number: string }) => h.number),
          username,
        ).toEqual(readable.rows.map((r) => r.number));
      }
    } finally {
      await app.close();
    }
  });

  it('takes LIKE wildcards literally, pages with limit, and refuses an empty query', async () => {
    const app = buildServer({ db, jwtSecret });
    try {
      // No seeded text holds these literally ('%' alone does: 收益2.10%).
      for (const wildcard of ['%%', '_', '\\', '%_%']) {
        const response = await searchAs(app, 'lead01', `q=${encodeURIComponent(wildcard)}`);
        expect(response.statusCode).toBe(200);
        expect(response.json().hits).toEqual([]);
      }
      const page = (
        await searchAs(app, 'agent01', `q=${encodeURIComponent('客户')}&limit=1`)
      ).json();
      expect(page.hits).toHaveLength(1);
      expect(page.more).toBe(true);
      for (const bad of ['q=', 'q=%20%20', 'limit=3', 'q=a&limit=0', 'q=a&limit=x', 'q=%00']) {
        const response = await searchAs(app, 'admin01', bad);
        expect(response.statusCode, bad).toBe(400);
        expect(response.json()).toMatchObject({ code: 'VALIDATION' });
      }
      const stranger = await app.inject({ method: 'GET', url: '/cases/search?q=a' });
      expect(stranger.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

async function signInOverInject(app: ReturnType<typeof buildServer>, username: string) {
  const clientId = randomUUID();
  const response = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId },
  });
  expect(response.statusCode).toBe(200);
  return {
    clientId,
    token: response.json().token as string,
    code: response.json().workstationCode as string,
  };
}
