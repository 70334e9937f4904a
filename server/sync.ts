// Sync: workstations push intent-level mutations in seq order and pull changes after a cursor.
//
// Cursor design (why pull never skips a late commit)
// ---------------------------------------------------
// A plain sequence or a timestamp hands out numbers in *start* order, but rows become
// visible in *commit* order: a puller could see version 8 committed, move its cursor to 8,
// and never see version 7, whose transaction commits a moment later. So:
//   1. Every writing transaction first runs `update sync_version set v = v + 1 returning v`.
//      The row lock it takes is held until commit, so the next writer waits for it:
//      writers are serialized, and version order is commit order.
//   2. The transaction stamps that version on every row it writes (cases.version,
//      case_notes.version).
//   3. Pull reads in one REPEATABLE READ snapshot. If that snapshot shows version V, every
//      transaction with a version below V had committed before V was even handed out, so
//      it is in the snapshot too. Returning rows with version > cursor, in version order,
//      and moving the cursor to the last version returned (or, when everything was
//      returned, to the snapshot's sync_version) can therefore never step over a row that
//      shows up later.
// The price is one global writer at a time, fine for a complaint desk's write rate; reads
// and duplicate pushes never take the lock.
//
// Scope changes (why a reassigned case leaves the old owner's cache)
// -------------------------------------------------------------------
// A case that changes hands is still a row with a new version, but the previous owner's
// scoped query no longer returns it, so their cache would keep it forever. Each change of
// owner, team or branch writes a case_scope_changes row (old and new keys) under the same
// version, in the same transaction (cases.ts, storeTransition). A pull after a cursor then
// also reads, from the same snapshot and version window:
//   - exits: changes whose old keys were in the user's scope, for cases the user can no
//     longer see now → `removedCaseIds`;
//   - entries: changes whose new keys are in the user's scope and old keys were not, for
//     cases the user sees now → all the case's notes up to the window, since the cursor has
//     passed the older ones (the case row itself carries the new version anyway).
// Deciding by the user's *current* view makes a case that left and came back between two
// pulls an update, not a removal. Pokes: every applied mutation runs NOTIFY (pokes.ts).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiError,
  PullResponse,
  PushRequest,
  PushResponse,
  type MutationResult,
  type Mutation,
} from '../shared/sync-protocol';
import { ApiFailure } from './api-errors';
import { attachmentsChangedInScope, attachmentVersionsAfterCursor } from './attachments';
import { requireSignIn, signedInUser, type SignedInUser } from './auth';
import {
  addNote,
  caseRecord,
  caseScope,
  CASE_SELECT,
  createCase,
  NOTE_SELECT,
  serverNote,
  transitionCase,
  type CaseRow,
  type MutationOutcome,
  type NoteRow,
  type ScopeColumns,
  type WriteContext,
} from './cases';
import type { Db } from './db';
import { notifyCaseChanges } from './pokes';

/** 409: the push stopped at a seq it cannot take (a gap, or a seq or id used before). */
export const SeqConflictError = ApiError.extend({ expectedSeq: z.number().int().positive() });
type SeqConflict = { status: 409; body: z.infer<typeof SeqConflictError> };

export const PullQuery = z.object({
  clientId: z.uuid(),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, { message: 'CURSOR_INVALID' })
    .default('0'),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
export type PullQuery = z.infer<typeof PullQuery>;

interface StoredResult {
  seq: string | number;
  mutation_id: string;
  status: MutationResult['status'];
  code: string | null;
  message: string | null;
}

const storedResult = (row: StoredResult): MutationResult => ({
  seq: Number(row.seq),
  mutationId: row.mutation_id,
  status: row.status,
  code: row.code,
  message: row.message,
});

/** Data the database refuses outright (22 data exception, 23 constraint): retrying cannot help. */
const isPermanentDataError = (error: unknown) =>
  typeof (error as { code?: unknown })?.code === 'string' &&
  /^(22|23)/.test((error as { code: string }).code);

function applyMutation(tx: Db, ctx: WriteContext, mutation: Mutation): Promise<MutationOutcome> {
  switch (mutation.name) {
    case 'case.create@1':
      return createCase(tx, ctx, mutation.args, mutation.recordedAt);
    case 'case.addNote@1':
      return addNote(tx, ctx, mutation.args, mutation.recordedAt);
    case 'case.transition@1':
      return transitionCase(tx, ctx, mutation.args);
  }
}

/** At most this many mutations share a transaction (and hold the version lock together). */
export const MUTATIONS_PER_TRANSACTION = 100;

type ChunkOutcome = { results: MutationResult[]; conflict?: SeqConflict };

/**
 * A run of a push's mutations, one transaction: the client's row locked first (so two
 * pushes of one workstation queue up), the seq checks, then one version bump for all of
 * them, each change with its history under a savepoint of its own, their results and the
 * new last_seq, committed together or not at all. One commit per run instead of one per
 * mutation is what lets the server keep up with a bare insert loop; each mutation still
 * gets its own answer, and a retry after a lost response gets the same answers.
 * A seq conflict stops the run: what came before it commits, the conflict is answered.
 */
async function processChunk(
  db: Db,
  user: SignedInUser,
  clientId: string,
  mutations: Mutation[],
  skewMs: number,
  /** Each mutation under a savepoint, so that data the database refuses rejects just it. */
  careful: boolean,
): Promise<ChunkOutcome> {
  return db.transaction(async (tx) => {
    await tx.query(
      `insert into sync_clients (client_id, user_id, last_seq) values ($1, $2, 0)
       on conflict (client_id) do nothing`,
      [clientId, user.id],
    );
    const client = await tx.query<{ last_seq: string | number }>(
      'select last_seq from sync_clients where client_id = $1 for update',
      [clientId],
    );
    const lastSeq = Number(client.rows[0]!.last_seq);

    // Already processed (their responses were lost): answered from the stored results.
    const repeatedSeqs = mutations.filter((m) => m.seq <= lastSeq).map((m) => m.seq);
    const stored = new Map<number, StoredResult>();
    if (repeatedSeqs.length > 0) {
      const rows = await tx.query<StoredResult>(
        `select seq, mutation_id, status, code, message from mutation_results
          where client_id = $1 and seq = any($2::bigint[])`,
        [clientId, repeatedSeqs],
      );
      for (const row of rows.rows) stored.set(Number(row.seq), row);
    }
    const freshIds = mutations.filter((m) => m.seq > lastSeq).map((m) => m.id);
    const usedIds = new Set<string>();
    if (freshIds.length > 0) {
      const rows = await tx.query<{ mutation_id: string }>(
        'select mutation_id from mutation_results where mutation_id = any($1::uuid[])',
        [freshIds],
      );
      for (const row of rows.rows) usedIds.add(row.mutation_id);
    }

    const results: MutationResult[] = [];
    const fresh: { mutation: Mutation; result: MutationResult }[] = [];
    let expected = lastSeq + 1;
    let ctx: WriteContext | null = null;
    let applied = false;
    let conflict: SeqConflict | undefined;
    for (const mutation of mutations) {
      if (mutation.seq <= lastSeq) {
        const row = stored.get(mutation.seq);
        if (row && row.mutation_id === mutation.id) {
          results.push(storedResult(row));
          continue;
        }
        conflict = stopWith(
          'SEQ_REUSED',
          `Seq ${mutation.seq} was used by another mutation.`,
          lastSeq,
        );
        break;
      }
      if (mutation.seq !== expected) {
        conflict = stopWith(
          'OUT_OF_ORDER',
          `Expected seq ${expected}, got ${mutation.seq}.`,
          expected - 1,
        );
        break;
      }
      if (usedIds.has(mutation.id)) {
        conflict = stopWith(
          'MUTATION_ID_REUSED',
          `Mutation ${mutation.id} was already pushed.`,
          expected - 1,
        );
        break;
      }
      usedIds.add(mutation.id);
      // The version lock is taken only once there is something to write.
      ctx ??= await versionedContext(tx, user, clientId, skewMs);
      const outcome = careful
        ? await applyWithinSavepoint(tx, ctx, mutation)
        : await applyMutation(tx, ctx, mutation);
      applied ||= outcome.status === 'applied';
      const result: MutationResult = {
        seq: mutation.seq,
        mutationId: mutation.id,
        status: outcome.status,
        code: outcome.status === 'rejected' ? outcome.code : null,
        message: outcome.status === 'rejected' ? outcome.message : null,
      };
      fresh.push({ mutation, result });
      results.push(result);
      expected += 1;
    }

    if (fresh.length > 0) {
      await tx.query(
        `insert into mutation_results (client_id, seq, mutation_id, name, status, code, message)
         select $1, * from unnest($2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                                  $7::text[])`,
        [
          clientId,
          fresh.map((f) => f.result.seq),
          fresh.map((f) => f.result.mutationId),
          fresh.map((f) => f.mutation.name),
          fresh.map((f) => f.result.status),
          fresh.map((f) => f.result.code),
          fresh.map((f) => f.result.message),
        ],
      );
      await tx.query('update sync_clients set last_seq = $2 where client_id = $1', [
        clientId,
        expected - 1,
      ]);
    }
    // Delivered at commit, to every API process: their workstations pull.
    if (applied) await notifyCaseChanges(tx);
    return { results, conflict };
  });
}

/** Bumps the sync version (taking the writers' lock until commit) and stamps the writes. */
async function versionedContext(
  tx: Db,
  user: SignedInUser,
  clientId: string,
  skewMs: number,
): Promise<WriteContext> {
  const bumped = await tx.query<{ v: string | number; now: Date | string }>(
    'update sync_version set v = v + 1 returning v, now() as now',
  );
  return {
    user,
    clientId,
    version: String(bumped.rows[0]!.v),
    now: new Date(bumped.rows[0]!.now).toISOString(),
    skewMs,
  };
}

async function applyWithinSavepoint(
  tx: Db,
  ctx: WriteContext,
  mutation: Mutation,
): Promise<MutationOutcome> {
  await tx.query('savepoint apply_mutation');
  try {
    const outcome = await applyMutation(tx, ctx, mutation);
    await tx.query('release savepoint apply_mutation');
    return outcome;
  } catch (error) {
    if (!isPermanentDataError(error)) throw error;
    // E.g. a NUL character in a text: the same push would fail forever, so it is refused
    // and recorded like any other rejection, and the queue moves on.
    await tx.query('rollback to savepoint apply_mutation');
    await tx.query('release savepoint apply_mutation');
    return {
      status: 'rejected',
      code: 'INVALID_DATA',
      message: error instanceof Error ? error.message : 'The database refused the data.',
    };
  }
}

function stopWith(code: string, message: string, lastSeq: number): SeqConflict {
  return { status: 409, body: { code, message, expectedSeq: lastSeq + 1 } };
}

/**
 * How far the workstation's clock is behind the server's (negative: ahead), from the time
 * it sent the push. Network delay makes it at most that much too large, which is noise
 * next to the hours a wrong clock is off. 0 when the client does not send `clientNow`.
 */
export function clockSkewMs(clientNow: string | undefined, serverNow = Date.now()): number {
  if (!clientNow) return 0;
  const client = Date.parse(clientNow);
  return Number.isFinite(client) ? serverNow - client : 0;
}

/**
 * Below this, a measured skew is network delay and clock jitter, not a wrong clock: the
 * workstation's times are taken as they are (a correct clock is never "corrected").
 */
export const SKEW_TOLERANCE_MS = 2_000;

/** The correction applied to the push's `recordedAt`s: the skew, or 0 within tolerance. */
export const skewCorrectionMs = (skewMs: number) =>
  Math.abs(skewMs) < SKEW_TOLERANCE_MS ? 0 : skewMs;

export async function pushMutations(
  db: Db,
  user: SignedInUser,
  clientId: string,
  mutations: Mutation[],
  /** The workstation's clock error, server − workstation (see `clockSkewMs`). */
  skewMs = 0,
): Promise<{ response: PushResponse } | { conflict: SeqConflict }> {
  const results: MutationResult[] = [];
  for (let from = 0; from < mutations.length; from += MUTATIONS_PER_TRANSACTION) {
    const chunk = mutations.slice(from, from + MUTATIONS_PER_TRANSACTION);
    // Savepoints cost two round trips a mutation, and refused data is rare: a run goes
    // without them, and only when the database refuses something is it redone with them.
    const outcome = await processChunk(db, user, clientId, chunk, skewMs, false).catch(
      (error: unknown) => {
        if (!isPermanentDataError(error)) throw error;
        return processChunk(db, user, clientId, chunk, skewMs, true);
      },
    );
    if (outcome.conflict) return { conflict: outcome.conflict };
    results.push(...outcome.results);
  }
  const client = await db.query<{ last_seq: string | number }>(
    'select last_seq from sync_clients where client_id = $1',
    [clientId],
  );
  return { response: { results, lastSeq: Number(client.rows[0]?.last_seq ?? 0) } };
}

/** Changes after the cursor in the user's scope, read from one snapshot (see the top). */
export async function pullChanges(
  db: Db,
  user: SignedInUser,
  query: PullQuery,
): Promise<PullResponse> {
  return db.transaction(
    async (tx) => {
      const current = await tx.query<{ v: string | number }>('select v from sync_version');
      const currentVersion = BigInt(current.rows[0]!.v);
      // A cursor from the future means the database was replaced: start over.
      const cursor = BigInt(query.cursor) > currentVersion ? '0' : query.cursor;
      // From scratch, the client holds nothing to remove and every note comes anyway.
      const incremental = cursor !== '0';
      const scope = caseScope(user, 3);
      // Null-safe: a case without an owner is outside every agent's scope, not "unknown".
      const inScopeNow = `coalesce(${scope.sql}, false)`;
      const wasInScope = `coalesce(${caseScope(user, 3, OLD_KEYS).sql}, false)`;
      const isInScope = `coalesce(${caseScope(user, 3, NEW_KEYS).sql}, false)`;
      const exits = `${wasInScope} and not ${inScopeNow}`;
      const entries = `${isInScope} and not ${wasInScope} and ${inScopeNow}`;

      // Versions of the next `limit` changed rows, cases and notes together, plus one to
      // know whether more remain. Ties (one transaction writing many rows) stay together.
      const marks = await tx.query<{ version: string | number }>(
        `select version from (
           select c.version from cases c where c.version > $1 and ${scope.sql}
           union all
           select n.version from case_notes n join cases c on c.id = n.case_id
            where n.version > $1 and ${scope.sql}
           union all
           ${attachmentVersionsAfterCursor(scope.sql)}
           ${
             incremental
               ? `union all
           select s.version from case_scope_changes s join cases c on c.id = s.case_id
            where s.version > $1 and ((${exits}) or (${entries}))`
               : ''
           }
         ) changed
         order by version limit $2`,
        [cursor, query.limit + 1, ...scope.params],
      );
      const hasMore = marks.rows.length > query.limit;
      const upper = hasMore ? String(marks.rows[query.limit - 1]!.version) : String(currentVersion);

      const cases = await tx.query<CaseRow>(
        `${CASE_SELECT} where c.version > $1 and c.version <= $2 and ${scope.sql} order by c.version`,
        [cursor, upper, ...scope.params],
      );
      // A case that came into scope brings its older notes and attachments too.
      const enteredCaseIds = `select s.case_id from case_scope_changes s join cases c on c.id = s.case_id
                             where s.version > $1 and s.version <= $2 and ${entries}`;
      // Two selects, not one with an OR: each is served by its own index (version, case).
      const notes = await tx.query<NoteRow>(
        `${NOTE_SELECT} where n.version > $1 and n.version <= $2 and ${scope.sql}
         ${
           incremental
             ? `union
         ${NOTE_SELECT} where n.case_id in (${enteredCaseIds}) and n.version <= $2 and ${scope.sql}`
             : ''
         }
         order by version, id`,
        [cursor, upper, ...scope.params],
      );
      const attachments = await attachmentsChangedInScope(
        tx,
        scope,
        cursor,
        upper,
        incremental ? enteredCaseIds : undefined,
      );
      const removed = incremental
        ? await tx.query<{ case_id: string }>(
            `select distinct s.case_id from case_scope_changes s join cases c on c.id = s.case_id
              where s.version > $1 and s.version <= $2 and ${exits}
              order by s.case_id`,
            [cursor, upper, ...scope.params],
          )
        : { rows: [] };
      const client = await tx.query<{ last_seq: string | number }>(
        'select last_seq from sync_clients where client_id = $1',
        [query.clientId],
      );
      return {
        cursor: upper,
        lastSeq: Number(client.rows[0]?.last_seq ?? 0),
        cases: cases.rows.map(caseRecord),
        notes: notes.rows.map(serverNote),
        removedCaseIds: removed.rows.map((row) => row.case_id),
        attachments,
        hasMore,
      };
    },
    { isolation: 'repeatable read' },
  );
}

const OLD_KEYS: ScopeColumns = {
  owner: 's.old_owner_id',
  team: 's.old_team_id',
  branch: 's.old_branch_id',
};
const NEW_KEYS: ScopeColumns = {
  owner: 's.new_owner_id',
  team: 's.new_team_id',
  branch: 's.new_branch_id',
};

/**
 * The shared CaseRecord validates phones with a one-way transform, which zod cannot
 * `encode`; so the pull response is checked by parsing it (the stored values are already
 * normalized, parsing leaves them as they are) instead of the provider's encode.
 */
const serializeByParsing =
  ({ schema }: { schema: unknown }) =>
  (data: unknown) =>
    JSON.stringify((schema as z.ZodType).parse(data));

export async function syncRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db, jwtSecret } = opts;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, jwtSecret);

  const workstationOf = (user: SignedInUser, clientId: string) => {
    if (clientId !== user.clientId) {
      throw new ApiFailure(403, {
        code: 'CLIENT_MISMATCH',
        message: 'This token was issued to another workstation.',
      });
    }
    return clientId;
  };

  routes.post(
    '/sync/push',
    {
      onRequest,
      schema: {
        summary: 'Apply mutations in seq order; duplicates answer their stored result',
        tags: ['sync'],
        security: [{ bearerAuth: [] }],
        body: PushRequest,
        response: {
          200: PushResponse,
          400: ApiError,
          401: ApiError,
          403: ApiError,
          409: SeqConflictError,
          503: ApiError,
        },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      const clientId = workstationOf(user, request.body.clientId);
      const skewMs = clockSkewMs(request.body.clientNow);
      // Clocks never order anything, but a wrong one is worth knowing about.
      if (request.body.clientNow !== undefined) {
        const log = skewCorrectionMs(skewMs) !== 0 ? request.log.warn : request.log.info;
        log.call(request.log, { clientId, skewMs }, 'workstation clock skew');
      }
      const pushed = await pushMutations(
        db,
        user,
        clientId,
        request.body.mutations,
        skewCorrectionMs(skewMs),
      );
      if ('conflict' in pushed) return reply.code(409).send(pushed.conflict.body);
      return pushed.response;
    },
  );

  routes.get(
    '/sync/pull',
    {
      onRequest,
      serializerCompiler: serializeByParsing,
      schema: {
        summary: 'Changes after the cursor in the user’s scope, from one snapshot',
        tags: ['sync'],
        security: [{ bearerAuth: [] }],
        querystring: PullQuery,
        response: { 200: PullResponse, 400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      workstationOf(user, request.query.clientId);
      return pullChanges(db, user, request.query);
    },
  );
}
