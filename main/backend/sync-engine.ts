// Moves the outbox to the central API and the API's changes into the cache, driven by the
// shared sync machine (shared/sync/sync-machine.ts). The machine decides what happens next
// — push, pull, wait, back off, ask for a sign-in — as a pure function of events; this
// engine does the rest: the network calls, the cache writes, the timers (poll while idle,
// retry at the machine's `nextRetryAt` while offline) and the poke stream (GET
// /sync/events), and turns each outcome into the machine's next event.
//
// One network operation at a time: operations are chained, and each carries the number
// (`op`) the machine gave it; an answer for an operation the machine has moved past (a
// sign-out came in between) is dropped before it touches the cache.
import { initialTransition, transition } from 'xstate';
import type { SyncStatus } from '../../shared/contract';
import { PROTOCOL_VERSION } from '../../shared/sync-protocol';
import {
  isResting,
  isSignedIn,
  isWorking,
  reportedSyncError,
  reportedSyncState,
  syncMachine,
  syncState,
  type SyncEvent,
  type SyncSnapshot,
} from '../../shared/sync/sync-machine';
import type { CaseStore } from './case-store';
import { ApiRefusedError, ApiUnreachableError, type CentralApiClient } from './central-api-client';
import { PokeStream } from './poke-stream';

export interface SyncCredentials {
  /** The current API token, or null when the engine must ask for one. */
  token(): Promise<string | null>;
  /** Gets a fresh token after a 401 (e.g. expiry); null when only the agent can sign in again. */
  renew(): Promise<string | null>;
}

export interface SyncEngineOptions {
  /** How often an idle, online workstation pulls when no poke stream is open. */
  pollIntervalMs?: number;
  /** How often it pulls while the poke stream is open (a backstop; never below pollIntervalMs). */
  pokedPollIntervalMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  pushBatchSize?: number;
  pullPageSize?: number;
  /** Page size of a bootstrap (the pull from cursor '0'); the API's maximum by default. */
  bootstrapPageSize?: number;
  /** Subscribe to the API's poke stream (default true). */
  pokes?: boolean;
  /** A poke stream silent this long is considered dead and reopened (default 62.5 s). */
  streamIdleTimeoutMs?: number;
  /** Reconnect backoff of the poke stream (default: baseBackoffMs, maxBackoffMs). */
  streamBaseBackoffMs?: number;
  streamMaxBackoffMs?: number;
  random?: () => number;
  now?: () => Date;
  /**
   * Runs after each complete pull, within the same operation (its token, its abort signal):
   * the reference data (deadline rules, knowledge base) is brought up to date there.
   */
  afterPull?: (token: string, signal: AbortSignal) => Promise<void>;
  /**
   * Runs after a push that emptied the outbox (every case the server needs exists there):
   * the queued attachment uploads go then. Its failures back off like a push's.
   */
  afterPush?: (token: string, signal: AbortSignal) => Promise<void>;
  /** Work waiting beside the outbox (attachment uploads): counted in the waiting number. */
  waitingBeyondOutbox?: () => number;
}

/** The largest page the API serves (server/sync.ts, `limit`): a bootstrap asks for it. */
export const MAX_PULL_PAGE_SIZE = 2000;

/** An operation's answer arrived after the machine moved on: drop it. */
class StaleOperation extends Error {}

/** Cases indexed per transaction after a bootstrap: short enough not to stall the agent. */
const QUEUE_INDEX_CHUNK = 200;

/** Mutations per push: what the server applies in one transaction (MUTATIONS_PER_TRANSACTION). */
export const PUSH_BATCH_SIZE = 100;

export class SyncEngine {
  private snapshot: SyncSnapshot;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private work: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];
  private session = new AbortController();
  /** Progress of the bootstrap running now (a pull from cursor '0'), or null. */
  private bootstrap: { received: number; total: number | null } | null = null;
  private readonly stream: PokeStream | null;
  /** The background indexing of cases a bootstrap wrote, while it runs. */
  private indexing: Promise<void> | null = null;
  private readonly options: Required<SyncEngineOptions>;

  constructor(
    private readonly store: CaseStore,
    private readonly api: CentralApiClient,
    private readonly credentials: SyncCredentials,
    private readonly onStatus: (status: SyncStatus) => void,
    private readonly onCasesChanged: (caseIds: string[]) => void,
    options: SyncEngineOptions = {},
  ) {
    const baseBackoffMs = options.baseBackoffMs ?? 1_000;
    const maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.options = {
      pollIntervalMs: 5_000,
      pokedPollIntervalMs: 30_000,
      baseBackoffMs,
      maxBackoffMs,
      pushBatchSize: PUSH_BATCH_SIZE,
      afterPull: async () => {},
      afterPush: async () => {},
      waitingBeyondOutbox: () => 0,
      pullPageSize: 500,
      bootstrapPageSize: MAX_PULL_PAGE_SIZE,
      pokes: true,
      streamIdleTimeoutMs: 62_500,
      streamBaseBackoffMs: baseBackoffMs,
      streamMaxBackoffMs: maxBackoffMs,
      random: Math.random,
      now: () => new Date(),
      ...options,
    };
    const backoff = {
      baseDelayMs: this.options.baseBackoffMs,
      maxDelayMs: this.options.maxBackoffMs,
    };
    [this.snapshot] = initialTransition(syncMachine, { policy: backoff });
    this.stream = this.options.pokes
      ? new PokeStream({
          api,
          token: () => credentials.token(),
          allowed: () => this.streamAllowed(this.snapshot),
          onOpen: () => this.send({ type: 'NETWORK_BACK' }),
          onPoke: () => this.send({ type: 'POKED' }),
          // A stream that was open and dropped: find out at once whether the API is gone.
          onLost: (wasOpen) => {
            if (wasOpen) this.send({ type: 'SYNC_REQUESTED' });
          },
          // The sync path renews the token, or reports the session expired.
          onUnauthorized: () => this.send({ type: 'SYNC_REQUESTED' }),
          backoff: {
            baseDelayMs: this.options.streamBaseBackoffMs,
            maxDelayMs: this.options.streamMaxBackoffMs,
          },
          random: this.options.random,
          idleTimeoutMs: this.options.streamIdleTimeoutMs,
        })
      : null;
  }

  private streamAllowed(snapshot: SyncSnapshot): boolean {
    return isSignedIn(snapshot) && syncState(snapshot) !== 'token_expired';
  }

  /** The machine's current state, for tests and diagnostics. */
  get machineState(): string {
    return syncState(this.snapshot);
  }

  status(): SyncStatus {
    const { context } = this.snapshot;
    const reported = reportedSyncState(this.snapshot);
    const bootstrap = this.bootstrap && reported !== 'signed_out' ? { ...this.bootstrap } : null;
    return {
      // Pages are arriving: the API answers, whatever the machine last heard.
      state: bootstrap && bootstrap.received > 0 ? 'syncing' : reported,
      pending: this.store.waitingCount() + this.options.waitingBeyondOutbox(),
      rejected: this.store.rejections().length,
      lastSyncedAt:
        context.lastSyncedAt !== null
          ? new Date(context.lastSyncedAt).toISOString()
          : this.store.getMeta('lastSyncedAt'),
      lastError: reportedSyncError(this.snapshot),
      nextRetryAt:
        syncState(this.snapshot) === 'offline' && context.nextRetryAt !== null
          ? new Date(context.nextRetryAt).toISOString()
          : null,
      bootstrap,
    };
  }

  /** Starts syncing for a signed-in user (offline sign-in starts it too: it will catch up). */
  start(initialState: 'online' | 'offline' = 'online'): void {
    if (this.session.signal.aborted) this.session = new AbortController();
    // After a refused token, a sign-in is a re-authentication: same outbox, same cache.
    this.send(
      syncState(this.snapshot) === 'token_expired'
        ? { type: 'REAUTHENTICATED' }
        : { type: 'SIGNED_IN', online: initialState === 'online' },
    );
    this.stream?.start();
    this.stream?.nudge();
  }

  stop(): void {
    this.send({ type: 'SIGNED_OUT' });
    this.session.abort();
    void this.stream?.stop();
    this.clearTimer();
    this.emitStatus();
  }

  /** Asks for a sync as soon as possible (after a local action, or the agent's button). */
  request(): Promise<void> {
    if (!isSignedIn(this.snapshot)) return Promise.resolve();
    this.send({ type: 'SYNC_REQUESTED' });
    return this.whenResting();
  }

  /** Announces the waiting count after a local action, before the sync run starts. */
  emitStatus(): void {
    this.onStatus(this.status());
  }

  // --- the machine ----------------------------------------------------------------------

  private send(event: SyncEvent): void {
    const before = this.snapshot;
    const [after] = transition(syncMachine, before, event);
    if (after.value === before.value && after.context === before.context) return;
    this.snapshot = after;
    this.react(before, after);
  }

  private react(before: SyncSnapshot, after: SyncSnapshot): void {
    const state = syncState(after);
    if (isWorking(after) && after.context.op !== before.context.op) {
      this.enqueue(after.context.op, state === 'pushing' ? 'push' : 'pull');
    }
    if (state !== syncState(before) || after.context.nextRetryAt !== before.context.nextRetryAt) {
      this.arm(after);
    }
    if (after.context.lastSyncedAt !== before.context.lastSyncedAt && after.context.lastSyncedAt) {
      this.store.setMeta('lastSyncedAt', new Date(after.context.lastSyncedAt).toISOString());
    }
    // The stream waits while nobody is signed in or the token is refused; wake it after.
    if (this.streamAllowed(after) !== this.streamAllowed(before)) this.stream?.nudge();
    this.emitStatus();
    if (isResting(after)) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private whenResting(): Promise<void> {
    if (isResting(this.snapshot)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The machine's timers, as real ones: poll while idle, retry while offline. */
  private arm(snapshot: SyncSnapshot): void {
    this.clearTimer();
    const state = syncState(snapshot);
    let delay: number;
    if (state === 'idle') {
      delay = this.stream?.isOpen
        ? Math.max(this.options.pollIntervalMs, this.options.pokedPollIntervalMs)
        : this.options.pollIntervalMs;
    } else if (state === 'offline' && snapshot.context.nextRetryAt !== null) {
      delay = Math.max(0, snapshot.context.nextRetryAt - this.options.now().getTime());
    } else {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.send({ type: 'SYNC_REQUESTED' });
    }, delay);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // --- the work ---------------------------------------------------------------------------

  private enqueue(op: number, kind: 'push' | 'pull'): void {
    this.work = this.work.then(() => this.run(op, kind));
  }

  private async run(op: number, kind: 'push' | 'pull'): Promise<void> {
    if (this.snapshot.context.op !== op) return;
    const signal = this.session.signal;
    const check = () => {
      if (this.snapshot.context.op !== op || signal.aborted) throw new StaleOperation();
    };
    let event: SyncEvent;
    try {
      if (kind === 'push') await this.withToken((token) => this.push(token, signal, check));
      else await this.withToken((token) => this.pull(token, signal, check));
      const at = this.options.now().getTime();
      event = kind === 'push' ? { type: 'PUSH_DONE', op, at } : { type: 'PULL_DONE', op, at };
    } catch (error) {
      if (error instanceof StaleOperation) return;
      if (error instanceof ApiRefusedError && error.status === 401) {
        // Only the agent can help now: keep the outbox and wait for a new sign-in.
        event = { type: 'UNAUTHORIZED', op };
      } else {
        event = {
          type: 'NETWORK_FAILED',
          op,
          at: this.options.now().getTime(),
          random: this.options.random(),
          error:
            error instanceof ApiRefusedError || error instanceof ApiUnreachableError
              ? error.code
              : 'SYNC_FAILED',
        };
      }
    }
    this.send(event);
  }

  private async withToken<T>(work: (token: string) => Promise<T>): Promise<T> {
    // After an offline sign-in there is no token yet: get one as soon as the API answers.
    const token = (await this.credentials.token()) ?? (await this.credentials.renew());
    if (!token) throw new ApiRefusedError(401, 'UNAUTHENTICATED', 'Not signed in', null);
    try {
      return await work(token);
    } catch (error) {
      if (!(error instanceof ApiRefusedError) || error.status !== 401) throw error;
      const renewed = await this.credentials.renew();
      if (!renewed) throw error;
      return work(renewed);
    }
  }

  private async push(token: string, signal: AbortSignal, check: () => void): Promise<void> {
    const clientId = this.store.clientId();
    for (;;) {
      check();
      const mutations = this.store.pendingMutations(this.options.pushBatchSize);
      if (mutations.length === 0) return this.options.afterPush(token, signal);
      const response = await this.api.push(
        token,
        {
          protocolVersion: PROTOCOL_VERSION,
          clientId,
          mutations,
          clientNow: this.options.now().toISOString(),
        },
        signal,
      );
      check();
      const rejectedCases = this.store.recordPushResults(response.results);
      if (rejectedCases.length > 0) this.onCasesChanged(rejectedCases);
      this.emitStatus();
      // The server answers every mutation it took; fewer answers than sent means stop here.
      if (response.results.length < mutations.length) return;
    }
  }

  /**
   * Indexes, in the background and in chunks, the cases a bootstrap wrote (or a crash left
   * unindexed): the agent can work meanwhile; queues and search fill in within seconds.
   */
  catchUpQueueIndex(): Promise<void> {
    // Cleared once settled (not inside the run: a run with nothing to do ends synchronously).
    this.indexing ??= this.runQueueCatchUp().finally(() => {
      this.indexing = null;
    });
    return this.indexing;
  }

  private async runQueueCatchUp(): Promise<void> {
    try {
      let indexed = false;
      while (this.store.catchUpQueueIndex(QUEUE_INDEX_CHUNK) > 0) {
        indexed = true;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (indexed) this.onCasesChanged([]);
    } catch {
      // The cache closed under it (sign-out, shutdown): the backlog waits for the next open.
    }
  }

  private async pull(token: string, signal: AbortSignal, check: () => void): Promise<void> {
    const clientId = this.store.clientId();
    // From cursor '0' (first sign-in, or a reset) the pull is a bootstrap: the whole scope,
    // in the largest pages, with progress after each page.
    const bootstrapping = (this.store.getMeta('cursor') ?? '0') === '0';
    const limit = bootstrapping ? this.options.bootstrapPageSize : this.options.pullPageSize;
    if (bootstrapping) {
      this.bootstrap = { received: 0, total: null };
      this.store.deferQueueIndex(true);
      this.emitStatus();
    }
    const fetchPage = (cursor: string) => {
      const request = this.api.pull(token, { clientId, cursor, limit }, signal);
      request.catch(() => {}); // awaited below, or dropped with the operation
      return request;
    };
    try {
      let next: ReturnType<typeof fetchPage> | null = null;
      for (;;) {
        check();
        const page = await (next ?? fetchPage(this.store.getMeta('cursor') ?? '0'));
        next = null;
        check();
        // A bootstrap asks for the next page before writing this one: the API reads while
        // the cache writes. The page's cursor is the one applyPull stores.
        if (bootstrapping && page.hasMore) next = fetchPage(page.cursor);
        const changed = this.store.applyPull(page);
        if (changed.length > 0) this.onCasesChanged(changed);
        if (this.bootstrap) {
          this.bootstrap = {
            received: this.bootstrap.received + page.cases.length,
            total: this.bootstrap.total,
          };
          this.emitStatus();
        }
        if (!page.hasMore) break;
      }
      check();
      await this.options.afterPull(token, signal);
    } finally {
      // The machine's PULL_DONE / NETWORK_FAILED / SIGNED_OUT emits the status without it.
      if (bootstrapping) {
        this.bootstrap = null;
        this.store.deferQueueIndex(false);
        this.catchUpQueueIndex();
      }
    }
  }
}
