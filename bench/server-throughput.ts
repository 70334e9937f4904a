// Server mutation throughput: several clients push case.create@1 mutations through
// POST /sync/push at once. Baseline: a bare `pg` insert loop (one transaction per row) of
// similar rows on the same database, in the same run.
//   goal: /sync/push throughput >= 50% of the bare insert loop
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CentralApiClient } from '../main/backend/central-api-client';
import { PUSH_BATCH_SIZE } from '../main/backend/sync-engine';
import { PROTOCOL_VERSION, type Mutation } from '../shared/sync-protocol';
import {
  DEMO_PASSWORD,
  figure,
  goal,
  intake,
  median,
  now,
  runMain,
  startBenchEnv,
  within,
} from './support';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const PER_CLIENT = 500;
// As the workstation pushes: a full outbox goes in pushes of this many.
const BATCH = PUSH_BATCH_SIZE;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main() {
  const env = await startBenchEnv('bench_throughput', { apiProcess: true });
  try {
    const client = new pg.Client({ connectionString: env.postgres.url });
    client.on('error', () => {});
    await client.connect();
    await client.query('create table bench_cases (like cases including defaults)');
    const lifecycle = JSON.stringify(
      (await client.query('select lifecycle from cases limit 1')).rows[0]!.lifecycle,
    );
    const total = CLIENTS * PER_CLIENT;
    const api = new CentralApiClient(env.api.url);
    const bare: number[] = [];
    const served: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let start = now();
      for (let i = 0; i < total; i++) {
        await client.query('begin');
        await client.query(
          `insert into bench_cases (id, number, customer_name, customer_phone, channel, type,
             business_line, description, customer_expectation, status, lifecycle, priority,
             owner_id, team_id, branch_id, created_at, updated_at, version)
           values ($1, $2, '郑晓东', '139-0000-4455', 'phone', 'complaint', 'payment', $3,
             '退回重复扣款', 'in_progress', $4::jsonb, 'normal', 'u-agent01', 'team-t1',
             'branch-bj', now(), now(), $5)`,
          [randomUUID(), `BT${run}-${i}`, `基线 ${i}`, lifecycle, i],
        );
        await client.query('commit');
      }
      bare.push(total / ((now() - start) / 1000));

      const sessions = await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          const clientId = randomUUID();
          const answer = await api.signIn({
            username: 'agent01',
            password: DEMO_PASSWORD,
            clientId,
          });
          return { clientId, token: answer.token, code: answer.workstationCode };
        }),
      );
      let rejected = 0;
      start = now();
      await within(
        90_000,
        'push clients',
        Promise.all(
          sessions.map(async (session, c) => {
            for (let sent = 0; sent < PER_CLIENT; sent += BATCH) {
              const mutations: Mutation[] = [];
              for (let i = sent; i < sent + BATCH; i++) {
                mutations.push({
                  id: randomUUID(),
                  seq: i + 1,
                  recordedAt: new Date().toISOString(),
                  name: 'case.create@1',
                  args: {
                    caseId: randomUUID(),
                    number: `${session.code}-261101-${String(run * 100_000 + c * 10_000 + i).padStart(6, '0')}`,
                    intake: intake(`吞吐测试 ${run}-${c}-${i}：重复扣款`),
                  },
                });
              }
              const response = await api.push(session.token, {
                protocolVersion: PROTOCOL_VERSION,
                clientId: session.clientId,
                mutations,
                clientNow: new Date().toISOString(),
              });
              rejected += response.results.filter((r) => r.status !== 'applied').length;
              if (rejected > 0)
                throw new Error(
                  `rejected: ${JSON.stringify(response.results.find((r) => r.status !== 'applied'))}`,
                );
            }
          }),
        ),
      );
      served.push(total / ((now() - start) / 1000));
    }
    await client.end();
    const bareRate = median(bare);
    const rate = median(served);
    console.log(
      `runs: ${RUNS} (medians below), ${CLIENTS} clients x ${PER_CLIENT} mutations, ${BATCH} per push`,
    );
    figure('baseline bare pg insert loop', bareRate, 'rows/s', 0);
    figure('server /sync/push throughput', rate, 'mutations/s', 0);
    figure('ratio server / baseline', rate / bareRate, 'x', 2);
    goal(
      'throughput >= 50% of bare inserts',
      rate / bareRate >= 0.5,
      `${((rate / bareRate) * 100).toFixed(0)}%`,
    );
  } finally {
    await env.close();
  }
}

runMain(main);
