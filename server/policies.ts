// Deadline policies and work calendars, administered here and synced to workstations.
import type { FastifyInstance } from 'fastify';
import type { Db } from './db';

export async function policiesRoutes(
  _app: FastifyInstance,
  _opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {}
