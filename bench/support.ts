// Shared pieces of the benchmarks (and of the bootstrap integration test): a real
// PostgreSQL + central API in this process, workstation backends, bulk case seeding, timing.
// Loopback only; everything started here is stopped by `close()`.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ContractResult, MethodName, MethodOutput } from '../shared/contract';
import type { CaseIntake } from '../shared/domain';
import { registerCase } from '../shared/intake';
import { MemorySecretStore } from '../main/backend/secret-store';
import { WorkstationBackend } from '../main/backend/workstation-backend';
import type { SyncEngineOptions } from '../main/backend/sync-engine';
import { startCentralApi, type CentralApi } from '../server/start';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { freePort, startCentralApiProcess } from '../test/support/processes';

export const DEMO_PASSWORD = 'demo1234';
export const BENCH_JWT_SECRET = 'bench-secret-not-for-production';

export interface BenchEnv {
  postgres: TestPostgres;
  api: CentralApi;
  dir: string;
  close(): Promise<void>;
}

/**
 * A fresh PostgreSQL, migrated and seeded with the demo users, and the API on it: in this
 * process, or (`apiProcess`) as its own process like a real deployment, so that the API and
 * the workstation do not share one event loop.
 */
export async function startBenchEnv(
  name: string,
  options: { apiProcess?: boolean } = {},
): Promise<BenchEnv> {
  const postgres = await startPostgres(name);
  let api: CentralApi;
  try {
    if (options.apiProcess) {
      const service = await startCentralApiProcess(postgres.url, await freePort());
      api = { url: service.ready, close: () => service.stop() };
    } else {
      api = await startCentralApi({
        port: 0,
        databaseUrl: postgres.url,
        seed: true,
        jwtSecret: BENCH_JWT_SECRET,
      });
    }
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  const dir = mkdtempSync(join(tmpdir(), `cw-${name}-`));
  return {
    postgres,
    api,
    dir,
    close: async () => {
      try {
        await api.close();
      } finally {
        await postgres.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export function openBackend(
  env: BenchEnv,
  name: string,
  sync: SyncEngineOptions = {},
): Promise<WorkstationBackend> {
  return WorkstationBackend.open({
    dataDir: join(env.dir, name),
    apiUrl: env.api.url,
    secrets: new MemorySecretStore(),
    sync: { pollIntervalMs: 60_000, baseBackoffMs: 50, maxBackoffMs: 200, ...sync },
  });
}

export async function call<M extends MethodName>(
  backend: WorkstationBackend,
  method: M,
  input: unknown,
): Promise<MethodOutput<M>> {
  const result = (await backend.call(method, input)) as ContractResult<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

export const intake = (description: string): CaseIntake => ({
  customerName: '郑晓东',
  customerPhone: '139-0000-4455',
  channel: 'phone',
  type: 'complaint',
  businessLine: 'payment',
  description,
  customerExpectation: '退回重复扣款',
});

export interface BulkOwner {
  id: string;
  teamId: string | null;
  branchId: string | null;
}
export const AGENT01: BulkOwner = { id: 'u-agent01', teamId: 'team-t1', branchId: 'branch-bj' };

/**
 * Inserts `count` cases owned by `owner` straight into `cases`, in batches, each with a real
 * lifecycle from the shared registration (shared/intake.ts: one registration, copied under
 * each case's id), under fresh sync versions.
 * Returns their ids. Far faster than going through the API; no history rows.
 */
export async function insertCasesDirect(
  databaseUrl: string,
  count: number,
  owner: BulkOwner = AGENT01,
  prefix = 'BKA0',
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const ids: string[] = [];
  const receivedAt = new Date(Date.now() - 3_600_000).toISOString();
  // One registration through the shared lifecycle; every case gets a copy under its own id.
  const base = intake('网银转账重复扣款两次，每次500元');
  const templateId = randomUUID();
  const registered = registerCase({
    caseId: templateId,
    intake: base,
    actor: { userId: owner.id, role: 'agent' },
    receivedAt,
  });
  const template = {
    id: templateId,
    description: base.description,
    state: registered.state,
    lifecycle: JSON.stringify(registered.context),
    priority: registered.context.priority,
  };
  try {
    const batch = 1_000;
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const cols = {
        id: [] as string[],
        number: [] as string[],
        description: [] as string[],
        status: [] as string[],
        lifecycle: [] as string[],
        priority: [] as string[],
      };
      for (let i = 0; i < n; i++) {
        const id = randomUUID();
        ids.push(id);
        cols.id.push(id);
        cols.number.push(`${prefix}-261101-${String(start + i + 1).padStart(6, '0')}`);
        cols.description.push(template.description);
        cols.status.push(template.state);
        // The registered lifecycle, with this case's id (all else is the same intake).
        cols.lifecycle.push(template.lifecycle.split(template.id).join(id));
        cols.priority.push(template.priority);
      }
      await client.query('begin');
      const bumped = await client.query<{ v: string }>(
        'update sync_version set v = v + $1 returning v',
        [n],
      );
      const last = BigInt(bumped.rows[0]!.v);
      await client.query(
        `insert into cases (id, number, customer_name, customer_phone, channel, type, business_line,
                            description, customer_expectation, status, lifecycle, priority, owner_id,
                            team_id, branch_id, created_at, updated_at, version)
         select t.id, t.number, $7, $8, $9, $10, $11, t.description, $12, t.status,
                t.lifecycle::jsonb, t.priority, $13, $14, $15, $16, $16, $17::bigint + t.ord
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                with ordinality as t(id, number, description, status, lifecycle, priority, ord)`,
        [
          cols.id,
          cols.number,
          cols.description,
          cols.status,
          cols.lifecycle,
          cols.priority,
          base.customerName,
          base.customerPhone,
          base.channel,
          base.type,
          base.businessLine,
          base.customerExpectation,
          owner.id,
          owner.teamId,
          owner.branchId,
          receivedAt,
          String(last - BigInt(n)),
        ],
      );
      await client.query('commit');
    }
  } finally {
    await client.end();
  }
  return ids;
}

// --- timing ----------------------------------------------------------------------------------

export const now = () => performance.now();

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function figure(name: string, value: number, unit: string, digits = 1): void {
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`);
}

/** Prints the verdict line of a goal; returns whether it was met. */
export function goal(name: string, met: boolean, text: string): boolean {
  console.log(`goal ${name}: ${met ? 'MET' : 'MISSED'} (${text})`);
  return met;
}

/** Rejects after `ms`: every benchmark is bounded in time. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs a benchmark's main, exits non-zero on failure (goals missed do not fail the run). */
export function runMain(main: () => Promise<void>, limitMs = 150_000): void {
  const guard = setTimeout(() => {
    console.error(`benchmark exceeded ${limitMs} ms: aborting`);
    process.exit(2);
  }, limitMs);
  guard.unref();
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
