// The case store: who may see which cases, how rows travel (CaseRecord, ServerNote), and the
// three mutations that change cases. Every change writes its case_history row with it.
import type { CaseRecord } from '../shared/case-views';
import type { CaseIntake } from '../shared/domain';
import { registerCase } from '../shared/intake';
import {
  decideCaseEvent,
  type CaseActor,
  type CaseContext,
  type CaseEvent,
  type CaseEventType,
  type CaseState,
} from '../shared/lifecycle/case-machine';
import type { MutationArgs, ServerNote } from '../shared/sync-protocol';
import type { SignedInUser } from './auth';
import { customerLinkSql } from './customers';
import type { Db } from './db';

/** What one writing transaction knows about itself. */
export interface WriteContext {
  user: SignedInUser;
  clientId: string;
  /** The sync version this transaction stamps on every row it writes. */
  version: string;
  /** Server time of the transaction, the only clock that orders anything. */
  now: string;
  /**
   * The pushing workstation's clock error, server − workstation, learned from the push's
   * `clientNow` (0 when the client did not say). Added to a mutation's `recordedAt` before
   * any clock uses it; `recordedAt` itself is stored raw, for audit.
   */
  skewMs?: number;
}

/**
 * A workstation's time of action on the server's clock: `recordedAt` corrected by the
 * push's skew, never later than the server's now (a clock still fast cannot push a
 * deadline into the future).
 */
export function correctedTime(
  ctx: Pick<WriteContext, 'now' | 'skewMs'>,
  recordedAt: string,
): string {
  const corrected = Date.parse(recordedAt) + (ctx.skewMs ?? 0);
  const now = Date.parse(ctx.now);
  return new Date(Math.min(corrected, now)).toISOString();
}

export type MutationOutcome =
  { status: 'applied' } | { status: 'rejected'; code: string; message: string };

const applied: MutationOutcome = { status: 'applied' };
const rejected = (code: string, message: string): MutationOutcome => ({
  status: 'rejected',
  code,
  message,
});

/** The columns that decide who sees a case: its owner, team and branch. */
export interface ScopeColumns {
  owner: string;
  team: string;
  branch: string;
  /** The users who recused themselves from the case (a jsonb array), where known. */
  recusedUserIds?: string;
}
const CASE_COLUMNS: ScopeColumns = {
  owner: 'c.owner_id',
  team: 'c.team_id',
  branch: 'c.branch_id',
  recusedUserIds: "c.lifecycle -> 'recusedUserIds'",
};

/**
 * The cases a user may read, as a condition on alias `c` using parameters from `$index`:
 * agents their own and their team's queue (its cases without an owner: the lifecycle has no
 * claim event, so agents only see the queue and leads hand it out), except a queued case
 * they recused from; leads their team's; branch staff their branch's; administrators none
 * (they manage people and policies, never cases).
 * `columns` applies the same rule to other columns (a scope change's old or new keys); the
 * parameters are the same, so one `$index` serves every use in a statement.
 */
export function caseScope(
  user: Pick<SignedInUser, 'id' | 'role' | 'teamId' | 'branchId'>,
  index: number,
  columns: ScopeColumns = CASE_COLUMNS,
): { sql: string; params: unknown[] } {
  switch (user.role) {
    case 'agent': {
      if (!user.teamId) return { sql: `${columns.owner} = $${index}`, params: [user.id] };
      // An agent who recused themselves (回避) does not see the case waiting in the queue.
      const notRecused = columns.recusedUserIds
        ? ` and not coalesce(${columns.recusedUserIds} @> jsonb_build_array($${index}::text), false)`
        : '';
      const queue = `${columns.owner} is null and ${columns.team} = $${index + 1}${notRecused}`;
      return {
        sql: `(${columns.owner} = $${index} or (${queue}))`,
        params: [user.id, user.teamId],
      };
    }
    case 'lead':
      return user.teamId
        ? { sql: `${columns.team} = $${index}`, params: [user.teamId] }
        : { sql: 'false', params: [] };
    case 'branch':
      return user.branchId
        ? { sql: `${columns.branch} = $${index}`, params: [user.branchId] }
        : { sql: 'false', params: [] };
    case 'admin':
      return { sql: 'false', params: [] };
  }
}

/** Administrators never handle cases: every case mutation of theirs is refused. */
const ADMIN_REFUSED: MutationOutcome = {
  status: 'rejected',
  code: 'FORBIDDEN',
  message: 'Administrators manage people and policies; they do not handle cases.',
};

type Timestamp = Date | string;
/** pg and PGlite both give Date for timestamptz; strings are accepted for safety. */
const iso = (value: Timestamp): string => new Date(value).toISOString();

export interface CaseRow {
  id: string;
  number: string;
  customer_name: string;
  customer_phone: string;
  channel: CaseRecord['channel'];
  type: CaseRecord['type'];
  business_line: CaseRecord['businessLine'];
  description: string;
  customer_expectation: string;
  status: CaseState;
  lifecycle: CaseContext;
  priority: CaseRecord['priority'];
  owner_id: string | null;
  owner_name: string | null;
  team_id: string | null;
  branch_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** int8: a string from pg, a number from PGlite. */
  version: string | number;
}

/** Selects a CaseRow from `cases c`, with the owner's name. */
export const CASE_SELECT = `
  select c.id, c.number, c.customer_name, c.customer_phone, c.channel, c.type, c.business_line,
         c.description, c.customer_expectation, c.status, c.lifecycle, c.priority, c.owner_id,
         o.display_name as owner_name, c.team_id, c.branch_id,
         c.created_at, c.updated_at, c.version
    from cases c left join users o on o.id = c.owner_id`;

export function caseRecord(row: CaseRow): CaseRecord {
  return {
    id: row.id,
    number: row.number,
    customerName: row.customer_name,
    customerPhone: row.customer_phone,
    channel: row.channel,
    type: row.type,
    businessLine: row.business_line,
    description: row.description,
    customerExpectation: row.customer_expectation,
    status: row.status,
    lifecycle: row.lifecycle,
    priority: row.priority,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    teamId: row.team_id,
    branchId: row.branch_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: Number(row.version),
  };
}

export interface NoteRow {
  id: string;
  case_id: string;
  author_id: string;
  author_name: string;
  text: string;
  created_at: Timestamp;
  recorded_at: Timestamp;
  version: string | number;
}

/** Selects a NoteRow from `case_notes n` joined to its case `c`, with the author's name. */
export const NOTE_SELECT = `
  select n.id, n.case_id, n.author_id, a.display_name as author_name, n.text,
         n.created_at, n.recorded_at, n.version
    from case_notes n
    join cases c on c.id = n.case_id
    join users a on a.id = n.author_id`;

export function serverNote(row: NoteRow): ServerNote {
  return {
    id: row.id,
    caseId: row.case_id,
    authorId: row.author_id,
    authorName: row.author_name,
    text: row.text,
    createdAt: iso(row.created_at),
    recordedAt: iso(row.recorded_at),
  };
}

/** Who changes a case, from which workstation, at what server time, under which version. */
export interface ChangeStamp {
  actorId: string;
  /** null for changes made on the server itself (seeding). */
  clientId: string | null;
  at: string;
  version: string;
}

const stampOf = (ctx: WriteContext): ChangeStamp => ({
  actorId: ctx.user.id,
  clientId: ctx.clientId,
  at: ctx.now,
  version: ctx.version,
});

async function recordHistory(
  tx: Db,
  stamp: ChangeStamp,
  caseId: string,
  action: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await tx.query(
    `insert into case_history (case_id, actor_id, client_id, action, before, after, at)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`,
    [
      caseId,
      stamp.actorId,
      stamp.clientId,
      action,
      before === null ? null : JSON.stringify(before),
      JSON.stringify(after),
      stamp.at,
    ],
  );
}

export interface NewCase {
  id: string;
  number: string;
  intake: CaseIntake;
  /** The registering user: the first-contact owner (首接责任制). */
  registeredBy: CaseActor;
  /** When the customer reached the bank (the workstation's time for offline intake). */
  receivedAt: string;
  teamId: string | null;
  branchId: string | null;
}

/**
 * Registers a new case through the shared lifecycle and writes its first history row, in
 * one statement (a push applies hundreds of these: each round trip counts). Returns false,
 * writing nothing, when the id or the number is taken.
 */
export async function insertCase(tx: Db, stamp: ChangeStamp, fields: NewCase): Promise<boolean> {
  const { intake } = fields;
  const { state, context } = registerCase({
    caseId: fields.id,
    intake,
    actor: fields.registeredBy,
    receivedAt: fields.receivedAt,
  });
  // The case's customer is found or made in the same statement (customers.ts).
  const link = customerLinkSql(
    { caseId: fields.id, number: fields.number, intake, registeredBy: stamp.actorId },
    20,
  );
  const inserted = await tx.query<{ case_id: string }>(
    `with ${link.before},
     inserted as (
       insert into cases (id, number, customer_name, customer_phone, channel, type,
                          business_line, description, customer_expectation, status, lifecycle,
                          priority, owner_id, team_id, branch_id, created_at, updated_at, version,
                          customer_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $16,
               $17, ${link.customerId})
       on conflict do nothing
       returning *),
     ${link.after}
     insert into case_history (case_id, actor_id, client_id, action, before, after, at)
     select id, $18, $19, 'case.create', null, to_jsonb(inserted), $16 from inserted
     returning case_id`,
    [
      fields.id,
      fields.number,
      intake.customerName,
      intake.customerPhone,
      intake.channel,
      intake.type,
      intake.businessLine,
      intake.description,
      intake.customerExpectation,
      state,
      JSON.stringify(context),
      context.priority,
      context.ownerId,
      fields.teamId,
      fields.branchId,
      stamp.at,
      stamp.version,
      stamp.actorId,
      stamp.clientId,
      ...link.params,
    ],
  );
  return inserted.rows.length > 0;
}

/** Appends a note by the stamp's actor, and its history row. */
export async function insertNote(
  tx: Db,
  stamp: ChangeStamp,
  note: { id: string; caseId: string; text: string; recordedAt: string },
  /** Why an author who is no longer the owner may still write it (notes always merge). */
  writtenAs?: 'previousOwner',
): Promise<void> {
  await tx.query(
    `insert into case_notes (id, case_id, author_id, text, created_at, recorded_at, version)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [note.id, note.caseId, stamp.actorId, note.text, stamp.at, note.recordedAt, stamp.version],
  );
  await recordHistory(tx, stamp, note.caseId, 'case.addNote', null, {
    noteId: note.id,
    text: note.text,
    recordedAt: note.recordedAt,
    ...(writtenAs ? { writtenAs } : {}),
  });
}

export interface StoredLifecycle {
  status: CaseState;
  lifecycle: CaseContext;
}

/** Who a case belongs to, as far as read scope is concerned. */
export interface CaseScopeKeys {
  ownerId: string | null;
  teamId: string | null;
  branchId: string | null;
}

const sameScope = (a: CaseScopeKeys, b: CaseScopeKeys) =>
  a.ownerId === b.ownerId && a.teamId === b.teamId && a.branchId === b.branchId;

/**
 * Records that a case changed hands, in the changing transaction and under its version, so
 * that pulls can tell the previous owner (or team, or branch) to drop the case and the new
 * one to take its older notes. Does nothing when the keys did not change.
 */
export async function recordScopeChange(
  tx: Db,
  stamp: ChangeStamp,
  caseId: string,
  before: CaseScopeKeys,
  after: CaseScopeKeys,
): Promise<boolean> {
  if (sameScope(before, after)) return false;
  await tx.query(
    `insert into case_scope_changes (version, case_id, old_owner_id, old_team_id, old_branch_id,
                                     new_owner_id, new_team_id, new_branch_id, at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (case_id, version) do update set
       new_owner_id = excluded.new_owner_id, new_team_id = excluded.new_team_id,
       new_branch_id = excluded.new_branch_id`,
    [
      stamp.version,
      caseId,
      before.ownerId,
      before.teamId,
      before.branchId,
      after.ownerId,
      after.teamId,
      after.branchId,
      stamp.at,
    ],
  );
  return true;
}

/** Stores the machine's verdict on an event, and the history row with both states. */
export async function storeTransition(
  tx: Db,
  stamp: ChangeStamp,
  caseId: string,
  eventType: CaseEventType,
  before: StoredLifecycle & { version: number },
  after: StoredLifecycle & {
    baseVersion?: number;
    /** A move to another team or branch; unchanged when left out. */
    teamId?: string | null;
    branchId?: string | null;
  },
): Promise<void> {
  // Owner and priority are columns too: scope queries and queues filter on them. The old
  // scope keys come back from the same statement, so a change of hands is never missed.
  const moves: string[] = [];
  const params: unknown[] = [
    caseId,
    after.status,
    JSON.stringify(after.lifecycle),
    after.lifecycle.ownerId,
    after.lifecycle.priority,
    stamp.at,
    stamp.version,
  ];
  if (after.teamId !== undefined) {
    params.push(after.teamId);
    moves.push(`team_id = $${params.length}`);
  }
  if (after.branchId !== undefined) {
    params.push(after.branchId);
    moves.push(`branch_id = $${params.length}`);
  }
  const updated = await tx.query<{
    old_owner_id: string | null;
    old_team_id: string | null;
    old_branch_id: string | null;
    owner_id: string | null;
    team_id: string | null;
    branch_id: string | null;
  }>(
    `update cases c set status = $2, lifecycle = $3::jsonb, owner_id = $4, priority = $5,
                        updated_at = $6, version = $7${moves.map((m) => `, ${m}`).join('')}
       from (select id, owner_id, team_id, branch_id from cases where id = $1 for update) old
      where c.id = old.id
      returning old.owner_id as old_owner_id, old.team_id as old_team_id,
                old.branch_id as old_branch_id, c.owner_id, c.team_id, c.branch_id`,
    params,
  );
  const row = updated.rows[0];
  if (row) {
    await recordScopeChange(
      tx,
      stamp,
      caseId,
      { ownerId: row.old_owner_id, teamId: row.old_team_id, branchId: row.old_branch_id },
      { ownerId: row.owner_id, teamId: row.team_id, branchId: row.branch_id },
    );
  }
  await recordHistory(tx, stamp, caseId, `case.transition.${eventType}`, before, {
    ...after,
    version: Number(stamp.version),
  });
}

export async function createCase(
  tx: Db,
  ctx: WriteContext,
  args: MutationArgs<'case.create@1'>,
  recordedAt: string,
): Promise<MutationOutcome> {
  if (ctx.user.role === 'admin') return ADMIN_REFUSED;
  // Owner, team and branch come from the signed-in user, never from the client; the time
  // of receipt is the workstation's (the call happened then, maybe offline) corrected by
  // its skew, never later than now, so a wrong client clock cannot move deadlines.
  const receivedAt = correctedTime(ctx, recordedAt);
  const created = await insertCase(tx, stampOf(ctx), {
    id: args.caseId,
    number: args.number,
    intake: args.intake,
    registeredBy: { userId: ctx.user.id, role: ctx.user.role },
    receivedAt,
    teamId: ctx.user.teamId,
    branchId: ctx.user.branchId,
  });
  if (created) return applied;
  const clash = await tx.query<{ id: string }>('select id from cases where id = $1', [args.caseId]);
  return clash.rows.length > 0
    ? rejected('CASE_EXISTS', `Case ${args.caseId} already exists.`)
    : rejected('CASE_NUMBER_TAKEN', `Case number ${args.number} is already taken.`);
}

export async function addNote(
  tx: Db,
  ctx: WriteContext,
  args: MutationArgs<'case.addNote@1'>,
  recordedAt: string,
): Promise<MutationOutcome> {
  if (ctx.user.role === 'admin') return ADMIN_REFUSED;
  const found = await tx.query<{ owner_id: string; team_id: string | null }>(
    'select owner_id, team_id from cases where id = $1',
    [args.caseId],
  );
  const target = found.rows[0];
  if (!target) return rejected('CASE_NOT_FOUND', `Case ${args.caseId} does not exist.`);
  const { user } = ctx;
  const isOwner = target.owner_id === user.id;
  const isTeamLead = user.role === 'lead' && user.teamId !== null && target.team_id === user.teamId;
  // Notes always merge (a business decision): a note from someone who owned the case stays,
  // even when a lead moved the case while they were offline and they wrote it not knowing.
  // It is flagged in the history; a former owner can write to the case but no longer read it.
  let previousOwner = false;
  if (!isOwner && !isTeamLead) {
    const former = await tx.query(
      `select 1 from case_scope_changes where case_id = $1 and old_owner_id = $2 limit 1`,
      [args.caseId, user.id],
    );
    previousOwner = former.rows.length > 0;
  }
  if (!isOwner && !isTeamLead && !previousOwner) {
    return rejected('FORBIDDEN', 'Only the owner or a lead of the case’s team may add notes.');
  }
  const known = await tx.query('select 1 from case_notes where id = $1', [args.noteId]);
  if (known.rows.length > 0) return rejected('NOTE_EXISTS', `Note ${args.noteId} already exists.`);
  await insertNote(
    tx,
    stampOf(ctx),
    { id: args.noteId, caseId: args.caseId, text: args.text, recordedAt },
    previousOwner ? 'previousOwner' : undefined,
  );
  return applied;
}

/** Authorizes against the case's current row, locked, and lets the shared machine decide. */
export async function transitionCase(
  tx: Db,
  ctx: WriteContext,
  args: MutationArgs<'case.transition@1'>,
): Promise<MutationOutcome> {
  if (ctx.user.role === 'admin') return ADMIN_REFUSED;
  const found = await tx.query<{
    status: CaseState;
    lifecycle: CaseContext;
    team_id: string | null;
    version: string | number;
  }>('select status, lifecycle, team_id, version from cases where id = $1 for update', [
    args.caseId,
  ]);
  const current = found.rows[0];
  if (!current) return rejected('CASE_NOT_FOUND', `Case ${args.caseId} does not exist.`);
  const { user } = ctx;
  // The machine trusts any lead; the team boundary is the server's scope rule.
  if (user.role === 'lead' && current.team_id !== user.teamId) {
    return rejected('FORBIDDEN', 'A lead may act only on the cases of their own team.');
  }
  const newOwner =
    args.event.type === 'ASSIGN'
      ? args.event.assigneeId
      : args.event.type === 'REASSIGN'
        ? args.event.toUserId
        : null;
  if (newOwner !== null) {
    const member = await tx.query(
      `select 1 from users where id = $1 and role in ('agent', 'branch', 'lead') and team_id is not distinct from $2`,
      [newOwner, current.team_id],
    );
    if (member.rows.length === 0) {
      return rejected('ASSIGNEE_NOT_IN_TEAM', 'Cases go only to staff of the case’s own team.');
    }
  }
  const event = {
    ...args.event,
    actor: { userId: user.id, role: user.role },
    at: ctx.now,
  } as CaseEvent;
  const verdict = decideCaseEvent(current.status, current.lifecycle, event);
  if (!verdict.ok) {
    return rejected(verdict.code, `The case lifecycle refused ${args.event.type}: ${verdict.code}`);
  }
  // Agents and branch staff act only on cases they own; the machine already says so for
  // most events (with its own reason, kept above), but lets any staff answer a task.
  if (user.role !== 'lead' && current.lifecycle.ownerId !== user.id) {
    return rejected('FORBIDDEN', 'Only the owner or a lead of the case’s team may act on it.');
  }
  await storeTransition(
    tx,
    stampOf(ctx),
    args.caseId,
    args.event.type,
    { status: current.status, lifecycle: current.lifecycle, version: Number(current.version) },
    { status: verdict.state, lifecycle: verdict.context, baseVersion: args.baseVersion },
  );
  return applied;
}
