// People and places: users, teams, branches, shifts and workstations, administered. Only
// administrators use these routes; leads will read shifts through `peopleOnShift`.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Role } from '../shared/domain';
import {
  BranchList,
  CreatePersonRequest,
  CreatePlaceRequest,
  CreateShiftRequest,
  PeopleList,
  PersonRecord,
  PlaceRecord,
  ShiftList,
  ShiftQuery,
  ShiftRecord,
  TeamList,
  UpdatePersonRequest,
  UpdatePlaceRequest,
  WorkstationList,
  WorkstationRecord,
} from '../shared/people';
import { ApiError } from '../shared/sync-protocol';
import { ApiFailure } from './api-errors';
import { requireRole, requireSignIn, revokeUserSessions, signedInUser } from './auth';
import type { Db } from './db';
import { recordAdminChange } from './admin-history';
import { hashPassword } from './passwords';
import { listWorkstations, revokeWorkstation } from './workstations';

type Timestamp = Date | string;
const iso = (value: Timestamp) => new Date(value).toISOString();

interface PersonRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  team_id: string | null;
  branch_id: string | null;
  active: boolean;
  created_at: Timestamp;
}
const PERSON_COLUMNS = 'id, username, display_name, role, team_id, branch_id, active, created_at';

const personRecord = (row: PersonRow): PersonRecord => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  teamId: row.team_id,
  branchId: row.branch_id,
  active: row.active,
  createdAt: iso(row.created_at),
});

interface ShiftRow {
  id: string;
  user_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
}
const shiftRecord = (row: ShiftRow): ShiftRecord => ({
  id: row.id,
  userId: row.user_id,
  startsAt: iso(row.starts_at),
  endsAt: iso(row.ends_at),
});

/**
 * The active staff on shift at `at` (a team's, when given): what round-robin or load-based
 * distribution of new cases chooses from.
 */
export async function peopleOnShift(db: Db, at: Date, teamId?: string): Promise<PersonRecord[]> {
  const rows = await db.query<PersonRow>(
    `select ${PERSON_COLUMNS} from users u
      where u.active and ($2::text is null or u.team_id = $2)
        and exists (select 1 from shifts s
                     where s.user_id = u.id and s.starts_at <= $1 and s.ends_at > $1)
      order by u.username`,
    [at.toISOString(), teamId ?? null],
  );
  return rows.rows.map(personRecord);
}

const invalid = (path: string, code: string, message: string) =>
  new ApiFailure(400, { code: 'VALIDATION', message, fields: [{ path, code }] });

const notFound = (code: string, message: string) => new ApiFailure(404, { code, message });

/** A unique constraint refused the row (SQLSTATE 23505). */
const isUniqueViolation = (error: unknown) =>
  (error as { code?: unknown } | null)?.code === '23505';

/**
 * Who may belong where: agents and leads work in a team (agents may also sit at a branch),
 * branch staff at a branch, administrators in neither (they handle no cases).
 */
async function checkPlacement(
  db: Db,
  person: { role: Role; teamId: string | null; branchId: string | null },
): Promise<void> {
  const { role, teamId, branchId } = person;
  if ((role === 'agent' || role === 'lead') && !teamId) {
    throw invalid('teamId', 'TEAM_REQUIRED', `A person of role ${role} needs a team.`);
  }
  if (role === 'branch' && !branchId) {
    throw invalid('branchId', 'BRANCH_REQUIRED', 'Branch staff need a branch.');
  }
  if (role === 'admin' && (teamId || branchId)) {
    throw invalid(
      teamId ? 'teamId' : 'branchId',
      'ADMIN_HAS_NO_PLACE',
      'Administrators belong to no team or branch.',
    );
  }
  if (teamId) {
    const team = await db.query('select 1 from teams where id = $1', [teamId]);
    if (team.rows.length === 0) throw invalid('teamId', 'TEAM_UNKNOWN', `No team ${teamId}.`);
  }
  if (branchId) {
    const branch = await db.query('select 1 from branches where id = $1', [branchId]);
    if (branch.rows.length === 0) {
      throw invalid('branchId', 'BRANCH_UNKNOWN', `No branch ${branchId}.`);
    }
  }
}

const failures = {
  400: ApiError,
  401: ApiError,
  403: ApiError,
  404: ApiError,
  409: ApiError,
  503: ApiError,
};

/** Who made an administrative change, from which workstation. */
function actorOf(request: FastifyRequest): { id: string; clientId: string } {
  const user = signedInUser(request);
  return { id: user.id, clientId: user.clientId };
}

export async function peopleRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db, jwtSecret } = opts;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const signIn = requireSignIn(db, jwtSecret);
  // Signed in, then an administrator: checked before any body is even validated.
  const onRequest = [
    signIn,
    async (request: Parameters<typeof signIn>[0]) => requireRole(signedInUser(request), 'admin'),
  ];
  const security = [{ bearerAuth: [] }];
  const tags = ['people'];

  // --- people -------------------------------------------------------------------------

  routes.get(
    '/admin/people',
    {
      onRequest,
      schema: {
        summary: 'Everyone who can sign in, or could',
        tags,
        security,
        response: { 200: PeopleList, ...failures },
      },
    },
    async () => {
      const rows = await db.query<PersonRow>(
        `select ${PERSON_COLUMNS} from users order by username`,
      );
      return { people: rows.rows.map(personRecord) };
    },
  );

  routes.post(
    '/admin/people',
    {
      onRequest,
      schema: {
        summary: 'Create a person with a first password',
        tags,
        security,
        body: CreatePersonRequest,
        response: { 201: PersonRecord, ...failures },
      },
    },
    async (request, reply) => {
      const person = request.body;
      await checkPlacement(db, person);
      const passwordHash = await hashPassword(person.password);
      try {
        const created = await db.transaction(async (tx) => {
          const rows = await tx.query<PersonRow>(
            `insert into users (id, username, display_name, role, team_id, branch_id, password_hash)
             values ($1, $2, $3, $4, $5, $6, $7) returning ${PERSON_COLUMNS}`,
            [
              `u-${randomUUID()}`,
              person.username,
              person.displayName,
              person.role,
              person.teamId,
              person.branchId,
              passwordHash,
            ],
          );
          const record = personRecord(rows.rows[0]!);
          await recordAdminChange(tx, {
            actor: actorOf(request),
            entity: 'person',
            entityId: record.id,
            action: 'create',
            before: null,
            after: record,
          });
          return record;
        });
        return reply.code(201).send(created);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new ApiFailure(409, {
          code: 'USERNAME_TAKEN',
          message: `The username ${person.username} is taken.`,
          fields: [{ path: 'username', code: 'USERNAME_TAKEN' }],
        });
      }
    },
  );

  routes.patch(
    '/admin/people/:userId',
    {
      onRequest,
      schema: {
        summary: 'Change a person: role, team, branch, name, active flag or password',
        description:
          'Disabling a person or resetting their password ends their sessions at once. ' +
          'The last active administrator cannot be disabled or given another role.',
        tags,
        security,
        params: z.object({ userId: z.string().min(1).max(100) }),
        body: UpdatePersonRequest,
        response: { 200: PersonRecord, ...failures },
      },
    },
    async (request) => {
      const { userId } = request.params;
      const update = request.body;
      const passwordHash = update.password ? await hashPassword(update.password) : null;
      const updated = await db.transaction(async (tx) => {
        const found = await tx.query<PersonRow>(
          `select ${PERSON_COLUMNS} from users where id = $1 for update`,
          [userId],
        );
        const current = found.rows[0];
        if (!current) throw notFound('PERSON_NOT_FOUND', `No person ${userId}.`);
        const next = {
          role: update.role ?? current.role,
          teamId: update.teamId !== undefined ? update.teamId : current.team_id,
          branchId: update.branchId !== undefined ? update.branchId : current.branch_id,
          active: update.active ?? current.active,
          displayName: update.displayName ?? current.display_name,
        };
        await checkPlacement(tx, next);
        if (current.role === 'admin' && current.active && (next.role !== 'admin' || !next.active)) {
          // Locks the administrators' rows so two demotions cannot both see the other.
          const others = await tx.query(
            `select 1 from users where role = 'admin' and active and id <> $1 for update`,
            [userId],
          );
          if (others.rows.length === 0) {
            throw new ApiFailure(409, {
              code: 'LAST_ADMIN',
              message: 'Someone must remain able to administer people.',
            });
          }
        }
        const rows = await tx.query<PersonRow>(
          `update users set role = $2, team_id = $3, branch_id = $4, active = $5,
                            display_name = $6, password_hash = coalesce($7, password_hash)
            where id = $1 returning ${PERSON_COLUMNS}`,
          [
            userId,
            next.role,
            next.teamId,
            next.branchId,
            next.active,
            next.displayName,
            passwordHash,
          ],
        );
        // Access tokens of a disabled person fail at the users check; refresh tokens too,
        // but a reset password must also end the sessions the old one opened. A move to
        // another role, team or branch ends them as well: the next sign-in is where their
        // workstation learns that its cached cases are the old scope's.
        const moved =
          next.role !== current.role ||
          next.teamId !== current.team_id ||
          next.branchId !== current.branch_id;
        if (!next.active || passwordHash || moved) await revokeUserSessions(tx, userId);
        await recordAdminChange(tx, {
          actor: actorOf(request),
          entity: 'person',
          entityId: userId,
          action: passwordHash ? 'update+password_reset' : 'update',
          before: personRecord(current),
          after: personRecord(rows.rows[0]!),
        });
        return rows.rows[0]!;
      });
      return personRecord(updated);
    },
  );

  // --- teams and branches ---------------------------------------------------------------

  for (const place of [
    { path: 'teams', table: 'teams', list: TeamList, one: 'team', code: 'TEAM' },
    { path: 'branches', table: 'branches', list: BranchList, one: 'branch', code: 'BRANCH' },
  ] as const) {
    routes.get(
      `/admin/${place.path}`,
      {
        onRequest,
        schema: {
          summary: `Every ${place.one}`,
          tags,
          security,
          response: { 200: place.list, ...failures },
        },
      },
      async () => {
        const rows = await db.query<PlaceRecord>(
          `select id, code, name from ${place.table} order by code`,
        );
        return { [place.path]: rows.rows } as z.infer<typeof place.list>;
      },
    );

    routes.post(
      `/admin/${place.path}`,
      {
        onRequest,
        schema: {
          summary: `Create a ${place.one}; its code starts the case numbers minted there`,
          tags,
          security,
          body: CreatePlaceRequest,
          response: { 201: PlaceRecord, ...failures },
        },
      },
      async (request, reply) => {
        try {
          const created = await db.transaction(async (tx) => {
            const rows = await tx.query<PlaceRecord>(
              `insert into ${place.table} (id, code, name) values ($1, $2, $3)
               returning id, code, name`,
              [`${place.one}-${randomUUID()}`, request.body.code, request.body.name],
            );
            const row = rows.rows[0]!;
            await recordAdminChange(tx, {
              actor: actorOf(request),
              entity: place.one,
              entityId: row.id,
              action: 'create',
              before: null,
              after: row,
            });
            return row;
          });
          return reply.code(201).send(created);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          throw new ApiFailure(409, {
            code: `${place.code}_CODE_TAKEN`,
            message: `The ${place.one} code ${request.body.code} is taken.`,
            fields: [{ path: 'code', code: `${place.code}_CODE_TAKEN` }],
          });
        }
      },
    );

    routes.patch(
      `/admin/${place.path}/:id`,
      {
        onRequest,
        schema: {
          summary: `Rename a ${place.one} (its code stays: case numbers carry it)`,
          tags,
          security,
          params: z.object({ id: z.string().min(1).max(100) }),
          body: UpdatePlaceRequest,
          response: { 200: PlaceRecord, ...failures },
        },
      },
      async (request) =>
        db.transaction(async (tx) => {
          const before = await tx.query<PlaceRecord>(
            `select id, code, name from ${place.table} where id = $1 for update`,
            [request.params.id],
          );
          if (!before.rows[0])
            throw notFound(`${place.code}_NOT_FOUND`, `No ${place.one} ${request.params.id}.`);
          const rows = await tx.query<PlaceRecord>(
            `update ${place.table} set name = $2 where id = $1 returning id, code, name`,
            [request.params.id, request.body.name],
          );
          await recordAdminChange(tx, {
            actor: actorOf(request),
            entity: place.one,
            entityId: request.params.id,
            action: 'rename',
            before: before.rows[0],
            after: rows.rows[0],
          });
          return rows.rows[0]!;
        }),
    );
  }

  // --- shifts -------------------------------------------------------------------------

  routes.get(
    '/admin/shifts',
    {
      onRequest,
      schema: {
        summary: 'Shifts overlapping a period, of one person or of everyone',
        tags,
        security,
        querystring: ShiftQuery,
        response: { 200: ShiftList, ...failures },
      },
    },
    async (request) => {
      const { userId, from, to } = request.query;
      const rows = await db.query<ShiftRow>(
        `select id, user_id, starts_at, ends_at from shifts
          where ($1::text is null or user_id = $1)
            and ($2::timestamptz is null or ends_at > $2)
            and ($3::timestamptz is null or starts_at < $3)
          order by starts_at, user_id
          limit 5000`,
        [userId ?? null, from ?? null, to ?? null],
      );
      return { shifts: rows.rows.map(shiftRecord) };
    },
  );

  routes.post(
    '/admin/shifts',
    {
      onRequest,
      schema: {
        summary: 'Put a person on shift for an interval (at most 24 hours, no overlap)',
        tags,
        security,
        body: CreateShiftRequest,
        response: { 201: ShiftRecord, ...failures },
      },
    },
    async (request, reply) => {
      const { userId, startsAt, endsAt } = request.body;
      const row = await db.transaction(async (tx) => {
        // The person's row locked: two overlapping shifts cannot slip in together.
        const person = await tx.query<{ role: Role; active: boolean }>(
          'select role, active from users where id = $1 for update',
          [userId],
        );
        const found = person.rows[0];
        if (!found) throw invalid('userId', 'PERSON_UNKNOWN', `No person ${userId}.`);
        if (found.role === 'admin') {
          throw invalid('userId', 'ADMIN_HAS_NO_SHIFTS', 'Administrators take no cases.');
        }
        const overlap = await tx.query(
          `select 1 from shifts where user_id = $1 and starts_at < $3 and ends_at > $2 limit 1`,
          [userId, startsAt, endsAt],
        );
        if (overlap.rows.length > 0) {
          throw new ApiFailure(409, {
            code: 'SHIFT_OVERLAPS',
            message: 'This person already has a shift in that interval.',
          });
        }
        const inserted = await tx.query<ShiftRow>(
          `insert into shifts (id, user_id, starts_at, ends_at) values ($1, $2, $3, $4)
           returning id, user_id, starts_at, ends_at`,
          [randomUUID(), userId, startsAt, endsAt],
        );
        await recordAdminChange(tx, {
          actor: actorOf(request),
          entity: 'shift',
          entityId: inserted.rows[0]!.id,
          action: 'create',
          before: null,
          after: shiftRecord(inserted.rows[0]!),
        });
        return inserted.rows[0]!;
      });
      return reply.code(201).send(shiftRecord(row));
    },
  );

  routes.delete(
    '/admin/shifts/:shiftId',
    {
      onRequest,
      schema: {
        summary: 'Remove a shift',
        tags,
        security,
        params: z.object({ shiftId: z.uuid() }),
        response: { 204: z.null().describe('Removed'), ...failures },
      },
    },
    async (request, reply) => {
      await db.transaction(async (tx) => {
        const rows = await tx.query<ShiftRow>(
          'delete from shifts where id = $1 returning id, user_id, starts_at, ends_at',
          [request.params.shiftId],
        );
        if (rows.rows.length === 0) throw notFound('SHIFT_NOT_FOUND', 'No such shift.');
        await recordAdminChange(tx, {
          actor: actorOf(request),
          entity: 'shift',
          entityId: request.params.shiftId,
          action: 'delete',
          before: shiftRecord(rows.rows[0]!),
          after: null,
        });
      });
      return reply.code(204).send(null);
    },
  );

  // --- workstations -------------------------------------------------------------------

  routes.get(
    '/admin/workstations',
    {
      onRequest,
      schema: {
        summary: 'Every workstation that has signed in, revoked ones included',
        tags,
        security,
        response: { 200: WorkstationList, ...failures },
      },
    },
    async () => ({ workstations: await listWorkstations(db) }),
  );

  routes.post(
    '/admin/workstations/:clientId/revoke',
    {
      onRequest,
      schema: {
        summary: 'Revoke a workstation: it is refused everything and told to wipe its cache',
        tags,
        security,
        params: z.object({ clientId: z.uuid() }),
        response: { 200: WorkstationRecord, ...failures },
      },
    },
    async (request) => {
      const revoked = await revokeWorkstation(db, request.params.clientId, actorOf(request));
      if (!revoked) throw notFound('WORKSTATION_NOT_FOUND', 'No workstation with that client id.');
      return revoked;
    },
  );
}
