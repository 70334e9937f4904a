// The one contract between the UI and the workstation backend. Both transports (Electron
// IPC and the browser host's WebSocket) are generic over it: a new method is added here
// and in the backend's handler table, nowhere else.
import { z } from 'zod';
import { AttachmentMeta } from './attachments';
import {
  AttachmentAddInput,
  AttachmentContent,
  AttachmentListItem,
  AttachmentRef,
} from './attachment-desk';
import { CaseRecord, CaseSummary, Note } from './case-views';
import type { Deadline } from './clock';
import { CaseIntake, NoteText } from './domain';
import {
  Customer360,
  CustomerGetInput,
  CustomerLookupAnswer,
  CustomerLookupQuery,
  IntakePreview,
  IntakePreviewInput,
} from './customer-desk';
import { CaseEventInput, CaseEventType } from './lifecycle/case-machine';
import { KnowledgeArticle, KnowledgeHit, KnowledgeSearchQuery } from './knowledge';
import { QueuePage, QueueRequest, SavedQueueView, SaveQueueViewRequest } from './queue';
import { UserProfile } from './sync-protocol';
import { EVENT_NAMES, METHOD_NAMES, type EventName, type MethodName } from './contract-names';

export { EVENT_NAMES, METHOD_NAMES, type EventName, type MethodName };

export const Session = z.object({
  user: UserProfile,
  workstationCode: z.string(),
});
export type Session = z.infer<typeof Session>;

export const SyncStatus = z.object({
  state: z.enum(['signed_out', 'online', 'syncing', 'offline']),
  pending: z.number().int().nonnegative(),
  /** Mutations the server refused: kept for the agent, never dropped silently. */
  rejected: z.number().int().nonnegative(),
  lastSyncedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** When the next retry happens while offline (backoff). */
  nextRetryAt: z.string().nullable(),
  /**
   * While the first pull (cursor '0': first sign-in or a reset) runs: cases received so
   * far, and the total when known (the server does not send one today, so null). Null or
   * absent otherwise.
   */
  bootstrap: z
    .object({
      received: z.number().int().nonnegative(),
      total: z.number().int().nonnegative().nullable(),
    })
    .nullable()
    .optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const CaseDetail = z.object({
  case: CaseRecord,
  notes: z.array(Note),
  pending: z.boolean(),
  /** What the lifecycle machine allows this user to do now. */
  allowedEvents: z.array(z.custom<CaseEventType>((v) => typeof v === 'string')),
  /** Every clock of the case, computed by the deadline engine for now. */
  deadlines: z.array(z.custom<Deadline>()),
  rejections: z.array(z.object({ mutationId: z.string(), name: z.string(), code: z.string() })),
  /** Metadata of the case's attachments; the content is fetched on demand. */
  attachments: z.array(AttachmentMeta),
});
export type CaseDetail = z.infer<typeof CaseDetail>;

/** A change the central API refused, kept with what the agent typed until they decide. */
export const Conflict = z.object({
  mutationId: z.string(),
  name: z.string(),
  caseId: z.string(),
  caseNumber: z.string().nullable(),
  code: z.string(),
  message: z.string().nullable(),
  /** The mutation's arguments: the note text or the event's form values. */
  args: z.unknown(),
});
export type Conflict = z.infer<typeof Conflict>;

const CaseId = z.object({ caseId: z.uuid() });
const Empty = z.object({}).strict();

export const contract = {
  'session.signIn': {
    input: z.object({
      username: z.string().trim().min(1, { message: 'REQUIRED' }).max(64),
      password: z.string().min(1, { message: 'REQUIRED' }).max(256),
    }),
    output: Session,
  },
  'session.signOut': { input: Empty, output: z.null() },
  'session.current': { input: Empty, output: Session.nullable() },
  'cases.create': { input: CaseIntake, output: CaseRecord },
  'cases.listMine': { input: Empty, output: z.array(CaseSummary) },
  'cases.get': { input: CaseId, output: CaseDetail },
  'cases.addNote': { input: z.object({ caseId: z.uuid(), text: NoteText }), output: Note },
  'cases.transition': {
    input: z.object({
      caseId: z.uuid(),
      event: CaseEventInput,
    }),
    output: CaseDetail,
  },
  'customers.lookup': { input: CustomerLookupQuery, output: CustomerLookupAnswer },
  'customers.get': { input: CustomerGetInput, output: Customer360 },
  /** What saving this intake now would give (priority, deadlines), nothing stored. */
  'cases.previewIntake': { input: IntakePreviewInput, output: IntakePreview },
  'knowledge.search': {
    input: KnowledgeSearchQuery.pick({ q: true, category: true, tag: true, limit: true }),
    output: z.array(KnowledgeHit),
  },
  'knowledge.get': { input: z.object({ id: z.uuid() }), output: KnowledgeArticle },
  /** Checked by the shared rules, stored in the cache, uploaded in order when online. */
  'attachments.add': { input: AttachmentAddInput, output: AttachmentListItem },
  'attachments.list': { input: CaseId, output: z.array(AttachmentListItem) },
  /** From the cache, else from the central API (and then cached); OFFLINE when neither. */
  'attachments.content': { input: AttachmentRef, output: AttachmentContent },
  /** One window of a queue; the user and team come from the session, never from here. */
  'cases.queue': { input: QueueRequest, output: QueuePage },
  /** The signed-in user's saved queue views (kept on this workstation). */
  'queue.views.list': { input: Empty, output: z.array(SavedQueueView) },
  /** Saves the view under its name; a view of the same name is replaced. */
  'queue.views.save': { input: SaveQueueViewRequest, output: SavedQueueView },
  'queue.views.delete': { input: z.object({ id: z.uuid() }).strict(), output: z.null() },
  'sync.status': { input: Empty, output: SyncStatus },
  'sync.now': { input: Empty, output: SyncStatus },
  'sync.conflicts': { input: Empty, output: z.array(Conflict) },
  'sync.settleConflict': {
    input: z.object({
      mutationId: z.uuid(),
      /** retry: send again as new work; note: keep the text as a note; discard: drop (logged). */
      decision: z.enum(['retry', 'note', 'discard']),
    }),
    output: z.null(),
  },
} as const satisfies Record<MethodName, { input: z.ZodType; output: z.ZodType }>;

export const contractEvents = {
  'case.changed': z.object({ caseIds: z.array(z.string()) }),
  'sync.status': SyncStatus,
} as const satisfies Record<EventName, z.ZodType>;

// Both directions: a method in the schemas but not in the names list fails to compile.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _methodNamesMatch: Exactly<keyof typeof contract, MethodName> = true;
const _eventNamesMatch: Exactly<keyof typeof contractEvents, EventName> = true;
void _methodNamesMatch;
void _eventNamesMatch;
export type MethodInput<M extends MethodName> = z.input<(typeof contract)[M]['input']>;
export type MethodOutput<M extends MethodName> = z.infer<(typeof contract)[M]['output']>;
export type EventPayload<E extends EventName> = z.infer<(typeof contractEvents)[E]>;

/** An error that crosses the boundary: a code to translate, a message for logs and people. */
export interface ContractError {
  code: string;
  message: string;
  /** For validation errors: which field, and the rule it broke. */
  fields?: { path: string; code: string }[];
}
export type ContractResult<T> = { ok: true; value: T } | { ok: false; error: ContractError };

export function validationError(error: z.ZodError): ContractError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.join('.') || '(input)',
    code: /^[A-Z_]+$/.test(issue.message) ? issue.message : issue.code.toUpperCase(),
  }));
  return {
    code: 'VALIDATION',
    message: `Invalid input: ${fields.map((f) => `${f.path} (${f.code})`).join(', ')}`,
    fields,
  };
}

/** What the renderer sees as `window.workstation`: one function per method, one subscription per event. */
export type WorkstationApi = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<ContractResult<MethodOutput<M>>>;
} & {
  on: { [E in EventName]: (listener: (payload: EventPayload<E>) => void) => () => void };
};
