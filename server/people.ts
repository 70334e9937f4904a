// People and places: users, teams, branches, shifts and workstations, administered.
import type { FastifyInstance } from 'fastify';
import type { Db } from './db';

export async function peopleRoutes(
  _app: FastifyInstance,
  _opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {}
