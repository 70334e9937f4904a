// The same migrations, seed and sync path on embedded PGlite, the default when no
// DATABASE_URL is given: proves the SQL suits both engines.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation, PullResponse, PushResponse } from '../../shared/sync-protocol';
import { buildServer } from '../../server/app';
import { openPglite, type Db } from '../../server/db';
import { MIGRATIONS_DIR, runMigrations } from '../../server/migrations';
import { DEMO_PASSWORD, seedAtScale, seedDemo } from '../../server/seed';

const jwtSecret = new TextEncoder().encode('pglite-secret-pglite-secret-pglite');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'case-pglite-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded PGlite', () => {
  it('migrates, seeds, takes a push and serves the pull, and keeps it all after a reopen', async () => {
    const caseId = randomUUID();
    const clientId = randomUUID();
    let db: Db = await openPglite(dataDir);
    try {
      const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
      expect(files.slice(0, 2)).toEqual(['001_init.sql', '002_case_scope_changes.sql']);
      expect(await runMigrations(db)).toEqual(files);
      expect(await runMigrations(db)).toEqual([]);
      expect(await seedDemo(db, { cases: 4 })).toMatchObject({ seeded: true, cases: 4 });
      expect(await seedDemo(db, { cases: 4 })).toMatchObject({ seeded: false });

      const app = buildServer({ db, jwtSecret });
      const signIn = await app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        payload: { username: 'agent01', password: DEMO_PASSWORD, clientId },
      });
      expect(signIn.statusCode).toBe(200);
      const headers = { authorization: `Bearer ${signIn.json().token}` };
      const at = new Date().toISOString();
      const mutations: Mutation[] = [
        {
          id: randomUUID(),
          seq: 1,
          recordedAt: at,
          name: 'case.create@1',
          args: {
            caseId,
            number: `${signIn.json().workstationCode}-261123-0001`,
            intake: {
              customerName: '周慧敏',
              customerPhone: '13900001234',
              channel: 'app',
              type: 'complaint',
              businessLine: 'payment',
              description: '转账失败但已扣款。',
              customerExpectation: '尽快退回款项。',
            },
          },
        },
        {
          id: randomUUID(),
          seq: 2,
          recordedAt: at,
          name: 'case.addNote@1',
          args: { caseId, noteId: randomUUID(), text: '已联系清算部门。' },
        },
        {
          id: randomUUID(),
          seq: 3,
          recordedAt: at,
          name: 'case.transition@1',
          args: {
            caseId,
            event: { type: 'REQUEST_CUSTOMER_INFO', what: '请提供转账截图' },
            baseVersion: 1,
          },
        },
        {
          id: randomUUID(),
          seq: 4,
          recordedAt: at,
          name: 'case.transition@1',
          args: {
            caseId,
            event: { type: 'NOTIFY_CUSTOMER', channel: 'sms', summary: '已处理' },
            baseVersion: 2,
          },
        },
      ];
      const push = () =>
        app.inject({
          method: 'POST',
          url: '/sync/push',
          headers,
          payload: { protocolVersion: 1, clientId, mutations },
        });
      const pushed: PushResponse = (await push()).json();
      expect(pushed.results.map((r) => r.code ?? r.status)).toEqual([
        'applied',
        'applied',
        'applied',
        'NOT_ALLOWED_IN_STATE',
      ]);
      expect((await push()).json()).toEqual(pushed);

      const pulled = await app.inject({
        method: 'GET',
        url: `/sync/pull?clientId=${clientId}`,
        headers,
      });
      expect(pulled.statusCode, pulled.body).toBe(200);
      const body: PullResponse = pulled.json();
      expect(body.lastSeq).toBe(4);
      expect(body.cases.find((c) => c.id === caseId)).toMatchObject({
        status: 'waiting_customer',
        ownerName: '王晓梅',
      });
      expect(body.notes.filter((n) => n.caseId === caseId).map((n) => n.text)).toEqual([
        '已联系清算部门。',
      ]);
      await expect(db.query('delete from case_history')).rejects.toThrow(/append-only/);

      // Readiness and case search use SQL of their own: it runs here too.
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode, ready.body).toBe(200);
      const search = await app.inject({
        method: 'GET',
        url: `/cases/search?q=${encodeURIComponent('周')}`,
        headers,
      });
      expect(search.statusCode, search.body).toBe(200);
      expect(search.json().hits).toContainEqual(
        expect.objectContaining({ id: caseId, customerPhoneMasked: '139****1234' }),
      );
      await app.close();
    } finally {
      await db.close();
    }

    db = await openPglite(dataDir);
    try {
      expect(await runMigrations(db)).toEqual([]);
      // The bulk seed's unnest inserts, on PGlite.
      const scaled = await seedAtScale(db, {
        size: { cases: 300, agents: 6, teams: 2, branches: 2 },
        endAt: new Date('2026-11-20T00:00:00Z'),
      });
      expect(scaled).toEqual({ seeded: true, users: 10, cases: 300 });
      const seeded = await db.query<{ n: number | string }>(
        `select count(*) as n from cases where number like 'SDS0-%'`,
      );
      expect(Number(seeded.rows[0]!.n)).toBe(300);
      const kept = await db.query<{ status: string }>('select status from cases where id = $1', [
        caseId,
      ]);
      expect(kept.rows).toEqual([{ status: 'waiting_customer' }]);
    } finally {
      await db.close();
    }
  }, 60_000);
});
