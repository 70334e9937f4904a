// Customers (360): profiles with masked identifiers, segments, their cases; lookup.
import type { FastifyInstance } from 'fastify';
import type { Db } from './db';

export async function customersRoutes(
  _app: FastifyInstance,
  _opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {}
