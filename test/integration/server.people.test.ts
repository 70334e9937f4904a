// Identity against a real PostgreSQL: rotating refresh tokens with reuse detection, sign-in
// lockout and rate limit shared by two API processes, the sign-in audit, people
// administration and revocable workstations.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import { openDb, openPglite, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { hashPassword } from '../../server/passwords';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('people-secret-people-secret-people-secret');
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  postgres = await startPostgres();
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 0 });
  app = buildServer({ db, jwtSecret });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
});

// --- factories ------------------------------------------------------------------------

interface Session {
  clientId: string;
  token: string;
  refreshToken: string;
  headers: { authorization: string };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function signInRequest(
  server: FastifyInstance,
  payload: { username: string; password?: string; clientId?: string },
  remoteAddress?: string,
) {
  return server.inject({
    method: 'POST',
    url: '/auth/sign-in',
    remoteAddress,
    payload: { password: DEMO_PASSWORD, clientId: randomUUID(), ...payload },
  });
}

async function signIn(
  username: string,
  clientId: string = randomUUID(),
  password = DEMO_PASSWORD,
  server: FastifyInstance = app,
): Promise<Session> {
  const response = await signInRequest(server, { username, password, clientId });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  return {
    clientId,
    token: body.token,
    refreshToken: body.refreshToken,
    headers: bearer(body.token),
  };
}

function refresh(refreshToken: string, clientId: string, server: FastifyInstance = app) {
  return server.inject({
    method: 'POST',
    url: '/auth/refresh',
    payload: { refreshToken, clientId },
  });
}

const me = (headers: { authorization: string }, server: FastifyInstance = app) =>
  server.inject({ method: 'GET', url: '/me', headers });

let userSeq = 0;
/** A user of its own, straight into the table, so that lockouts touch no other test. */
async function newUser(role = 'agent', teamId: string | null = 'team-t1'): Promise<string> {
  const username = `person${++userSeq}-${randomUUID().slice(0, 6)}`;
  await db.query(
    `insert into users (id, username, display_name, role, team_id, password_hash)
     values ($1, $2, $3, $4, $5, $6)`,
    [`u-${username}`, username, '测试人员', role, teamId, await hashPassword(DEMO_PASSWORD)],
  );
  return username;
}

// --- tokens ---------------------------------------------------------------------------

describe('sessions', () => {
  it('issues a 15-minute access token and a refresh token stored only as its sha256', async () => {
    const session = await signIn('agent01');
    const claims = decodeJwt(session.token);
    expect(claims.exp! - claims.iat!).toBe(15 * 60);
    expect(session.refreshToken).toMatch(/^[\w-]{40,}$/);
    const stored = await db.query<{ token_hash: string }>(
      'select token_hash from refresh_tokens where client_id = $1',
      [session.clientId],
    );
    const sha256 = createHash('sha256').update(session.refreshToken).digest('hex');
    expect(stored.rows).toEqual([{ token_hash: sha256 }]);
  });

  it('rotates the refresh token at every use, each new access token working', async () => {
    const first = await signIn('agent01');
    const second = await refresh(first.refreshToken, first.clientId);
    expect(second.statusCode, second.body).toBe(200);
    const body = second.json();
    expect(body.refreshToken).not.toBe(first.refreshToken);
    expect(body.user.id).toBe('u-agent01');
    expect((await me(bearer(body.token))).statusCode).toBe(200);
    const third = await refresh(body.refreshToken, first.clientId);
    expect(third.statusCode).toBe(200);
  });

  it('revokes the whole family when a used refresh token comes back', async () => {
    const first = await signIn('agent01');
    const rotated = (await refresh(first.refreshToken, first.clientId)).json();
    // A copy of the first token is presented: the thief's or the owner's, nobody can tell.
    const reused = await refresh(first.refreshToken, first.clientId);
    expect(reused.statusCode).toBe(401);
    expect(reused.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    // Every token of the family is dead: the successor and the access tokens alike.
    expect((await refresh(rotated.refreshToken, first.clientId)).statusCode).toBe(401);
    expect((await me(bearer(rotated.token))).statusCode).toBe(401);
    expect((await me(first.headers)).statusCode).toBe(401);
    // Another sign-in of the same user is another family, untouched.
    const other = await signIn('agent01');
    expect((await me(other.headers)).statusCode).toBe(200);
  });

  it('ends the access token and the refresh family at sign-out', async () => {
    const session = await signIn('lead01');
    const out = await app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: session.headers,
    });
    expect(out.statusCode).toBe(204);
    expect((await me(session.headers)).statusCode).toBe(401);
    expect((await refresh(session.refreshToken, session.clientId)).statusCode).toBe(401);
  });

  it('refuses an expired, unknown or foreign refresh token', async () => {
    const session = await signIn('agent02');
    await db.query(
      `update refresh_tokens set expires_at = now() - interval '1 second' where client_id = $1`,
      [session.clientId],
    );
    expect((await refresh(session.refreshToken, session.clientId)).statusCode).toBe(401);
    expect((await refresh('not-a-token-we-issued', session.clientId)).statusCode).toBe(401);

    // Carried to another install: refused, and the family ends.
    const carried = await signIn('agent02');
    expect((await refresh(carried.refreshToken, randomUUID())).statusCode).toBe(401);
    expect((await me(carried.headers)).statusCode).toBe(401);

    const malformed = await app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: '', clientId: 'nope' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'VALIDATION' });
  });
});

// --- sign-in protection ----------------------------------------------------------------

describe('sign-in protection', () => {
  it('locks a username after 5 failures in 15 minutes, even against the right password', async () => {
    const username = await newUser();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await signInRequest(app, { username, password: 'wrong' })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const locked = await signInRequest(app, { username });
    expect(locked.statusCode).toBe(423);
    const body = locked.json();
    expect(body.code).toBe('ACCOUNT_LOCKED');
    const minutes = (Date.parse(body.lockedUntil) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);

    // Fifteen minutes later (the lock moved into the past): the right password gets in.
    await db.query(
      `update sign_in_guards set locked_until = now() - interval '1 second' where username = $1`,
      [username],
    );
    expect((await signInRequest(app, { username })).statusCode).toBe(200);
  });

  it('forgets failures older than the window, and failures before a success', async () => {
    const username = await newUser();
    for (let i = 0; i < 4; i++) await signInRequest(app, { username, password: 'wrong' });
    await db.query(
      `update sign_in_guards set window_started_at = now() - interval '16 minutes'
        where username = $1`,
      [username],
    );
    for (let i = 0; i < 4; i++) {
      expect((await signInRequest(app, { username, password: 'wrong' })).statusCode).toBe(401);
    }
    expect((await signInRequest(app, { username })).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await signInRequest(app, { username, password: 'wrong' })).statusCode).toBe(401);
    }
  });

  it('counts the failures of two API processes on one database together', async () => {
    const username = await newUser();
    const otherDb = await openDb({ databaseUrl: postgres.url });
    const other = buildServer({ db: otherDb, jwtSecret });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          signInRequest(i % 2 ? other : app, { username, password: 'wrong' }).then(
            (r) => r.statusCode,
          ),
        ),
      );
      expect(statuses.sort()).toEqual([401, 401, 401, 401, 423, 423]);
      expect((await signInRequest(other, { username })).statusCode).toBe(423);
    } finally {
      await other.close();
      await otherDb.close();
    }
  });

  it('answers 429 beyond 30 attempts a minute from one address', async () => {
    const address = '203.0.113.7';
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const response = await signInRequest(
        app,
        { username: `nobody-${i}`, password: 'x' },
        address,
      );
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    const limited = await signInRequest(app, { username: 'agent01' }, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // Another address is not affected.
    expect((await signInRequest(app, { username: 'agent01' }, '203.0.113.8')).statusCode).toBe(200);
  });

  it('audits every attempt, never its password, and refuses to rewrite the audit', async () => {
    const username = await newUser();
    const clientId = randomUUID();
    await signInRequest(app, { username, clientId });
    await signInRequest(app, { username, clientId, password: 'secret-guess-1' });
    await signInRequest(app, { username: `${username}-ghost`, clientId, password: 'x' });
    const rows = await db.query<Record<string, unknown>>(
      `select username, user_id, client_id, ip, outcome from sign_in_audit
        where client_id = $1 order by id`,
      [clientId],
    );
    expect(rows.rows).toEqual([
      {
        username,
        user_id: `u-${username}`,
        client_id: clientId,
        ip: '127.0.0.1',
        outcome: 'success',
      },
      {
        username,
        user_id: `u-${username}`,
        client_id: clientId,
        ip: '127.0.0.1',
        outcome: 'bad_password',
      },
      {
        username: `${username}-ghost`,
        user_id: null,
        client_id: clientId,
        ip: '127.0.0.1',
        outcome: 'unknown_user',
      },
    ]);
    const everything = await db.query('select * from sign_in_audit');
    expect(JSON.stringify(everything.rows)).not.toContain('secret-guess-1');
    await expect(db.query('update sign_in_audit set outcome = $1', ['success'])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('delete from sign_in_audit')).rejects.toThrow(/append-only/);
  });
});

// --- PGlite ---------------------------------------------------------------------------

describe('on PGlite', () => {
  it('signs in, refreshes, detects reuse and locks out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'people-pglite-'));
    const embedded = await openPglite(dir);
    const server = buildServer({ db: embedded, jwtSecret });
    try {
      await runMigrations(embedded);
      await seedDemo(embedded, { cases: 0 });
      const session = await signIn('agent01', randomUUID(), DEMO_PASSWORD, server);
      const rotated = await refresh(session.refreshToken, session.clientId, server);
      expect(rotated.statusCode).toBe(200);
      expect((await refresh(session.refreshToken, session.clientId, server)).statusCode).toBe(401);
      expect((await me(bearer(rotated.json().token), server)).statusCode).toBe(401);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await signInRequest(server, { username: 'agent02', password: 'wrong' });
        statuses.push(r.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 423]);
    } finally {
      await server.close();
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
