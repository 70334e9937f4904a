// Sign-in with scrypt passwords, HS256 tokens (jose) that name the user and the workstation,
// and the hook that turns a Bearer token back into the signed-in user on every request.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Role } from '../shared/domain';
import { ApiError, SignInRequest, SignInResponse, UserProfile } from '../shared/sync-protocol';
import { ApiFailure, unauthenticated } from './api-errors';
import type { Db } from './db';
import { UNKNOWN_USER_HASH, verifyPassword } from './passwords';
import { registerWorkstation } from './workstations';

const TOKEN_LIFETIME = '12h';

export interface SignedInUser extends UserProfile {
  /** The workstation the token was issued to. */
  clientId: string;
  tokenId: string;
  tokenExpiresAt: number;
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
});

const signedIn = new WeakMap<FastifyRequest, SignedInUser>();

/** The user the auth hook found for this request; routes without the hook have none. */
export function signedInUser(request: FastifyRequest): SignedInUser {
  const user = signedIn.get(request);
  if (!user) throw unauthenticated();
  return user;
}

/**
 * An onRequest hook: runs before body validation so that strangers learn nothing from it.
 * Role, team and branch come from the users table, not the token, so that a changed role
 * counts at once.
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
    const found = await db.query<UserRow & { revoked: boolean }>(
      `select ${USER_COLUMNS},
              exists (select 1 from revoked_tokens r where r.jti = $2) as revoked
         from users u where u.id = $1`,
      [claims.sub, claims.jti],
    );
    const row = found.rows[0];
    if (!row || row.revoked) throw unauthenticated('The session has ended; sign in again.');
    signedIn.set(request, {
      ...userProfile(row),
      clientId: claims.cid,
      tokenId: claims.jti,
      tokenExpiresAt: claims.exp,
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

const errorResponses = { 400: ApiError, 401: ApiError, 503: ApiError };

export async function authRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db, jwtSecret } = opts;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, jwtSecret);

  routes.post(
    '/auth/sign-in',
    {
      schema: {
        summary: 'Sign in on a workstation; registers the workstation at its first sign-in',
        tags: ['auth'],
        body: SignInRequest,
        response: { 200: SignInResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { username, password, clientId } = request.body;
      const found = await db.query<
        UserRow & { password_hash: string; team_code: string | null; branch_code: string | null }
      >(
        `select ${USER_COLUMNS}, u.password_hash, t.code as team_code, b.code as branch_code
           from users u
           left join teams t on t.id = u.team_id
           left join branches b on b.id = u.branch_id
          where u.username = $1`,
        [username],
      );
      const row = found.rows[0];
      const passwordOk = await verifyPassword(password, row?.password_hash ?? UNKNOWN_USER_HASH);
      if (!row || !passwordOk) {
        throw new ApiFailure(401, {
          code: 'BAD_CREDENTIALS',
          message: 'Unknown username or wrong password.',
        });
      }
      const workstationCode = await registerWorkstation(db, clientId, row.id, {
        branchCode: row.branch_code,
        teamCode: row.team_code,
      });
      const token = await new SignJWT({ role: row.role, cid: clientId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(row.id)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(TOKEN_LIFETIME)
        .sign(jwtSecret);
      return { token, user: userProfile(row), workstationCode };
    },
  );

  routes.post(
    '/auth/sign-out',
    {
      onRequest,
      schema: {
        summary: 'End this token’s session',
        tags: ['auth'],
        security: [{ bearerAuth: [] }],
        response: { 204: z.null().describe('Signed out'), 401: ApiError, 503: ApiError },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      // Revocations only matter until the token would expire; old ones are swept here.
      await db.query('delete from revoked_tokens where expires_at < now()');
      await db.query(
        `insert into revoked_tokens (jti, expires_at) values ($1, to_timestamp($2))
         on conflict (jti) do nothing`,
        [user.tokenId, user.tokenExpiresAt],
      );
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
        response: { 200: UserProfile, 401: ApiError, 503: ApiError },
      },
    },
    async (request) => UserProfile.parse(signedInUser(request)),
  );
}
