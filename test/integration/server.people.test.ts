// Identity against a real PostgreSQL: rotating refresh tokens with reuse detection, sign-in
// lockout and rate limit shared by two API processes, the sign-in audit, people
// administration and revocable workstations.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
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

describe('a refresh family, step by step', () => {
  type Step = 'refreshLatest' | 'reuseOlder' | 'useAccess';
  it('lives while each token is used once, and dies entirely at the first reuse', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Step>('refreshLatest', 'reuseOlder', 'useAccess'), {
          minLength: 1,
          maxLength: 8,
        }),
        async (steps) => {
          const session = await signIn('agent01');
          const used: string[] = [];
          let latest = { token: session.token, refreshToken: session.refreshToken };
          let alive = true;
          for (const step of steps) {
            if (step === 'useAccess') {
              expect((await me(bearer(latest.token))).statusCode).toBe(alive ? 200 : 401);
            } else if (step === 'refreshLatest') {
              const response = await refresh(latest.refreshToken, session.clientId);
              expect(response.statusCode).toBe(alive ? 200 : 401);
              if (alive) {
                used.push(latest.refreshToken);
                latest = response.json();
              }
            } else if (used.length > 0) {
              const response = await refresh(used[0]!, session.clientId);
              expect(response.statusCode).toBe(401);
              alive = false;
            }
          }
        },
      ),
      { numRuns: 25 },
    );
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
    // Loopback (the embedded API, tests) is exempt unless configured otherwise.
    const local: number[] = [];
    for (let i = 0; i < 32; i++) {
      local.push((await signInRequest(app, { username: `local-${i}`, password: 'x' })).statusCode);
    }
    expect(new Set(local)).toEqual(new Set([401]));
    // Another address is not affected.
    expect((await signInRequest(app, { username: 'agent01' }, '203.0.113.8')).statusCode).toBe(200);
  });

  it('refuses a username with control characters as bad input, auditing nothing', async () => {
    const before = await db.query<{ n: string }>('select count(*) as n from sign_in_audit');
    const response = await signInRequest(app, { username: 'agent\u000001' });
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([{ path: 'username', code: 'CONTROL_CHARACTERS' }]);
    const after = await db.query<{ n: string }>('select count(*) as n from sign_in_audit');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
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

// --- people administration -------------------------------------------------------------

function asAdmin(
  admin: Session,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return app.inject({ method, url, headers: admin.headers, payload: payload as object });
}

describe('people administration', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await signIn('admin01');
  });

  it('creates a person who can sign in, and refuses a duplicate username with 409', async () => {
    const created = await asAdmin(admin, 'POST', '/admin/people', {
      username: 'agent09',
      displayName: '吴芳',
      role: 'agent',
      teamId: 'team-t2',
      password: 'a-long-first-password',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      username: 'agent09',
      role: 'agent',
      teamId: 'team-t2',
      branchId: null,
      active: true,
    });
    expect(JSON.stringify(created.json())).not.toContain('password');
    expect(
      (await signInRequest(app, { username: 'agent09', password: 'a-long-first-password' }))
        .statusCode,
    ).toBe(200);

    const again = await asAdmin(admin, 'POST', '/admin/people', {
      username: 'agent09',
      displayName: '另一个人',
      role: 'agent',
      teamId: 'team-t1',
      password: 'another-long-password',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'USERNAME_TAKEN' });
    const list = await asAdmin(admin, 'GET', '/admin/people');
    expect(
      list.json().people.filter((p: { username: string }) => p.username === 'agent09'),
    ).toHaveLength(1);
  });

  it('refuses bad people with a field code, storing nothing', async () => {
    const before = (await asAdmin(admin, 'GET', '/admin/people')).json().people.length;
    const cases: [unknown, string, string][] = [
      [
        {
          username: 'A B',
          displayName: 'x',
          role: 'agent',
          teamId: 'team-t1',
          password: 'long-enough-pw',
        },
        'username',
        'USERNAME_INVALID',
      ],
      [
        { username: 'agent10', displayName: 'x', role: 'agent', password: 'long-enough-pw' },
        'teamId',
        'TEAM_REQUIRED',
      ],
      [
        {
          username: 'agent10',
          displayName: 'x',
          role: 'agent',
          teamId: 'team-none',
          password: 'long-enough-pw',
        },
        'teamId',
        'TEAM_UNKNOWN',
      ],
      [
        { username: 'branch10', displayName: 'x', role: 'branch', password: 'long-enough-pw' },
        'branchId',
        'BRANCH_REQUIRED',
      ],
      [
        {
          username: 'admin10',
          displayName: 'x',
          role: 'admin',
          teamId: 'team-t1',
          password: 'long-enough-pw',
        },
        'teamId',
        'ADMIN_HAS_NO_PLACE',
      ],
      [
        {
          username: 'agent10',
          displayName: 'x',
          role: 'agent',
          teamId: 'team-t1',
          password: 'short',
        },
        'password',
        'PASSWORD_TOO_SHORT',
      ],
      [
        {
          username: 'agent10',
          displayName: 'x',
          role: 'boss',
          teamId: 'team-t1',
          password: 'long-enough-pw',
        },
        'role',
        'invalid_value',
      ],
    ];
    cases.push([
      {
        username: 'agent11',
        displayName: '王\u0000五',
        role: 'agent',
        teamId: 'team-t1',
        password: 'long-enough-pw',
      },
      'displayName',
      'CONTROL_CHARACTERS',
    ]);
    for (const [body, path, code] of cases) {
      const response = await asAdmin(admin, 'POST', '/admin/people', body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().fields).toContainEqual({ path, code: expect.stringMatching(code) });
    }
    expect((await asAdmin(admin, 'GET', '/admin/people')).json().people).toHaveLength(before);
  });

  it('answers any person it is given with 201, 400 or 409, storing a row only for 201', async () => {
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const body = fc.record({
      username: optional(
        fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z][a-z0-9._-]{2,12}$/)),
      ),
      displayName: optional(
        fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })),
      ),
      role: optional(fc.constantFrom('agent', 'branch', 'lead', 'admin', 'boss', '')),
      teamId: optional(fc.constantFrom(null, 'team-t1', 'team-t2', 'team-zz', 7)),
      branchId: optional(fc.constantFrom(null, 'branch-bj', 'branch-zz')),
      password: optional(fc.string({ minLength: 0, maxLength: 300 })),
    });
    const count = async () =>
      Number((await db.query<{ n: string }>('select count(*) as n from users')).rows[0]!.n);
    await fc.assert(
      fc.asyncProperty(body, async (person) => {
        const before = await count();
        const response = await asAdmin(admin, 'POST', '/admin/people', person);
        expect([201, 400, 409], response.body).toContain(response.statusCode);
        expect(response.json()).toHaveProperty(response.statusCode === 201 ? 'id' : 'code');
        expect(await count()).toBe(before + (response.statusCode === 201 ? 1 : 0));
      }),
      { numRuns: 60 },
    );
  });

  it('ends a disabled person’s sessions at once, and a reset password’s old sessions', async () => {
    const username = await newUser();
    const userId = `u-${username}`;
    const session = await signIn(username);
    const disabled = await asAdmin(admin, 'PATCH', `/admin/people/${userId}`, { active: false });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json().active).toBe(false);
    expect((await me(session.headers)).statusCode).toBe(401);
    expect((await refresh(session.refreshToken, session.clientId)).statusCode).toBe(401);
    const refused = await signInRequest(app, { username });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'ACCOUNT_DISABLED' });

    await asAdmin(admin, 'PATCH', `/admin/people/${userId}`, { active: true });
    const before = await signIn(username);
    const reset = await asAdmin(admin, 'PATCH', `/admin/people/${userId}`, {
      password: 'a-brand-new-password',
    });
    expect(reset.statusCode).toBe(200);
    expect((await refresh(before.refreshToken, before.clientId)).statusCode).toBe(401);
    expect((await signInRequest(app, { username })).statusCode).toBe(401);
    expect(
      (await signInRequest(app, { username, password: 'a-brand-new-password' })).statusCode,
    ).toBe(200);
  });

  it('changes a role with effect on the next request, and keeps the last administrator', async () => {
    const username = await newUser();
    const session = await signIn(username);
    const promoted = await asAdmin(admin, 'PATCH', `/admin/people/u-${username}`, {
      role: 'lead',
    });
    expect(promoted.statusCode).toBe(200);
    // A move ends the sessions: the workstation must learn it at its next sign-in.
    expect((await me(session.headers)).statusCode).toBe(401);
    expect((await me((await signIn(username)).headers)).json().role).toBe('lead');
    const renamed = await signIn(username);
    await asAdmin(admin, 'PATCH', `/admin/people/u-${username}`, { displayName: '新名字' });
    expect((await me(renamed.headers)).json().displayName).toBe('新名字');

    const last = await asAdmin(admin, 'PATCH', '/admin/people/u-admin01', { active: false });
    expect(last.statusCode).toBe(409);
    expect(last.json()).toMatchObject({ code: 'LAST_ADMIN' });
    const missing = await asAdmin(admin, 'PATCH', '/admin/people/u-nobody', { active: false });
    expect(missing.statusCode).toBe(404);
    const empty = await asAdmin(admin, 'PATCH', `/admin/people/u-${username}`, {});
    expect(empty.statusCode).toBe(400);
  });

  it('creates and renames teams and branches, refusing a taken or malformed code', async () => {
    const team = await asAdmin(admin, 'POST', '/admin/teams', { code: 'T9', name: '投诉九组' });
    expect(team.statusCode, team.body).toBe(201);
    const taken = await asAdmin(admin, 'POST', '/admin/teams', { code: 'T9', name: '重复' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'TEAM_CODE_TAKEN' });
    expect(
      (await asAdmin(admin, 'POST', '/admin/branches', { code: 'gz', name: '广州' })).statusCode,
    ).toBe(400);
    const branch = await asAdmin(admin, 'POST', '/admin/branches', {
      code: 'GZ',
      name: '广州天河支行',
    });
    expect(branch.statusCode).toBe(201);
    const renamed = await asAdmin(admin, 'PATCH', `/admin/teams/${team.json().id}`, {
      name: '投诉九组（夜班）',
    });
    expect(renamed.json()).toMatchObject({ code: 'T9', name: '投诉九组（夜班）' });
    const teams = (await asAdmin(admin, 'GET', '/admin/teams')).json().teams;
    expect(teams.map((t: { code: string }) => t.code)).toEqual(['T1', 'T2', 'T9']);
    const branches = (await asAdmin(admin, 'GET', '/admin/branches')).json().branches;
    expect(branches.map((b: { code: string }) => b.code)).toContain('GZ');
  });

  it('keeps shifts as intervals, refusing overlaps and inverted or overlong ones, and knows who is on shift', async () => {
    const username = await newUser('agent', 'team-t2');
    const userId = `u-${username}`;
    const hour = 3_600_000;
    const start = Date.now() - 2 * hour;
    const at = (ms: number) => new Date(ms).toISOString();
    const shift = await asAdmin(admin, 'POST', '/admin/shifts', {
      userId,
      startsAt: at(start),
      endsAt: at(start + 8 * hour),
    });
    expect(shift.statusCode, shift.body).toBe(201);
    const overlap = await asAdmin(admin, 'POST', '/admin/shifts', {
      userId,
      startsAt: at(start + 7 * hour),
      endsAt: at(start + 9 * hour),
    });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json()).toMatchObject({ code: 'SHIFT_OVERLAPS' });
    const inverted = await asAdmin(admin, 'POST', '/admin/shifts', {
      userId,
      startsAt: at(start + 20 * hour),
      endsAt: at(start + 19 * hour),
    });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().fields).toContainEqual({
      path: 'endsAt',
      code: 'SHIFT_ENDS_BEFORE_START',
    });
    const long = await asAdmin(admin, 'POST', '/admin/shifts', {
      userId,
      startsAt: at(start + 20 * hour),
      endsAt: at(start + 45 * hour),
    });
    expect(long.json().fields).toContainEqual({ path: 'endsAt', code: 'SHIFT_TOO_LONG' });
    const forAdmin = await asAdmin(admin, 'POST', '/admin/shifts', {
      userId: 'u-admin01',
      startsAt: at(start),
      endsAt: at(start + hour),
    });
    expect(forAdmin.statusCode).toBe(400);

    const { peopleOnShift } = await import('../../server/people');
    expect((await peopleOnShift(db, new Date(), 'team-t2')).map((p) => p.id)).toEqual([userId]);
    expect(await peopleOnShift(db, new Date(start + 9 * hour), 'team-t2')).toEqual([]);
    const listed = await asAdmin(
      admin,
      'GET',
      `/admin/shifts?userId=${userId}&from=${encodeURIComponent(at(start))}`,
    );
    expect(listed.json().shifts).toHaveLength(1);
    const removed = await asAdmin(admin, 'DELETE', `/admin/shifts/${shift.json().id}`);
    expect(removed.statusCode).toBe(204);
    expect(await peopleOnShift(db, new Date(), 'team-t2')).toEqual([]);
  });
});

// --- revocable workstations --------------------------------------------------------------

describe('the administration audit trail', () => {
  it('records every administrative change with who, which workstation, before and after', async () => {
    const admin = await signIn('admin01');
    const created = await asAdmin(admin, 'POST', '/admin/people', {
      username: 'audit01',
      displayName: '孙悦',
      role: 'agent',
      teamId: 'team-t1',
      password: 'audited-first-password',
    });
    expect(created.statusCode, created.body).toBe(201);
    const personId: string = created.json().id;
    const changed = await asAdmin(admin, 'PATCH', `/admin/people/${personId}`, {
      teamId: 'team-t2',
      password: 'audited-second-password',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const renamed = await asAdmin(admin, 'PATCH', '/admin/teams/team-t2', {
      name: '客服投诉二组（夜班）',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const workstation = await signIn('audit01', randomUUID(), 'audited-second-password');
    const revoked = await asAdmin(
      admin,
      'POST',
      `/admin/workstations/${workstation.clientId}/revoke`,
    );
    expect(revoked.statusCode, revoked.body).toBe(200);

    const rows = await db.query<{
      actor_id: string;
      client_id: string;
      entity: string;
      entity_id: string;
      action: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }>(
      `select actor_id, client_id, entity, entity_id, action, before, after from admin_history
        where entity_id in ($1, 'team-t2', $2) order by id`,
      [personId, workstation.clientId],
    );
    expect(rows.rows.map((r) => [r.entity, r.action])).toEqual([
      ['person', 'create'],
      ['person', 'update+password_reset'],
      ['team', 'rename'],
      ['workstation', 'revoke'],
    ]);
    for (const row of rows.rows) {
      expect(row).toMatchObject({ actor_id: 'u-admin01', client_id: admin.clientId });
    }
    expect(rows.rows[1]!.before).toMatchObject({ teamId: 'team-t1' });
    expect(rows.rows[1]!.after).toMatchObject({ teamId: 'team-t2' });
    expect(rows.rows[2]!.after).toMatchObject({ name: '客服投诉二组（夜班）' });
    // Passwords and their hashes never reach the trail.
    const all = JSON.stringify(rows.rows);
    expect(all).not.toContain('audited-');
    expect(all).not.toContain('scrypt$');
    await expect(db.query("update admin_history set action = 'forged'")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('delete from admin_history')).rejects.toThrow(/append-only/);
  });
});

describe('revoked workstations', () => {
  it('refuses the token, the refresh and any sign-in of a revoked workstation with WORKSTATION_REVOKED', async () => {
    const admin = await signIn('admin01');
    const session = await signIn('agent01');
    const listed = (await asAdmin(admin, 'GET', '/admin/workstations')).json().workstations;
    expect(listed.find((w: { clientId: string }) => w.clientId === session.clientId)).toMatchObject(
      {
        lastUsername: 'agent01',
        revokedAt: null,
      },
    );
    const revoked = await asAdmin(admin, 'POST', `/admin/workstations/${session.clientId}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();

    const answers = [
      await me(session.headers),
      await app.inject({
        method: 'GET',
        url: `/sync/pull?clientId=${session.clientId}`,
        headers: session.headers,
      }),
      await refresh(session.refreshToken, session.clientId),
      await signInRequest(app, { username: 'lead01', clientId: session.clientId }),
    ];
    expect(answers.map((r) => [r.statusCode, r.json().code])).toEqual(
      Array.from({ length: 4 }, () => [403, 'WORKSTATION_REVOKED']),
    );
    // Other workstations of the same person go on.
    expect((await me((await signIn('agent01')).headers)).statusCode).toBe(200);
    expect(
      (await asAdmin(admin, 'POST', `/admin/workstations/${randomUUID()}/revoke`)).statusCode,
    ).toBe(404);
  });
});

describe('the API description', () => {
  it('describes every identity and administration route, the signed-in ones as such', async () => {
    type Operation = { summary?: string; tags?: string[]; security?: unknown };
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations = Object.entries(
      doc.paths as Record<string, Record<string, Operation>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    const ours = operations.filter((o) => o.op.tags?.some((t) => t === 'people' || t === 'auth'));
    expect(ours.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      [
        'delete /admin/shifts/{shiftId}',
        'get /admin/branches',
        'get /admin/people',
        'get /admin/shifts',
        'get /admin/teams',
        'get /admin/workstations',
        'patch /admin/branches/{id}',
        'patch /admin/people/{userId}',
        'patch /admin/teams/{id}',
        'post /admin/branches',
        'post /admin/people',
        'post /admin/shifts',
        'post /admin/teams',
        'post /admin/workstations/{clientId}/revoke',
        'post /auth/refresh',
        'post /auth/sign-in',
        'post /auth/sign-out',
        'get /me',
      ].sort(),
    );
    for (const { path, op } of ours) {
      expect(op.summary, path).toBeTruthy();
      expect(op.tags, path).toBeTruthy();
      if (path.startsWith('/admin/')) expect(op.security, path).toEqual([{ bearerAuth: [] }]);
    }
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
