// Bootstrap of a 50,000-case scope: a fresh workstation's sign-in + first pull (with progress)
// until the cache holds every case. Baseline: the same rows read with a bare `pg` SELECT and
// serialized to JSON, in the same run. The API runs as its own process, as deployed.
//   goal: bootstrap < 10 s
import pg from 'pg';
import type { SyncStatus } from '../shared/contract';
import { CASE_SELECT } from '../server/cases';
import {
  call,
  DEMO_PASSWORD,
  figure,
  goal,
  insertCasesDirect,
  median,
  now,
  openBackend,
  runMain,
  startBenchEnv,
  within,
} from './support';

const CASES = Number(process.env.BENCH_BOOTSTRAP_CASES ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main() {
  const env = await startBenchEnv('bench_bootstrap', { apiProcess: true });
  try {
    const seedStart = now();
    const ids = await insertCasesDirect(env.postgres.url, CASES);
    figure('seeded cases', ids.length, 'cases', 0);
    figure('seed time', (now() - seedStart) / 1000, 's', 2);

    // Baseline: the same scope through a bare pg SELECT + JSON serialization.
    const client = new pg.Client({ connectionString: env.postgres.url });
    client.on('error', () => {});
    await client.connect();
    const bare: number[] = [];
    let bareRows = 0;
    for (let run = 0; run < RUNS; run++) {
      const start = now();
      const rows = await client.query(`${CASE_SELECT} where c.owner_id = $1 order by c.version`, [
        'u-agent01',
      ]);
      const json = JSON.stringify(rows.rows);
      bare.push(now() - start);
      bareRows = rows.rowCount ?? 0;
      if (json.length === 0) throw new Error('empty');
    }
    await client.end();

    const times: number[] = [];
    const indexed: number[] = [];
    let pages = 0;
    let cached = 0;
    for (let run = 0; run < RUNS; run++) {
      const backend = await openBackend(env, `bootstrap-${run}`);
      const progress: number[] = [];
      backend.subscribe((event, payload) => {
        if (event !== 'sync.status') return;
        const received = (payload as SyncStatus).bootstrap?.received;
        if (received) progress.push(received);
      });
      const start = now();
      await within(
        60_000,
        'bootstrap',
        (async () => {
          await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
          const status = await call(backend, 'sync.now', {});
          if (status.bootstrap) throw new Error('bootstrap still running after sync.now');
        })(),
      );
      times.push(now() - start);
      // The queue and search index fills in the background after the bootstrap.
      await backend.sync.catchUpQueueIndex();
      indexed.push(now() - start);
      cached = backend.store.listCaseIds().length;
      pages = new Set(progress).size;
      await backend.close();
      if (cached < CASES) throw new Error(`only ${cached} of ${CASES} cases cached`);
    }

    const bareMs = median(bare);
    const ms = median(times);
    console.log(`runs: ${RUNS} (medians below)`);
    figure('baseline bare SELECT + JSON', bareMs, 'ms');
    figure('baseline rows', bareRows, 'rows', 0);
    figure('bootstrap sign-in + pull', ms, 'ms');
    figure('bootstrap cases cached', cached, 'cases', 0);
    figure(
      'queue and search index complete (background, after the bootstrap)',
      median(indexed),
      'ms',
    );
    figure('bootstrap progress reports', pages, 'pages', 0);
    figure('bootstrap throughput', cached / (ms / 1000), 'cases/s', 0);
    figure('ratio bootstrap / baseline', ms / bareMs, 'x', 1);
    goal('bootstrap < 10 s', ms < 10_000, `${(ms / 1000).toFixed(2)} s`);
  } finally {
    await env.close();
  }
}

runMain(main);
