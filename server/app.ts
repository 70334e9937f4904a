// The central case API as a Fastify instance: zod schemas validate requests and responses
// and describe every route in the OpenAPI document at /openapi.json.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROTOCOL_VERSION, SERVER_TIME_HEADER } from '../shared/sync-protocol';
import { installErrorHandling } from './api-errors';
import { attachmentsRoutes } from './attachments';
import { authRoutes } from './auth';
import { customersRoutes } from './customers';
import type { Db } from './db';
import { knowledgeRoutes } from './knowledge';
import { peopleRoutes } from './people';
import { policiesRoutes } from './policies';
import { PokeHub, pokeRoutes } from './pokes';
import { syncRoutes } from './sync';

export interface ServerOptions {
  db: Db;
  jwtSecret: Uint8Array;
  logger?: boolean;
  /** Heartbeat period of the /sync/events streams (default 25 s). */
  sseHeartbeatMs?: number;
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  // A push may carry 500 mutations of up to 4000 CJK characters each.
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 16 * 1024 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  // Pokes: one LISTEN for this process, ended before the server stops listening so that a
  // graceful close does not wait for streams that never end by themselves.
  const pokes = new PokeHub(opts.db);
  app.addHook('preClose', async () => pokes.endStreams());
  app.addHook('onClose', async () => pokes.close());
  // The Date header has one-second resolution; workstations set their clock by this one.
  app.addHook('onSend', async (_request, reply) => {
    reply.header(SERVER_TIME_HEADER, new Date().toISOString());
  });

  // Registered first: its onRoute hook must see every route declared after it.
  void app.register(swagger, {
    openapi: {
      info: {
        title: 'Case Workstation central API',
        description: 'Cases, notes and sync for the complaint desk workstations.',
        version: `protocol ${PROTOCOL_VERSION}`,
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });

  void app.register(async (routes) => {
    routes.withTypeProvider<ZodTypeProvider>().get(
      '/health',
      {
        schema: {
          summary: 'Liveness, including a round trip to the database',
          tags: ['ops'],
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => {
        await opts.db.query('select 1');
        return { status: 'ok' as const };
      },
    );
    routes.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    await routes.register(authRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(syncRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(peopleRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(customersRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(knowledgeRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(policiesRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(attachmentsRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(pokeRoutes, {
      db: opts.db,
      jwtSecret: opts.jwtSecret,
      hub: pokes,
      heartbeatMs: opts.sseHeartbeatMs,
    });
  });

  return app;
}
