// `npm start` / `npm run start:web` with no CASE_API_URL: run the central API in-process on
// embedded PGlite with demo data, so that one command gives a working system.
import { join } from 'node:path';
import { startCentralApi } from '../../server/start';

export async function startEmbeddedCentralApi(
  dataDir: string,
  /** Where the API's .sql migrations are, when not beside its sources (a packaged app). */
  migrationsDir?: string,
): Promise<{ url: string; close(): Promise<void> }> {
  return startCentralApi({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dataDir, 'central-api'),
    seed: true,
    logger: false,
    ...(migrationsDir ? { migrationsDir } : {}),
  });
}
