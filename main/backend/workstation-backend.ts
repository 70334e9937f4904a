// The workstation backend: the contract's handlers over the local cache, the session and the
// sync engine. Plain Node, no electron: Electron runs it in a utility process, the browser
// host in its own Node process.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import {
  contract,
  validationError,
  type ContractError,
  type ContractResult,
  type EventName,
  type EventPayload,
  type MethodName,
  type MethodOutput,
  type Session,
} from '../../shared/contract';
import type { z } from 'zod';
import type { CaseRecord } from '../../shared/case-views';
import { computeDeadlines } from '../../shared/clock';
import { registerCase } from '../../shared/intake';
import { allowedCaseEvents, type CaseActor } from '../../shared/lifecycle/case-machine';
import { openCacheDb, type CacheDb } from './cache-db';
import { CaseStore, CaseStoreError } from './case-store';
import { CustomerDesk, CustomerDeskOffline } from './customer-desk';
import { ApiRefusedError, ApiUnreachableError, CentralApiClient } from './central-api-client';
import { CaseQueueError, CHINA_RULES, queryQueue, reindexCaseQueue } from './case-queue';
import { QueueViews, QueueViewsError } from './queue-views';
import { ReferenceCache } from './reference-cache';
import { AttachmentDesk, AttachmentRefusal } from './attachment-desk';
import type { SecretStore } from './secret-store';
import { SyncEngine, type SyncEngineOptions } from './sync-engine';

export interface WorkstationBackendOptions {
  /** Folder of this installation's cache (cache.sqlite lives there). */
  dataDir: string;
  /** Base URL of the central case API. */
  apiUrl: string;
  secrets: SecretStore;
  sync?: SyncEngineOptions;
  now?: () => Date;
  /** How often reference data (deadline rules, knowledge) is checked (default 60 s). */
  referenceRefreshMs?: number;
}

type Listener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
type ParsedInput<M extends MethodName> = z.infer<(typeof contract)[M]['input']>;
type Handlers = { [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> };

/** A refusal the UI translates by code. */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'api-token';
/** The refresh token renews the 15-minute access token; the password is never kept. */
const REFRESH_KEY = 'api-refresh-token';
/** The central API's answer to any request of a revoked workstation: wipe, sign out. */
const WORKSTATION_REVOKED = 'WORKSTATION_REVOKED';

export class WorkstationBackend {
  readonly store: CaseStore;
  readonly sync: SyncEngine;
  readonly reference: ReferenceCache;
  readonly attachments: AttachmentDesk;
  private readonly db: CacheDb;
  private readonly api: CentralApiClient;
  private readonly customers: CustomerDesk;
  private readonly listeners = new Set<Listener>();
  private readonly now: () => Date;
  private session: Session | null = null;
  /** The renewal in flight: a refresh token works once, so two renewals must not race. */
  private renewing: Promise<string | null> | null = null;
  private wiping: Promise<void> | null = null;

  private constructor(private readonly options: WorkstationBackendOptions) {
    const ownClock = options.now ?? (() => new Date());
    // Once the central API has answered, the workstation counts on the server's time: a desk
    // PC whose clock is hours off must not register cases or count deadlines by it.
    this.now = () => new Date(ownClock().getTime() + this.api.serverSkewMs());
    // The queue index counts deadlines by the same rules as the case page.
    // (Migrating an old cache indexes it before the reference cache exists: China's rules.)
    this.db = openCacheDb(join(options.dataDir, 'cache.sqlite'), () =>
      this.reference ? this.reference.deadlineRules() : CHINA_RULES,
    );
    this.store = new CaseStore(this.db);
    this.reference = new ReferenceCache(this.db, options.referenceRefreshMs);
    this.attachments = new AttachmentDesk(
      this.db,
      options.apiUrl,
      { token: () => this.options.secrets.get(TOKEN_KEY), renew: () => this.renewToken() },
      { now: this.now },
    );
    this.api = new CentralApiClient(options.apiUrl, undefined, ownClock);
    this.customers = new CustomerDesk({
      api: this.api,
      db: this.db,
      token: () => this.options.secrets.get(TOKEN_KEY),
      renew: () => this.renewToken(),
      now: this.now,
    });
    this.sync = new SyncEngine(
      this.store,
      this.api,
      { token: () => this.options.secrets.get(TOKEN_KEY), renew: () => this.renewToken() },
      (status) => {
        this.emit('sync.status', status);
        // Once: the wipe ends the session, and its own status reports come back here.
        if (status.lastError === WORKSTATION_REVOKED && this.session) void this.wipeRevoked();
      },
      (caseIds) => this.emit('case.changed', { caseIds }),
      {
        now: this.now,
        afterPull: (token, signal) => this.refreshReference(token, signal),
        afterPush: (token, signal) => this.uploadAttachments(token, signal),
        waitingBeyondOutbox: () => this.attachments.waitingCount(),
        ...options.sync,
      },
    );
  }

  /**
   * After a pull: the deadline rules and knowledge base, when due. A server without these
   * routes (older, or refusing this role) leaves the cached or built-in ones in force.
   */
  private async refreshReference(token: string, signal: AbortSignal): Promise<void> {
    try {
      const { rulesChanged } = await this.reference.refresh(this.api, token, signal);
      // Every clock is counted anew under the new rules: open cases show them at once.
      if (rulesChanged) {
        reindexCaseQueue(this.db, this.reference.deadlineRules());
        this.emit('case.changed', { caseIds: this.store.listCaseIds() });
      }
    } catch (error) {
      if (!(error instanceof ApiRefusedError) || error.status === 401) throw error;
      if (error.code === WORKSTATION_REVOKED) throw error;
    }
  }

  /** Opens the cache and, when a token is still in the secret store, resumes the session. */
  static async open(options: WorkstationBackendOptions): Promise<WorkstationBackend> {
    const backend = new WorkstationBackend(options);
    // Cases a bootstrap wrote but a shutdown kept from being indexed.
    void backend.sync.catchUpQueueIndex();
    const saved = backend.store.getMeta('session');
    const token = await options.secrets.get(TOKEN_KEY);
    if (saved && token) {
      backend.session = JSON.parse(saved) as Session;
      backend.sync.start();
    }
    return backend;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.sync.stop();
    this.listeners.clear();
    this.db.close();
  }

  /** The generic entry of both transports: validate, run, answer with a value or a coded error. */
  async call(method: string, rawInput: unknown): Promise<ContractResult<unknown>> {
    if (!Object.hasOwn(contract, method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `No such method: ${method}` } };
    }
    const name = method as MethodName;
    const parsed = contract[name].input.safeParse(rawInput ?? {});
    if (!parsed.success) return { ok: false, error: validationError(parsed.error) };
    try {
      const handler = this.handlers[name] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      return { ok: false, error: toContractError(error) };
    }
  }

  private readonly handlers: Handlers = {
    'session.signIn': (input) => this.signIn(input.username, input.password),
    'session.signOut': async () => {
      this.sync.stop();
      const token = await this.options.secrets.get(TOKEN_KEY);
      // Ends the session on the server too when it answers; offline, the tokens just go.
      if (token) void this.api.signOut(token).catch(() => {});
      await this.options.secrets.delete(TOKEN_KEY);
      await this.options.secrets.delete(REFRESH_KEY);
      this.store.setMeta('session', null);
      this.session = null;
      return null;
    },
    'session.current': async () => this.session,
    'cases.create': async (intake) => {
      const session = this.requireSession();
      const now = this.now();
      const at = now.toISOString();
      const id = crypto.randomUUID();
      // The server runs the same registration on the same inputs (receivedAt = recordedAt).
      const { state, context } = registerCase({
        caseId: id,
        intake,
        actor: this.actor(),
        receivedAt: at,
      });
      const record = this.store.createCase({
        record: {
          ...intake,
          id,
          status: state,
          lifecycle: context,
          priority: context.priority,
          ownerId: session.user.id,
          ownerName: session.user.displayName,
          teamId: session.user.teamId,
          branchId: session.user.branchId,
          createdAt: at,
          updatedAt: at,
        },
        workstationCode: session.workstationCode,
        actor: this.actor(),
        now,
      });
      this.afterLocalChange([record.id]);
      return record;
    },
    'cases.listMine': async () => this.store.listCasesOwnedBy(this.requireSession().user.id),
    'cases.get': async ({ caseId }) => this.caseDetail(caseId),
    'cases.addNote': async ({ caseId, text }) => {
      const session = this.requireSession();
      const note = this.store.addNote({
        caseId,
        text,
        author: { id: session.user.id, name: session.user.displayName },
        actor: this.actor(),
        now: this.now(),
      });
      this.afterLocalChange([caseId]);
      return note;
    },
    'cases.transition': async ({ caseId, event }) => {
      this.requireSession();
      this.store.transitionCase({ caseId, event, actor: this.actor(), now: this.now() });
      this.afterLocalChange([caseId]);
      return this.caseDetail(caseId);
    },
    'customers.lookup': async (query) => {
      this.requireSession();
      return this.customers.lookup(query);
    },
    'customers.get': async ({ customerId, businessLine }) => {
      this.requireSession();
      return this.customers.get(customerId, businessLine);
    },
    'cases.previewIntake': async (input) => {
      this.requireSession();
      const receivedAt = this.now();
      // The same registration cases.create runs; the customer's name and phone do not count.
      const { state, context, assessment } = registerCase({
        caseId: crypto.randomUUID(),
        intake: {
          ...input,
          customerName: '-',
          customerPhone: '-',
          businessLine: 'other',
        },
        actor: this.actor(),
        receivedAt: receivedAt.toISOString(),
      });
      const rules = this.reference.deadlineRules();
      return {
        priority: assessment.priority,
        reasons: assessment.reasons,
        requiresHuman: assessment.requiresHuman,
        status: state,
        receivedAt: receivedAt.toISOString(),
        deadlines: computeDeadlines(context.clock, rules.policy, rules.calendar, receivedAt),
      };
    },
    'knowledge.search': async (query) => {
      this.requireSession();
      return this.reference.searchKnowledge(query);
    },
    'knowledge.get': async ({ id }) => {
      this.requireSession();
      const article = this.reference.getArticle(id);
      if (!article)
        throw new BackendError('ARTICLE_NOT_FOUND', 'No such article on this workstation');
      return article;
    },
    'cases.queue': async ({ offset, limit, ...selection }) => {
      const { user } = this.requireSession();
      // Whose queue is the session's to say: a request cannot name another user or team.
      return queryQueue(
        this.db,
        { ...selection, userId: user.id, teamId: user.teamId, offset, limit },
        this.now(),
      );
    },
    'queue.views.list': async () =>
      new QueueViews(this.store).list(this.requireSession().user.id),
    'queue.views.save': async ({ name, query }) =>
      new QueueViews(this.store).save(this.requireSession().user.id, name, query, this.now()),
    'queue.views.delete': async ({ id }) => {
      new QueueViews(this.store).delete(this.requireSession().user.id, id);
      return null;
    },
    'attachments.add': async (input) => {
      const { user } = this.requireSession();
      const item = this.attachments.add(input, {
        id: user.id,
        name: user.displayName,
        clientId: this.store.clientId(),
      });
      this.afterLocalChange([input.caseId]);
      return item;
    },
    'attachments.list': async ({ caseId }) => {
      this.requireSession();
      return this.attachments.list(caseId);
    },
    'attachments.content': async ({ caseId, attachmentId }) => {
      this.requireSession();
      return this.attachments.content(caseId, attachmentId);
    },
    'sync.status': async () => this.sync.status(),
    'sync.conflicts': async () => {
      this.requireSession();
      return this.store.rejections().map((rejection) => ({
        mutationId: rejection.mutationId,
        name: rejection.name,
        caseId: rejection.caseId,
        caseNumber: this.store.caseNumberOf(rejection.caseId),
        code: rejection.code,
        message: rejection.message,
        args: rejection.args,
      }));
    },
    'sync.settleConflict': async ({ mutationId, decision }) => {
      const session = this.requireSession();
      const { caseId } = this.store.settleRejection({
        mutationId,
        decision,
        actor: this.actor(),
        author: { id: session.user.id, name: session.user.displayName },
        now: this.now(),
      });
      this.afterLocalChange([caseId]);
      return null;
    },
    'sync.now': async () => {
      this.requireSession();
      await this.sync.request();
      return this.sync.status();
    },
  };

  private async signIn(username: string, password: string): Promise<Session> {
    const clientId = this.store.clientId();
    let session: Session;
    try {
      const answer = await this.api
        .signIn({ username, password, clientId })
        .catch(async (error) => {
          if (error instanceof ApiRefusedError && error.code === WORKSTATION_REVOKED) {
            await this.wipeRevoked();
          }
          throw error;
        });
      session = { user: answer.user, workstationCode: answer.workstationCode };
      const previousUser = this.store.getMeta('userId');
      if (previousUser && previousUser !== answer.user.id && this.store.waitingCount() > 0) {
        throw new BackendError(
          'OTHER_USER_PENDING',
          'Another user still has changes waiting to sync here',
        );
      }
      // An administrator moved this user (role, team, branch): the cached cases are the old
      // scope's, and incremental pulls would never bring the new one's older cases. With
      // nothing waiting to sync, start over as for a new user; the server ended the old
      // session, so this sign-in is where the move is first seen.
      const scopeKeys = JSON.stringify([
        answer.user.role,
        answer.user.teamId,
        answer.user.branchId,
      ]);
      const previousScope = this.store.getMeta('scopeKeys');
      if (
        previousUser === answer.user.id &&
        previousScope !== null &&
        previousScope !== scopeKeys &&
        this.store.waitingCount() === 0
      ) {
        this.store.setMeta('userId', null);
      }
      this.store.resetForUser(answer.user.id);
      this.store.setMeta('scopeKeys', scopeKeys);
      await this.options.secrets.set(TOKEN_KEY, answer.token);
      await this.options.secrets.set(REFRESH_KEY, answer.refreshToken);
      this.store.setMeta(`verifier:${username}`, makeVerifier(password));
      this.store.setMeta('session', JSON.stringify(session));
      this.session = session;
      this.sync.start('online');
      return session;
    } catch (error) {
      if (!(error instanceof ApiUnreachableError)) throw error;
    }
    // The central API is down: a user who signed in here before can go on working offline.
    const verifier = this.store.getMeta(`verifier:${username}`);
    const saved = this.store.getMeta('session');
    if (!verifier || !saved) {
      throw new BackendError(
        'OFFLINE_FIRST_SIGN_IN',
        'The first sign-in on a workstation needs the central API',
      );
    }
    if (!checkVerifier(password, verifier))
      throw new BackendError('BAD_CREDENTIALS', 'Wrong username or password');
    session = JSON.parse(saved) as Session;
    if (session.user.username !== username) {
      throw new BackendError(
        'OFFLINE_FIRST_SIGN_IN',
        'Only the last user of this workstation can sign in offline',
      );
    }
    // Sync resumes with the refresh token of the last online sign-in, if it is still good.
    this.session = session;
    this.sync.start('offline');
    return session;
  }

  /** A new access token from the stored refresh token; null when only a sign-in can help. */
  private renewToken(): Promise<string | null> {
    this.renewing ??= this.refreshSession().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async refreshSession(): Promise<string | null> {
    const refreshToken = await this.options.secrets.get(REFRESH_KEY);
    if (!refreshToken) return null;
    try {
      const answer = await this.api.refresh({ refreshToken, clientId: this.store.clientId() });
      await this.options.secrets.set(REFRESH_KEY, answer.refreshToken);
      await this.options.secrets.set(TOKEN_KEY, answer.token);
      return answer.token;
    } catch (error) {
      if (error instanceof ApiRefusedError) {
        if (error.code === WORKSTATION_REVOKED) await this.wipeRevoked();
        // Used up, expired or revoked: it will never work again.
        else await this.options.secrets.delete(REFRESH_KEY);
      }
      throw error;
    }
  }

  /**
   * The central API says this workstation is revoked (lost, stolen, decommissioned): the
   * cached cases, the outbox and the secrets go, and the session ends. Nothing is pushed
   * first: the server refuses this install anyway.
   */
  private wipeRevoked(): Promise<void> {
    this.wiping ??= (async () => {
      this.session = null;
      this.sync.stop();
      this.store.wipe();
      this.reference.forget();
      this.attachments.forget();
      await this.options.secrets.delete(TOKEN_KEY);
      await this.options.secrets.delete(REFRESH_KEY);
      this.emit('case.changed', { caseIds: [] });
      this.sync.emitStatus();
    })().finally(() => {
      this.wiping = null;
    });
    return this.wiping;
  }

  private caseDetail(caseId: string) {
    const session = this.requireSession();
    // The policy and calendar the administrator chose, as last synced (China's before that).
    const rules = this.reference.deadlineRules();
    const record: CaseRecord | null = this.store.getCase(caseId);
    if (!record) throw new BackendError('CASE_NOT_FOUND', 'No such case in this workstation');
    return {
      case: record,
      notes: this.store.listNotes(caseId),
      attachments: this.store.listAttachments(caseId),
      pending: this.store.isCasePending(caseId),
      allowedEvents: allowedCaseEvents(record.status, record.lifecycle, {
        userId: session.user.id,
        role: session.user.role,
      }),
      // Deployment policy selection arrives with the server issue; China's rules by default.
      deadlines: computeDeadlines(record.lifecycle.clock, rules.policy, rules.calendar, this.now()),
      rejections: this.store
        .rejections(caseId)
        .map((r) => ({ mutationId: r.mutationId, name: r.name, code: r.code })),
    };
  }

  private actor(): CaseActor {
    const session = this.requireSession();
    return { userId: session.user.id, role: session.user.role };
  }

  private requireSession(): Session {
    if (!this.session) throw new BackendError('NOT_SIGNED_IN', 'Sign in first');
    return this.session;
  }

  /** After a push that emptied the outbox: the signed-in user's queued files, in order. */
  private async uploadAttachments(token: string, signal: AbortSignal): Promise<void> {
    const userId = this.session?.user.id;
    if (!userId) return;
    const changed = await this.attachments.uploadPending(token, userId, signal);
    if (changed.length > 0) this.emit('case.changed', { caseIds: changed });
  }

  private afterLocalChange(caseIds: string[]): void {
    this.emit('case.changed', { caseIds });
    this.sync.emitStatus();
    void this.sync.request();
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}

function toContractError(error: unknown): ContractError {
  if (
    error instanceof BackendError ||
    error instanceof CaseStoreError ||
    error instanceof AttachmentRefusal ||
    error instanceof CaseQueueError ||
    error instanceof QueueViewsError ||
    error instanceof CustomerDeskOffline ||
    error instanceof ApiRefusedError
  ) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof ApiUnreachableError) return { code: error.code, message: error.message };
  console.error('[workstation] unexpected error', error);
  return { code: 'INTERNAL', message: 'Unexpected error in the workstation backend' };
}

/** A local scrypt verifier so that the last user can sign in while the API is down. */
function makeVerifier(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function checkVerifier(password: string, verifier: string): boolean {
  const [, salt, hash] = verifier.split('$');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}
