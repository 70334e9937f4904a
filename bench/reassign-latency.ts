// Reassign-to-visible latency with 200 connected workstations: 199 plain SSE streams on
// GET /sync/events plus the receiving agent's (agent02) real workstation backend. lead01
// pushes REASSIGN transitions of agent01's cases to agent02; each sample is the time until
// agent02's `cases.listMine` shows the case. Baseline: a bare pg NOTIFY -> LISTEN round trip.
//   goal: p95 < 1 s
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CentralApiClient } from '../main/backend/central-api-client';
import { PROTOCOL_VERSION, SYNC_EVENTS_PATH } from '../shared/sync-protocol';
import {
  call,
  DEMO_PASSWORD,
  figure,
  goal,
  insertCasesDirect,
  median,
  now,
  openBackend,
  percentile,
  runMain,
  startBenchEnv,
  waitFor,
} from './support';

const STREAMS = 200;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 24);

async function main() {
  const env = await startBenchEnv('bench_reassign', { apiProcess: true });
  const streams: AbortController[] = [];
  try {
    // Baseline: NOTIFY on one connection, heard on another.
    const listener = new pg.Client({ connectionString: env.postgres.url });
    const notifier = new pg.Client({ connectionString: env.postgres.url });
    listener.on('error', () => {});
    notifier.on('error', () => {});
    await listener.connect();
    await notifier.connect();
    await listener.query('listen bench_channel');
    const bare: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const heard = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
      const start = now();
      await notifier.query("select pg_notify('bench_channel', '')");
      await heard;
      bare.push(now() - start);
    }
    await listener.end();
    await notifier.end();

    // Cases to reassign: agent01's, registered through the shared lifecycle.
    await insertCasesDirect(env.postgres.url, SAMPLES, undefined, 'RAA0');
    const api = new CentralApiClient(env.api.url);
    // 199 other workstations' poke streams (agent01, as many desks would be).
    const other = await api.signIn({
      username: 'agent01',
      password: DEMO_PASSWORD,
      clientId: randomUUID(),
    });
    for (let i = 0; i < STREAMS - 1; i++) {
      const controller = new AbortController();
      streams.push(controller);
      const response = await fetch(new URL(SYNC_EVENTS_PATH, env.api.url), {
        headers: { authorization: `Bearer ${other.token}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`stream ${i}: HTTP ${response.status}`);
      // Drain the stream so the server never blocks on a full socket.
      void (async () => {
        try {
          for await (const _chunk of response.body!) void _chunk;
        } catch {
          // aborted
        }
      })();
    }

    const receiver = await openBackend(env, 'agent02', {
      pollIntervalMs: 60_000,
      pokedPollIntervalMs: 60_000,
    });
    await call(receiver, 'session.signIn', { username: 'agent02', password: DEMO_PASSWORD });
    await call(receiver, 'sync.now', {});

    const lead = await api.signIn({
      username: 'lead01',
      password: DEMO_PASSWORD,
      clientId: randomUUID(),
    });
    const leadClient = randomUUID();
    const lead2 = await api.signIn({
      username: 'lead01',
      password: DEMO_PASSWORD,
      clientId: leadClient,
    });
    void lead;
    const db = new pg.Client({ connectionString: env.postgres.url });
    db.on('error', () => {});
    await db.connect();
    const candidates = (
      await db.query<{ id: string; version: string }>(
        "select id, version from cases where owner_id = 'u-agent01' and number like 'RAA0-%' order by number limit $1",
        [SAMPLES],
      )
    ).rows;
    await db.end();
    if (candidates.length < 20) throw new Error(`only ${candidates.length} reassignable cases`);

    const samples: number[] = [];
    let seq = 0;
    for (const candidate of candidates) {
      const start = now();
      const response = await api.push(lead2.token, {
        protocolVersion: PROTOCOL_VERSION,
        clientId: leadClient,
        clientNow: new Date().toISOString(),
        mutations: [
          {
            id: randomUUID(),
            seq: ++seq,
            recordedAt: new Date().toISOString(),
            name: 'case.transition@1',
            args: {
              caseId: candidate.id,
              event: { type: 'REASSIGN', toUserId: 'u-agent02', reason: '负载均衡' },
              baseVersion: Number(candidate.version),
            },
          },
        ],
      });
      const result = response.results[0]!;
      if (result.status !== 'applied') {
        console.log(`skipped ${candidate.id}: ${result.code}`);
        continue;
      }
      await waitFor(
        async () => (await call(receiver, 'cases.listMine', {})).some((c) => c.id === candidate.id),
        10_000,
        'the reassigned case on the receiving workstation',
        2,
      );
      samples.push(now() - start);
    }
    await receiver.close();
    if (samples.length < 20) throw new Error(`only ${samples.length} samples`);

    const p50 = median(samples);
    const p95 = percentile(samples, 95);
    console.log(`samples: ${samples.length}, streams: ${STREAMS}`);
    figure('baseline pg NOTIFY->LISTEN p50', median(bare), 'ms', 2);
    figure('baseline pg NOTIFY->LISTEN p95', percentile(bare, 95), 'ms', 2);
    figure('reassign-to-visible p50', p50, 'ms');
    figure('reassign-to-visible p95', p95, 'ms');
    figure('ratio p50 / baseline p50', p50 / median(bare), 'x', 0);
    goal('reassign p95 < 1 s', p95 < 1_000, `${p95.toFixed(0)} ms`);
  } finally {
    for (const stream of streams) stream.abort();
    await env.close();
  }
}

runMain(main);
