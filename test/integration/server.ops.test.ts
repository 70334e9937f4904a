// Operating the central API: configuration from the environment, logs without personal
// data, readiness, graceful shutdown of a real process, and two processes on one database.
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/sync-protocol';
import { buildServer, loggableUrl } from '../../server/app';
import { ConfigError, loadConfig } from '../../server/config';
import { openDb, type Db } from '../../server/db';
import { MIGRATIONS_DIR, runMigrations } from '../../server/migrations';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
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
