// The wire protocol between a workstation and the central API: intent-level mutations
// pushed in order, changes pulled after a cursor. Versioned so old clients keep working.
import { z } from 'zod';
import { AttachmentMeta } from './attachments';
import { CaseRecord } from './case-views';
import { CaseIntake, NoteText, Role } from './domain';
import { CaseEventInput } from './lifecycle/case-machine';

export const PROTOCOL_VERSION = 1;
/** The server's time to the millisecond on every answer (the Date header has whole seconds). */
export const SERVER_TIME_HEADER = 'x-server-time';

export const CreateCaseArgs = z.object({
  caseId: z.uuid(),
  number: z.string().regex(/^[A-Z0-9]{2,8}-\d{6}-\d{4,}$/, { message: 'CASE_NUMBER_INVALID' }),
  intake: CaseIntake,
});
export const AddNoteArgs = z.object({ caseId: z.uuid(), noteId: z.uuid(), text: NoteText });
export const TransitionArgs = z.object({
  caseId: z.uuid(),
  /** The lifecycle event without actor and time: the server stamps both. */
  event: CaseEventInput,
  baseVersion: z.number().int().nonnegative(),
});

const mutationBase = {
  id: z.uuid(),
  seq: z.number().int().positive(),
  /** The workstation's clock when the agent acted: kept for audit, never used to order. */
  recordedAt: z.iso.datetime(),
};
export const Mutation = z.discriminatedUnion('name', [
  z.object({ ...mutationBase, name: z.literal('case.create@1'), args: CreateCaseArgs }),
  z.object({ ...mutationBase, name: z.literal('case.addNote@1'), args: AddNoteArgs }),
  z.object({ ...mutationBase, name: z.literal('case.transition@1'), args: TransitionArgs }),
]);
export type Mutation = z.infer<typeof Mutation>;
export type MutationName = Mutation['name'];
export type MutationArgs<N extends MutationName> = Extract<Mutation, { name: N }>['args'];

export const PushRequest = z.object({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  clientId: z.uuid(),
  mutations: z.array(Mutation).min(1).max(500),
  /**
   * The workstation's clock when it sent this push. The server compares it with its own to
   * learn the workstation's skew, and corrects `recordedAt` by it before any clock uses it.
   */
  clientNow: z.iso.datetime().optional(),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const MutationResult = z.object({
  seq: z.number().int().positive(),
  mutationId: z.uuid(),
  status: z.enum(['applied', 'rejected']),
  code: z.string().nullable(),
  message: z.string().nullable(),
});
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({
  results: z.array(MutationResult),
  lastSeq: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof PushResponse>;

/** Server rows as they travel: the server's own note shape, without local flags. */
export const ServerNote = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  authorId: z.string(),
  authorName: z.string(),
  text: z.string(),
  createdAt: z.string(),
  recordedAt: z.string(),
});
export type ServerNote = z.infer<typeof ServerNote>;

export const PullResponse = z.object({
  cursor: z.string(),
  lastSeq: z.number().int().nonnegative(),
  cases: z.array(CaseRecord),
  notes: z.array(ServerNote),
  /**
   * Cases that left the user's scope after the cursor (reassigned to someone else, moved to
   * another team): the client drops them and their notes, and keeps its pending work on them.
   * Added within protocol 1: an older server sends none, an older client ignores it.
   */
  removedCaseIds: z.array(z.uuid()).default([]),
  /** Metadata of attachments in scope; their content is fetched when a case is opened. */
  attachments: z.array(AttachmentMeta).default([]),
  hasMore: z.boolean(),
});
export type PullResponse = z.infer<typeof PullResponse>;

export const SignInRequest = z.object({
  username: z
    .string()
    .trim()
    .min(1, { message: 'REQUIRED' })
    .max(64)
    // Stored in the audit as typed: no control characters (PostgreSQL refuses NUL).
    .regex(/^[^\p{Cc}]*$/u, { message: 'CONTROL_CHARACTERS' }),
  password: z.string().min(1, { message: 'REQUIRED' }).max(256),
  clientId: z.uuid(),
});
export const UserProfile = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  teamId: z.string().nullable(),
  branchId: z.string().nullable(),
});
export type UserProfile = z.infer<typeof UserProfile>;
export const SignInResponse = z.object({
  /** The access token: a JWT for the Authorization header, valid for 15 minutes. */
  token: z.string(),
  /**
   * Opaque, valid 30 days, good for one `POST /auth/refresh`, which answers a new pair. Kept
   * in the workstation's secret store instead of the password. Added within protocol 1.
   */
  refreshToken: z.string(),
  /** When `token` expires (ISO time, server clock). */
  tokenExpiresAt: z.iso.datetime(),
  user: UserProfile,
  /** Site + workstation code for case numbers minted offline, e.g. "BJ" + "A7". */
  workstationCode: z.string().regex(/^[A-Z0-9]{2,8}$/),
});
export type SignInResponse = z.infer<typeof SignInResponse>;
export const RefreshRequest = z.object({
  refreshToken: z.string().min(1, { message: 'REQUIRED' }).max(200),
  clientId: z.uuid(),
});
export type RefreshRequest = z.infer<typeof RefreshRequest>;
/** 423 ACCOUNT_LOCKED: too many failed sign-ins for this username. */
export const AccountLockedError = z.object({
  code: z.literal('ACCOUNT_LOCKED'),
  message: z.string(),
  lockedUntil: z.iso.datetime(),
});
/**
 * 403 with this code on any request of a revoked workstation: the client deletes its cached
 * cases, outbox and secrets and shows the sign-in screen.
 */
export const WORKSTATION_REVOKED = 'WORKSTATION_REVOKED';

export const ApiError = z.object({
  code: z.string(),
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), code: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/**
 * `GET /sync/events`: a Server-Sent Events stream of data-free pokes. `poke` means "cases
 * changed on the server: pull"; comment lines are heartbeats. It carries no case data, so
 * every pull stays scoped by the server's rules.
 */
export const SYNC_EVENTS_PATH = '/sync/events';
export const POKE_EVENT = 'poke';
/** The server's heartbeat period; a client may call a stream silent for much longer dead. */
export const SYNC_EVENTS_HEARTBEAT_MS = 25_000;
