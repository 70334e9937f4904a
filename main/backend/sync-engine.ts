// Moves the outbox to the central API and the API's changes into the cache: push, then pull,
// one run at a time; when the API is unreachable, back off (exponential, with jitter) and try
// again, keeping every pending mutation.
import type { SyncStatus } from '../../shared/contract';
import { PROTOCOL_VERSION } from '../../shared/sync-protocol';
import type { CaseStore } from './case-store';
import { ApiRefusedError, ApiUnreachableError, type CentralApiClient } from './central-api-client';

export interface SyncCredentials {
  /** The current API token, or null when the engine must ask for one. */
  token(): Promise<string | null>;
  /** Gets a fresh token after a 401 (e.g. expiry); null when only the agent can sign in again. */
  renew(): Promise<string | null>;
}

export interface SyncEngineOptions {
  /** How often an idle, online workstation pulls (pokes come with the sync issue). */
  pollIntervalMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  pushBatchSize?: number;
  pullPageSize?: number;
  random?: () => number;
  now?: () => Date;
}

export class SyncEngine {
  private state: SyncStatus['state'] = 'signed_out';
  private lastSyncedAt: string | null = null;
  private lastError: string | null = null;
  private nextRetryAt: string | null = null;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private runAgain = false;
  private active = false;
  private readonly options: Required<SyncEngineOptions>;

  constructor(
    private readonly store: CaseStore,
    private readonly api: CentralApiClient,
    private readonly credentials: SyncCredentials,
    private readonly onStatus: (status: SyncStatus) => void,
    private readonly onCasesChanged: (caseIds: string[]) => void,
    options: SyncEngineOptions = {},
  ) {
    this.options = {
      pollIntervalMs: 5_000,
      baseBackoffMs: 1_000,
      maxBackoffMs: 30_000,
      pushBatchSize: 100,
      pullPageSize: 500,
      random: Math.random,
      now: () => new Date(),
      ...options,
    };
  }

  status(): SyncStatus {
    return {
      state: this.state,
      pending: this.store.waitingCount(),
      rejected: this.store.rejections().length,
      lastSyncedAt: this.lastSyncedAt ?? this.store.getMeta('lastSyncedAt'),
      lastError: this.lastError,
      nextRetryAt: this.nextRetryAt,
    };
  }

  /** Starts syncing for a signed-in user (offline sign-in starts it too: it will catch up). */
  start(initialState: 'online' | 'offline' = 'online'): void {
    this.active = true;
    this.state = initialState;
    this.emitStatus();
    this.request();
  }

  stop(): void {
    this.active = false;
    this.clearTimer();
    this.state = 'signed_out';
    this.nextRetryAt = null;
    this.emitStatus();
  }

  /** Asks for a sync as soon as possible (after a local action, or the agent's button). */
  request(): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.running) {
      this.runAgain = true;
      return this.running;
    }
    this.clearTimer();
    this.running = this.runLoop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Announces the waiting count after a local action, before the sync run starts. */
  emitStatus(): void {
    this.onStatus(this.status());
  }

  private async runLoop(): Promise<void> {
    do {
      this.runAgain = false;
      await this.runOnce();
    } while (this.runAgain && this.active && this.failures === 0);
  }

  private async runOnce(): Promise<void> {
    if (this.state !== 'offline') this.state = 'syncing';
    this.emitStatus();
    try {
      await this.withToken((token) => this.push(token));
      await this.withToken((token) => this.pull(token));
      this.failures = 0;
      this.lastError = null;
      this.nextRetryAt = null;
      this.lastSyncedAt = this.options.now().toISOString();
      this.store.setMeta('lastSyncedAt', this.lastSyncedAt);
      this.state = 'online';
      this.schedule(this.options.pollIntervalMs);
    } catch (error) {
      if (!this.active) return;
      this.failures += 1;
      this.lastError =
        error instanceof ApiRefusedError || error instanceof ApiUnreachableError
          ? error.code
          : 'SYNC_FAILED';
      if (error instanceof ApiRefusedError && error.code === 'UNAUTHENTICATED') {
        // Only the agent can help now: keep the outbox and wait for a new sign-in.
        this.state = 'signed_out';
        this.nextRetryAt = null;
      } else {
        this.state = 'offline';
        this.schedule(this.backoffDelay());
      }
    }
    this.emitStatus();
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

  private async push(token: string): Promise<void> {
    const clientId = this.store.clientId();
    for (;;) {
      const mutations = this.store.pendingMutations(this.options.pushBatchSize);
      if (mutations.length === 0) return;
      const response = await this.api.push(token, {
        protocolVersion: PROTOCOL_VERSION,
        clientId,
        mutations,
      });
      const rejectedCases = this.store.recordPushResults(response.results);
      if (rejectedCases.length > 0) this.onCasesChanged(rejectedCases);
      this.emitStatus();
      // The server answers every mutation it took; fewer answers than sent means stop here.
      if (response.results.length < mutations.length) return;
    }
  }

  private async pull(token: string): Promise<void> {
    const clientId = this.store.clientId();
    for (;;) {
      const cursor = this.store.getMeta('cursor') ?? '0';
      const page = await this.api.pull(token, {
        clientId,
        cursor,
        limit: this.options.pullPageSize,
      });
      const changed = this.store.applyPull(page);
      if (changed.length > 0) this.onCasesChanged(changed);
      if (!page.hasMore) return;
    }
  }

  private backoffDelay(): number {
    const exponential = Math.min(
      this.options.maxBackoffMs,
      this.options.baseBackoffMs * 2 ** Math.min(this.failures - 1, 16),
    );
    // Full jitter on the upper half, so that many workstations don't return in lockstep.
    return Math.round(exponential / 2 + (this.options.random() * exponential) / 2);
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (!this.active) return;
    this.nextRetryAt =
      this.state === 'offline'
        ? new Date(this.options.now().getTime() + delayMs).toISOString()
        : null;
    this.timer = setTimeout(() => void this.request(), delayMs);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
