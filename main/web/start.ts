// `npm run start:web`: the workstation backend in this Node process, its UI for a browser.
//   CASE_API_URL  central API to sync with (default: an embedded one with demo data)
//   WEB_PORT      port of the page (default 4020; 0 = any free port)
//   DATA_DIR      folder of the local cache (default .data/workstation-web)
import { resolve } from 'node:path';
import { startEmbeddedCentralApi } from '../backend/embedded-api';
import { MemorySecretStore } from '../backend/secret-store';
import { WorkstationBackend } from '../backend/workstation-backend';
import { startWebHost } from './web-host';

const dataDir = resolve(process.env.DATA_DIR ?? '.data/workstation-web');
const embedded = process.env.CASE_API_URL ? null : await startEmbeddedCentralApi(dataDir);
const apiUrl = process.env.CASE_API_URL ?? embedded!.url;
const pollIntervalMs = process.env.SYNC_POLL_MS ? Number(process.env.SYNC_POLL_MS) : undefined;

const backend = await WorkstationBackend.open({
  dataDir,
  apiUrl,
  // No OS keychain in the browser host: the token lives in memory and a restart asks for
  // sign-in again (offline too, against the local verifier).
  secrets: new MemorySecretStore(),
  sync: {
    ...(pollIntervalMs ? { pollIntervalMs } : {}),
    maxBackoffMs: Number(process.env.SYNC_MAX_BACKOFF_MS ?? 30_000),
  },
});
const host = await startWebHost({
  backend,
  staticDir: resolve(import.meta.dirname, '../../out/web'),
  port: Number(process.env.WEB_PORT ?? 4020),
});

console.log(
  `Central API: ${apiUrl}${embedded ? ' (embedded, demo data; sign in as agent01 / demo1234)' : ''}`,
);
console.log(`Case Workstation is open at: ${host.launchUrl}`);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await host.close();
  await backend.close();
  await embedded?.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
