// Runs every benchmark in turn, each in its own process (its own PostgreSQL), and exits
// non-zero if one fails to run. Goals missed are reported, not failures.
import { spawnSync } from 'node:child_process';

const BENCHES = [
  'sync-push',
  'sync-bootstrap',
  'reassign-latency',
  'server-throughput',
  'server-load',
  'cache-queue',
];
/** server-load and cache-queue seed 100,000 cases first. */
const TIMEOUT_MS: Record<string, number> = { 'server-load': 900_000, 'cache-queue': 900_000 };
let failed = 0;
for (const name of BENCHES) {
  console.log(`\n== ${name}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], {
    stdio: 'inherit',
    timeout: TIMEOUT_MS[name] ?? 180_000,
  });
  if (result.status !== 0) {
    failed++;
    console.log(`${name}: FAILED (${result.error?.message ?? `exit ${result.status}`})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
