// Deadline policies and work calendars administered on a real PostgreSQL 15 (and a PGlite
// smoke): the shipped defaults, revisions, the active pair, admin-only writes and the
// refusals that keep the deadline engine runnable.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CN_CALENDAR,
  CN_CBIRC_2020,
  GB_ENG_CALENDAR,
  UK_FCA_DISP,
  US_CFPB,
  type CalendarData,
  type DeadlinePolicy,
} from '../../shared/clock';
import type { DeadlineRules } from '../../shared/reference-data';
import { buildServer } from '../../server/app';
import { openDb, openPglite, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { activeDeadlineRules, seedReferenceData } from '../../server/policies';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('policies-secret-policies-secret-x');
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  postgres = await startPostgres('policies_test');
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

type Headers = { authorization: string };

async function signIn(username: string, server = app): Promise<Headers> {
  const response = await server.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId: randomUUID() },
  });
  expect(response.statusCode, response.body).toBe(200);
  return { authorization: `Bearer ${response.json().token}` };
}

async function rules(headers: Headers, server = app): Promise<DeadlineRules> {
  const response = await server.inject({
    method: 'GET',
    url: '/reference/deadline-rules',
    headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const put = (headers: Headers, url: string, payload: unknown, server = app) =>
  server.inject({ method: 'PUT', url, headers, payload: payload as object });

/** Every stored revision: what a refused write must leave as it was. */
const storedRevisions = async () =>
  (
    await db.query<{ t: string; id: string; revision: number }>(
      `select 'policy' as t, id, revision from deadline_policies
       union all select 'calendar', id, revision from work_calendars
       union all select 'choice', policy_id || '/' || calendar_id, 0 from deadline_rules_choice
       order by 1, 2, 3`,
    )
  ).rows;

const clone = <T>(value: T): T => structuredClone(value);

describe('the rules in force', () => {
  it('are China CBIRC 2020 with the Chinese calendar until an admin chooses, for every role', async () => {
    for (const username of ['agent01', 'branch01', 'lead01', 'admin01']) {
      const current = await rules(await signIn(username));
      expect(current.policy).toMatchObject({ id: 'CN_CBIRC_2020', revision: 1, savedBy: null });
      expect(current.policy.policy).toEqual(CN_CBIRC_2020);
      expect(current.calendar.calendar).toEqual(CN_CALENDAR.data);
    }
    const active = await activeDeadlineRules(db);
    expect(active.policy).toEqual(CN_CBIRC_2020);
    // A ready calendar: 2026-10-08 follows the National Day week, 10-10 is a 调休 Saturday.
    expect(active.calendar.isWorkingDay('2026-10-07')).toBe(false);
    expect(active.calendar.isWorkingDay('2026-10-10')).toBe(true);
    expect(await seedReferenceData(db)).toEqual({ policies: 0, calendars: 0, chose: false });
  });

  it('ask for a sign-in', async () => {
    const response = await app.inject({ method: 'GET', url: '/reference/deadline-rules' });
    expect(response.statusCode).toBe(401);
  });
});

describe('administration', () => {
  it('refuses every write to anyone but an administrator, and stores nothing', async () => {
    const before = await storedRevisions();
    for (const username of ['agent01', 'branch01', 'lead01']) {
      const headers = await signIn(username);
      const attempts = [
        put(headers, '/admin/policies/UK_FCA_DISP', UK_FCA_DISP),
        put(headers, '/admin/calendars/cn', CN_CALENDAR.data),
        put(headers, '/admin/deadline-rules', { policyId: 'US_CFPB' }),
        app.inject({ method: 'GET', url: '/admin/policies', headers }),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.statusCode, `${username} ${response.body}`).toBe(403);
        expect(response.json().code).toBe('FORBIDDEN');
      }
    }
    expect(await storedRevisions()).toEqual(before);
  });

  it('saves a changed policy as a new revision, and the same one as nothing new', async () => {
    const admin = await signIn('admin01');
    const same = await put(admin, '/admin/policies/CN_CBIRC_2020', CN_CBIRC_2020);
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().revision).toBe(1);

    const longer = clone(CN_CBIRC_2020);
    longer.riskKeywords = [...longer.riskKeywords, '套现'];
    const saved = await put(admin, '/admin/policies/CN_CBIRC_2020', longer);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ revision: 2, savedBy: 'u-admin01' });
    const current = await rules(await signIn('agent01'));
    expect(current.policy.revision).toBe(2);
    expect(current.policy.policy.riskKeywords).toContain('套现');
    expect(BigInt(current.version)).toBe(BigInt(saved.json().version));
  });

  it.each<[string, (p: DeadlinePolicy) => unknown, { path: string; code: string }]>([
    [
      'extension steps that do not ascend',
      (p) => {
        p.regulatory!.tracks.default!.extensions[1]!.toDays = 20;
        return p;
      },
      { path: 'regulatory.tracks.default.extensions.1', code: 'STEPS_ASCEND' },
    ],
    [
      'compensation bands that do not ascend',
      (p) => {
        p.compensation!.approvalBands[1]!.upToMinorUnits = 100;
        return p;
      },
      { path: 'compensation.approvalBands.1', code: 'BANDS_ASCEND' },
    ],
    [
      'a fractional day span',
      (p) => {
        p.targets.suggestion[0]!.span = 2.5;
        return p;
      },
      { path: 'targets.suggestion.0.span', code: 'WHOLE_DAYS' },
    ],
    [
      'a time zone beyond ±14 h',
      (p) => ({ ...p, timeZoneOffsetMinutes: 15 * 60 }),
      { path: 'timeZoneOffsetMinutes', code: 'too_big' },
    ],
    [
      'a calendar that does not exist',
      (p) => ({ ...p, calendarId: 'mars' }),
      { path: 'calendarId', code: 'CALENDAR_UNKNOWN' },
    ],
    [
      'a calendar in another zone',
      (p) => ({ ...p, calendarId: GB_ENG_CALENDAR.id }),
      { path: 'timeZoneOffsetMinutes', code: 'ZONE_MISMATCH' },
    ],
    [
      'another id than the address',
      (p) => ({ ...p, id: 'UK_FCA_DISP' }),
      { path: 'id', code: 'ID_MISMATCH' },
    ],
  ])('refuses a policy with %s, field by field, and stores nothing', async (_, spoil, field) => {
    const admin = await signIn('admin01');
    const before = await storedRevisions();
    const response = await put(admin, '/admin/policies/CN_CBIRC_2020', spoil(clone(CN_CBIRC_2020)));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().code).toBe('VALIDATION');
    expect(response.json().fields).toContainEqual(field);
    expect(await storedRevisions()).toEqual(before);
  });

  it.each<[string, (c: CalendarData) => CalendarData, { path: string; code: string }]>([
    [
      'a holiday outside its years',
      (c) => ({ ...c, holidays: [...c.holidays, '2031-01-01'] }),
      { path: `holidays.${CN_CALENDAR.data.holidays.length}`, code: 'DATE_OUTSIDE_YEARS' },
    ],
    [
      'a working weekend on a weekday',
      (c) => ({ ...c, workingWeekends: [...c.workingWeekends, '2026-03-03'] }),
      {
        path: `workingWeekends.${CN_CALENDAR.data.workingWeekends.length}`,
        code: 'NOT_A_WEEKEND_DAY',
      },
    ],
    [
      'a shift that ends before it starts',
      (c) => ({ ...c, businessHours: [{ from: '17:00', to: '09:00' }] }),
      { path: 'businessHours.0', code: 'SHIFT_ENDS_BEFORE_START' },
    ],
    [
      'a year listed twice',
      (c) => ({ ...c, years: [...c.years, 2026] }),
      { path: `years.${CN_CALENDAR.data.years.length}`, code: 'DUPLICATE_YEAR' },
    ],
    [
      'an impossible date',
      (c) => ({ ...c, holidays: ['2026-02-30'] }),
      { path: 'holidays.0', code: expect.any(String) as unknown as string },
    ],
    [
      'another zone than its active policy',
      (c) => ({ ...c, timeZoneOffsetMinutes: 0 }),
      { path: 'timeZoneOffsetMinutes', code: 'ZONE_MISMATCH' },
    ],
  ])('refuses a calendar with %s, and stores nothing', async (_, spoil, field) => {
    const admin = await signIn('admin01');
    const before = await storedRevisions();
    const response = await put(admin, '/admin/calendars/cn', spoil(clone(CN_CALENDAR.data)));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().fields).toContainEqual(field);
    expect(await storedRevisions()).toEqual(before);
  });

  it('refuses to drop a year from the calendar in force, and takes a new year', async () => {
    const admin = await signIn('admin01');
    const before = await storedRevisions();
    const only2026 = {
      ...clone(CN_CALENDAR.data),
      years: [2026],
      holidays: CN_CALENDAR.data.holidays.filter((d) => d.startsWith('2026')),
      workingWeekends: CN_CALENDAR.data.workingWeekends.filter((d) => d.startsWith('2026')),
    };
    const dropped = await put(admin, '/admin/calendars/cn', only2026);
    expect(dropped.statusCode, dropped.body).toBe(409);
    expect(dropped.json()).toMatchObject({
      code: 'CALENDAR_YEAR_IN_USE',
      fields: [{ path: 'years', code: 'YEAR_REMOVED' }],
    });
    expect(await storedRevisions()).toEqual(before);

    const with2027 = {
      ...clone(CN_CALENDAR.data),
      years: [...CN_CALENDAR.data.years, 2027],
      holidays: [...CN_CALENDAR.data.holidays, '2027-01-01'],
    };
    const added = await put(admin, '/admin/calendars/cn', with2027);
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().revision).toBe(2);
    expect((await activeDeadlineRules(db)).calendar.isHoliday('2027-01-01')).toBe(true);
  });

  it('switches the deployment to UK FCA and to US CFPB with their own calendars', async () => {
    const admin = await signIn('admin01');
    const agent = await signIn('agent01');
    const before = await rules(agent);

    const uk = await put(admin, '/admin/deadline-rules', { policyId: 'UK_FCA_DISP' });
    expect(uk.statusCode, uk.body).toBe(200);
    const ukRules = await rules(agent);
    expect(ukRules.policy.policy).toEqual(UK_FCA_DISP);
    expect(ukRules.calendar.id).toBe('gb-eng-2026');
    expect(BigInt(ukRules.version) > BigInt(before.version)).toBe(true);

    await put(admin, '/admin/deadline-rules', { policyId: 'US_CFPB' });
    const active = await activeDeadlineRules(db);
    expect(active.policy).toEqual(US_CFPB);
    expect(active.calendar.id).toBe('us-federal-2026');

    const list = await app.inject({ method: 'GET', url: '/admin/policies', headers: admin });
    expect(
      list.json().items.map((item: { id: string; active: boolean }) => [item.id, item.active]),
    ).toEqual([
      ['CN_CBIRC_2020', false],
      ['UK_FCA_DISP', false],
      ['US_CFPB', true],
    ]);

    const back = await put(admin, '/admin/deadline-rules', { policyId: 'CN_CBIRC_2020' });
    expect(back.json().calendar.id).toBe('cn');
  });

  it('refuses a pair in two zones or an unknown policy, and keeps the choice', async () => {
    const admin = await signIn('admin01');
    const before = await storedRevisions();
    const mixed = await put(admin, '/admin/deadline-rules', {
      policyId: 'CN_CBIRC_2020',
      calendarId: 'us-federal-2026',
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().fields).toEqual([{ path: 'calendarId', code: 'ZONE_MISMATCH' }]);
    const unknown = await put(admin, '/admin/deadline-rules', { policyId: 'EU_PSD2' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().fields).toEqual([{ path: 'policyId', code: 'POLICY_UNKNOWN' }]);
    const malformed = await put(admin, '/admin/deadline-rules', { policyId: '../etc' });
    expect(malformed.statusCode).toBe(400);
    expect(await storedRevisions()).toEqual(before);
  });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of [
      '/reference/deadline-rules',
      '/admin/deadline-rules',
      '/admin/policies',
      '/admin/policies/{id}',
      '/admin/calendars',
      '/admin/calendars/{id}',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/reference/deadline-rules'].get.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('embedded PGlite', () => {
  it('seeds the defaults on first use, saves a revision and switches the pair', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'case-policies-pglite-'));
    const lite = await openPglite(dir);
    try {
      await runMigrations(lite);
      await seedDemo(lite, { cases: 0 });
      const server = buildServer({ db: lite, jwtSecret });
      const agent = await signIn('agent01', server);
      expect((await rules(agent, server)).policy.policy).toEqual(CN_CBIRC_2020);
      const admin = await signIn('admin01', server);
      const changed = clone(CN_CBIRC_2020);
      changed.compensation!.frontlineLimitMinorUnits = 30_000;
      expect(
        (await put(admin, '/admin/policies/CN_CBIRC_2020', changed, server)).json(),
      ).toMatchObject({ revision: 2 });
      const uk = await put(admin, '/admin/deadline-rules', { policyId: 'UK_FCA_DISP' }, server);
      expect(uk.statusCode, uk.body).toBe(200);
      expect((await activeDeadlineRules(lite)).policy.id).toBe('UK_FCA_DISP');
      await server.close();
    } finally {
      await lite.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
