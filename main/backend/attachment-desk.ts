// The workstation's attachment desk: files an agent adds to a case (checked by the shared
// rules, kept in the cache, uploaded in order once the central API answers), the list of a
// case's files with their upload state, and content for preview or download (from the
// cache, else fetched once and kept, revalidated by ETag while online).
//
// An upload is a PUT under the id the workstation generated: re-sending after a lost answer
// gets the stored record, so the queue may retry freely. A refusal (wrong type, size, name,
// no right to the case) is kept with its code and shown; it is never dropped silently.
import { createHash } from 'node:crypto';
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
} from '../../shared/attachments';
import type {
  AttachmentAddInput,
  AttachmentContent,
  AttachmentListItem,
  AttachmentUploadState,
} from '../../shared/attachment-desk';
import { ApiError } from '../../shared/sync-protocol';
import type { CacheDb } from './cache-db';
import { ApiRefusedError, ApiUnreachableError } from './central-api-client';

/** A refusal the UI translates by code (the same codes as the central API's). */
export class AttachmentRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AttachmentCredentials {
  token(): Promise<string | null>;
  /** A fresh token after a 401; null when only a sign-in helps. */
  renew(): Promise<string | null>;
}

interface UploadRow {
  seq: number;
  id: string;
  case_id: string;
  meta_json: string;
  state: AttachmentUploadState;
  refusal_code: string | null;
  refusal_message: string | null;
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export class AttachmentDesk {
  constructor(
    private readonly db: CacheDb,
    private readonly apiUrl: string,
    private readonly credentials: AttachmentCredentials,
    private readonly options: {
      now?: () => Date;
      maxBytes?: number;
      timeoutMs?: number;
    } = {},
  ) {}

  private get maxBytes() {
    return this.options.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
  }

  /**
   * Checks a file as the central API would, then stores its bytes and queues its upload in
   * one transaction. Nothing is stored when a check fails.
   */
  add(
    input: AttachmentAddInput,
    uploader: { id: string; name: string; clientId: string | null },
  ): AttachmentListItem {
    const caseKnown = this.db.prepare('SELECT 1 FROM cases WHERE id = ?').get(input.caseId);
    if (!caseKnown) throw new AttachmentRefusal('CASE_NOT_FOUND', 'No such case here');
    const declared = essenceOf(input.mediaType);
    if (!isAttachmentMediaType(declared)) {
      throw new AttachmentRefusal('UNSUPPORTED_MEDIA_TYPE', `Not an accepted type: ${declared}`);
    }
    const bytes = Buffer.from(input.bytesBase64, 'base64');
    if (bytes.length === 0) throw new AttachmentRefusal('ATTACHMENT_EMPTY', 'The file is empty');
    if (bytes.length > this.maxBytes) {
      throw new AttachmentRefusal(
        'ATTACHMENT_TOO_LARGE',
        `Attachments may be at most ${this.maxBytes} bytes`,
      );
    }
    if (mediaTypeOfContent(bytes) !== declared) {
      throw new AttachmentRefusal('CONTENT_TYPE_MISMATCH', `The content is not ${declared}`);
    }
    const fileName = displayFileName(input.fileName);
    if (fileName === '') {
      throw new AttachmentRefusal('FILE_NAME_INVALID', 'The file name has nothing to show');
    }
    if (!extensionFits(fileName, declared)) {
      throw new AttachmentRefusal(
        'FILE_EXTENSION_MISMATCH',
        `A ${declared} file must carry its own extension`,
      );
    }
    const meta: AttachmentMeta = {
      id: crypto.randomUUID(),
      caseId: input.caseId,
      fileName,
      typedFileName: input.fileName,
      mediaType: declared,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      uploadedBy: uploader.id,
      uploadedByName: uploader.name,
      clientId: uploader.clientId,
      // The workstation's time until the server stamps its own.
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
    };
    this.db
      .transaction(() => {
        this.keepContent(meta.sha256, bytes);
        this.db
          .prepare(
            `INSERT INTO attachment_uploads (id, case_id, user_id, meta_json, state)
             VALUES (?, ?, ?, ?, 'pending')`,
          )
          .run(meta.id, meta.caseId, uploader.id, JSON.stringify(meta));
      })
      .immediate();
    return { ...meta, state: 'pending', refusal: null, cached: true };
  }

  /** The case's files: the server's, then this workstation's still waiting or refused. */
  list(caseId: string): AttachmentListItem[] {
    const cached = new Set(
      (
        this.db
          .prepare(
            `SELECT f.sha256 FROM attachment_files f
              WHERE f.sha256 IN (SELECT json_extract(data_json, '$.sha256') FROM case_attachments WHERE case_id = ?
                                 UNION SELECT json_extract(meta_json, '$.sha256') FROM attachment_uploads WHERE case_id = ?)`,
          )
          .all(caseId, caseId) as { sha256: string }[]
      ).map((row) => row.sha256),
    );
    const synced = (
      this.db
        .prepare('SELECT data_json FROM case_attachments WHERE case_id = ? ORDER BY rowid')
        .all(caseId) as { data_json: string }[]
    ).map((row) => JSON.parse(row.data_json) as AttachmentMeta);
    const syncedIds = new Set(synced.map((meta) => meta.id));
    const items: AttachmentListItem[] = synced.map((meta) => ({
      ...meta,
      state: 'uploaded',
      refusal: null,
      cached: cached.has(meta.sha256),
    }));
    for (const row of this.uploadsOf(caseId)) {
      if (syncedIds.has(row.id)) continue;
      const meta = JSON.parse(row.meta_json) as AttachmentMeta;
      items.push({
        ...meta,
        // Uploaded but its pull not yet in: as far as the agent is concerned, it is there.
        state: row.state,
        refusal:
          row.state === 'refused'
            ? { code: row.refusal_code ?? 'UNKNOWN', message: row.refusal_message ?? '' }
            : null,
        cached: cached.has(meta.sha256),
      });
    }
    return items;
  }

  /** How many files wait to be uploaded (for the waiting count). */
  waitingCount(): number {
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM attachment_uploads WHERE state = 'pending'`)
      .get() as { n: number };
    return row.n;
  }

  /**
   * Sends the waiting uploads of `userId`, oldest first. Answers the cases whose files
   * changed. Throws ApiUnreachableError when the API is gone (the engine backs off and
   * retries) and a 401 refusal for the engine to renew the token.
   */
  async uploadPending(token: string, userId: string, signal?: AbortSignal): Promise<string[]> {
    const changed = new Set<string>();
    const next = this.db.prepare(
      `SELECT seq, id, case_id, meta_json, state, refusal_code, refusal_message
         FROM attachment_uploads WHERE state = 'pending' AND user_id = ? AND seq > ?
        ORDER BY seq LIMIT 1`,
    );
    for (let after = 0; ;) {
      if (signal?.aborted) break;
      const row = next.get(userId, after) as UploadRow | undefined;
      if (!row) break;
      after = row.seq;
      const meta = JSON.parse(row.meta_json) as AttachmentMeta;
      const content = this.cachedContent(meta.sha256);
      if (!content) {
        this.refuse(row.id, 'ATTACHMENT_CONTENT_LOST', 'The content is gone from this cache');
        changed.add(meta.caseId);
        continue;
      }
      this.db
        .prepare('UPDATE attachment_uploads SET attempts = attempts + 1 WHERE id = ?')
        .run(row.id);
      const response = await this.send(
        `/cases/${meta.caseId}/attachments/${meta.id}`,
        {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': meta.mediaType,
            [FILE_NAME_HEADER]: encodeURIComponent(meta.typedFileName),
            [CONTENT_SHA256_HEADER]: meta.sha256,
          },
          body: content,
        },
        signal,
        60_000,
      );
      const body = await readJson(response);
      if (response.status === 200 || response.status === 201) {
        const stored = AttachmentMeta.safeParse(body);
        if (!stored.success) throw new ApiUnreachableError('Unexpected upload answer');
        this.db
          .transaction(() => {
            this.db
              .prepare(
                `INSERT INTO case_attachments (id, case_id, data_json) VALUES (?, ?, ?)
                 ON CONFLICT(id) DO UPDATE SET case_id = excluded.case_id, data_json = excluded.data_json`,
              )
              .run(stored.data.id, stored.data.caseId, JSON.stringify(stored.data));
            this.db
              .prepare(`UPDATE attachment_uploads SET state = 'uploaded' WHERE id = ?`)
              .run(row.id);
          })
          .immediate();
        changed.add(meta.caseId);
        continue;
      }
      const error = ApiError.safeParse(body);
      const code = error.success ? error.data.code : `HTTP_${response.status}`;
      const message = error.success ? error.data.message : '';
      if (response.status === 401 || code === 'WORKSTATION_REVOKED') {
        throw new ApiRefusedError(response.status, code, message, body);
      }
      // A definite refusal: sending it again would be refused again. Kept for the agent.
      this.refuse(row.id, code, message);
      changed.add(meta.caseId);
    }
    return [...changed];
  }

  /**
   * A file's content: a waiting upload's from the cache; an uploaded one's revalidated
   * with the central API when it answers (access may have been lost), from the cache when
   * it does not; fetched and kept when not cached. OFFLINE when neither can give it.
   */
  async content(caseId: string, attachmentId: string): Promise<AttachmentContent> {
    const meta = this.metaOf(caseId, attachmentId);
    if (!meta) throw new AttachmentRefusal('ATTACHMENT_NOT_FOUND', 'Not on this case here');
    const answer = (bytes: Uint8Array): AttachmentContent => ({
      fileName: meta.fileName,
      mediaType: meta.mediaType,
      bytesBase64: Buffer.from(bytes).toString('base64'),
    });
    const cached = this.cachedContent(meta.sha256);
    if (meta.state !== 'uploaded') {
      if (!cached) throw new AttachmentRefusal('ATTACHMENT_CONTENT_LOST', 'Content missing');
      return answer(cached);
    }
    const path = `/cases/${caseId}/attachments/${attachmentId}/content`;
    const fetchOnce = async (token: string) =>
      this.send(path, {
        method: 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          ...(cached ? { 'if-none-match': `"${meta.sha256}"` } : {}),
        },
      });
    let response: Response;
    try {
      const token = (await this.credentials.token()) ?? (await this.credentials.renew());
      if (!token) throw new ApiUnreachableError('No token');
      response = await fetchOnce(token);
      if (response.status === 401) {
        const renewed = await this.credentials.renew();
        if (renewed) response = await fetchOnce(renewed);
      }
    } catch (error) {
      if (cached) return answer(cached);
      if (error instanceof ApiUnreachableError || error instanceof ApiRefusedError) {
        throw new AttachmentRefusal('OFFLINE', 'Not cached, and the central API is unreachable');
      }
      throw error;
    }
    if (response.status === 304 && cached) return answer(cached);
    if (response.status === 200) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (sha256Hex(bytes) !== meta.sha256) {
        throw new AttachmentRefusal('CHECKSUM_MISMATCH', 'The content changed on the way');
      }
      this.keepContent(meta.sha256, bytes);
      return answer(bytes);
    }
    const body = await readJson(response);
    const error = ApiError.safeParse(body);
    throw new ApiRefusedError(
      response.status,
      error.success ? error.data.code : `HTTP_${response.status}`,
      error.success ? error.data.message : '',
      body,
    );
  }

  /** Forgets every queued and cached file (a revoked workstation). */
  forget(): void {
    this.db.exec('DELETE FROM attachment_uploads; DELETE FROM attachment_files;');
  }

  private metaOf(
    caseId: string,
    attachmentId: string,
  ): (AttachmentMeta & { state: AttachmentUploadState }) | null {
    const synced = this.db
      .prepare('SELECT data_json FROM case_attachments WHERE id = ? AND case_id = ?')
      .get(attachmentId, caseId) as { data_json: string } | undefined;
    if (synced) return { ...(JSON.parse(synced.data_json) as AttachmentMeta), state: 'uploaded' };
    const queued = this.db
      .prepare('SELECT meta_json, state FROM attachment_uploads WHERE id = ? AND case_id = ?')
      .get(attachmentId, caseId) as { meta_json: string; state: AttachmentUploadState } | undefined;
    if (!queued) return null;
    // Uploaded, its pull not in yet: the server has it, but so does the cache.
    return { ...(JSON.parse(queued.meta_json) as AttachmentMeta), state: 'pending' };
  }

  private uploadsOf(caseId: string): UploadRow[] {
    return this.db
      .prepare(
        `SELECT seq, id, case_id, meta_json, state, refusal_code, refusal_message
           FROM attachment_uploads WHERE case_id = ? ORDER BY seq`,
      )
      .all(caseId) as UploadRow[];
  }

  private refuse(id: string, code: string, message: string): void {
    this.db
      .prepare(
        `UPDATE attachment_uploads SET state = 'refused', refusal_code = ?, refusal_message = ?
          WHERE id = ?`,
      )
      .run(code, message, id);
  }

  private keepContent(sha256: string, bytes: Uint8Array): void {
    this.db
      .prepare(
        `INSERT INTO attachment_files (sha256, content, cached_at) VALUES (?, ?, ?)
         ON CONFLICT(sha256) DO NOTHING`,
      )
      .run(sha256, Buffer.from(bytes), new Date().toISOString());
  }

  private cachedContent(sha256: string): Buffer | null {
    const row = this.db
      .prepare('SELECT content FROM attachment_files WHERE sha256 = ?')
      .get(sha256) as { content: Buffer } | undefined;
    return row?.content ?? null;
  }

  /** One request; a network failure or a 5xx is ApiUnreachableError (retry later). */
  private async send(
    path: string,
    init: { method: string; headers: Record<string, string>; body?: Uint8Array },
    signal?: AbortSignal,
    timeoutMs = this.options.timeoutMs ?? 10_000,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(new URL(path, this.apiUrl), {
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (error) {
      throw new ApiUnreachableError(`Central API unreachable: ${(error as Error).message}`);
    }
    if (response.status >= 500) {
      await response.body?.cancel().catch(() => undefined);
      throw new ApiUnreachableError(`Central API answered ${response.status}`);
    }
    return response;
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}
