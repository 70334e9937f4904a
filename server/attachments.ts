// Attachments: photos and documents on cases, checked, stored durably, fetched lazily.
//
// An upload is one PUT of the raw bytes under an id the workstation generated, so an
// offline workstation retries it safely: the same id with the same content answers the
// stored record, other content under that id is refused. Content is checked before
// anything is written (declared type, magic bytes, size, the client's SHA-256, the name's
// extension) and then stored, deduplicated by SHA-256, in the same transaction as its
// metadata and its history row, under a sync version (see sync.ts): workstations learn the
// metadata with their pull (`attachmentsChangedInScope`) and fetch content on demand.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AttachmentMeta,
  CONTENT_SHA256_HEADER,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  displayFileName,
  essenceOf,
  extensionFits,
  FILE_NAME_HEADER,
  isAttachmentMediaType,
  mediaTypeOfContent,
  textCharset,
  TYPED_FILE_NAME_MAX,
  ATTACHMENT_MEDIA_TYPES,
  type AttachmentMediaType,
} from '../shared/attachments';
import { ApiError } from '../shared/sync-protocol';
import { ApiFailure } from './api-errors';
import { requireRole, requireSignIn, signedInUser, type SignedInUser } from './auth';
import { caseScope } from './cases';
import type { Db } from './db';
import { notifyCaseChanges } from './pokes';

/** An upload is held in memory and written as one bytea value: keep it well below 1 GB. */
const ATTACHMENT_MAX_BYTES_CEILING = 100 * 1024 * 1024;

/** The size limit from ATTACHMENT_MAX_BYTES (bytes), or the default; a bad value stops the start. */
export function attachmentMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ATTACHMENT_MAX_BYTES?.trim();
  if (!raw) return DEFAULT_ATTACHMENT_MAX_BYTES;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > ATTACHMENT_MAX_BYTES_CEILING) {
    throw new Error(
      `ATTACHMENT_MAX_BYTES must be a whole number of bytes from 1 to ${ATTACHMENT_MAX_BYTES_CEILING}, got "${raw}"`,
    );
  }
  return value;
}

type Timestamp = Date | string;

interface AttachmentRow {
  id: string;
  case_id: string;
  file_name: string;
  typed_file_name: string;
  media_type: AttachmentMediaType;
  size: string | number;
  sha256: string;
  uploaded_by: string;
  uploaded_by_name: string;
  client_id: string | null;
  created_at: Timestamp;
}

/** Selects an AttachmentRow from `case_attachments a` joined to its case `c`. */
const ATTACHMENT_SELECT = `
  select a.id, a.case_id, a.file_name, a.typed_file_name, a.media_type, a.size, a.sha256,
         a.uploaded_by, u.display_name as uploaded_by_name, a.client_id, a.created_at, a.version
    from case_attachments a
    join cases c on c.id = a.case_id
    join users u on u.id = a.uploaded_by`;

function attachmentMeta(row: AttachmentRow): AttachmentMeta {
  return {
    id: row.id,
    caseId: row.case_id,
    fileName: row.file_name,
    typedFileName: row.typed_file_name,
    mediaType: row.media_type,
    size: Number(row.size),
    sha256: row.sha256,
    uploadedBy: row.uploaded_by,
    uploadedByName: row.uploaded_by_name,
    clientId: row.client_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * For pullChanges, inside its REPEATABLE READ snapshot: the metadata of attachments stamped
 * after `cursor` up to `upper`, on cases in the user's scope, in version order. `scope` is
 * `caseScope(user, 3)` (a condition on alias `c`; $1 and $2 are the window). When
 * `enteredCaseIds` is given (a subquery over the same parameters naming the cases that
 * entered the scope in the window), all their attachments up to `upper` come too: the
 * cursor has passed the older ones.
 */
export async function attachmentsChangedInScope(
  tx: Db,
  scope: { sql: string; params: unknown[] },
  cursor: string,
  upper: string,
  enteredCaseIds?: string,
): Promise<AttachmentMeta[]> {
  // Two selects, not one with an OR: each is served by its own index (version, case).
  const entered = enteredCaseIds
    ? `union ${ATTACHMENT_SELECT}
        where a.case_id in (${enteredCaseIds}) and a.version <= $2 and ${scope.sql}`
    : '';
  const rows = await tx.query<AttachmentRow>(
    `${ATTACHMENT_SELECT}
      where a.version > $1 and a.version <= $2 and ${scope.sql}
      ${entered}
      order by version, id`,
    [cursor, upper, ...scope.params],
  );
  return rows.rows.map(attachmentMeta);
}

/**
 * The versions of those attachments, for the union of changed versions with which
 * pullChanges pages (`$1` the cursor, `c` the case, scope parameters from $3).
 */
export const attachmentVersionsAfterCursor = (scopeSql: string) =>
  `select a.version from case_attachments a join cases c on c.id = a.case_id
    where a.version > $1 and ${scopeSql}`;

const notFound = (caseId: string) =>
  new ApiFailure(404, { code: 'CASE_NOT_FOUND', message: `Case ${caseId} does not exist.` });

interface CaseAccess {
  read: boolean;
  write: boolean;
}

/**
 * What the user may do with a case: read it when `caseScope` includes it; write to it when
 * they may add a note to it (addNote in cases.ts: the owner, a lead of the case's team, or a
 * former owner, as notes and attachments always merge). 404 when they may do neither,
 * so that a case outside their reach does not reveal that it exists.
 */
async function caseAccess(db: Db, user: SignedInUser, caseId: string): Promise<CaseAccess> {
  const scope = caseScope(user, 3);
  const found = await db.query<{
    owner_id: string | null;
    team_id: string | null;
    readable: boolean;
    former_owner: boolean;
  }>(
    `select c.owner_id, c.team_id, coalesce(${scope.sql}, false) as readable,
            exists (select 1 from case_scope_changes s
                     where s.case_id = c.id and s.old_owner_id = $2) as former_owner
       from cases c where c.id = $1`,
    [caseId, user.id, ...scope.params],
  );
  const row = found.rows[0];
  if (!row) throw notFound(caseId);
  const isOwner = row.owner_id === user.id;
  const isTeamLead = user.role === 'lead' && user.teamId !== null && row.team_id === user.teamId;
  const access = { read: row.readable, write: isOwner || isTeamLead || row.former_owner };
  if (!access.read && !access.write) throw notFound(caseId);
  return access;
}

/** Admins run the desk; they do not handle cases or their evidence. */
const requireCaseHandler = (user: SignedInUser) => requireRole(user, 'agent', 'branch', 'lead');

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const refuse = (statusCode: number, code: string, message: string, path?: string) =>
  new ApiFailure(statusCode, {
    code,
    message,
    ...(path ? { fields: [{ path, code }] } : {}),
  });

/** The typed name from its percent-encoded UTF-8 header. */
function typedFileName(header: string): string {
  let typed: string;
  try {
    typed = decodeURIComponent(header);
  } catch {
    throw refuse(
      422,
      'FILE_NAME_INVALID',
      'The file name is not percent-encoded UTF-8.',
      FILE_NAME_HEADER,
    );
  }
  // PostgreSQL text cannot hold NUL, and no file system names a file with it.
  if (typed.includes('\0')) {
    throw refuse(
      422,
      'FILE_NAME_INVALID',
      'The file name contains a NUL character.',
      FILE_NAME_HEADER,
    );
  }
  if ([...typed].length > TYPED_FILE_NAME_MAX) {
    throw refuse(
      422,
      'FILE_NAME_INVALID',
      `The file name is longer than ${TYPED_FILE_NAME_MAX} characters.`,
      FILE_NAME_HEADER,
    );
  }
  return typed;
}

export interface UploadedFile {
  id: string;
  caseId: string;
  typedFileName: string;
  declaredType: string | undefined;
  claimedSha256: string;
  content: Buffer;
}

/** Refuses, with a code saying why, content that may not become evidence. */
function checkUpload(file: UploadedFile): {
  mediaType: AttachmentMediaType;
  fileName: string;
  sha256: string;
} {
  const declared = file.declaredType === undefined ? '' : essenceOf(file.declaredType);
  if (!isAttachmentMediaType(declared)) {
    throw refuse(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Attachments may be ${ATTACHMENT_MEDIA_TYPES.join(', ')}; not "${declared || 'untyped'}".`,
      'content-type',
    );
  }
  if (file.content.length === 0) {
    throw refuse(422, 'ATTACHMENT_EMPTY', 'The file is empty.', 'body');
  }
  const sha256 = sha256Hex(file.content);
  if (sha256 !== file.claimedSha256) {
    throw refuse(
      422,
      'CHECKSUM_MISMATCH',
      'The content does not match its SHA-256: it changed on the way; upload it again.',
      CONTENT_SHA256_HEADER,
    );
  }
  const actual = mediaTypeOfContent(file.content);
  if (actual !== declared) {
    throw refuse(
      422,
      'CONTENT_TYPE_MISMATCH',
      `The file says it is ${declared} but its content is ${actual ?? 'none of the accepted types'}.`,
      'content-type',
    );
  }
  const fileName = displayFileName(file.typedFileName);
  if (fileName === '') {
    throw refuse(422, 'FILE_NAME_INVALID', 'The file name has nothing to show.', FILE_NAME_HEADER);
  }
  // A name decides which program opens a saved file: it must agree with the content.
  if (!extensionFits(fileName, declared)) {
    throw refuse(
      422,
      'FILE_EXTENSION_MISMATCH',
      `A ${declared} file must be named with its own extension, not "${fileName}".`,
      FILE_NAME_HEADER,
    );
  }
  return { mediaType: declared, fileName, sha256 };
}

/** The stored record for an id used before: a retry of this upload, or a clash. */
function settleRetry(stored: AttachmentRow, file: UploadedFile, sha256: string): AttachmentMeta {
  if (stored.case_id !== file.caseId || stored.sha256 !== sha256) {
    throw refuse(
      409,
      'ATTACHMENT_ID_REUSED',
      `Attachment ${file.id} was already uploaded with other content; use a new id.`,
    );
  }
  return attachmentMeta(stored);
}

const storedById = async (db: Db, id: string) =>
  (await db.query<AttachmentRow>(`${ATTACHMENT_SELECT} where a.id = $1`, [id])).rows[0];

/**
 * Stores a checked upload: the version bump first (the writers' lock, sync.ts), the content
 * unless the same bytes are stored already, the metadata, the history row, a poke.
 * `created` is false when the id turned out to be taken (a concurrent retry).
 */
export async function storeAttachment(
  db: Db,
  user: SignedInUser,
  file: UploadedFile,
  checked: { mediaType: AttachmentMediaType; fileName: string; sha256: string },
): Promise<{ created: boolean; meta: AttachmentMeta }> {
  return db.transaction(async (tx) => {
    const bumped = await tx.query<{ v: string | number; now: Timestamp }>(
      'update sync_version set v = v + 1 returning v, now() as now',
    );
    const version = String(bumped.rows[0]!.v);
    const now = new Date(bumped.rows[0]!.now).toISOString();
    // Writers queue on the version lock: whoever held it before us is committed by now.
    const raced = await storedById(tx, file.id);
    if (raced) return { created: false, meta: settleRetry(raced, file, checked.sha256) };

    const known = await tx.query('select 1 from attachment_blobs where sha256 = $1', [
      checked.sha256,
    ]);
    if (known.rows.length === 0) {
      await tx.query(
        `insert into attachment_blobs (sha256, size, content) values ($1, $2, $3)
         on conflict (sha256) do nothing`,
        [checked.sha256, file.content.length, file.content],
      );
    }
    await tx.query(
      `insert into case_attachments (id, case_id, typed_file_name, file_name, media_type, size,
                                     sha256, uploaded_by, client_id, created_at, version)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        file.id,
        file.caseId,
        file.typedFileName,
        checked.fileName,
        checked.mediaType,
        file.content.length,
        checked.sha256,
        user.id,
        user.clientId,
        now,
        version,
      ],
    );
    await tx.query(
      `insert into case_history (case_id, actor_id, client_id, action, before, after, at)
       values ($1, $2, $3, 'case.attachment.add', null, $4::jsonb, $5)`,
      [
        file.caseId,
        user.id,
        user.clientId,
        JSON.stringify({
          attachmentId: file.id,
          fileName: checked.fileName,
          mediaType: checked.mediaType,
          size: file.content.length,
          sha256: checked.sha256,
        }),
        now,
      ],
    );
    await notifyCaseChanges(tx);
    const meta = await storedById(tx, file.id);
    return { created: true, meta: attachmentMeta(meta!) };
  });
}

/** RFC 6266 / 5987: an ASCII fallback and the exact name in UTF-8. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Whether an If-None-Match header names this entity tag (weak comparison, RFC 9110). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Reads the raw body, refusing it as soon as it outgrows the limit. */
function rawBodyParser(maxBytes: number) {
  const tooLarge = () =>
    refuse(413, 'ATTACHMENT_TOO_LARGE', `Attachments may be at most ${maxBytes} bytes.`, 'body');
  return async (request: FastifyRequest, payload: NodeJS.ReadableStream): Promise<Buffer> => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(bytes);
    }
    return Buffer.concat(chunks, size);
  };
}

const CaseParams = z.object({ caseId: z.uuid() });
const AttachmentParams = z.object({ caseId: z.uuid(), attachmentId: z.uuid() });
const UploadHeaders = z.looseObject({
  [FILE_NAME_HEADER]: z.string().min(1).describe('The file name, percent-encoded UTF-8'),
  [CONTENT_SHA256_HEADER]: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { message: 'SHA256_INVALID' })
    .describe('SHA-256 of the body, hex'),
});
const ContentHeaders = z.looseObject({ 'if-none-match': z.string().optional() });
const AttachmentList = z.object({ attachments: z.array(AttachmentMeta) });
const RawBytes = z
  .custom<Buffer>((value) => Buffer.isBuffer(value))
  .meta({ type: 'string', format: 'binary', description: 'The file’s bytes' });

const errors = { 401: ApiError, 403: ApiError, 404: ApiError, 503: ApiError };

export async function attachmentsRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array; maxBytes?: number },
): Promise<void> {
  const { db, jwtSecret } = opts;
  const maxBytes = opts.maxBytes ?? attachmentMaxBytes();
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, jwtSecret);

  // This plugin's own parsers (encapsulated): any content type arrives as raw bytes, to be
  // judged by its magic bytes rather than parsed; JSON and text parsing stay elsewhere.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', rawBodyParser(maxBytes));

  routes.put(
    '/cases/:caseId/attachments/:attachmentId',
    {
      onRequest,
      schema: {
        summary: 'Upload an attachment under a client-generated id; a retry answers the stored one',
        description:
          'The body is the file’s bytes with its media type as content-type. Idempotent: the ' +
          'same id with the same content answers 200 with the stored record.',
        tags: ['attachments'],
        security: [{ bearerAuth: [] }],
        consumes: ATTACHMENT_MEDIA_TYPES,
        params: AttachmentParams,
        headers: UploadHeaders,
        body: RawBytes,
        response: {
          200: AttachmentMeta,
          201: AttachmentMeta,
          400: ApiError,
          409: ApiError,
          413: ApiError,
          415: ApiError,
          422: ApiError,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      requireCaseHandler(user);
      const { caseId, attachmentId } = request.params;
      const access = await caseAccess(db, user, caseId);
      if (!access.write) {
        throw refuse(403, 'FORBIDDEN', 'Only who may add notes to the case may attach files.');
      }
      const file: UploadedFile = {
        id: attachmentId,
        caseId,
        typedFileName: typedFileName(request.headers[FILE_NAME_HEADER]),
        declaredType: request.headers['content-type'],
        claimedSha256: request.headers[CONTENT_SHA256_HEADER].toLowerCase(),
        content: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      };
      const checked = checkUpload(file);
      const stored = await storedById(db, attachmentId);
      if (stored) return reply.code(200).send(settleRetry(stored, file, checked.sha256));
      const { created, meta } = await storeAttachment(db, user, file, checked);
      return reply.code(created ? 201 : 200).send(meta);
    },
  );

  routes.get(
    '/cases/:caseId/attachments',
    {
      onRequest,
      schema: {
        summary: 'The attachments of a case, oldest first (metadata only)',
        tags: ['attachments'],
        security: [{ bearerAuth: [] }],
        params: CaseParams,
        response: { 200: AttachmentList, 400: ApiError, ...errors },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      requireCaseHandler(user);
      const { caseId } = request.params;
      if (!(await caseAccess(db, user, caseId)).read) throw notFound(caseId);
      const rows = await db.query<AttachmentRow>(
        `${ATTACHMENT_SELECT} where a.case_id = $1 order by a.created_at, a.id`,
        [caseId],
      );
      return { attachments: rows.rows.map(attachmentMeta) };
    },
  );

  routes.get(
    '/cases/:caseId/attachments/:attachmentId/content',
    {
      onRequest,
      schema: {
        summary: 'The bytes of an attachment, for download; 304 when If-None-Match names it',
        tags: ['attachments'],
        security: [{ bearerAuth: [] }],
        produces: [...ATTACHMENT_MEDIA_TYPES, 'application/json'],
        params: AttachmentParams,
        headers: ContentHeaders,
        response: {
          200: RawBytes,
          304: z.null().describe('Not modified: the ETag is the SHA-256'),
          400: ApiError,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      requireCaseHandler(user);
      const { caseId, attachmentId } = request.params;
      if (!(await caseAccess(db, user, caseId)).read) throw notFound(caseId);
      const stored = await storedById(db, attachmentId);
      if (!stored || stored.case_id !== caseId) {
        throw refuse(
          404,
          'ATTACHMENT_NOT_FOUND',
          `Attachment ${attachmentId} is not on this case.`,
        );
      }
      const etag = `"${stored.sha256}"`;
      // Revalidated every time (no-cache) so that a user who lost the case loses its files too.
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
      const blob = await db.query<{ content: Uint8Array }>(
        'select content from attachment_blobs where sha256 = $1',
        [stored.sha256],
      );
      const content = blob.rows[0]!.content;
      return reply
        .code(200)
        .type(
          // Text carries no type of its own: say how to read it (Chinese Windows: GB18030).
          stored.media_type === 'text/plain'
            ? `text/plain; charset=${textCharset(content) ?? 'utf-8'}`
            : stored.media_type,
        )
        .header('content-disposition', contentDisposition(stored.file_name))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
    },
  );
}
