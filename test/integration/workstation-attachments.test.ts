// Attachments from the workstation, against a real central API on a real PostgreSQL: a file
// added offline waits in the cache and reaches the server exactly once, with the same bytes,
// when the API is back; content is fetched once and then served from the cache, offline
// too; a file the shared rules refuse is refused at once and nothing is stored.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, FaultProxy, intake, openWorkstation, waitFor } from './sync-support';

let postgres: TestPostgres;
let database: pg.Client;
let api: CentralApi;
let proxy: FaultProxy;
let dir: string;
const SERVER_MAX_BYTES = 4096;
const backends: WorkstationBackend[] = [];

beforeAll(async () => {
  postgres = await startPostgres('workstation_attachments');
  // This deployment's limit is lower than the workstation's default: the API refuses what
  // the workstation accepted, which the workstation must keep and show.
  process.env.ATTACHMENT_MAX_BYTES = String(SERVER_MAX_BYTES);
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'attachments-secret-attachments-secret',
  });
  delete process.env.ATTACHMENT_MAX_BYTES;
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  proxy = await FaultProxy.start(Number(new URL(api.url).port));
  dir = mkdtempSync(join(tmpdir(), 'cw-attachments-'));
}, 60_000);

afterAll(async () => {
  for (const backend of backends) await backend.close();
  await proxy?.close();
  await database?.end();
  await api?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function agentWorkstation(name: string): Promise<WorkstationBackend> {
  const backend = await openWorkstation(join(dir, name), proxy.url, { referenceRefreshMs: 0 });
  backends.push(backend);
  await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
  await call(backend, 'sync.now', {});
  return backend;
}

/** A tiny real PNG (1×1, one red pixel). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function serverAttachments(caseId: string) {
  const rows = await database.query<{
    id: string;
    file_name: string;
    sha256: string;
    content: Buffer;
  }>(
    `SELECT a.id, a.file_name, a.sha256, b.content
       FROM case_attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256
      WHERE a.case_id = $1`,
    [caseId],
  );
  return rows.rows;
}

describe('attachments added on the workstation', () => {
  it('queues a file added offline and uploads it once, same bytes, when the API is back', async () => {
    const backend = await agentWorkstation('offline-upload');
    const created = await call(backend, 'cases.create', intake('信用卡被盗刷，客户提供了交易截图'));
    await call(backend, 'sync.now', {});

    proxy.offline();
    let added;
    try {
      added = await call(backend, 'attachments.add', {
        caseId: created.id,
        fileName: '交易截图.png',
        mediaType: 'image/png',
        bytesBase64: PNG.toString('base64'),
      });
      expect(added).toMatchObject({ state: 'pending', cached: true, size: PNG.length });
      await call(backend, 'sync.now', {}).catch(() => undefined);
      // Waiting beside the outbox, and counted as waiting.
      expect((await call(backend, 'sync.status', {})).pending).toBe(1);
      expect(await call(backend, 'attachments.list', { caseId: created.id })).toMatchObject([
        { id: added.id, state: 'pending', fileName: '交易截图.png' },
      ]);
      // Offline, the waiting file still opens from the cache.
      const offlineContent = await call(backend, 'attachments.content', {
        caseId: created.id,
        attachmentId: added.id,
      });
      expect(Buffer.from(offlineContent.bytesBase64, 'base64').equals(PNG)).toBe(true);
    } finally {
      proxy.online();
    }

    await call(backend, 'sync.now', {});
    await waitFor(
      async () =>
        (await call(backend, 'attachments.list', { caseId: created.id }))[0]?.state === 'uploaded',
      10_000,
      'the upload',
    );
    // Syncing again sends nothing twice: one row, the same bytes and checksum.
    await call(backend, 'sync.now', {});
    expect((await call(backend, 'sync.status', {})).pending).toBe(0);
    const stored = await serverAttachments(created.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: added.id,
      file_name: '交易截图.png',
      sha256: sha256(PNG),
    });
    expect(stored[0]!.content.equals(PNG)).toBe(true);
    const history = await database.query(
      `SELECT 1 FROM case_history WHERE case_id = $1 AND action = 'case.attachment.add'`,
      [created.id],
    );
    expect(history.rowCount).toBe(1);
    const detail = await call(backend, 'cases.get', { caseId: created.id });
    expect(detail.attachments.map((a) => a.id)).toEqual([added.id]);
  });

  it('fetches content it does not hold, keeps it, and serves it offline afterwards', async () => {
    const uploader = await agentWorkstation('uploader');
    const created = await call(uploader, 'cases.create', intake('账户被冻结，客户寄来说明'));
    await call(uploader, 'sync.now', {});
    const text = Buffer.from('客户说明：账户于3月2日被冻结，未收到通知。\n', 'utf8');
    const added = await call(uploader, 'attachments.add', {
      caseId: created.id,
      fileName: '客户说明.txt',
      mediaType: 'text/plain',
      bytesBase64: text.toString('base64'),
    });
    await call(uploader, 'sync.now', {});

    // Another workstation of the same agent learns the metadata with its pull only.
    const reader = await agentWorkstation('reader');
    const listed = await call(reader, 'attachments.list', { caseId: created.id });
    expect(listed).toMatchObject([{ id: added.id, state: 'uploaded', cached: false }]);

    proxy.offline();
    try {
      const refused = await reader.call('attachments.content', {
        caseId: created.id,
        attachmentId: added.id,
      });
      expect(refused).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    } finally {
      proxy.online();
    }

    const fetched = await call(reader, 'attachments.content', {
      caseId: created.id,
      attachmentId: added.id,
    });
    expect(Buffer.from(fetched.bytesBase64, 'base64').equals(text)).toBe(true);
    expect(fetched).toMatchObject({ fileName: '客户说明.txt', mediaType: 'text/plain' });
    expect(await call(reader, 'attachments.list', { caseId: created.id })).toMatchObject([
      { id: added.id, cached: true },
    ]);

    proxy.offline();
    try {
      const cached = await call(reader, 'attachments.content', {
        caseId: created.id,
        attachmentId: added.id,
      });
      expect(Buffer.from(cached.bytesBase64, 'base64').equals(text)).toBe(true);
    } finally {
      proxy.online();
    }
  });

  it('refuses a file of an unaccepted type or a lying one with the shared code, storing nothing', async () => {
    const backend = await agentWorkstation('refusals');
    const created = await call(backend, 'cases.create', intake('网银转账失败'));
    const attempt = (input: { fileName: string; mediaType: string; bytes: Buffer }) =>
      backend.call('attachments.add', {
        caseId: created.id,
        fileName: input.fileName,
        mediaType: input.mediaType,
        bytesBase64: input.bytes.toString('base64'),
      });
    expect(
      await attempt({
        fileName: '木马.exe',
        mediaType: 'application/x-msdownload',
        bytes: Buffer.from('MZ\x90\x00'),
      }),
    ).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(
      await attempt({
        fileName: '截图.png',
        mediaType: 'image/png',
        bytes: Buffer.from('%PDF-1.4\n'),
      }),
    ).toMatchObject({ ok: false, error: { code: 'CONTENT_TYPE_MISMATCH' } });
    expect(
      await attempt({ fileName: '截图.pdf', mediaType: 'image/png', bytes: PNG }),
    ).toMatchObject({ ok: false, error: { code: 'FILE_EXTENSION_MISMATCH' } });
    expect(
      await attempt({ fileName: '空.txt', mediaType: 'text/plain', bytes: Buffer.alloc(0) }),
    ).toMatchObject({ ok: false, error: { code: 'ATTACHMENT_EMPTY' } });
    const tooLarge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    expect(
      await attempt({ fileName: '大文件.txt', mediaType: 'text/plain', bytes: tooLarge }),
    ).toMatchObject({ ok: false, error: { code: 'ATTACHMENT_TOO_LARGE' } });

    expect(await call(backend, 'attachments.list', { caseId: created.id })).toEqual([]);
    const db = (backend as unknown as { db: import('better-sqlite3').Database }).db;
    expect(db.prepare('SELECT count(*) AS n FROM attachment_uploads').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM attachment_files').get()).toEqual({ n: 0 });
  });

  it('keeps an upload the API refuses, with its reason, and never sends it again', async () => {
    const backend = await agentWorkstation('api-refusal');
    const created = await call(backend, 'cases.create', intake('理财产品赎回延迟'));
    await call(backend, 'sync.now', {});
    const statement = Buffer.from('赎回申请单号 20260301\n'.repeat(300), 'utf8');
    expect(statement.length).toBeGreaterThan(SERVER_MAX_BYTES);
    const added = await call(backend, 'attachments.add', {
      caseId: created.id,
      fileName: '赎回记录.txt',
      mediaType: 'text/plain',
      bytesBase64: statement.toString('base64'),
    });
    await call(backend, 'sync.now', {});
    expect(await call(backend, 'attachments.list', { caseId: created.id })).toMatchObject([
      { id: added.id, state: 'refused', refusal: { code: 'ATTACHMENT_TOO_LARGE' } },
    ]);
    const db = (backend as unknown as { db: import('better-sqlite3').Database }).db;
    const attempts = () =>
      db.prepare('SELECT attempts FROM attachment_uploads WHERE id = ?').get(added.id);
    expect(attempts()).toEqual({ attempts: 1 });
    await call(backend, 'sync.now', {});
    expect(attempts()).toEqual({ attempts: 1 });
    expect(await serverAttachments(created.id)).toEqual([]);
  });
});
