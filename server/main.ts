// `npm run server`: the central API from environment variables (server/config.ts, README
// "Central API configuration"), until SIGTERM or SIGINT, which drain it gracefully.
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { startCentralApi } from './start';

let config: ServerConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const api = await startCentralApi({
  port: config.port,
  host: config.host,
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  seed: config.seedDemo,
  seedScale: config.seedScale,
  seedNumber: config.seed,
  jwtSecret: config.jwtSecret,
  logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
  shutdownGraceMs: config.shutdownGraceMs,
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
