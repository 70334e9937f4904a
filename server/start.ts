// Starts the central API in this process: open the database, migrate, seed, listen. Used by
// `npm run server` (server/main.ts) and by the desktop app's embedded API.
import type { AddressInfo } from 'node:net';
import { buildServer, type LogSettings } from './app';
import { DEFAULT_DATA_DIR, type SeedScale } from './config';
import { openDb, type Db } from './db';
import { MIGRATIONS_DIR, runMigrations } from './migrations';
import { seedCustomers } from './customers';
import { seedKnowledge } from './knowledge';
import { seedReferenceData } from './policies';
import { seedAtScale, seedDemo } from './seed';

export { DEFAULT_DATA_DIR };

export interface CentralApiOptions {
  port?: number;
  host?: string;
  /** PostgreSQL through `pg` when given; otherwise embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  /** Seed the demo users and cases into an empty database (default true). */
  seed?: boolean;
  /** How much to seed: the small demo set (default) or the full-scale data set. */
  seedScale?: SeedScale;
  /** The seed's PRNG seed. */
  seedNumber?: number;
  jwtSecret?: string;
  /** false: no logs; true: info; or a level (and a stream, for tests). */
  logger?: boolean | LogSettings;
  /** Where the NNN_name.sql files are, for a build that does not ship server/ as is. */
  migrationsDir?: string;
  /** How long close() lets requests in flight finish before it cuts them (default 10 s). */
  shutdownGraceMs?: number;
}

export interface CentralApi {
  url: string;
  /**
   * Stops accepting, lets requests in flight finish within the grace period (cutting, with a
   * warning, those still running then), then closes the database.
   */
  close(): Promise<void>;
}

const DEV_JWT_SECRET = 'case-workstation-dev-secret-not-for-production';

/**
 * What a demo desk has besides people and cases: customers behind the demo cases (demo
 * scale: the full scale's cases stay unlinked), and the shipped knowledge base.
 */
export async function seedDemoExtras(db: Db, scale: SeedScale): Promise<void> {
  if (scale === 'demo') await seedCustomers(db);
  await seedKnowledge(db);
}

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
    const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
    await runMigrations(db, migrationsDir);
    await seedReferenceData(db);
    if (opts.seed ?? true) {
      if (opts.seedScale === 'full') await seedAtScale(db, { seed: opts.seedNumber });
      else await seedDemo(db, { seed: opts.seedNumber });
      await seedDemoExtras(db, opts.seedScale ?? 'demo');
    }
    const app = buildServer({
      db,
      jwtSecret: new TextEncoder().encode(secret),
      logger: opts.logger,
      migrationsDir,
    });
    await app.listen({ port: opts.port ?? 4010, host });
    const { port } = app.server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const graceMs = opts.shutdownGraceMs ?? 10_000;
    let closing: Promise<void> | undefined;
    return {
      url,
      close: () =>
        (closing ??= (async () => {
          // app.close() stops accepting, ends idle keep-alive sockets and waits for requests
          // in flight; past the grace period the rest are cut so the database can close.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const overdue = new Promise<'overdue'>((resolve) => {
            timer = setTimeout(() => resolve('overdue'), graceMs);
          });
          const closed = app.close().then(() => 'closed' as const);
          try {
            const first = await Promise.race([closed, overdue]);
            if (first === 'overdue') {
              app.log.warn({ graceMs }, 'shutdown grace period over: cutting requests in flight');
              app.server.closeAllConnections();
              await closed;
            }
          } finally {
            clearTimeout(timer);
            await db.close();
          }
        })()),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
