// Sign-in with scrypt passwords; sessions as a short-lived HS256 access token (jose) naming
// the user, the workstation and the refresh family, plus an opaque refresh token rotated on
// every use; and the hook that turns a Bearer token back into the signed-in user.
//
// Why a family: a sign-in starts one, each refresh replaces its token by a new one of the
// same family. A refresh token presented a second time was copied (the rightful holder
// already got its successor), so the whole family is revoked, access tokens included.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Role } from '../shared/domain';
import {
  AccountLockedError,
  ApiError,
  RefreshRequest,
  SignInRequest,
  SignInResponse,
  UserProfile,
  WORKSTATION_REVOKED,
} from '../shared/sync-protocol';
import { ApiFailure, unauthenticated } from './api-errors';
import type { Db } from './db';
import { UNKNOWN_USER_HASH, verifyPassword } from './passwords';
import { registerWorkstation } from './workstations';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;
/** Failed sign-ins for one username within the window that lock it, and for how long. */
export const LOCKOUT = { failures: 5, windowMinutes: 15, lockMinutes: 15 } as const;
/** Sign-in attempts from one address per minute beyond which it is answered 429. */
export const SIGN_IN_ATTEMPTS_PER_IP_MINUTE = 30;
/**
 * Addresses the per-address limit does not apply to (comma-separated; empty: none). Loopback
 * by default: the desktop's embedded API and the tests sign everyone in from it. Behind a
 * reverse proxy on the same host, set Fastify's trustProxy or empty this, or no address is
 * ever limited. The per-username lockout applies everywhere.
 */
export const RATE_LIMIT_EXEMPT_IPS = new Set(
  (process.env.SIGN_IN_RATE_LIMIT_EXEMPT_IPS ?? '127.0.0.1,::1,::ffff:127.0.0.1')
    .split(',')
    .map((ip) => ip.trim())
    .filter((ip) => ip.length > 0),
);
/** Advisory lock class of the per-address attempt counter (any constant of ours). */
const IP_LOCK_CLASS = 4_010_002;

export interface SignedInUser extends UserProfile {
  /** The workstation the token was issued to. */
  clientId: string;
  tokenId: string;
  tokenExpiresAt: number;
  /** The refresh family of this session; absent in tokens of servers before families. */
  familyId: string | null;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  team_id: string | null;
  branch_id: string | null;
}

const USER_COLUMNS = 'u.id, u.username, u.display_name, u.role, u.team_id, u.branch_id';

export function userProfile(row: UserRow): UserProfile {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    teamId: row.team_id,
    branchId: row.branch_id,
  };
}

const TokenClaims = z.object({
  sub: z.string().min(1),
  cid: z.uuid(),
  jti: z.uuid(),
  exp: z.number(),
  fam: z.uuid().optional(),
});

const signedIn = new WeakMap<FastifyRequest, SignedInUser>();

/** The user the auth hook found for this request; routes without the hook have none. */
export function signedInUser(request: FastifyRequest): SignedInUser {
  const user = signedIn.get(request);
  if (!user) throw unauthenticated();
  return user;
}

export const workstationRevoked = () =>
  new ApiFailure(403, {
    code: WORKSTATION_REVOKED,
    message: 'This workstation has been revoked; its local data must be wiped.',
  });

/**
 * An onRequest hook: runs before body validation so that strangers learn nothing from it.
 * Role, team, branch and the active flag come from the users table, not the token, so that
 * a changed role or a disabled account counts at once; so do the workstation's revocation
 * and the session's (sign-out, a reused refresh token).
 */
export function requireSignIn(db: Db, jwtSecret: Uint8Array) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw unauthenticated();
    let claims: z.infer<typeof TokenClaims>;
    try {
      const { payload } = await jwtVerify(token, jwtSecret, { algorithms: ['HS256'] });
      claims = TokenClaims.parse(payload);
    } catch {
      throw unauthenticated('The session token is invalid or expired; sign in again.');
    }
    const found = await db.query<
      UserRow & {
        active: boolean;
        revoked: boolean;
        family_revoked: boolean;
        workstation_revoked: boolean;
      }
    >(
      `select ${USER_COLUMNS}, u.active,
              exists (select 1 from revoked_tokens r where r.jti = $2) as revoked,
              exists (select 1 from refresh_tokens f
                       where f.family_id = $3 and f.revoked_at is not null) as family_revoked,
              exists (select 1 from workstations w
                       where w.client_id = $4 and w.revoked_at is not null) as workstation_revoked
         from users u where u.id = $1`,
      [claims.sub, claims.jti, claims.fam ?? null, claims.cid],
    );
    const row = found.rows[0];
    if (row?.workstation_revoked) throw workstationRevoked();
    if (!row || !row.active || row.revoked || row.family_revoked) {
      throw unauthenticated('The session has ended; sign in again.');
    }
    signedIn.set(request, {
      ...userProfile(row),
      clientId: claims.cid,
      tokenId: claims.jti,
      tokenExpiresAt: claims.exp,
      familyId: claims.fam ?? null,
    });
  };
}

/** 403 FORBIDDEN unless the signed-in user holds one of these roles. */
export function requireRole(user: SignedInUser, ...roles: Role[]): void {
  if (!roles.includes(user.role)) {
    throw new ApiFailure(403, {
      code: 'FORBIDDEN',
      message: `This needs the role ${roles.join(' or ')}; you are ${user.role}.`,
    });
  }
}

/** Refresh tokens are stored as their sha256 only: a leaked table signs nobody in. */
export const refreshTokenHash = (token: string) =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** Revokes every refresh token of the family, and with it the family's access tokens. */
export async function revokeRefreshFamily(db: Db, familyId: string): Promise<void> {
  await db.query(
    'update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null',
    [familyId],
  );
}

/** Ends every session of a user (account disabled, password reset). */
export async function revokeUserSessions(db: Db, userId: string): Promise<void> {
  await db.query(
    'update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null',
    [userId],
  );
}

interface IssuedSession {
  token: string;
  refreshToken: string;
  tokenExpiresAt: string;
}

/** A new access token and refresh token of the family (a new family at sign-in). */
async function issueSession(
  db: Db,
  jwtSecret: Uint8Array,
  user: UserRow,
  clientId: string,
  familyId: string,
): Promise<IssuedSession> {
  const refreshToken = randomBytes(32).toString('base64url');
  await db.query(
    `insert into refresh_tokens (token_hash, family_id, user_id, client_id, expires_at)
     values ($1, $2, $3, $4, now() + make_interval(days => $5))`,
    [refreshTokenHash(refreshToken), familyId, user.id, clientId, REFRESH_TOKEN_DAYS],
  );
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN_SECONDS;
  const token = await new SignJWT({ role: user.role, cid: clientId, fam: familyId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(jwtSecret);
  return { token, refreshToken, tokenExpiresAt: new Date(expiresAt * 1000).toISOString() };
}

type SignInOutcome =
  | 'success'
  | 'bad_password'
  | 'unknown_user'
  | 'locked'
  | 'rate_limited'
  | 'disabled'
  | 'workstation_revoked';

interface SignInAttempt {
  username: string;
  password: string;
  clientId: string;
  ip: string;
}

type SignInVerdict =
  | { outcome: 'success'; user: UserRow & { team_code: string | null; branch_code: string | null } }
  | { outcome: 'locked'; lockedUntil: string }
  | { outcome: Exclude<SignInOutcome, 'success' | 'locked'> };

type SignInUserRow = UserRow & {
  password_hash: string;
  active: boolean;
  team_code: string | null;
  branch_code: string | null;
};

/**
 * Judges one sign-in attempt in one transaction, holding the address's counter lock and the
 * username's guard row, so that every API process counts the same attempts; writes the
 * audit row whatever the verdict. Never throws for a refusal: the audit row must commit.
 */
async function judgeSignIn(
  db: Db,
  attempt: SignInAttempt,
  exemptIps: ReadonlySet<string>,
): Promise<SignInVerdict> {
  return db.transaction(async (tx) => {
    const audit = async (outcome: SignInOutcome, userId: string | null) => {
      await tx.query(
        `insert into sign_in_audit (username, user_id, client_id, ip, outcome)
         values ($1, $2, $3, $4, $5)`,
        [attempt.username, userId, attempt.clientId, attempt.ip, outcome],
      );
    };
    if (!exemptIps.has(attempt.ip)) {
      // Held until commit: another process's attempt from this address waits for our audit row.
      await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [IP_LOCK_CLASS, attempt.ip]);
      const recent = await tx.query<{ n: string | number }>(
        `select count(*) as n from sign_in_audit
          where ip = $1 and at > now() - interval '1 minute'`,
        [attempt.ip],
      );
      if (Number(recent.rows[0]!.n) >= SIGN_IN_ATTEMPTS_PER_IP_MINUTE) {
        await audit('rate_limited', null);
        return { outcome: 'rate_limited' };
      }
    }

    const found = await tx.query<SignInUserRow>(
      `select ${USER_COLUMNS}, u.password_hash, u.active,
              t.code as team_code, b.code as branch_code
         from users u
         left join teams t on t.id = u.team_id
         left join branches b on b.id = u.branch_id
        where u.username = $1`,
      [attempt.username],
    );
    const user = found.rows[0];
    const revoked = await tx.query(
      'select 1 from workstations where client_id = $1 and revoked_at is not null',
      [attempt.clientId],
    );
    if (revoked.rows.length > 0) {
      await audit('workstation_revoked', user?.id ?? null);
      return { outcome: 'workstation_revoked' };
    }

    // The guard row, locked until commit: attempts on one name are judged one at a time.
    const guard = await tx.query<{
      failures: number;
      window_started_at: Date | string | null;
      locked_until: Date | string | null;
      locked_now: boolean;
      window_open: boolean;
    }>(
      `insert into sign_in_guards (username) values ($1)
       on conflict (username) do update set username = excluded.username
       returning failures, window_started_at, locked_until,
                 coalesce(locked_until > now(), false) as locked_now,
                 coalesce(window_started_at > now() - make_interval(mins => $2), false)
                   as window_open`,
      [attempt.username, LOCKOUT.windowMinutes],
    );
    const state = guard.rows[0]!;
    if (state.locked_now) {
      await audit('locked', user?.id ?? null);
      return { outcome: 'locked', lockedUntil: new Date(state.locked_until!).toISOString() };
    }

    const passwordOk = await verifyPassword(
      attempt.password,
      user?.password_hash ?? UNKNOWN_USER_HASH,
    );
    if (!user || !passwordOk) {
      const failures = (state.window_open ? state.failures : 0) + 1;
      const locks = failures >= LOCKOUT.failures;
      const updated = await tx.query<{ locked_until: Date | string | null }>(
        `update sign_in_guards
            set failures = $2,
                window_started_at = case when $3 then window_started_at else now() end,
                locked_until = case when $4 then now() + make_interval(mins => $5)
                                    else locked_until end
          where username = $1
          returning locked_until`,
        [attempt.username, locks ? 0 : failures, state.window_open, locks, LOCKOUT.lockMinutes],
      );
      await audit(user ? 'bad_password' : 'unknown_user', user?.id ?? null);
      // The attempt that locks the account is told so; the earlier ones are not.
      if (locks) {
        return {
          outcome: 'locked',
          lockedUntil: new Date(updated.rows[0]!.locked_until!).toISOString(),
        };
      }
      return { outcome: user ? 'bad_password' : 'unknown_user' };
    }
    if (!user.active) {
      await audit('disabled', user.id);
      return { outcome: 'disabled' };
    }
    await tx.query(
      `update sign_in_guards set failures = 0, window_started_at = null where username = $1`,
      [attempt.username],
    );
    await audit('success', user.id);
    return { outcome: 'success', user };
  });
}

function refusal(verdict: Exclude<SignInVerdict, { outcome: 'success' }>): ApiFailure {
  switch (verdict.outcome) {
    case 'locked':
      return new ApiFailure(423, {
        code: 'ACCOUNT_LOCKED',
        message: `Too many failed sign-ins; the account is locked until ${verdict.lockedUntil}.`,
        lockedUntil: verdict.lockedUntil,
      });
    case 'rate_limited':
      return new ApiFailure(429, {
        code: 'RATE_LIMITED',
        message: 'Too many sign-in attempts from this address; wait a minute.',
      });
    case 'workstation_revoked':
      return workstationRevoked();
    case 'disabled':
      return new ApiFailure(403, {
        code: 'ACCOUNT_DISABLED',
        message: 'This account has been disabled; ask an administrator.',
      });
    case 'bad_password':
    case 'unknown_user':
      return new ApiFailure(401, {
        code: 'BAD_CREDENTIALS',
        message: 'Unknown username or wrong password.',
      });
  }
}

const errorResponses = {
  400: ApiError,
  401: ApiError,
  403: ApiError,
  423: AccountLockedError,
  429: ApiError,
  503: ApiError,
};

export async function authRoutes(
  app: FastifyInstance,
  opts: {
    db: Db;
    jwtSecret: Uint8Array;
    /** Addresses without the per-address sign-in limit; RATE_LIMIT_EXEMPT_IPS by default. */
    rateLimitExemptIps?: ReadonlySet<string>;
  },
): Promise<void> {
  const { db, jwtSecret } = opts;
  const exemptIps = opts.rateLimitExemptIps ?? RATE_LIMIT_EXEMPT_IPS;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, jwtSecret);

  routes.post(
    '/auth/sign-in',
    {
      schema: {
        summary: 'Sign in on a workstation; registers the workstation at its first sign-in',
        description:
          '5 failed attempts for a username within 15 minutes lock it for 15 minutes (423); ' +
          'more than 30 attempts a minute from one address answer 429. Every attempt is audited.',
        tags: ['auth'],
        body: SignInRequest,
        response: { 200: SignInResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { username, password, clientId } = request.body;
      const attempt = { username, password, clientId, ip: request.ip };
      const verdict = await judgeSignIn(db, attempt, exemptIps);
      if (verdict.outcome !== 'success') throw refusal(verdict);
      const { user } = verdict;
      const workstationCode = await registerWorkstation(db, clientId, user.id, {
        branchCode: user.branch_code,
        teamCode: user.team_code,
      });
      const session = await issueSession(db, jwtSecret, user, clientId, randomUUID());
      return { ...session, user: userProfile(user), workstationCode };
    },
  );

  routes.post(
    '/auth/refresh',
    {
      schema: {
        summary: 'Exchange a refresh token for a new access token and refresh token',
        description:
          'Each refresh token works once. Presenting a used one revokes its whole family: ' +
          'every session token that sign-in led to.',
        tags: ['auth'],
        body: RefreshRequest,
        response: {
          200: SignInResponse,
          400: ApiError,
          401: ApiError,
          403: ApiError,
          503: ApiError,
        },
      },
    },
    async (request) => {
      const { refreshToken, clientId } = request.body;
      const ended = unauthenticated('The session has ended; sign in again.');
      // Decided in a transaction with the token row locked: two refreshes of one token
      // cannot both succeed. Refusals are returned, not thrown, so revocations commit.
      const outcome = await db.transaction(async (tx) => {
        const found = await tx.query<{
          family_id: string;
          user_id: string;
          client_id: string;
          used: boolean;
          expired: boolean;
          family_revoked: boolean;
        }>(
          `select t.family_id, t.user_id, t.client_id, t.used_at is not null as used,
                  t.expires_at <= now() as expired,
                  exists (select 1 from refresh_tokens f
                           where f.family_id = t.family_id and f.revoked_at is not null)
                    as family_revoked
             from refresh_tokens t where t.token_hash = $1 for update`,
          [refreshTokenHash(refreshToken)],
        );
        const row = found.rows[0];
        if (!row) return { refused: ended };
        const workstation = await tx.query(
          'select 1 from workstations where client_id = $1 and revoked_at is not null',
          [row.client_id],
        );
        if (workstation.rows.length > 0) return { refused: workstationRevoked() };
        if (row.client_id !== clientId) {
          // A token carried to another install is as good as stolen.
          await revokeRefreshFamily(tx, row.family_id);
          return { refused: ended };
        }
        if (row.used) {
          await revokeRefreshFamily(tx, row.family_id);
          return {
            refused: unauthenticated('This session was used elsewhere and has been ended.'),
          };
        }
        if (row.expired || row.family_revoked) return { refused: ended };
        const users = await tx.query<SignInUserRow>(
          `select ${USER_COLUMNS}, u.password_hash, u.active,
                  t.code as team_code, b.code as branch_code
             from users u
             left join teams t on t.id = u.team_id
             left join branches b on b.id = u.branch_id
            where u.id = $1`,
          [row.user_id],
        );
        const user = users.rows[0];
        if (!user?.active) return { refused: ended };
        await tx.query('update refresh_tokens set used_at = now() where token_hash = $1', [
          refreshTokenHash(refreshToken),
        ]);
        const session = await issueSession(tx, jwtSecret, user, clientId, row.family_id);
        const code = await tx.query<{ code: string; site_code: string }>(
          'select code, site_code from workstations where client_id = $1',
          [clientId],
        );
        const workstationCode = code.rows[0]
          ? code.rows[0].site_code + code.rows[0].code
          : await registerWorkstation(tx, clientId, user.id, {
              branchCode: user.branch_code,
              teamCode: user.team_code,
            });
        return { answer: { ...session, user: userProfile(user), workstationCode } };
      });
      if ('refused' in outcome) throw outcome.refused;
      return outcome.answer;
    },
  );

  routes.post(
    '/auth/sign-out',
    {
      onRequest,
      schema: {
        summary: 'End this session: its access token and its refresh family',
        tags: ['auth'],
        security: [{ bearerAuth: [] }],
        response: {
          204: z.null().describe('Signed out'),
          401: ApiError,
          403: ApiError,
          503: ApiError,
        },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      await db.transaction(async (tx) => {
        // Revocations only matter until the token would expire; old ones are swept here.
        await tx.query('delete from revoked_tokens where expires_at < now()');
        await tx.query(
          `insert into revoked_tokens (jti, expires_at) values ($1, to_timestamp($2))
           on conflict (jti) do nothing`,
          [user.tokenId, user.tokenExpiresAt],
        );
        if (user.familyId) await revokeRefreshFamily(tx, user.familyId);
      });
      return reply.code(204).send(null);
    },
  );

  routes.get(
    '/me',
    {
      onRequest,
      schema: {
        summary: 'The signed-in user',
        tags: ['auth'],
        security: [{ bearerAuth: [] }],
        response: { 200: UserProfile, 401: ApiError, 403: ApiError, 503: ApiError },
      },
    },
    async (request) => UserProfile.parse(signedInUser(request)),
  );
}
