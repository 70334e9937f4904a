// Attachments: photos and documents on cases, checked, stored durably, fetched lazily.
import type { FastifyInstance } from 'fastify';
import type { Db } from './db';

export async function attachmentsRoutes(
  _app: FastifyInstance,
  _opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {}
