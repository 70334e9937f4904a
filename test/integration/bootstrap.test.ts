// The first pull of a workstation (cursor '0') is a bootstrap: the whole scope in the API's
// largest pages, with progress reported after each page. Real PostgreSQL, real API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/contract';
import { MAX_PULL_PAGE_SIZE } from '../../main/backend/sync-engine';
import {
  call,
  DEMO_PASSWORD,
  insertCasesDirect,
  openBackend,
  startBenchEnv,
  type BenchEnv,
} from '../../bench/support';

let env: BenchEnv;
let seeded: string[];

beforeAll(async () => {
  env = await startBenchEnv('bootstrap_test');
  seeded = await insertCasesDirect(env.postgres.url, 5_000);
});

afterAll(async () => {
  await env?.close();
});

describe('bootstrap with progress', () => {
  it('reports increasing received counts, then none, and lists every case', async () => {
    const backend = await openBackend(env, 'bootstrap-agent01');
    const statuses: SyncStatus[] = [];
    backend.subscribe((event, payload) => {
      if (event === 'sync.status') statuses.push(payload as SyncStatus);
    });
    await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
    const final = await call(backend, 'sync.now', {});

    const progress = statuses
      .map((status) => status.bootstrap)
      .filter((b): b is { received: number; total: number | null } => !!b);
    const received = progress.map((b) => b.received);
    // One report before the first page, then one per page: 5,000+ cases in pages of 2,000.
    expect(received[0]).toBe(0);
    const afterPages = [...new Set(received.filter((n) => n > 0))];
    expect(afterPages.length).toBeGreaterThanOrEqual(Math.ceil(5_000 / MAX_PULL_PAGE_SIZE));
    for (let i = 1; i < afterPages.length; i++) {
      expect(afterPages[i]).toBeGreaterThan(afterPages[i - 1]!);
    }
    expect(afterPages.at(-1)).toBeGreaterThanOrEqual(5_000);
    expect(progress.every((b) => b.total === null)).toBe(true);
    // While pages arrive the workstation says it is syncing.
    expect(
      statuses.filter((s) => (s.bootstrap?.received ?? 0) > 0).every((s) => s.state === 'syncing'),
    ).toBe(true);

    expect(final.bootstrap ?? null).toBeNull();
    expect(statuses.at(-1)!.bootstrap ?? null).toBeNull();
    // Every case is in the cache; the list shows the most recent (listMine pages at 500).
    const cached = new Set(backend.store.listCaseIds());
    expect(seeded.every((id) => cached.has(id))).toBe(true);
    const mine = await call(backend, 'cases.listMine', {});
    expect(mine.length).toBe(Math.min(500, cached.size));
    expect(mine.every((c) => cached.has(c.id))).toBe(true);

    // The next pull is incremental: no bootstrap any more.
    statuses.length = 0;
    await call(backend, 'sync.now', {});
    expect(statuses.every((s) => (s.bootstrap ?? null) === null)).toBe(true);
    await backend.close();
  }, 120_000);
});
