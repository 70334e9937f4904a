// Knowledge base: articles and standard scripts (话术), administered and searchable in Chinese.
import type { FastifyInstance } from 'fastify';
import type { Db } from './db';

export async function knowledgeRoutes(
  _app: FastifyInstance,
  _opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {}
