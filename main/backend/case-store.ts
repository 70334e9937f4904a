// Cases, notes and the outbox in the local cache. Every agent action writes its optimistic
// effect and its outbox row in one immediate transaction; every pull rebases the pending
// outbox on top of the server's rows, so the screen is server truth plus what still waits.
import type { AttachmentMeta } from '../../shared/attachments';
import { catchUpCaseQueue, deferCaseQueueIndex } from './case-queue';
import { randomUUID } from 'node:crypto';
import { maskPhone, type CaseRecord, type CaseSummary, type Note } from '../../shared/case-views';
import { decideCaseEvent, type CaseActor } from '../../shared/lifecycle/case-machine';
import type {
  Mutation,
  MutationArgs,
  MutationName,
  MutationResult,
  PullResponse,
  ServerNote,
} from '../../shared/sync-protocol';
import type { CacheDb } from './cache-db';

interface OutboxRow {
  seq: number;
  id: string;
  name: MutationName;
  case_id: string;
  args_json: string;
  actor_json: string;
  recorded_at: string;
  state: 'pending' | 'applied' | 'rejected';
  reject_code: string | null;
  reject_message: string | null;
}

export interface Rejection {
  mutationId: string;
  seq: number;
  name: string;
  caseId: string;
  code: string;
  message: string | null;
  args: unknown;
}

/** Refusals that mean "not yours (any more)": after a scope exit, they read CASE_LEFT_SCOPE. */
const OUT_OF_SCOPE_CODES = ['FORBIDDEN', 'NOT_OWNER_OR_LEAD', 'OWNER_ONLY'];
export const CASE_LEFT_SCOPE = 'CASE_LEFT_SCOPE';

export class CaseStore {
  constructor(private readonly db: CacheDb) {}

  // --- meta -------------------------------------------------------------------------------

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
    else
      this.db
        .prepare(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        )
        .run(key, value);
  }

  /** This installation's id for the server: stable for the life of the cache. */
  clientId(): string {
    let id = this.getMeta('clientId');
    if (!id) {
      id = randomUUID();
      this.setMeta('clientId', id);
    }
    return id;
  }

  // --- agent actions ----------------------------------------------------------------------

  /** Records a new case and its outbox row together; the case number is minted here, offline too. */
  createCase(input: {
    record: Omit<CaseRecord, 'number' | 'version'>;
    workstationCode: string;
    actor: CaseActor;
    now: Date;
  }): CaseRecord {
    return this.db
      .transaction(() => {
        const number = this.mintCaseNumber(input.workstationCode, input.now);
        const record: CaseRecord = { ...input.record, number, version: 0 };
        const intake = {
          customerName: record.customerName,
          customerPhone: record.customerPhone,
          channel: record.channel,
          type: record.type,
          businessLine: record.businessLine,
          description: record.description,
          customerExpectation: record.customerExpectation,
        };
        this.enqueue(
          'case.create@1',
          record.id,
          { caseId: record.id, number, intake },
          input.actor,
          input.now,
        );
        this.db
          .prepare(
            'INSERT INTO cases (id, number, owner_id, updated_at, server_json, view_json, created_json, pending) VALUES (?, ?, ?, ?, NULL, ?, ?, 1)',
          )
          .run(
            record.id,
            number,
            record.ownerId ?? '',
            record.updatedAt,
            JSON.stringify(record),
            JSON.stringify(record),
          );
        return record;
      })
      .immediate();
  }

  addNote(input: {
    caseId: string;
    text: string;
    author: { id: string; name: string };
    actor: CaseActor;
    now: Date;
  }): Note {
    return this.db
      .transaction(() => {
        if (!this.getCase(input.caseId))
          throw new CaseStoreError('CASE_NOT_FOUND', 'No such case in this workstation');
        const note: Note = {
          id: randomUUID(),
          caseId: input.caseId,
          authorId: input.author.id,
          authorName: input.author.name,
          text: input.text,
          createdAt: null,
          recordedAt: input.now.toISOString(),
          pending: true,
        };
        this.enqueue(
          'case.addNote@1',
          input.caseId,
          { caseId: input.caseId, noteId: note.id, text: note.text },
          input.actor,
          input.now,
        );
        this.db
          .prepare('INSERT INTO notes (id, case_id, data_json, pending) VALUES (?, ?, ?, 1)')
          .run(note.id, note.caseId, JSON.stringify(note));
        this.db.prepare('UPDATE cases SET pending = 1 WHERE id = ?').run(input.caseId);
        return note;
      })
      .immediate();
  }

  /** Applies a lifecycle event through the shared machine first; only a legal event is queued. */
  transitionCase(input: {
    caseId: string;
    event: MutationArgs<'case.transition@1'>['event'];
    actor: CaseActor;
    now: Date;
  }): CaseRecord {
    return this.db
      .transaction(() => {
        const current = this.getCase(input.caseId);
        if (!current)
          throw new CaseStoreError('CASE_NOT_FOUND', 'No such case in this workstation');
        const next = applyTransition(current, input.event, input.actor, input.now);
        if (!next.ok)
          throw new CaseStoreError(next.code, `Event ${input.event.type} refused: ${next.code}`);
        this.enqueue(
          'case.transition@1',
          input.caseId,
          { caseId: input.caseId, event: input.event, baseVersion: current.version },
          input.actor,
          input.now,
        );
        this.writeView(next.record, true);
        return next.record;
      })
      .immediate();
  }

  // --- reads ------------------------------------------------------------------------------

  getCase(caseId: string): CaseRecord | null {
    const row = this.db.prepare('SELECT view_json FROM cases WHERE id = ?').get(caseId) as
      { view_json: string } | undefined;
    return row ? (JSON.parse(row.view_json) as CaseRecord) : null;
  }

  isCasePending(caseId: string): boolean {
    const row = this.db
      .prepare("SELECT 1 FROM outbox WHERE case_id = ? AND state != 'rejected' LIMIT 1")
      .get(caseId);
    return row !== undefined;
  }

  listCasesOwnedBy(ownerId: string, limit = 500): CaseSummary[] {
    const rows = this.db
      .prepare(
        'SELECT view_json, pending FROM cases WHERE owner_id = ? ORDER BY updated_at DESC LIMIT ?',
      )
      .all(ownerId, limit) as { view_json: string; pending: number }[];
    return rows.map((row) => {
      const record = JSON.parse(row.view_json) as CaseRecord;
      return {
        id: record.id,
        number: record.number,
        customerName: record.customerName,
        maskedPhone: maskPhone(record.customerPhone),
        channel: record.channel,
        type: record.type,
        businessLine: record.businessLine,
        status: record.status,
        priority: record.priority,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        descriptionPreview: record.description.slice(0, 80),
        pending: row.pending === 1,
      };
    });
  }

  /** See deferCaseQueueIndex: a bootstrap writes the cases first and indexes them after. */
  deferQueueIndex(deferred: boolean): void {
    deferCaseQueueIndex(this.db, deferred);
  }

  /** Indexes a chunk of cases written while deferred; answers how many remain. */
  catchUpQueueIndex(limit?: number): number {
    return catchUpCaseQueue(this.db, limit);
  }

  listAttachments(caseId: string): AttachmentMeta[] {
    const rows = this.db
      .prepare('SELECT data_json FROM case_attachments WHERE case_id = ? ORDER BY rowid')
      .all(caseId) as { data_json: string }[];
    return rows.map((row) => JSON.parse(row.data_json) as AttachmentMeta);
  }

  listNotes(caseId: string): Note[] {
    const rows = this.db.prepare('SELECT data_json FROM notes WHERE case_id = ?').all(caseId) as {
      data_json: string;
    }[];
    return rows
      .map((row) => JSON.parse(row.data_json) as Note)
      .sort((a, b) => (a.createdAt ?? a.recordedAt).localeCompare(b.createdAt ?? b.recordedAt));
  }

  // --- outbox and sync --------------------------------------------------------------------

  pendingMutations(limit = 100): Mutation[] {
    const rows = this.db
      .prepare("SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?")
      .all(limit) as OutboxRow[];
    return rows.map(
      (row) =>
        ({
          id: row.id,
          seq: row.seq,
          name: row.name,
          args: JSON.parse(row.args_json) as unknown,
          recordedAt: row.recorded_at,
        }) as Mutation,
    );
  }

  /** Work not yet confirmed by a pull: what the status bar counts as waiting. */
  waitingCount(): number {
    const row = this.db
      .prepare("SELECT count(*) AS n FROM outbox WHERE state != 'rejected'")
      .get() as { n: number };
    return row.n;
  }

  rejections(caseId?: string): Rejection[] {
    const rows = (
      caseId
        ? this.db
            .prepare("SELECT * FROM outbox WHERE state = 'rejected' AND case_id = ? ORDER BY seq")
            .all(caseId)
        : this.db.prepare("SELECT * FROM outbox WHERE state = 'rejected' ORDER BY seq").all()
    ) as OutboxRow[];
    return rows.map((row) => ({
      mutationId: row.id,
      seq: row.seq,
      name: row.name,
      caseId: row.case_id,
      code: row.reject_code ?? 'REJECTED',
      message: row.reject_message,
      args: JSON.parse(row.args_json) as unknown,
    }));
  }

  /**
   * The agent's answer to a refused mutation: send it again as new work (after adapting the
   * case, e.g. once a lead approved), keep what was typed as a note on the case, or discard
   * it. Each decision is logged; the refused row leaves the outbox in the same transaction.
   */
  settleRejection(input: {
    mutationId: string;
    decision: 'retry' | 'note' | 'discard';
    actor: CaseActor;
    author: { id: string; name: string };
    now: Date;
  }): { caseId: string } {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare("SELECT * FROM outbox WHERE id = ? AND state = 'rejected'")
          .get(input.mutationId) as OutboxRow | undefined;
        if (!row) throw new CaseStoreError('CONFLICT_NOT_FOUND', 'No such refused change here');
        if (input.decision === 'retry') {
          this.enqueue(
            row.name,
            row.case_id,
            JSON.parse(row.args_json) as MutationArgs<typeof row.name>,
            input.actor,
            input.now,
          );
        } else if (input.decision === 'note') {
          if (!this.getCase(row.case_id)) {
            throw new CaseStoreError('CASE_NOT_FOUND', 'The case is no longer on this workstation');
          }
          this.addNote({
            caseId: row.case_id,
            text: describeRefusedWork(row.name, JSON.parse(row.args_json) as unknown),
            author: input.author,
            actor: input.actor,
            now: input.now,
          });
        }
        this.db.prepare('DELETE FROM outbox WHERE id = ?').run(row.id);
        this.db
          .prepare(
            'INSERT INTO conflict_log (mutation_id, name, case_id, args_json, reject_code, decision, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            row.id,
            row.name,
            row.case_id,
            row.args_json,
            row.reject_code,
            input.decision,
            input.actor.userId,
            input.now.toISOString(),
          );
        this.rebase(row.case_id);
        return { caseId: row.case_id };
      })
      .immediate();
  }

  /** The agent's decisions on refused changes, oldest first (the audit of conflicts). */
  conflictDecisions(): { mutationId: string; decision: string; decidedAt: string }[] {
    return this.db
      .prepare(
        'SELECT mutation_id AS mutationId, decision, decided_at AS decidedAt FROM conflict_log ORDER BY decided_at, rowid',
      )
      .all() as { mutationId: string; decision: string; decidedAt: string }[];
  }

  /** The case number of a refused change, also for a case that has left this cache. */
  caseNumberOf(caseId: string): string | null {
    const row = this.db
      .prepare(
        'SELECT number FROM cases WHERE id = ? UNION ALL SELECT number FROM departed_cases WHERE case_id = ? LIMIT 1',
      )
      .get(caseId, caseId) as { number: string | null } | undefined;
    return row?.number ?? null;
  }

  /** Records the server's answers to a push; rejected work leaves the replay but stays kept. */
  recordPushResults(results: MutationResult[]): string[] {
    return this.db
      .transaction(() => {
        const touched = new Set<string>();
        const mark = this.db.prepare(
          "UPDATE outbox SET state = ?, reject_code = ?, reject_message = ? WHERE seq = ? AND id = ? AND state = 'pending' RETURNING case_id",
        );
        const departed = this.db.prepare('SELECT 1 FROM departed_cases WHERE case_id = ?');
        for (const result of results) {
          let code = result.code;
          let message = result.message;
          if (result.status === 'rejected') {
            // Work on a case that has left this user's scope: say so, keep the server's words.
            const row = this.db
              .prepare('SELECT case_id FROM outbox WHERE seq = ? AND id = ?')
              .get(result.seq, result.mutationId) as { case_id: string } | undefined;
            if (row && departed.get(row.case_id)) {
              message = leftScopeMessage(code, message);
              code = CASE_LEFT_SCOPE;
            }
          }
          const row = mark.get(result.status, code, message, result.seq, result.mutationId) as
            { case_id: string } | undefined;
          if (row && result.status === 'rejected') touched.add(row.case_id);
        }
        for (const caseId of touched) this.rebase(caseId);
        return [...touched];
      })
      .immediate();
  }

  /** Applies one pull page in one transaction: rows, outbox trim, rebase, cursor. */
  applyPull(page: PullResponse): string[] {
    return this.db
      .transaction(() => {
        const touched = new Set<string>();
        // Cases that left the user's scope: gone from the cache with their notes; the
        // outbox keeps every row queued on them (see recordPushResults).
        for (const caseId of page.removedCaseIds) {
          this.removeDepartedCase(caseId);
          touched.add(caseId);
        }
        const returned = this.db.prepare('DELETE FROM departed_cases WHERE case_id = ?');
        const upsertCase = this.db.prepare(
          `INSERT INTO cases (id, number, owner_id, updated_at, server_json, view_json, pending)
           VALUES (@id, @number, @ownerId, @updatedAt, @json, @json, 0)
           ON CONFLICT(id) DO UPDATE SET number = excluded.number, owner_id = excluded.owner_id,
             updated_at = excluded.updated_at, server_json = excluded.server_json`,
        );
        // A case with nothing in the outbox needs no replay: its view is the server's row
        // (what rebase would write), set here in one statement. The bootstrap's fast path.
        const queued = new Set(
          (
            this.db.prepare('SELECT DISTINCT case_id FROM outbox').all() as { case_id: string }[]
          ).map((row) => row.case_id),
        );
        const upsertSettled = this.db.prepare(
          `INSERT INTO cases (id, number, owner_id, updated_at, server_json, view_json, pending)
           VALUES (@id, @number, @ownerId, @updatedAt, @json, @json, 0)
           ON CONFLICT(id) DO UPDATE SET number = excluded.number, owner_id = excluded.owner_id,
             updated_at = excluded.updated_at, server_json = excluded.server_json,
             view_json = excluded.view_json, pending = 0`,
        );
        const settleNotes = this.db.prepare(
          'UPDATE notes SET pending = 0 WHERE case_id = ? AND pending = 1',
        );
        const settled = new Set<string>();
        for (const record of page.cases) {
          const row = {
            id: record.id,
            number: record.number,
            ownerId: record.ownerId ?? '',
            updatedAt: record.updatedAt,
            json: JSON.stringify(record),
          };
          if (queued.has(record.id)) {
            upsertCase.run(row);
          } else {
            upsertSettled.run(row);
            settleNotes.run(record.id);
            settled.add(record.id);
          }
          returned.run(record.id); // back in scope (reassigned back)
          touched.add(record.id);
        }
        const upsertNote = this.db.prepare(
          `INSERT INTO notes (id, case_id, data_json, pending) VALUES (?, ?, ?, 0)
           ON CONFLICT(id) DO UPDATE SET data_json = excluded.data_json, pending = 0`,
        );
        for (const note of page.notes) {
          upsertNote.run(note.id, note.caseId, JSON.stringify(toLocalNote(note)));
          touched.add(note.caseId);
        }
        // Attachments travel as metadata; their content is fetched when a case is opened.
        const upsertAttachment = this.db.prepare(
          `INSERT INTO case_attachments (id, case_id, data_json) VALUES (?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET data_json = excluded.data_json`,
        );
        for (const attachment of page.attachments) {
          upsertAttachment.run(attachment.id, attachment.caseId, JSON.stringify(attachment));
          touched.add(attachment.caseId);
        }
        // Answers the server has shown us in this snapshot: their effect is in the rows above.
        const trimmed = this.db
          .prepare("DELETE FROM outbox WHERE seq <= ? AND state = 'applied' RETURNING case_id")
          .all(page.lastSeq) as { case_id: string }[];
        for (const row of trimmed) touched.add(row.case_id);
        for (const caseId of touched) if (!settled.has(caseId)) this.rebase(caseId);
        this.setMeta('cursor', page.cursor);
        return [...touched];
      })
      .immediate();
  }

  /** Every case in the cache, whoever owns it (a lead's cache holds the team's). */
  listCaseIds(): string[] {
    const rows = this.db.prepare('SELECT id FROM cases ORDER BY id').all() as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Cases removed by the server because they left this user's scope. */
  departedCaseIds(): string[] {
    const rows = this.db.prepare('SELECT case_id FROM departed_cases ORDER BY case_id').all() as {
      case_id: string;
    }[];
    return rows.map((row) => row.case_id);
  }

  private removeDepartedCase(caseId: string): void {
    const row = this.db.prepare('SELECT number FROM cases WHERE id = ?').get(caseId) as
      { number: string } | undefined;
    this.db.prepare('DELETE FROM notes WHERE case_id = ?').run(caseId);
    this.db.prepare('DELETE FROM case_attachments WHERE case_id = ?').run(caseId);
    this.db.prepare('DELETE FROM cases WHERE id = ?').run(caseId);
    this.db
      .prepare(
        `INSERT INTO departed_cases (case_id, number, left_at) VALUES (?, ?, ?)
         ON CONFLICT(case_id) DO UPDATE SET number = coalesce(excluded.number, number),
           left_at = excluded.left_at`,
      )
      .run(caseId, row?.number ?? null, new Date().toISOString());
    // Refusals already received for this case were the scope change showing through.
    const refused = this.db
      .prepare(
        `SELECT seq, reject_code, reject_message FROM outbox
          WHERE case_id = ? AND state = 'rejected' AND reject_code IN (${OUT_OF_SCOPE_CODES.map(() => '?').join(', ')})`,
      )
      .all(caseId, ...OUT_OF_SCOPE_CODES) as {
      seq: number;
      reject_code: string;
      reject_message: string | null;
    }[];
    const relabel = this.db.prepare(
      'UPDATE outbox SET reject_code = ?, reject_message = ? WHERE seq = ?',
    );
    for (const entry of refused) {
      relabel.run(
        CASE_LEFT_SCOPE,
        leftScopeMessage(entry.reject_code, entry.reject_message),
        entry.seq,
      );
    }
  }

  /** Drops everything cached for a previous user (the caller checks nothing of theirs still waits). */
  /**
   * Forgets everything this workstation holds (a revoked workstation): cases, notes, the
   * outbox, conflict decisions and every meta value but the clientId, which stays so that
   * the server goes on refusing this install. Triggers empty the queue and search indexes.
   */
  wipe(): void {
    this.db
      .transaction(() => {
        this.db.exec(
          `DELETE FROM notes; DELETE FROM cases; DELETE FROM outbox; DELETE FROM departed_cases;
           DELETE FROM case_attachments;
           DELETE FROM conflict_log; DELETE FROM meta WHERE key <> 'clientId';`,
        );
      })
      .immediate();
  }

  resetForUser(userId: string): void {
    this.db
      .transaction(() => {
        if (this.getMeta('userId') === userId) return;
        this.db.exec(
          `DELETE FROM cases; DELETE FROM notes; DELETE FROM outbox; DELETE FROM departed_cases;
           DELETE FROM case_attachments;`,
        );
        this.setMeta('cursor', null);
        this.setMeta('userId', userId);
      })
      .immediate();
  }

  /** Recomputes a case's view: its server row with the still-pending outbox replayed on top. */
  private rebase(caseId: string): void {
    const row = this.db
      .prepare('SELECT server_json, view_json, created_json FROM cases WHERE id = ?')
      .get(caseId) as
      { server_json: string | null; view_json: string; created_json: string | null } | undefined;
    const outbox = this.db
      .prepare("SELECT * FROM outbox WHERE case_id = ? AND state != 'rejected' ORDER BY seq")
      .all(caseId) as OutboxRow[];
    let view: CaseRecord | null = row?.server_json
      ? (JSON.parse(row.server_json) as CaseRecord)
      : null;
    const created: CaseRecord | null = row?.created_json
      ? (JSON.parse(row.created_json) as CaseRecord)
      : null;
    for (const entry of outbox) {
      const args = JSON.parse(entry.args_json) as Mutation['args'];
      if (entry.name === 'case.create@1' && !view && created) {
        view = created;
      } else if (entry.name === 'case.transition@1' && view) {
        const { event } = args as MutationArgs<'case.transition@1'>;
        // A replay that the machine now refuses is skipped here; the server will reject it too.
        const actor = JSON.parse(entry.actor_json) as CaseActor;
        const next = applyTransition(view, event, actor, new Date(entry.recorded_at));
        if (next.ok) view = next.record;
      }
    }
    if (!view) {
      // A locally created case whose creation was rejected: keep the agent's data visible.
      if (row) this.db.prepare('UPDATE cases SET pending = 0 WHERE id = ?').run(caseId);
      return;
    }
    this.writeView(view, outbox.length > 0);
    // A note the server refused is not a note of the case: its text stays in the outbox, as
    // a rejection the agent can redo or discard, and leaves the case's note list.
    this.db
      .prepare(
        "DELETE FROM notes WHERE case_id = ? AND pending = 1 AND id IN (SELECT json_extract(args_json, '$.noteId') FROM outbox WHERE case_id = ? AND name = 'case.addNote@1' AND state = 'rejected')",
      )
      .run(caseId, caseId);
    this.db
      .prepare(
        "UPDATE notes SET pending = 0 WHERE case_id = ? AND pending = 1 AND id NOT IN (SELECT json_extract(args_json, '$.noteId') FROM outbox WHERE case_id = ? AND name = 'case.addNote@1')",
      )
      .run(caseId, caseId);
  }

  private writeView(record: CaseRecord, pending: boolean): void {
    this.db
      .prepare(
        'UPDATE cases SET view_json = ?, updated_at = ?, owner_id = ?, pending = ? WHERE id = ?',
      )
      .run(
        JSON.stringify(record),
        record.updatedAt,
        record.ownerId ?? '',
        pending ? 1 : 0,
        record.id,
      );
  }

  private enqueue<N extends MutationName>(
    name: N,
    caseId: string,
    args: MutationArgs<N>,
    actor: CaseActor,
    now: Date,
  ): void {
    const seq = Number(this.getMeta('lastSeq') ?? '0') + 1;
    this.setMeta('lastSeq', String(seq));
    this.db
      .prepare(
        'INSERT INTO outbox (seq, id, name, case_id, args_json, actor_json, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        seq,
        randomUUID(),
        name,
        caseId,
        JSON.stringify(args),
        JSON.stringify(actor),
        now.toISOString(),
      );
  }

  /** `<site><workstation>-<yyMMdd>-<seq>`: unique without a round trip to the server. */
  private mintCaseNumber(workstationCode: string, now: Date): string {
    const day = formatDay(now);
    const key = `caseSeq:${day}`;
    const next = Number(this.getMeta(key) ?? '0') + 1;
    this.setMeta(key, String(next));
    return `${workstationCode}-${day}-${String(next).padStart(4, '0')}`;
  }
}

export class CaseStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function applyTransition(
  record: CaseRecord,
  event: MutationArgs<'case.transition@1'>['event'],
  actor: CaseActor,
  now: Date,
): { ok: true; record: CaseRecord } | { ok: false; code: string } {
  const at = now.toISOString();
  const verdict = decideCaseEvent(record.status, record.lifecycle, { ...event, actor, at });
  if (!verdict.ok) return verdict;
  const { context } = verdict;
  return {
    ok: true,
    record: {
      ...record,
      status: verdict.state,
      lifecycle: context,
      priority: context.priority,
      ownerId: context.ownerId,
      // The new owner's name arrives with the server's row.
      ownerName: context.ownerId === record.ownerId ? record.ownerName : null,
      updatedAt: at,
    },
  };
}

function leftScopeMessage(code: string | null, message: string | null): string {
  return `The case has left your scope (reassigned or moved); the server said ${code ?? 'REJECTED'}${message ? `: ${message}` : ''}`;
}

/** The words of a refused change, kept as a note: the agent's text is never lost. */
function describeRefusedWork(name: MutationName, args: unknown): string {
  const fields = args as Record<string, unknown>;
  if (name === 'case.addNote@1') return String(fields.text);
  const event = (fields.event ?? {}) as Record<string, unknown>;
  const texts = Object.entries(event)
    .filter(([key, value]) => key !== 'type' && typeof value === 'string')
    .map(([key, value]) => `${key}: ${String(value)}`);
  return `[${String(event.type ?? name)}] ${texts.join('；')}`.trim();
}

function toLocalNote(note: ServerNote): Note {
  return { ...note, pending: false };
}

/** yyMMdd in the workstation's own time zone: the day the agent reads out to the customer. */
function formatDay(now: Date): string {
  const yy = String(now.getFullYear() % 100).padStart(2, '0');
  const mm = String(now.getMonth() + 1).padStart(2, '0');
  const dd = String(now.getDate()).padStart(2, '0');
  return `${yy}${mm}${dd}`;
}
