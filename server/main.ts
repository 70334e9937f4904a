// `npm run server`: the central API from environment variables, until SIGTERM or SIGINT.
//   PORT (4010), HOST (127.0.0.1), DATABASE_URL (else PGlite in DATA_DIR, .data/server),
//   JWT_SECRET (else a development secret, with a warning), SEED_DEMO (true).
import { DEFAULT_DATA_DIR, startCentralApi } from './start';

const port = Number(process.env.PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
}

const api = await startCentralApi({
  port,
  host: process.env.HOST || '127.0.0.1',
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR || DEFAULT_DATA_DIR,
  seed: !['false', '0', 'no'].includes((process.env.SEED_DEMO ?? 'true').toLowerCase()),
  jwtSecret: process.env.JWT_SECRET || undefined,
  logger: process.env.LOG_REQUESTS !== 'false',
});
console.log(`Central API listening on ${api.url}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second signal: stop waiting
    stopping = true;
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Central API did not close cleanly', error);
        process.exit(1);
      },
    );
  });
}
