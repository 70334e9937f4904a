// Load on one central API process over PostgreSQL seeded at scale: N simulated agents, each
// signed in on its own workstation, repeating what a desk does between calls — an
// incremental pull, a push of one new case, a search — with a short pause between steps.
// N grows until p99 latency passes 200 ms; the largest N under it is the capacity figure.
// Baseline: the same three steps as bare `pg` statements, at the same concurrency, same run.
//   BENCH_SEED_CASES (100000): cases seeded (agents, teams, branches at full scale)
//   BENCH_LEVEL_MS (6000): how long each N runs; BENCH_THINK_MS (250): mean pause per step
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PROTOCOL_VERSION, type Mutation } from '../shared/sync-protocol';
import { openDb } from '../server/db';
import { runMigrations } from '../server/migrations';
import { FULL_SEED, seedAtScale } from '../server/seed';
import { startPostgres } from '../test/support/postgres';
import { freePort, startService } from '../test/support/processes';
import {
  BENCH_JWT_SECRET,
  DEMO_PASSWORD,
  figure,
  goal,
  intake,
  now,
  percentile,
  runMain,
} from './support';

const SEED_CASES = Number(process.env.BENCH_SEED_CASES ?? FULL_SEED.cases);
const LEVEL_MS = Number(process.env.BENCH_LEVEL_MS ?? 6_000);
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 250);
const LEVELS = [5, 10, 20, 40, 80, 120, 160, 200];
const P99_LIMIT_MS = 200;
const SATURATION_CLIENTS = 8;
/** One- and two-character queries, as agents type them: surnames and risk words. */
const QUERIES = ['王', '李', '张', '陈', '欧阳', '盗刷', '年费', '冻结', '理财', '转账'];

interface Agent {
  username: string;
  clientId: string;
  token: string;
  code: string;
  cursor: string;
  seq: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signIn(url: string, username: string, cursor: string): Promise<Agent> {
  const clientId = randomUUID();
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, clientId }),
  });
  if (response.status !== 200) throw new Error(`sign-in ${username}: ${response.status}`);
  const body = (await response.json()) as { token: string; workstationCode: string };
  // A workstation that has bootstrapped already: its cursor is where the database is now.
  return { username, clientId, token: body.token, code: body.workstationCode, cursor, seq: 0 };
}

async function api(url: string, agent: Agent, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      authorization: `Bearer ${agent.token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status !== 200)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function newCase(agent: Agent): Mutation {
  agent.seq += 1;
  return {
    id: randomUUID(),
    seq: agent.seq,
    recordedAt: new Date().toISOString(),
    name: 'case.create@1',
    args: {
      caseId: randomUUID(),
      number: `${agent.code}-261123-${String(agent.seq).padStart(5, '0')}`,
      intake: intake(`压测 ${agent.username} 第${agent.seq}笔：转账失败但已扣款`),
    },
  };
}

/** One desk step: pull, push, or search; resolves with its latency. */
async function step(url: string, agent: Agent, kind: number): Promise<number> {
  const start = now();
  if (kind === 0) {
    const page = (await api(
      url,
      agent,
      `/sync/pull?clientId=${agent.clientId}&cursor=${agent.cursor}&limit=500`,
    )) as { cursor: string };
    agent.cursor = page.cursor;
  } else if (kind === 1) {
    await api(url, agent, '/sync/push', {
      protocolVersion: PROTOCOL_VERSION,
      clientId: agent.clientId,
      mutations: [newCase(agent)],
      clientNow: new Date().toISOString(),
    });
  } else {
    const q = QUERIES[Math.floor(Math.random() * QUERIES.length)]!;
    await api(url, agent, `/cases/search?q=${encodeURIComponent(q)}&limit=20`);
  }
  return now() - start;
}

/** Every agent repeats pull, push, search until `ms` passed; all latencies. */
async function runLevel(url: string, agents: Agent[], ms: number, thinkMs: number) {
  const latencies: number[] = [];
  const byKind: number[][] = [[], [], []];
  const until = now() + ms;
  const started = now();
  await Promise.all(
    agents.map(async (agent, i) => {
      // Spread the agents' first steps over one think time, as calls do not arrive together.
      await pause(Math.random() * thinkMs);
      for (let kind = i % 3; now() < until; kind = (kind + 1) % 3) {
        const latency = await step(url, agent, kind);
        latencies.push(latency);
        byKind[kind]!.push(latency);
        if (thinkMs > 0) await pause(thinkMs * (0.5 + Math.random()));
      }
    }),
  );
  return { latencies, byKind, seconds: (now() - started) / 1000 };
}

/** The same three steps as bare statements, `clients` at once, for `ms`: steps per second. */
async function baseline(databaseUrl: string, clients: number, ms: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: clients });
  const lifecycle = (await pool.query('select lifecycle from cases limit 1')).rows[0]!.lifecycle;
  let steps = 0;
  const until = now() + ms;
  const started = now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const owner = `u-agent${String((c % FULL_SEED.agents) + 1).padStart(3, '0')}`;
      let cursor = '0';
      for (let kind = c % 3; now() < until; kind = (kind + 1) % 3, steps++) {
        if (kind === 0) {
          const rows = await pool.query<{ version: string }>(
            `select c.*, o.display_name from cases c left join users o on o.id = c.owner_id
              where c.owner_id = $1 and c.version > $2 order by c.version limit 500`,
            [owner, cursor],
          );
          cursor = rows.rows.at(-1)?.version ?? cursor;
        } else if (kind === 1) {
          const client = await pool.connect();
          try {
            await client.query('begin');
            const v = await client.query<{ v: string }>(
              'update sync_version set v = v + 1 returning v',
            );
            await client.query(
              `insert into cases (id, number, customer_name, customer_phone, channel, type,
                 business_line, description, customer_expectation, status, lifecycle, priority,
                 owner_id, team_id, branch_id, created_at, updated_at, version)
               select $1, $2, '郑晓东', '13900004455', 'phone', 'complaint', 'payment', '基线',
                 '退回', 'in_progress', $3::jsonb, 'normal', id, team_id, branch_id, now(), now(), $4
                 from users where id = $5`,
              [randomUUID(), `BASE-${c}-${steps}`, JSON.stringify(lifecycle), v.rows[0]!.v, owner],
            );
            await client.query('commit');
          } finally {
            client.release();
          }
        } else {
          const q = QUERIES[Math.floor(Math.random() * QUERIES.length)]!;
          await pool.query(
            `select c.id, c.number from cases c
              where c.owner_id = $2
                and (c.number ilike $1 or c.customer_name like $1 or c.description like $1)
              order by c.created_at desc limit 21`,
            [`%${q}%`, owner],
          );
        }
      }
    }),
  );
  const rate = steps / ((now() - started) / 1000);
  await pool.end();
  return rate;
}

async function main() {
  const postgres = await startPostgres('bench_load');
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    const db = await openDb({ databaseUrl: postgres.url });
    await runMigrations(db);
    const seedStart = now();
    await seedAtScale(db, { size: { ...FULL_SEED, cases: SEED_CASES } });
    await db.close();
    figure(`seed of ${SEED_CASES} cases`, (now() - seedStart) / 1000, 's');

    service = await startService({
      name: 'central API',
      command: process.execPath,
      args: ['--import', 'tsx', 'server/main.ts'],
      env: {
        DATABASE_URL: postgres.url,
        PORT: String(await freePort()),
        SEED_DEMO: 'false',
        JWT_SECRET: `${BENCH_JWT_SECRET}-${'x'.repeat(16)}`,
        LOG_LEVEL: 'warn',
      },
      ready: /listening on (http:\/\/\S+)/,
    });
    const url = service.ready;
    const agents: Agent[] = [];
    const signInTimes: number[] = [];
    const versions = new pg.Client({ connectionString: postgres.url });
    await versions.connect();
    const ensureAgents = async (n: number) => {
      while (agents.length < n) {
        const cursor = String((await versions.query('select v from sync_version')).rows[0]!.v);
        const start = now();
        agents.push(
          await signIn(url, `agent${String(agents.length + 1).padStart(3, '0')}`, cursor),
        );
        signInTimes.push(now() - start);
      }
    };

    // Saturation: a few agents without pauses, against the bare statements.
    await ensureAgents(SATURATION_CLIENTS);
    const bareRate = await baseline(postgres.url, SATURATION_CLIENTS, LEVEL_MS);
    const saturated = await runLevel(url, agents.slice(0, SATURATION_CLIENTS), LEVEL_MS, 0);
    const apiRate = saturated.latencies.length / saturated.seconds;
    console.log(`seeded ${SEED_CASES} cases; ${SATURATION_CLIENTS} clients without pauses`);
    figure('baseline bare pg steps', bareRate, 'steps/s', 0);
    figure('server steps (pull, push, search)', apiRate, 'steps/s', 0);
    figure('ratio server / baseline', apiRate / bareRate, 'x', 2);

    // Search alone, one request at a time, in scopes of different sizes over the seeded year.
    for (const username of ['agent001', 'lead001', 'branch001']) {
      const cursor = String((await versions.query('select v from sync_version')).rows[0]!.v);
      const searcher = await signIn(url, username, cursor);
      const times: number[] = [];
      for (let i = 0; i < 40; i++) times.push(await step(url, searcher, 2));
      figure(`search p50 as ${username}`, percentile(times, 50), 'ms');
      figure(`search p99 as ${username}`, percentile(times, 99), 'ms');
    }

    let capacity = 0;
    for (const n of LEVELS) {
      await ensureAgents(n);
      const level = await runLevel(url, agents.slice(0, n), LEVEL_MS, THINK_MS);
      const p50 = percentile(level.latencies, 50);
      const p99 = percentile(level.latencies, 99);
      figure(`agents ${n} throughput`, level.latencies.length / level.seconds, 'steps/s', 0);
      figure(`agents ${n} p50`, p50, 'ms');
      figure(`agents ${n} p99`, p99, 'ms');
      console.log(
        `  p99 by step: ${['pull', 'push', 'search']
          .map((kind, i) => `${kind} ${percentile(level.byKind[i]!, 99).toFixed(0)} ms`)
          .join(', ')}`,
      );
      if (p99 >= P99_LIMIT_MS) break;
      capacity = n;
    }
    await versions.end();
    figure('sign-in p50', percentile(signInTimes, 50), 'ms');
    figure(`largest N with p99 < ${P99_LIMIT_MS} ms`, capacity, 'agents', 0);
    goal(
      `${FULL_SEED.agents} agents with p99 < ${P99_LIMIT_MS} ms`,
      capacity >= FULL_SEED.agents,
      `${capacity} agents, ${THINK_MS} ms mean pause per step`,
    );
  } finally {
    await service?.stop();
    await postgres.stop();
  }
}

runMain(main, 900_000);
