// Attachments on a real PostgreSQL 15: evidence round-trips byte for byte under its typed
// (Chinese) name, refused uploads leave nothing behind, retries are idempotent, scope and
// roles hold, the database itself refuses rewrites, and the pull's snapshot sees metadata
// consistently. A short smoke part runs the same path on embedded PGlite.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachmentMeta,
  displayFileName,
  DISPLAY_FILE_NAME_MAX,
  mediaTypeOfContent,
  textCharset,
} from '../../shared/attachments';
import { buildServer } from '../../server/app';
import {
  attachmentMaxBytes,
  attachmentsChangedInScope,
  attachmentVersionsAfterCursor,
  contentDisposition,
} from '../../server/attachments';
import { caseScope } from '../../server/cases';
import { openDb, openPglite, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { hashPassword } from '../../server/passwords';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('attachments-secret-attachments-secret');
const SMALL_LIMIT = 4096;
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;
/** The same API with ATTACHMENT_MAX_BYTES set small. */
let smallApp: FastifyInstance;

/** An agent of team T2, outside everything team T1 does. */
const OTHER_TEAM_AGENT = { id: 'u-agent-t2', username: 'agent-t2' };

async function addOtherTeamAgent(target: Db): Promise<void> {
  await target.query(
    `insert into users (id, username, display_name, role, team_id, branch_id, password_hash)
     values ($1, $2, '赵敏', 'agent', 'team-t2', 'branch-sh', $3)`,
    [OTHER_TEAM_AGENT.id, OTHER_TEAM_AGENT.username, await hashPassword(DEMO_PASSWORD)],
  );
}

beforeAll(async () => {
  postgres = await startPostgres();
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 6 });
  await addOtherTeamAgent(db);
  app = buildServer({ db, jwtSecret });
  await app.ready();
  process.env.ATTACHMENT_MAX_BYTES = String(SMALL_LIMIT);
  try {
    smallApp = buildServer({ db, jwtSecret });
    await smallApp.ready();
  } finally {
    delete process.env.ATTACHMENT_MAX_BYTES;
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await smallApp?.close();
  await db?.close();
  await postgres?.stop();
});

// --- small factories -------------------------------------------------------------------

interface Session {
  userId: string;
  clientId: string;
  headers: { authorization: string };
}

async function signInTo(
  server: FastifyInstance,
  username: string,
  clientId: string = randomUUID(),
): Promise<Session> {
  const response = await server.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId },
  });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  return { userId: body.user.id, clientId, headers: { authorization: `Bearer ${body.token}` } };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A real 4×4 RGB PNG whose pixels depend on `shade`: different shades, different files. */
function png(shade: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(4, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Array.from({ length: 4 }, (_, y) =>
    Buffer.from([0, ...Array.from({ length: 12 }, (_, x) => (shade + x * 17 + y * 31) % 256)]),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF saying `text`. */
function pdf(text: string): Buffer {
  return Buffer.from(
    [
      '%PDF-1.4',
      '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
      '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
      '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj',
      `% ${text}`,
      'trailer << /Root 1 0 R >>',
      '%%EOF',
      '',
    ].join('\n'),
    'latin1',
  );
}

/** The parts an Office file's ZIP names, enough for recognition (not for Word). */
function officeZip(...parts: string[]): Buffer {
  return Buffer.concat([
    Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]),
    ...['[Content_Types].xml', ...parts].map((name) => Buffer.from(`${name}\0\0`, 'latin1')),
  ]);
}

const EXECUTABLE = Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0', 'latin1'), Buffer.alloc(64)]);
const HTML = Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>');

interface Upload {
  bytes: Buffer;
  type?: string;
  name?: string;
  /** The checksum the client claims; the content's own by default. */
  sha?: string;
}

function upload(
  session: Session,
  caseId: string,
  attachmentId: string,
  file: Upload,
  server: FastifyInstance = app,
) {
  const headers: Record<string, string> = {
    ...session.headers,
    'x-content-sha256': file.sha ?? sha256(file.bytes),
  };
  if (file.type !== undefined) headers['content-type'] = file.type;
  if (file.name !== undefined) headers['x-file-name'] = encodeURIComponent(file.name);
  return server.inject({
    method: 'PUT',
    url: `/cases/${caseId}/attachments/${attachmentId}`,
    headers,
    payload: file.bytes,
  });
}

function download(session: Session, caseId: string, attachmentId: string, etag?: string) {
  return app.inject({
    method: 'GET',
    url: `/cases/${caseId}/attachments/${attachmentId}/content`,
    headers: { ...session.headers, ...(etag ? { 'if-none-match': etag } : {}) },
  });
}

function list(session: Session, caseId: string) {
  return app.inject({
    method: 'GET',
    url: `/cases/${caseId}/attachments`,
    headers: session.headers,
  });
}

/** Everything an upload writes, counted. */
async function stored(
  target: Db = db,
): Promise<Record<'attachments' | 'blobs' | 'history' | 'version', number>> {
  const result = await target.query<Record<string, string | number>>(
    `select (select count(*) from case_attachments) as attachments,
            (select count(*) from attachment_blobs) as blobs,
            (select count(*) from case_history where action = 'case.attachment.add') as history,
            (select v from sync_version) as version`,
  );
  const row = result.rows[0]!;
  return {
    attachments: Number(row.attachments),
    blobs: Number(row.blobs),
    history: Number(row.history),
    version: Number(row.version),
  };
}

async function caseOwnedBy(userId: string, nth = 0): Promise<string> {
  const found = await db.query<{ id: string }>(
    'select id from cases where owner_id = $1 order by number offset $2 limit 1',
    [userId, nth],
  );
  return found.rows[0]!.id;
}

/** The filename* of a content-disposition, decoded. */
function dispositionName(header: string): string {
  const encoded = header.match(/filename\*=UTF-8''([^;]+)/)?.[1];
  expect(encoded, header).toBeDefined();
  return decodeURIComponent(encoded!);
}

let agent: Session; // agent01, owner of `ownCase`
let colleague: Session; // agent02, same team, not the owner
let lead: Session; // lead01, lead of team T1
let branch: Session; // branch01, staff of agent01's branch
let admin: Session;
let stranger: Session; // an agent of team T2
let ownCase: string;
let secondCase: string;

beforeAll(async () => {
  agent = await signInTo(app, 'agent01');
  colleague = await signInTo(app, 'agent02');
  lead = await signInTo(app, 'lead01');
  branch = await signInTo(app, 'branch01');
  admin = await signInTo(app, 'admin01');
  stranger = await signInTo(app, OTHER_TEAM_AGENT.username);
  ownCase = await caseOwnedBy('u-agent01');
  secondCase = await caseOwnedBy('u-agent01', 1);
});

// --- tests ----------------------------------------------------------------------------

describe('uploading and downloading evidence', () => {
  it('round-trips a PNG with a Chinese name byte for byte, with safe download headers', async () => {
    const bytes = png(7);
    const id = randomUUID();
    const name = '转账截图 2026-11-23.png';
    const response = await upload(agent, ownCase, id, { bytes, type: 'image/png', name });
    expect(response.statusCode, response.body).toBe(201);
    const meta = AttachmentMeta.parse(response.json());
    expect(meta).toMatchObject({
      id,
      caseId: ownCase,
      fileName: name,
      typedFileName: name,
      mediaType: 'image/png',
      size: bytes.length,
      sha256: sha256(bytes),
      uploadedBy: 'u-agent01',
      uploadedByName: '王晓梅',
      clientId: agent.clientId,
    });

    const listed = await list(agent, ownCase);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().attachments).toContainEqual(meta);

    const fetched = await download(agent, ownCase, id);
    expect(fetched.statusCode).toBe(200);
    expect(Buffer.compare(fetched.rawPayload, bytes)).toBe(0);
    expect(sha256(fetched.rawPayload)).toBe(meta.sha256);
    expect(fetched.headers['content-type']).toBe('image/png');
    expect(fetched.headers['x-content-type-options']).toBe('nosniff');
    expect(fetched.headers['content-disposition']).toMatch(/^attachment; filename="[ -~]+"; /);
    expect(dispositionName(String(fetched.headers['content-disposition']))).toBe(name);
    expect(fetched.headers.etag).toBe(`"${meta.sha256}"`);

    const again = await download(agent, ownCase, id, `W/"0000", "${meta.sha256}"`);
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect((await download(agent, ownCase, id, '"something-else"')).statusCode).toBe(200);
  });

  it('round-trips a PDF, and a lead of the case’s team may attach too', async () => {
    const bytes = pdf('statement for November');
    const id = randomUUID();
    const name = '对账单（十一月）.PDF';
    const response = await upload(lead, ownCase, id, { bytes, type: 'application/pdf', name });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ fileName: name, uploadedBy: 'u-lead01' });
    const fetched = await download(agent, ownCase, id);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.headers['content-type']).toBe('application/pdf');
    expect(sha256(fetched.rawPayload)).toBe(sha256(bytes));
    expect(dispositionName(String(fetched.headers['content-disposition']))).toBe(name);
  });

  it('writes a case.attachment.add history row with the upload', async () => {
    const bytes = Buffer.from('客户来电记录：2026-11-23 10:05 致电说明进度。\n', 'utf8');
    const id = randomUUID();
    const response = await upload(agent, ownCase, id, {
      bytes,
      type: 'text/plain',
      name: '来电记录.txt',
    });
    expect(response.statusCode, response.body).toBe(201);
    const history = await db.query<{
      actor_id: string;
      client_id: string;
      after: { attachmentId: string };
    }>(
      `select actor_id, client_id, after from case_history
        where case_id = $1 and action = 'case.attachment.add' and after->>'attachmentId' = $2`,
      [ownCase, id],
    );
    expect(history.rows).toHaveLength(1);
    expect(history.rows[0]).toMatchObject({ actor_id: 'u-agent01', client_id: agent.clientId });
  });

  it('accepts text from a Chinese Windows desktop (GB18030) and Office documents', async () => {
    const gbk = Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a]); // 你好 in GBK
    const cases: Upload[] = [
      { bytes: gbk, type: 'text/plain; charset=gb18030', name: '说明.txt' },
      {
        bytes: officeZip('word/document.xml'),
        type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        name: '情况说明.docx',
      },
      {
        bytes: officeZip('xl/workbook.xml'),
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        name: '流水.xlsx',
      },
    ];
    const ids: string[] = [];
    for (const file of cases) {
      const id = randomUUID();
      const response = await upload(agent, ownCase, id, file);
      expect(response.statusCode, `${file.name}: ${response.body}`).toBe(201);
      ids.push(id);
    }
    const text = await download(agent, ownCase, ids[0]!);
    expect(text.headers['content-type']).toBe('text/plain; charset=gb18030');
    expect(new TextDecoder('gb18030').decode(text.rawPayload)).toBe('你好\r\n');
  });
});

describe('retries and reuse', () => {
  it('answers a retried upload with the stored record and stores nothing twice', async () => {
    const bytes = png(41);
    const id = randomUUID();
    const file = { bytes, type: 'image/png', name: '回执.png' };
    const first = await upload(agent, ownCase, id, file);
    expect(first.statusCode).toBe(201);
    const before = await stored();
    const retry = await upload(agent, ownCase, id, file);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect(await stored()).toEqual(before);
  });

  it('refuses the same id with other content (409) and keeps the first', async () => {
    const id = randomUUID();
    expect(
      (await upload(agent, ownCase, id, { bytes: png(50), type: 'image/png', name: 'a.png' }))
        .statusCode,
    ).toBe(201);
    const before = await stored();
    const clash = await upload(agent, ownCase, id, {
      bytes: png(51),
      type: 'image/png',
      name: 'a.png',
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe('ATTACHMENT_ID_REUSED');
    const onOtherCase = await upload(agent, secondCase, id, {
      bytes: png(50),
      type: 'image/png',
      name: 'a.png',
    });
    expect(onOtherCase.statusCode).toBe(409);
    expect(await stored()).toEqual(before);
    expect(sha256((await download(agent, ownCase, id)).rawPayload)).toBe(sha256(png(50)));
  });

  it('settles two simultaneous uploads of one id: one stores, the other gets the same record or 409', async () => {
    const id = randomUUID();
    const file = { bytes: png(60), type: 'image/png', name: '并发.png' };
    const before = await stored();
    const [one, two] = await Promise.all([
      upload(agent, ownCase, id, file),
      upload(agent, ownCase, id, file),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 201]);
    expect(one.json()).toEqual(two.json());
    const other = randomUUID();
    const clash = await Promise.all([
      upload(agent, ownCase, other, { ...file, bytes: png(61) }),
      upload(agent, ownCase, other, { ...file, bytes: png(62) }),
    ]);
    expect(clash.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await stored()).toMatchObject({
      attachments: before.attachments + 2,
      blobs: before.blobs + 2,
      history: before.history + 2,
    });
  });

  it('round-trips a scanned statement of several megabytes', async () => {
    const pages = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < pages.length; i++) pages[i] = (i * 7919) % 251;
    const bytes = Buffer.concat([pdf('scan'), pages]);
    const id = randomUUID();
    const put = await upload(agent, ownCase, id, {
      bytes,
      type: 'application/pdf',
      name: '扫描件.pdf',
    });
    expect(put.statusCode, put.body).toBe(201);
    const fetched = await download(agent, ownCase, id);
    expect(Buffer.compare(fetched.rawPayload, bytes)).toBe(0);
  });

  it('keeps one copy of content attached twice, on two cases', async () => {
    const bytes = pdf('the same receipt twice');
    const before = await stored();
    for (const caseId of [ownCase, secondCase]) {
      const response = await upload(agent, caseId, randomUUID(), {
        bytes,
        type: 'application/pdf',
        name: '回单.pdf',
      });
      expect(response.statusCode).toBe(201);
    }
    expect(await stored()).toMatchObject({
      attachments: before.attachments + 2,
      blobs: before.blobs + 1,
      history: before.history + 2,
      version: before.version + 2,
    });
  });
});

describe('what may not become evidence', () => {
  const mismatch = pdf('a PDF named as a photo');
  const refusals: { title: string; file: Upload; status: number; code: string }[] = [
    {
      title: 'a PDF sent as a JPEG photo',
      file: { bytes: mismatch, type: 'image/jpeg', name: '照片.jpg' },
      status: 422,
      code: 'CONTENT_TYPE_MISMATCH',
    },
    {
      title: 'a PDF named .jpg',
      file: { bytes: mismatch, type: 'application/pdf', name: '照片.jpg' },
      status: 422,
      code: 'FILE_EXTENSION_MISMATCH',
    },
    {
      title: 'a PDF named without an extension',
      file: { bytes: mismatch, type: 'application/pdf', name: '回单' },
      status: 422,
      code: 'FILE_EXTENSION_MISMATCH',
    },
    {
      title: 'an executable as what it is',
      file: { bytes: EXECUTABLE, type: 'application/x-msdownload', name: 'setup.exe' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      title: 'an executable dressed as a PNG',
      file: { bytes: EXECUTABLE, type: 'image/png', name: '截图.png' },
      status: 422,
      code: 'CONTENT_TYPE_MISMATCH',
    },
    {
      title: 'an HTML page as what it is',
      file: { bytes: HTML, type: 'text/html', name: 'page.html' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      title: 'an HTML page dressed as plain text',
      file: { bytes: HTML, type: 'text/plain', name: 'notes.txt' },
      status: 422,
      code: 'CONTENT_TYPE_MISMATCH',
    },
    {
      title: 'a macro-enabled Word document',
      file: {
        bytes: officeZip('word/document.xml', 'word/vbaProject.bin'),
        type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        name: '合同.docx',
      },
      status: 422,
      code: 'CONTENT_TYPE_MISMATCH',
    },
    {
      title: 'an upload without a content type',
      file: { bytes: png(1), name: 'a.png' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      title: 'content that changed on the way',
      file: { bytes: png(2), type: 'image/png', name: 'a.png', sha: sha256(png(3)) },
      status: 422,
      code: 'CHECKSUM_MISMATCH',
    },
    {
      title: 'an empty file',
      file: { bytes: Buffer.alloc(0), type: 'text/plain', name: 'empty.txt' },
      status: 422,
      code: 'ATTACHMENT_EMPTY',
    },
    {
      title: 'a name that is only a path',
      file: { bytes: png(4), type: 'image/png', name: 'C:\\Users\\王\\' },
      status: 422,
      code: 'FILE_NAME_INVALID',
    },
    {
      title: 'a file without a name',
      file: { bytes: png(5), type: 'image/png' },
      status: 400,
      code: 'VALIDATION',
    },
  ];

  it.each(refusals)('refuses $title with $status $code, storing nothing', async (refusal) => {
    const before = await stored();
    const response = await upload(agent, ownCase, randomUUID(), refusal.file);
    expect(response.statusCode, response.body).toBe(refusal.status);
    expect(response.json()).toMatchObject({ code: refusal.code, message: expect.any(String) });
    expect(await stored()).toEqual(before);
  });

  it('refuses a name that is not percent-encoded UTF-8', async () => {
    const before = await stored();
    const response = await app.inject({
      method: 'PUT',
      url: `/cases/${ownCase}/attachments/${randomUUID()}`,
      headers: {
        ...agent.headers,
        'content-type': 'image/png',
        'x-file-name': '%E8%BD%AC%ZZ.png',
        'x-content-sha256': sha256(png(6)),
      },
      payload: png(6),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('FILE_NAME_INVALID');
    expect(await stored()).toEqual(before);
  });

  it('refuses a file over ATTACHMENT_MAX_BYTES with 413 and takes one at the limit', async () => {
    const session = await signInTo(smallApp, 'agent01');
    const text = (size: number) => Buffer.alloc(size, 'a');
    const before = await stored();
    const tooLarge = await upload(
      session,
      ownCase,
      randomUUID(),
      { bytes: text(SMALL_LIMIT + 1), type: 'text/plain', name: 'big.txt' },
      smallApp,
    );
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().code).toBe('ATTACHMENT_TOO_LARGE');
    expect(await stored()).toEqual(before);
    const atLimit = await upload(
      session,
      ownCase,
      randomUUID(),
      { bytes: text(SMALL_LIMIT), type: 'text/plain', name: 'big.txt' },
      smallApp,
    );
    expect(atLimit.statusCode, atLimit.body).toBe(201);
  });

  it('answers an oversized upload over a real socket before reading all of it', async () => {
    const server = buildServer({ db, jwtSecret });
    process.env.ATTACHMENT_MAX_BYTES = String(SMALL_LIMIT);
    try {
      await server.listen({ port: 0, host: '127.0.0.1' });
    } finally {
      delete process.env.ATTACHMENT_MAX_BYTES;
    }
    try {
      const session = await signInTo(server, 'agent01');
      const bytes = Buffer.alloc(2 * 1024 * 1024, 'b');
      const before = await stored();
      const { port } = server.server.address() as { port: number };
      const response = await fetch(
        `http://127.0.0.1:${port}/cases/${ownCase}/attachments/${randomUUID()}`,
        {
          method: 'PUT',
          headers: {
            ...session.headers,
            'content-type': 'text/plain',
            'x-file-name': encodeURIComponent('大文件.txt'),
            'x-content-sha256': sha256(bytes),
          },
          body: bytes,
        },
      );
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
      expect(await stored()).toEqual(before);
    } finally {
      await server.close();
    }
  });

  it('reads its limit from ATTACHMENT_MAX_BYTES and refuses a limit that makes no sense', () => {
    expect(attachmentMaxBytes({})).toBe(10 * 1024 * 1024);
    expect(attachmentMaxBytes({ ATTACHMENT_MAX_BYTES: ' 2097152 ' })).toBe(2 * 1024 * 1024);
    for (const bad of ['0', '-1', '1.5', '10MB', String(2 * 1024 ** 3)]) {
      expect(() => attachmentMaxBytes({ ATTACHMENT_MAX_BYTES: bad }), bad).toThrow(
        /ATTACHMENT_MAX_BYTES/,
      );
    }
  });

  it('stores arbitrary bytes only as the type their content is, else refuses with a 4xx', async () => {
    const types = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain', 'image/webp'];
    const magic = fc.constantFrom(
      [],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0xff, 0xd8, 0xff],
      [...Buffer.from('%PDF-1.7\n')],
      [...Buffer.from('RIFF\0\0\0\0WEBP')],
      [0x4d, 0x5a],
    );
    await fc.assert(
      fc.asyncProperty(
        magic,
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.constantFrom(...types),
        async (prefix, rest, type) => {
          const bytes = Buffer.from([...prefix, ...rest]);
          const extension = {
            'image/png': 'png',
            'image/jpeg': 'jpg',
            'application/pdf': 'pdf',
            'text/plain': 'txt',
            'image/webp': 'webp',
          }[type];
          const before = await stored();
          const response = await upload(agent, ownCase, randomUUID(), {
            bytes,
            type,
            name: `证据.${extension}`,
          });
          if (bytes.length > 0 && mediaTypeOfContent(bytes) === type) {
            expect(response.statusCode, response.body).toBe(201);
          } else {
            expect(response.statusCode).toBeGreaterThanOrEqual(400);
            expect(response.statusCode).toBeLessThan(500);
            expect(await stored()).toEqual(before);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('recognizing plain text', () => {
  // Leaves out what textCharset calls a binary control: NUL and C0 controls other than tab,
  // line breaks, form feed and escape, and DEL (a fixed seed once found 0x7f).
  const noControls = (bytes: Uint8Array) =>
    bytes.filter(
      (byte) => (byte >= 0x20 && byte !== 0x7f) || [0x09, 0x0a, 0x0c, 0x0d, 0x1b].includes(byte),
    );

  it('calls bytes UTF-8 exactly when a strict decoder does', () => {
    const bytes = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }).map((text) => new TextEncoder().encode(text)),
      fc.uint8Array({ maxLength: 60 }),
      fc
        .array(fc.constantFrom(0xe0, 0xed, 0xf0, 0xf4, 0xc0, 0xc2, 0x80, 0x9f, 0xa0, 0xbf, 0x41), {
          maxLength: 12,
        })
        .map((list) => Uint8Array.from(list)),
    );
    fc.assert(
      fc.property(bytes, (raw) => {
        const text = noControls(raw);
        let strict = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(text);
        } catch {
          strict = false;
        }
        const opensWithMarkup = /^\s*</.test(Buffer.from(text).toString('latin1'));
        if (!opensWithMarkup) expect(textCharset(text) === 'utf-8').toBe(strict);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes as text whatever a GB18030 decoder reads', () => {
    const doubleBytes = fc
      .array(fc.tuple(fc.integer({ min: 0x81, max: 0xfe }), fc.integer({ min: 0x40, max: 0xfe })), {
        minLength: 1,
        maxLength: 20,
      })
      .map((pairs) => Uint8Array.from(pairs.flat()));
    fc.assert(
      fc.property(doubleBytes, (bytes) => {
        let decodes = true;
        try {
          new TextDecoder('gb18030', { fatal: true }).decode(bytes);
        } catch {
          decodes = false;
        }
        if (decodes) expect(textCharset(bytes)).not.toBeNull();
      }),
      { numRuns: 1000 },
    );
    expect(textCharset(Buffer.from('客户来电\r\n', 'utf8'))).toBe('utf-8');
    expect(textCharset(Uint8Array.from([0xc4, 0xe3, 0xba, 0xc3]))).toBe('gb18030');
    expect(textCharset(Buffer.from('\ufeff  <svg onload=alert(1)>'))).toBeNull();
    expect(textCharset(Buffer.from('line\u000bbreak'))).toBeNull();
  });
});

describe('file names', () => {
  it('keeps any typed name exactly and shows a safe form of it', async () => {
    const bytes = Buffer.from('name test\n');
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (stem) => {
        const typed = `${stem}.txt`;
        const response = await upload(agent, ownCase, randomUUID(), {
          bytes,
          type: 'text/plain',
          name: typed,
        });
        const shown = displayFileName(typed);
        if (typed.includes('\0') || shown === '' || !shown.endsWith('.txt') || shown === '.txt') {
          expect(response.statusCode).toBe(422);
          return;
        }
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ typedFileName: typed, fileName: shown });
      }),
      { numRuns: 30 },
    );
  });

  it('shows no path parts, controls or direction marks, and at most 255 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (typed) => {
        const shown = displayFileName(typed);
        // eslint-disable-next-line no-control-regex
        expect(shown).not.toMatch(/[/\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
        expect([...shown].length).toBeLessThanOrEqual(DISPLAY_FILE_NAME_MAX);
        expect(displayFileName(shown)).toBe(shown);
      }),
    );
    expect(displayFileName('../../etc/passwd')).toBe('passwd');
    expect(displayFileName('C:\\fakepath\\客户身份证.jpg')).toBe('客户身份证.jpg');
    expect(displayFileName('发票\u202Egpj.exe')).toBe('发票gpj.exe');
    const long = `${'长'.repeat(300)}.pdf`;
    expect(displayFileName(long)).toBe(`${'长'.repeat(251)}.pdf`);
  });

  it('offers an ASCII fallback and the exact UTF-8 name for download', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (name) => {
        const header = contentDisposition(name);
        expect(header).toMatch(
          /^attachment; filename="[ -~]*"; filename\*=UTF-8''[A-Za-z0-9%!._~-]*$/,
        );
        expect(header.match(/filename="([^"]*)"/)?.[1]).not.toMatch(/["\\]/);
        expect(dispositionName(header)).toBe(name);
      }),
    );
  });
});

describe('who may see and attach', () => {
  let attachmentId: string;

  beforeAll(async () => {
    attachmentId = randomUUID();
    const response = await upload(agent, ownCase, attachmentId, {
      bytes: png(99),
      type: 'image/png',
      name: '身份证复印件.png',
    });
    expect(response.statusCode).toBe(201);
  });

  it('answers 404 to an agent of another team, as for a case that does not exist', async () => {
    const before = await stored();
    for (const response of [
      await list(stranger, ownCase),
      await download(stranger, ownCase, attachmentId),
      await upload(stranger, ownCase, randomUUID(), {
        bytes: png(8),
        type: 'image/png',
        name: 'x.png',
      }),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('CASE_NOT_FOUND');
    }
    const missing = await list(agent, randomUUID());
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('CASE_NOT_FOUND');
    expect(await stored()).toEqual(before);
  });

  it('answers 404 to a colleague whose scope does not include the case', async () => {
    expect((await list(colleague, ownCase)).statusCode).toBe(404);
    expect((await download(colleague, ownCase, attachmentId)).statusCode).toBe(404);
  });

  it('refuses an admin with 403', async () => {
    for (const response of [
      await list(admin, ownCase),
      await download(admin, ownCase, attachmentId),
      await upload(admin, ownCase, randomUUID(), {
        bytes: png(9),
        type: 'image/png',
        name: 'x.png',
      }),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    }
  });

  it('lets branch staff read the cases of their branch but not attach to them', async () => {
    const listed = await list(branch, ownCase);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().attachments.map((a: AttachmentMeta) => a.id)).toContain(attachmentId);
    expect((await download(branch, ownCase, attachmentId)).statusCode).toBe(200);
    const before = await stored();
    const refused = await upload(branch, ownCase, randomUUID(), {
      bytes: png(10),
      type: 'image/png',
      name: 'x.png',
    });
    expect(refused.statusCode).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it('does not serve an attachment through another case’s address', async () => {
    const response = await download(agent, secondCase, attachmentId);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('ATTACHMENT_NOT_FOUND');
  });

  it('refuses strangers without a token', async () => {
    const response = await app.inject({ method: 'GET', url: `/cases/${ownCase}/attachments` });
    expect(response.statusCode).toBe(401);
  });

  it('describes every attachment route in the OpenAPI document', async () => {
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = document.paths as Record<
      string,
      Record<string, { tags: string[]; security?: unknown }>
    >;
    for (const [path, method] of [
      ['/cases/{caseId}/attachments/{attachmentId}', 'put'],
      ['/cases/{caseId}/attachments', 'get'],
      ['/cases/{caseId}/attachments/{attachmentId}/content', 'get'],
    ] as const) {
      expect(paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['attachments']);
      expect(paths[path]![method]!.security).toEqual([{ bearerAuth: [] }]);
    }
    const upload = paths['/cases/{caseId}/attachments/{attachmentId}']!.put as unknown as {
      requestBody: { content: Record<string, unknown> };
    };
    expect(Object.keys(upload.requestBody.content)).toContain('image/png');
  });
});

describe('evidence is append-only in the database', () => {
  it.each([
    'update case_attachments set file_name = $$x.png$$',
    'delete from case_attachments',
    'truncate case_attachments cascade',
    'update attachment_blobs set content = $$\\x00$$',
    'delete from attachment_blobs',
    'truncate attachment_blobs cascade',
  ])('refuses: %s', async (statement) => {
    const before = await stored();
    await expect(db.query(statement)).rejects.toThrow(/append-only/);
    expect(await stored()).toEqual(before);
  });
});

describe('lazy sync: metadata with the pull', () => {
  it('reads attachment metadata from the pull’s snapshot, scoped, without skipping a late commit', async () => {
    const user = {
      id: 'u-agent01',
      role: 'agent' as const,
      teamId: 'team-t1',
      branchId: 'branch-bj',
    };
    const start = String((await stored()).version);
    const early = randomUUID();
    expect(
      (await upload(agent, ownCase, early, { bytes: png(120), type: 'image/png', name: '早.png' }))
        .statusCode,
    ).toBe(201);
    const late = randomUUID();

    const firstPage = await db.transaction(
      async (tx) => {
        const current = await tx.query<{ v: string }>('select v from sync_version');
        const upper = String(current.rows[0]!.v);
        // Committed while this snapshot is open: not in it, so not in this window either.
        const response = await upload(agent, ownCase, late, {
          bytes: png(121),
          type: 'image/png',
          name: '晚.png',
        });
        expect(response.statusCode).toBe(201);
        const metas = await attachmentsChangedInScope(tx, caseScope(user, 3), start, upper);
        const foreign = await attachmentsChangedInScope(
          tx,
          caseScope(
            { id: OTHER_TEAM_AGENT.id, role: 'agent', teamId: 'team-t2', branchId: null },
            3,
          ),
          start,
          upper,
        );
        return { upper, metas, foreign };
      },
      { isolation: 'repeatable read' },
    );
    expect(firstPage.metas.map((m) => m.id)).toEqual([early]);
    expect(AttachmentMeta.array().parse(firstPage.metas)).toHaveLength(1);
    expect(firstPage.foreign).toEqual([]);

    const secondPage = await db.transaction(
      async (tx) => {
        const current = await tx.query<{ v: string }>('select v from sync_version');
        return attachmentsChangedInScope(
          tx,
          caseScope(user, 3),
          firstPage.upper,
          String(current.rows[0]!.v),
        );
      },
      { isolation: 'repeatable read' },
    );
    expect(secondPage.map((m) => m.id)).toEqual([late]);
  });

  it('gives pullChanges the versions to page by, scoped like the rows', async () => {
    const start = String((await stored()).version);
    const id = randomUUID();
    const put = await upload(agent, ownCase, id, {
      bytes: png(140),
      type: 'image/png',
      name: 'v.png',
    });
    expect(put.statusCode).toBe(201);
    const versionsFor = async (user: Parameters<typeof caseScope>[0]) => {
      const scope = caseScope(user, 3);
      const rows = await db.query<{ version: string }>(
        `select version from (${attachmentVersionsAfterCursor(scope.sql)}) changed
          order by version limit $2`,
        [start, 100, ...scope.params],
      );
      return rows.rows.map((row) => Number(row.version));
    };
    const owner = {
      id: 'u-agent01',
      role: 'agent' as const,
      teamId: 'team-t1',
      branchId: 'branch-bj',
    };
    const foreign = {
      id: OTHER_TEAM_AGENT.id,
      role: 'agent' as const,
      teamId: 'team-t2',
      branchId: null,
    };
    expect(await versionsFor(owner)).toEqual([(await stored()).version]);
    expect(await versionsFor(foreign)).toEqual([]);
  });

  it('brings the older attachments of a reassigned case to its new owner; the former owner may still attach', async () => {
    const found = await db.query<{ id: string }>(
      `select id from cases where owner_id = 'u-agent01' and status = 'in_progress'
        order by number limit 1`,
    );
    const caseId = found.rows[0]!.id;
    const older = randomUUID();
    const put = await upload(agent, caseId, older, {
      bytes: png(130),
      type: 'image/png',
      name: '交接前.png',
    });
    expect(put.statusCode, put.body).toBe(201);
    const cursor = String((await stored()).version);

    const reassigned = await app.inject({
      method: 'POST',
      url: '/sync/push',
      headers: lead.headers,
      payload: {
        protocolVersion: 1,
        clientId: lead.clientId,
        mutations: [
          {
            id: randomUUID(),
            seq: 1,
            recordedAt: new Date().toISOString(),
            name: 'case.transition@1',
            args: {
              caseId,
              event: { type: 'REASSIGN', toUserId: 'u-agent02', reason: '休假' },
              baseVersion: 0,
            },
          },
        ],
      },
    });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    expect(reassigned.json().results[0].status, reassigned.body).toBe('applied');

    // The former owner's offline photo still lands (as notes do); they no longer read the case.
    const afterHandOver = randomUUID();
    const late = await upload(agent, caseId, afterHandOver, {
      bytes: png(131),
      type: 'image/png',
      name: '交接后.png',
    });
    expect(late.statusCode, late.body).toBe(201);
    expect((await list(agent, caseId)).statusCode).toBe(404);

    // As pullChanges would call it for agent02: scope now, and the cases that entered it.
    const newOwner = { id: 'u-agent02', role: 'agent' as const, teamId: 'team-t1', branchId: null };
    const keys = (side: 'old' | 'new') => ({
      owner: `s.${side}_owner_id`,
      team: `s.${side}_team_id`,
      branch: `s.${side}_branch_id`,
    });
    const entered = `select s.case_id from case_scope_changes s join cases c on c.id = s.case_id
      where s.version > $1 and s.version <= $2
        and coalesce(${caseScope(newOwner, 3, keys('new')).sql}, false)
        and not coalesce(${caseScope(newOwner, 3, keys('old')).sql}, false)`;
    const window = (enteredCaseIds?: string) =>
      db.transaction(
        async (tx) => {
          const upper = String(
            (await tx.query<{ v: string }>('select v from sync_version')).rows[0]!.v,
          );
          const metas = await attachmentsChangedInScope(
            tx,
            caseScope(newOwner, 3),
            cursor,
            upper,
            enteredCaseIds,
          );
          return metas.filter((meta) => meta.caseId === caseId).map((meta) => meta.id);
        },
        { isolation: 'repeatable read' },
      );
    const onCase = await db.query<{ id: string }>(
      'select id from case_attachments where case_id = $1 order by version, id',
      [caseId],
    );
    expect(onCase.rows.map((row) => row.id)).toEqual(
      expect.arrayContaining([older, afterHandOver]),
    );
    expect(await window(entered)).toEqual(onCase.rows.map((row) => row.id));
    expect(await window()).toEqual([afterHandOver]);
    expect((await list(colleague, caseId)).statusCode).toBe(200);
  });
});

describe('embedded PGlite', () => {
  it('migrates, takes an upload, serves it back and refuses a rewrite', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'case-attachments-pglite-'));
    const pglite = await openPglite(dataDir);
    try {
      await runMigrations(pglite);
      await seedDemo(pglite, { cases: 2 });
      const server = buildServer({ db: pglite, jwtSecret });
      try {
        const session = await signInTo(server, 'agent01');
        const caseId = (
          await pglite.query<{ id: string }>(
            `select id from cases where owner_id = 'u-agent01' limit 1`,
          )
        ).rows[0]!.id;
        const bytes = png(200);
        const id = randomUUID();
        const name = '现场照片.png';
        const put = await upload(session, caseId, id, { bytes, type: 'image/png', name }, server);
        expect(put.statusCode, put.body).toBe(201);
        const retry = await upload(session, caseId, id, { bytes, type: 'image/png', name }, server);
        expect(retry.statusCode).toBe(200);
        const fetched = await server.inject({
          method: 'GET',
          url: `/cases/${caseId}/attachments/${id}/content`,
          headers: session.headers,
        });
        expect(fetched.statusCode).toBe(200);
        expect(Buffer.compare(fetched.rawPayload, bytes)).toBe(0);
        expect(dispositionName(String(fetched.headers['content-disposition']))).toBe(name);
        await expect(pglite.query('delete from attachment_blobs')).rejects.toThrow(/append-only/);
        expect(await stored(pglite)).toMatchObject({ attachments: 1, blobs: 1, history: 1 });
      } finally {
        await server.close();
      }
    } finally {
      await pglite.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
