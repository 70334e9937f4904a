// Pokes over Server-Sent Events: NOTIFY inside the pushing transaction, LISTEN in every API
// process, so that a workstation subscribed to one process hears about a push to another.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/sync-protocol';
import { buildServer } from '../../server/app';
import { openDb, openPglite, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('poke-secret-poke-secret-poke-secret');
let postgres: TestPostgres;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  postgres = await startPostgres('sync_pokes');
  const db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 2 });
  await db.close();
}, 60_000);

afterAll(async () => {
  for (const thing of opened.reverse()) await thing.close().catch(() => {});
  await postgres?.stop();
});

/** One API process: its own pool, its own LISTEN connection, a real port. */
async function startInstance(db?: Db, sseHeartbeatMs?: number) {
  const ownDb = db ?? (await openDb({ databaseUrl: postgres.url }));
  const app = buildServer({ db: ownDb, jwtSecret, sseHeartbeatMs });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  const instance = {
    app,
    url,
    db: ownDb,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        if (!db) await ownDb.close();
      })()),
  };
  opened.push(instance);
  return instance;
}

async function signIn(url: string, username = 'agent01') {
  const clientId = randomUUID();
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, clientId }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string; workstationCode: string };
  return { clientId, token: body.token, workstationCode: body.workstationCode, seq: 0 };
}

type Session = Awaited<ReturnType<typeof signIn>>;

/** Reads an SSE stream in the background: every block, as received, with its arrival time. */
async function subscribe(url: string, token?: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/sync/events`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: controller.signal,
  });
  const blocks: { text: string; at: number }[] = [];
  let ended = false;
  const reading = (async () => {
    if (!response.ok || !response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          blocks.push({ text: buffer.slice(0, end), at: Date.now() });
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
    }
  })();
  const pokes = () => blocks.filter((b) => b.text.includes('event: poke'));
  const stream = {
    response,
    blocks,
    pokes,
    get ended() {
      return ended;
    },
    reading,
    async waitFor(test: () => boolean, timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return true;
    },
    close: async () => {
      controller.abort();
      await reading;
    },
  };
  opened.push(stream);
  return stream;
}

let numberSeq = 0;
function createCase(session: Session): Mutation {
  return {
    id: randomUUID(),
    seq: ++session.seq,
    recordedAt: new Date().toISOString(),
    name: 'case.create@1',
    args: {
      caseId: randomUUID(),
      number: `${session.workstationCode}-261123-${String(++numberSeq).padStart(4, '0')}`,
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
  };
}

async function push(url: string, session: Session, mutations: Mutation[]) {
  const response = await fetch(`${url}/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ protocolVersion: 1, clientId: session.clientId, mutations }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json() as Promise<{ results: { status: string; code: string | null }[] }>;
}

describe('GET /sync/events', () => {
  it('pokes a workstation on instance B within a second of a push to instance A', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const writer = await signIn(a.url, 'agent01');
    const listener = await signIn(b.url, 'agent02'); // pokes carry no data: any user hears them
    const stream = await subscribe(b.url, listener.token);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await stream.waitFor(() => stream.blocks.length > 0, 1_000)).toBe(true); // ": connected"
    expect(stream.pokes()).toHaveLength(0);

    const pushedAt = Date.now();
    const pushed = await push(a.url, writer, [createCase(writer)]);
    expect(pushed.results[0]!.status).toBe('applied');
    expect(await stream.waitFor(() => stream.pokes().length > 0, 1_000)).toBe(true);
    expect(stream.pokes()[0]!.at - pushedAt).toBeLessThan(1_000);
    expect(stream.pokes()[0]!.text).toBe('event: poke\ndata: {}');

    // A push of many mutations is one burst of notifications: few pokes, not one per mutation.
    const before = stream.pokes().length;
    await push(
      a.url,
      writer,
      Array.from({ length: 20 }, () => createCase(writer)),
    );
    expect(await stream.waitFor(() => stream.pokes().length > before, 1_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.pokes().length - before).toBeLessThan(20);
    await stream.close();
  });

  it('does not poke for a push that changed nothing (a rejection, a duplicate)', async () => {
    const a = await startInstance();
    const writer = await signIn(a.url, 'agent01');
    const stream = await subscribe(a.url, writer.token);
    await stream.waitFor(() => stream.blocks.length > 0, 1_000);
    const create = createCase(writer);
    await push(a.url, writer, [create]);
    expect(await stream.waitFor(() => stream.pokes().length === 1, 1_000)).toBe(true);
    const again = await push(a.url, writer, [create]); // the lost-response resend
    expect(again.results[0]!.status).toBe('applied');
    const refused = createCase(writer);
    refused.args.caseId = create.args.caseId;
    const rejected = await push(a.url, writer, [refused]);
    expect(rejected.results[0]!.code).toBe('CASE_EXISTS');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.pokes()).toHaveLength(1);
    await stream.close();
  });

  it('sends heartbeat comments, and refuses a stream without a valid token', async () => {
    const a = await startInstance(undefined, 50);
    const session = await signIn(a.url);
    const stream = await subscribe(a.url, session.token);
    expect(
      await stream.waitFor(
        () => stream.blocks.filter((b) => b.text === ': heartbeat').length >= 2,
        1_000,
      ),
    ).toBe(true);
    await stream.close();

    const anonymous = await subscribe(a.url);
    expect(anonymous.response.status).toBe(401);
    expect(await anonymous.response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('ends its streams on a graceful close instead of waiting for them', async () => {
    const a = await startInstance();
    const session = await signIn(a.url);
    const streams = await Promise.all([1, 2, 3].map(() => subscribe(a.url, session.token)));
    await Promise.all(streams.map((s) => s.waitFor(() => s.blocks.length > 0, 1_000)));
    const started = Date.now();
    await a.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const stream of streams) {
      expect(await stream.waitFor(() => stream.ended, 1_000)).toBe(true);
    }
  });

  it('listens again after its LISTEN connection is killed, and pokes for the gap', async () => {
    const a = await startInstance();
    const session = await signIn(a.url);
    const stream = await subscribe(a.url, session.token);
    await stream.waitFor(() => stream.blocks.length > 0, 1_000);
    const admin = await openDb({ databaseUrl: postgres.url });
    try {
      const killed = await admin.query<{ ok: boolean }>(
        `select pg_terminate_backend(pid) as ok from pg_stat_activity
          where query ilike 'listen %' and pid <> pg_backend_pid()`,
      );
      expect(killed.rows.length).toBeGreaterThan(0);
      // Back within its backoff, with one poke for whatever was missed meanwhile...
      expect(await stream.waitFor(() => stream.pokes().length >= 1, 3_000)).toBe(true);
      const after = stream.pokes().length;
      // ...and listening again: the next push pokes too.
      await push(a.url, session, [createCase(session)]);
      expect(await stream.waitFor(() => stream.pokes().length > after, 1_000)).toBe(true);
    } finally {
      await admin.close();
      await stream.close();
    }
  });
});

describe('pokes on embedded PGlite', () => {
  let dataDir: string;
  let db: Db;
  let instance: Awaited<ReturnType<typeof startInstance>> | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'case-pglite-pokes-'));
    db = await openPglite(dataDir);
    await runMigrations(db);
    await seedDemo(db, { cases: 1 });
  }, 60_000);

  afterAll(async () => {
    await instance?.close();
    await db?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pokes through PGlite’s own listen()', async () => {
    instance = await startInstance(db);
    const session = await signIn(instance.url);
    const stream = await subscribe(instance.url, session.token);
    await stream.waitFor(() => stream.blocks.length > 0, 1_000);
    await push(instance.url, session, [createCase(session)]);
    expect(await stream.waitFor(() => stream.pokes().length > 0, 1_000)).toBe(true);
    await stream.close();
  }, 60_000);
});
