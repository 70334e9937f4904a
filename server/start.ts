// Starts the central API in this process: open the database, migrate, seed, listen. Used by
// `npm run server` (server/main.ts) and by the desktop app's embedded API.
import type { AddressInfo } from 'node:net';
import { buildServer } from './app';
import { openDb } from './db';
import { runMigrations } from './migrations';
import { seedDemo } from './seed';

export interface CentralApiOptions {
  port?: number;
  host?: string;
  /** PostgreSQL through `pg` when given; otherwise embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  /** Seed the demo users and cases into an empty database (default true). */
  seed?: boolean;
  jwtSecret?: string;
  logger?: boolean;
  /** Where the NNN_name.sql files are, for a build that does not ship server/ as is. */
  migrationsDir?: string;
}

export interface CentralApi {
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.data/server';
const DEV_JWT_SECRET = 'case-workstation-dev-secret-not-for-production';

export async function startCentralApi(opts: CentralApiOptions = {}): Promise<CentralApi> {
  const host = opts.host ?? '127.0.0.1';
  let secret = opts.jwtSecret;
  if (!secret) {
    // Stable so that tokens survive a restart; anyone who knows it can mint tokens.
    console.warn('Central API: no JWT_SECRET given, using the development secret.');
    secret = DEV_JWT_SECRET;
  }
  const db = await openDb({
    databaseUrl: opts.databaseUrl,
    dataDir: opts.dataDir ?? DEFAULT_DATA_DIR,
  });
  try {
    await runMigrations(db, opts.migrationsDir);
    if (opts.seed ?? true) await seedDemo(db);
    const app = buildServer({
      db,
      jwtSecret: new TextEncoder().encode(secret),
      logger: opts.logger,
    });
    await app.listen({ port: opts.port ?? 4010, host });
    const { port } = app.server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    let closing: Promise<void> | undefined;
    return {
      url,
      close: () =>
        (closing ??= (async () => {
          try {
            await app.close();
          } finally {
            await db.close();
          }
        })()),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
