// Deadline policies and work calendars, administered here and synced to workstations.
//
// Every save is a new revision of its id (the latest is in force); one row names the
// deployment's active policy and calendar. Writes take the sync version lock first (see
// sync.ts), which also numbers revisions without races. A policy counts its days in its
// calendar's zone, so a save or a choice that would pair a policy with a calendar of another
// zone is refused, and the active calendar may not drop a year: cases in flight are counted
// on it. Workstations fetch the active pair from /reference/deadline-rules; the server's
// own code asks `activeDeadlineRules(db)`.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CalendarData,
  createWorkCalendar,
  DEFAULT_CALENDARS,
  DEFAULT_POLICIES,
  DeadlinePolicy,
  CN_CBIRC_2020,
  type WorkCalendar,
} from '../shared/clock';
import {
  CalendarRevision,
  ChooseDeadlineRules,
  DeadlineRules,
  PolicyRevision,
  ReferenceId,
  ReferenceList,
} from '../shared/reference-data';
import { ApiError } from '../shared/sync-protocol';
import { ApiFailure } from './api-errors';
import { requireRole, requireSignIn, signedInUser } from './auth';
import { recordAdminChange } from './admin-history';
import type { Db } from './db';

type Table = 'deadline_policies' | 'work_calendars';

interface RevisionRow {
  id: string;
  revision: number;
  body: unknown;
  saved_by: string | null;
  saved_at: Date | string;
  version: string | number | bigint;
}

interface ChoiceRow {
  policy_id: string;
  calendar_id: string;
  chosen_at: Date | string;
  version: string | number | bigint;
}

const revisionFields = (row: RevisionRow) => ({
  id: row.id,
  revision: Number(row.revision),
  savedAt: new Date(row.saved_at).toISOString(),
  savedBy: row.saved_by,
  version: String(row.version),
});

const policyRevisionOf = (row: RevisionRow): PolicyRevision => ({
  ...revisionFields(row),
  policy: DeadlinePolicy.parse(row.body),
});

const calendarRevisionOf = (row: RevisionRow): CalendarRevision => ({
  ...revisionFields(row),
  calendar: CalendarData.parse(row.body),
});

/** JSON with sorted keys: jsonb does not keep key order, so bodies compare by this. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

async function latestRevision(db: Db, table: Table, id: string): Promise<RevisionRow | null> {
  const found = await db.query<RevisionRow>(
    `select id, revision, body, saved_by, saved_at, version from ${table}
      where id = $1 order by revision desc limit 1`,
    [id],
  );
  return found.rows[0] ?? null;
}

async function currentChoice(db: Db): Promise<ChoiceRow | null> {
  const found = await db.query<ChoiceRow>(
    'select policy_id, calendar_id, chosen_at, version from deadline_rules_choice',
  );
  return found.rows[0] ?? null;
}

/** Takes the writers' lock (see sync.ts) and gives this transaction's version and time. */
async function nextVersion(tx: Db): Promise<{ version: string; now: string }> {
  const bumped = await tx.query<{ v: string | number; now: Date | string }>(
    'update sync_version set v = v + 1 returning v, now() as now',
  );
  return { version: String(bumped.rows[0]!.v), now: new Date(bumped.rows[0]!.now).toISOString() };
}

/** 400 with field errors, like the schema validation's own. */
function invalid(message: string, ...fields: { path: string; code: string }[]): ApiFailure {
  return new ApiFailure(400, { code: 'VALIDATION', message, fields });
}

function sameZone(policy: DeadlinePolicy, calendar: CalendarData, path: string): ApiFailure | null {
  if (policy.timeZoneOffsetMinutes === calendar.timeZoneOffsetMinutes) return null;
  return invalid(
    `Policy ${policy.id} counts days at UTC offset ${policy.timeZoneOffsetMinutes} min, calendar ${calendar.id} at ${calendar.timeZoneOffsetMinutes} min.`,
    { path, code: 'ZONE_MISMATCH' },
  );
}

async function insertRevision(
  tx: Db,
  table: Table,
  id: string,
  revision: number,
  body: unknown,
  savedBy: string | null,
  stamp: { version: string; now: string },
): Promise<RevisionRow> {
  const inserted = await tx.query<RevisionRow>(
    `insert into ${table} (id, revision, body, saved_by, saved_at, version)
     values ($1, $2, $3::jsonb, $4, $5, $6)
     returning id, revision, body, saved_by, saved_at, version`,
    [id, revision, JSON.stringify(body), savedBy, stamp.now, stamp.version],
  );
  return inserted.rows[0]!;
}

/**
 * Saves a policy as its next revision; the same body as the latest saves nothing. The
 * calendar it names must exist and count days in the same zone, and so must the calendar it
 * is active with.
 */
export async function savePolicy(
  db: Db,
  savedBy: string | null,
  policy: DeadlinePolicy,
): Promise<PolicyRevision> {
  return db.transaction(async (tx) => {
    const stamp = await nextVersion(tx);
    const named = await latestRevision(tx, 'work_calendars', policy.calendarId);
    if (!named) {
      throw invalid(`No calendar ${policy.calendarId}; save it first.`, {
        path: 'calendarId',
        code: 'CALENDAR_UNKNOWN',
      });
    }
    const mismatch = sameZone(policy, CalendarData.parse(named.body), 'timeZoneOffsetMinutes');
    if (mismatch) throw mismatch;
    const choice = await currentChoice(tx);
    if (choice?.policy_id === policy.id && choice.calendar_id !== policy.calendarId) {
      const active = await latestRevision(tx, 'work_calendars', choice.calendar_id);
      const activeMismatch =
        active && sameZone(policy, CalendarData.parse(active.body), 'timeZoneOffsetMinutes');
      if (activeMismatch) throw activeMismatch;
    }
    const latest = await latestRevision(tx, 'deadline_policies', policy.id);
    if (latest && canonicalJson(latest.body) === canonicalJson(policy))
      return policyRevisionOf(latest);
    const row = await insertRevision(
      tx,
      'deadline_policies',
      policy.id,
      (latest?.revision ?? 0) + 1,
      policy,
      savedBy,
      stamp,
    );
    return policyRevisionOf(row);
  });
}

/**
 * Saves a calendar as its next revision; the same body as the latest saves nothing. The
 * active calendar keeps every year it had (deadlines of open cases run on them) and its
 * policy's zone.
 */
export async function saveCalendar(
  db: Db,
  savedBy: string | null,
  calendar: CalendarData,
): Promise<CalendarRevision> {
  const repeated = calendar.years.findIndex((year, i) => calendar.years.indexOf(year) !== i);
  if (repeated >= 0) {
    throw invalid(`Year ${calendar.years[repeated]} is listed twice.`, {
      path: `years.${repeated}`,
      code: 'DUPLICATE_YEAR',
    });
  }
  return db.transaction(async (tx) => {
    const stamp = await nextVersion(tx);
    const latest = await latestRevision(tx, 'work_calendars', calendar.id);
    const choice = await currentChoice(tx);
    if (choice?.calendar_id === calendar.id) {
      const policy = await latestRevision(tx, 'deadline_policies', choice.policy_id);
      const mismatch =
        policy && sameZone(DeadlinePolicy.parse(policy.body), calendar, 'timeZoneOffsetMinutes');
      if (mismatch) throw mismatch;
      const removed = latest
        ? CalendarData.parse(latest.body).years.filter((year) => !calendar.years.includes(year))
        : [];
      if (removed.length > 0) {
        throw new ApiFailure(409, {
          code: 'CALENDAR_YEAR_IN_USE',
          message: `Calendar ${calendar.id} is in use; it cannot drop ${removed.join(', ')}.`,
          fields: [{ path: 'years', code: 'YEAR_REMOVED' }],
        });
      }
    }
    if (latest && canonicalJson(latest.body) === canonicalJson(calendar))
      return calendarRevisionOf(latest);
    const row = await insertRevision(
      tx,
      'work_calendars',
      calendar.id,
      (latest?.revision ?? 0) + 1,
      calendar,
      savedBy,
      stamp,
    );
    return calendarRevisionOf(row);
  });
}

/** Makes a policy and a calendar (by default the one the policy names) the active pair. */
export async function chooseDeadlineRules(
  db: Db,
  chosenBy: string | null,
  choice: ChooseDeadlineRules,
  /** The administrator's workstation, for admin_history (none for system defaults). */
  clientId: string | null = null,
): Promise<DeadlineRules> {
  return db.transaction(async (tx) => {
    const stamp = await nextVersion(tx);
    const previous = await tx.query<{ policy_id: string; calendar_id: string }>(
      'select policy_id, calendar_id from deadline_rules_choice',
    );
    const policyRow = await latestRevision(tx, 'deadline_policies', choice.policyId);
    if (!policyRow) {
      throw invalid(`No policy ${choice.policyId}.`, { path: 'policyId', code: 'POLICY_UNKNOWN' });
    }
    const policy = DeadlinePolicy.parse(policyRow.body);
    const calendarId = choice.calendarId ?? policy.calendarId;
    const calendarRow = await latestRevision(tx, 'work_calendars', calendarId);
    if (!calendarRow) {
      throw invalid(`No calendar ${calendarId}.`, { path: 'calendarId', code: 'CALENDAR_UNKNOWN' });
    }
    const mismatch = sameZone(policy, CalendarData.parse(calendarRow.body), 'calendarId');
    if (mismatch) throw mismatch;
    await tx.query(
      `insert into deadline_rules_choice (id, policy_id, calendar_id, chosen_by, chosen_at, version)
       values (true, $1, $2, $3, $4, $5)
       on conflict (id) do update
         set policy_id = excluded.policy_id, calendar_id = excluded.calendar_id,
             chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at,
             version = excluded.version`,
      [choice.policyId, calendarId, chosenBy, stamp.now, stamp.version],
    );
    if (chosenBy) {
      await recordAdminChange(tx, {
        actor: { id: chosenBy, clientId },
        entity: 'deadline_rules',
        entityId: 'active',
        action: 'choose',
        before: previous.rows[0]
          ? { policyId: previous.rows[0].policy_id, calendarId: previous.rows[0].calendar_id }
          : null,
        after: { policyId: choice.policyId, calendarId },
      });
    }
    return (await readDeadlineRules(tx))!;
  });
}

/** The active pair with the latest revision of each, read in one statement. */
async function readDeadlineRules(db: Db): Promise<DeadlineRules | null> {
  const found = await db.query<{
    chosen_at: Date | string;
    choice_version: string | number;
    policy: RevisionRow;
    calendar: RevisionRow;
  }>(
    `select c.chosen_at, c.version as choice_version,
            to_jsonb(p) as policy, to_jsonb(k) as calendar
       from deadline_rules_choice c
       join lateral (select id, revision, body, saved_by, saved_at, version
                       from deadline_policies where id = c.policy_id
                      order by revision desc limit 1) p on true
       join lateral (select id, revision, body, saved_by, saved_at, version
                       from work_calendars where id = c.calendar_id
                      order by revision desc limit 1) k on true`,
  );
  const row = found.rows[0];
  if (!row) return null;
  const policy = policyRevisionOf(row.policy);
  const calendar = calendarRevisionOf(row.calendar);
  const versions = [row.choice_version, policy.version, calendar.version].map((v) => BigInt(v));
  const highest = versions.reduce((a, b) => (a > b ? a : b));
  return {
    version: String(highest),
    chosenAt: new Date(row.chosen_at).toISOString(),
    policy,
    calendar,
  };
}

/**
 * The rules in force as workstations receive them. A database nobody seeded gets the
 * shipped defaults on first use: the rules are system data, not demo data.
 */
export async function deadlineRules(db: Db): Promise<DeadlineRules> {
  const rules = await readDeadlineRules(db);
  if (rules) return rules;
  await seedReferenceData(db);
  return (await readDeadlineRules(db))!;
}

export interface ActiveDeadlineRules {
  policy: DeadlinePolicy;
  calendar: WorkCalendar;
  policyRevision: number;
  calendarRevision: number;
  /** Changes whenever either revision or the choice changes. */
  version: string;
}

/** The active policy and calendar, parsed and ready for the deadline engine. */
export async function activeDeadlineRules(db: Db): Promise<ActiveDeadlineRules> {
  const rules = await deadlineRules(db);
  return {
    policy: rules.policy.policy,
    calendar: createWorkCalendar(rules.calendar.calendar),
    policyRevision: rules.policy.revision,
    calendarRevision: rules.calendar.revision,
    version: rules.version,
  };
}

const SEED_LOCK_KEY = 4_010_006;

/**
 * Writes the shipped policies (CN CBIRC 2020, UK FCA DISP, US CFPB) and their calendars as
 * revision 1 where an id has none, and chooses CN CBIRC 2020 with its calendar when nothing
 * is chosen. Idempotent, and never overwrites what an administrator saved.
 */
export async function seedReferenceData(
  db: Db,
): Promise<{ policies: number; calendars: number; chose: boolean }> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    let stamp: { version: string; now: string } | null = null;
    const stampOnce = async () => (stamp ??= await nextVersion(tx));
    let calendars = 0;
    for (const calendar of Object.values(DEFAULT_CALENDARS).map((c) => c.data)) {
      if (await latestRevision(tx, 'work_calendars', calendar.id)) continue;
      await insertRevision(tx, 'work_calendars', calendar.id, 1, calendar, null, await stampOnce());
      calendars++;
    }
    let policies = 0;
    for (const policy of DEFAULT_POLICIES) {
      if (await latestRevision(tx, 'deadline_policies', policy.id)) continue;
      await insertRevision(tx, 'deadline_policies', policy.id, 1, policy, null, await stampOnce());
      policies++;
    }
    let chose = false;
    if (!(await currentChoice(tx))) {
      const { version, now } = await stampOnce();
      await tx.query(
        `insert into deadline_rules_choice (id, policy_id, calendar_id, chosen_by, chosen_at, version)
         values (true, $1, $2, null, $3, $4)`,
        [CN_CBIRC_2020.id, CN_CBIRC_2020.calendarId, now, version],
      );
      chose = true;
    }
    return { policies, calendars, chose };
  });
}

async function referenceList(db: Db, table: Table, activeId: string | undefined) {
  const found = await db.query<{
    id: string;
    revision: number;
    name: string | null;
    saved_at: Date | string;
  }>(
    `select distinct on (id) id, revision, body->>'name' as name, saved_at
       from ${table} order by id, revision desc`,
  );
  return {
    items: found.rows.map((row) => ({
      id: row.id,
      revision: Number(row.revision),
      name: row.name,
      savedAt: new Date(row.saved_at).toISOString(),
      active: row.id === activeId,
    })),
  };
}

const IdParams = z.object({ id: ReferenceId });
const failures = { 400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError };

export async function policiesRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db } = opts;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, opts.jwtSecret);
  const security = [{ bearerAuth: [] }];
  const admin = (request: Parameters<typeof signedInUser>[0]) => {
    const user = signedInUser(request);
    requireRole(user, 'admin');
    return user;
  };
  const notFound = (what: string, id: string) =>
    new ApiFailure(404, {
      code: `${what.toUpperCase()}_NOT_FOUND`,
      message: `No ${what} ${id}.`,
    });
  const idMismatch = (id: string, bodyId: string) =>
    invalid(`The body's id ${bodyId} is not the address's ${id}.`, {
      path: 'id',
      code: 'ID_MISMATCH',
    });

  routes.get(
    '/reference/deadline-rules',
    {
      onRequest,
      schema: {
        summary: 'The deadline policy and work calendar in force, for counting deadlines offline',
        tags: ['reference'],
        security,
        response: { 200: DeadlineRules, ...failures },
      },
    },
    async (request) => {
      signedInUser(request);
      return deadlineRules(db);
    },
  );

  routes.put(
    '/admin/deadline-rules',
    {
      onRequest,
      schema: {
        summary: 'Choose the policy and calendar in force (admins)',
        tags: ['reference', 'admin'],
        security,
        body: ChooseDeadlineRules,
        response: { 200: DeadlineRules, ...failures },
      },
    },
    async (request) => {
      const user = admin(request);
      await deadlineRules(db); // the defaults exist before anything is chosen among them
      return chooseDeadlineRules(db, user.id, request.body, user.clientId);
    },
  );

  routes.get(
    '/admin/policies',
    {
      onRequest,
      schema: {
        summary: 'Every deadline policy at its latest revision (admins)',
        tags: ['reference', 'admin'],
        security,
        response: { 200: ReferenceList, ...failures },
      },
    },
    async (request) => {
      admin(request);
      const rules = await deadlineRules(db);
      return referenceList(db, 'deadline_policies', rules.policy.id);
    },
  );

  routes.get(
    '/admin/policies/:id',
    {
      onRequest,
      schema: {
        summary: 'A deadline policy at its latest revision (admins)',
        tags: ['reference', 'admin'],
        security,
        params: IdParams,
        response: { 200: PolicyRevision, 404: ApiError, ...failures },
      },
    },
    async (request) => {
      admin(request);
      const row = await latestRevision(db, 'deadline_policies', request.params.id);
      if (!row) throw notFound('policy', request.params.id);
      return policyRevisionOf(row);
    },
  );

  routes.put(
    '/admin/policies/:id',
    {
      onRequest,
      schema: {
        summary: 'Save a deadline policy as its next revision (admins)',
        tags: ['reference', 'admin'],
        security,
        params: IdParams,
        body: DeadlinePolicy,
        response: { 200: PolicyRevision, ...failures },
      },
    },
    async (request) => {
      const user = admin(request);
      if (request.body.id !== request.params.id)
        throw idMismatch(request.params.id, request.body.id);
      await deadlineRules(db);
      return savePolicy(db, user.id, request.body);
    },
  );

  routes.get(
    '/admin/calendars',
    {
      onRequest,
      schema: {
        summary: 'Every work calendar at its latest revision (admins)',
        tags: ['reference', 'admin'],
        security,
        response: { 200: ReferenceList, ...failures },
      },
    },
    async (request) => {
      admin(request);
      const rules = await deadlineRules(db);
      return referenceList(db, 'work_calendars', rules.calendar.id);
    },
  );

  routes.get(
    '/admin/calendars/:id',
    {
      onRequest,
      schema: {
        summary: 'A work calendar at its latest revision (admins)',
        tags: ['reference', 'admin'],
        security,
        params: IdParams,
        response: { 200: CalendarRevision, 404: ApiError, ...failures },
      },
    },
    async (request) => {
      admin(request);
      const row = await latestRevision(db, 'work_calendars', request.params.id);
      if (!row) throw notFound('calendar', request.params.id);
      return calendarRevisionOf(row);
    },
  );

  routes.put(
    '/admin/calendars/:id',
    {
      onRequest,
      schema: {
        summary:
          'Save a work calendar as its next revision; the active one keeps its years (admins)',
        tags: ['reference', 'admin'],
        security,
        params: IdParams,
        body: CalendarData,
        response: { 200: CalendarRevision, 409: ApiError, ...failures },
      },
    },
    async (request) => {
      const user = admin(request);
      if (request.body.id !== request.params.id)
        throw idMismatch(request.params.id, request.body.id);
      await deadlineRules(db);
      return saveCalendar(db, user.id, request.body);
    },
  );
}
