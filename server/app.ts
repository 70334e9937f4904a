// The central case API as a Fastify instance: zod schemas validate requests and responses
// and describe every route in the OpenAPI document at /openapi.json.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, PROTOCOL_VERSION, SERVER_TIME_HEADER } from '../shared/sync-protocol';
import { installErrorHandling } from './api-errors';
import { attachmentsRoutes } from './attachments';
import { authRoutes } from './auth';
import { caseSearchRoutes } from './case-search';
import { customersRoutes } from './customers';
import type { Db } from './db';
import { knowledgeRoutes } from './knowledge';
import { MIGRATIONS_DIR } from './migrations';
import { peopleRoutes } from './people';
import { policiesRoutes } from './policies';
import { PokeHub, pokeRoutes } from './pokes';
import { syncRoutes } from './sync';

export interface LogSettings {
  level: string;
  /** Where the JSON lines go (stdout by default); tests capture them here. */
  stream?: { write(line: string): void };
}

export interface ServerOptions {
  db: Db;
  jwtSecret: Uint8Array;
  /** false (default): no logs; true: info to stdout; or a level and a stream. */
  logger?: boolean | LogSettings;
  /** Heartbeat period of the /sync/events streams (default 25 s). */
  sseHeartbeatMs?: number;
  /** The migrations /ready expects applied (default: server/migrations). */
  migrationsDir?: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';
/** An incoming request id is kept only if it is a short, plain token (no log injection). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * A URL as it may be logged: query values dropped (`/customers/lookup?phone=` carries a
 * phone number) and long digit runs in the path masked (an account or ID number as a path
 * parameter). Keys stay, so the log still says what was asked.
 */
export function loggableUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const maskedPath = path.replace(/\d{6,}/g, (digits) => '*'.repeat(digits.length));
  if (query === undefined) return maskedPath;
  const keys = query
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=', 1)[0]!.replace(/[^\w.[\]-]/g, '_')}=`);
  return `${maskedPath}?${keys.join('&')}`;
}

/** Quoted values and `(column)=(value)` pairs, as PostgreSQL puts input into its messages. */
const QUOTED_VALUES = /"[^"]*"|'[^']*'|\)=\([^)]*\)/g;
const scrub = (text: string) =>
  text
    .replace(QUOTED_VALUES, (match) =>
      match.startsWith(')') ? ')=(…)' : `${match[0]}…${match[0]}`,
    )
    .replace(/\d{6,}/g, (digits) => '*'.repeat(digits.length));

/**
 * An error as it may be logged: its kind, code and where it happened, without the values a
 * database error quotes (`invalid input syntax for type uuid: "…"`, `Key (phone)=(…)`), long
 * digit runs masked, and without pg's `detail`, `where` and query parameters.
 */
export function loggableError(error: unknown): {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
} {
  if (!(error instanceof Error)) return { type: typeof error, message: '', stack: '' };
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return {
    type: error.name,
    ...(code !== undefined ? { code } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
    message: scrub(error.message),
    stack: scrub(error.stack ?? ''),
  };
}

/**
 * pino through Fastify: JSON lines with the request id. Personal data stays out: bodies are
 * never logged, URLs lose their query values, errors the values they quote, and credentials
 * and cookies are redacted should a header object ever be logged.
 */
function loggerOptions(logger: ServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const settings: LogSettings = logger === true ? { level: 'info' } : logger;
  return {
    level: settings.level,
    ...(settings.stream ? { stream: settings.stream } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'request.headers.authorization',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (request: {
        method: string;
        url: string;
        ip?: string;
        socket?: { remoteAddress?: string };
      }) => ({
        method: request.method,
        url: loggableUrl(request.url),
        remoteAddress: request.ip ?? request.socket?.remoteAddress,
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      err: loggableError,
    },
  };
}

/** The NNN of every migration file this build ships. */
function expectedMigrations(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => /^\d{3}_[\w-]+\.sql$/.test(name))
    .map((name) => Number(name.slice(0, 3)));
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    genReqId: requestIdOf,
    // A push may carry 500 mutations of up to 4000 CJK characters each.
    bodyLimit: 16 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  // The id the logs carry, so that a workstation's report can be matched to its lines.
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  const migrations = expectedMigrations(opts.migrationsDir ?? MIGRATIONS_DIR);

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
    routes.withTypeProvider<ZodTypeProvider>().get(
      '/ready',
      {
        schema: {
          summary: 'Readiness: the database answers and every migration is applied',
          tags: ['ops'],
          response: {
            200: z.object({ status: z.literal('ready') }),
            503: ApiError,
          },
        },
      },
      async (_request, reply) => {
        let applied: Set<number>;
        try {
          const rows = await opts.db.query<{ version: number }>(
            'select version from schema_migrations',
          );
          applied = new Set(rows.rows.map((row) => Number(row.version)));
        } catch (error) {
          app.log.warn({ err: error }, 'not ready: database unavailable');
          return reply
            .code(503)
            .send({ code: 'NOT_READY', message: 'The case database is unavailable.' });
        }
        const missing = migrations.filter((version) => !applied.has(version));
        if (missing.length > 0) {
          return reply.code(503).send({
            code: 'NOT_READY',
            message: `Migrations not applied yet: ${missing.join(', ')}.`,
          });
        }
        return { status: 'ready' as const };
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
    await routes.register(caseSearchRoutes, { db: opts.db, jwtSecret: opts.jwtSecret });
    await routes.register(pokeRoutes, {
      db: opts.db,
      jwtSecret: opts.jwtSecret,
      hub: pokes,
      heartbeatMs: opts.sseHeartbeatMs,
    });
  });

  return app;
}
