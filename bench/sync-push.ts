// Push and confirm 1,000 queued mutations: a workstation with 1,000 offline actions
// (500 cases.create + 500 cases.addNote) signs in and syncs until nothing is pending.
// Baseline: 1,000 bare `pg` INSERTs of similar rows, each in its own transaction, one connection.
//   goal: < 5 s
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  call,
  DEMO_PASSWORD,
  figure,
  goal,
  intake,
  median,
  now,
  openBackend,
  runMain,
  startBenchEnv,
  waitFor,
  within,
} from './support';
import { WorkstationBackend } from '../main/backend/workstation-backend';
import { MemorySecretStore } from '../main/backend/secret-store';
import { join } from 'node:path';

const ACTIONS = 1_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main() {
  const env = await startBenchEnv('bench_push', { apiProcess: true });
  try {
    // Baseline: bare inserts of case-like rows (a copy of the cases table, no constraints).
    const client = new pg.Client({ connectionString: env.postgres.url });
    client.on('error', () => {});
    await client.connect();
    await client.query('create table bench_cases (like cases including defaults)');
    const lifecycle = (
      await client.query<{ lifecycle: unknown }>('select lifecycle from cases limit 1')
    ).rows[0]!.lifecycle;
    const bare: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const start = now();
      for (let i = 0; i < ACTIONS; i++) {
        await client.query('begin');
        await client.query(
          `insert into bench_cases (id, number, customer_name, customer_phone, channel, type,
             business_line, description, customer_expectation, status, lifecycle, priority,
             owner_id, team_id, branch_id, created_at, updated_at, version)
           values ($1, $2, '郑晓东', '139-0000-4455', 'phone', 'complaint', 'payment', $3,
             '退回重复扣款', 'in_progress', $4::jsonb, 'normal', 'u-agent01', 'team-t1',
             'branch-bj', now(), now(), $5)`,
          [randomUUID(), `BN${run}-${i}`, `基线 ${i}`, JSON.stringify(lifecycle), i],
        );
        await client.query('commit');
      }
      bare.push(now() - start);
    }
    await client.end();

    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // First sign-in online (the API is needed once), then offline work on a dead API URL.
      const name = `push-${run}`;
      let backend = await openBackend(env, name);
      await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
      await call(backend, 'sync.now', {});
      await backend.close();
      const secrets = new MemorySecretStore();
      backend = await WorkstationBackend.open({
        dataDir: join(env.dir, name),
        apiUrl: 'http://127.0.0.1:9',
        secrets,
        sync: { pollIntervalMs: 60_000, baseBackoffMs: 60_000, maxBackoffMs: 60_000 },
      });
      await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
      const created: string[] = [];
      for (let i = 0; i < ACTIONS / 2; i++) {
        const record = await call(
          backend,
          'cases.create',
          intake(`离线登记 ${run}-${i}：重复扣款`),
        );
        created.push(record.id);
      }
      for (let i = 0; i < ACTIONS / 2; i++) {
        await call(backend, 'cases.addNote', { caseId: created[i]!, text: `离线备注 ${i}` });
      }
      const queued = (await call(backend, 'sync.status', {})).pending;
      if (queued !== ACTIONS) throw new Error(`expected ${ACTIONS} queued, got ${queued}`);
      await backend.close();

      backend = await openBackend(env, name);
      const start = now();
      await within(
        60_000,
        'push',
        (async () => {
          await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
          await waitFor(
            async () => (await call(backend, 'sync.now', {})).pending === 0,
            55_000,
            'the outbox to drain',
            0,
          );
        })(),
      );
      times.push(now() - start);
      const status = await call(backend, 'sync.status', {});
      await backend.close();
      if (status.rejected > 0) throw new Error(`${status.rejected} mutations rejected`);
    }

    const bareMs = median(bare);
    const ms = median(times);
    console.log(`runs: ${RUNS} (medians below)`);
    figure('baseline 1,000 bare INSERT transactions', bareMs, 'ms');
    figure('push + confirm 1,000 mutations', ms, 'ms');
    figure('push throughput', ACTIONS / (ms / 1000), 'mutations/s', 0);
    figure('ratio push / baseline', ms / bareMs, 'x', 1);
    goal('push 1,000 < 5 s', ms < 5_000, `${(ms / 1000).toFixed(2)} s`);
  } finally {
    await env.close();
  }
}

runMain(main);
