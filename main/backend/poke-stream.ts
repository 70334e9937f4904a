// The workstation's end of `GET /sync/events`: a long-lived fetch whose body is read as
// Server-Sent Events. It reports three things to the sync engine: the stream is open (the
// API is reachable, and pokes sent while we were away are lost: pull), a poke arrived, and
// the stream is gone. It reconnects by itself with exponential backoff and full jitter,
// and treats a stream silent for much longer than the server's heartbeat as dead (a
// half-open connection after a network change sends nothing, and fails nothing either).
import { backoffDelay, type BackoffPolicy } from '../../shared/sync/sync-machine';
import { POKE_EVENT, SYNC_EVENTS_HEARTBEAT_MS } from '../../shared/sync-protocol';
import type { CentralApiClient } from './central-api-client';

export interface PokeStreamOptions {
  api: CentralApiClient;
  /** The current token; null: nobody to connect for yet (wait and try again). */
  token(): Promise<string | null>;
  /** May the stream connect now? (signed in, token not known to be refused) */
  allowed(): boolean;
  onOpen(): void;
  onPoke(): void;
  /** The stream ended or could not open; `wasOpen`: it had been open. */
  onLost(wasOpen: boolean): void;
  /** The API refused the token (401). */
  onUnauthorized(): void;
  backoff: BackoffPolicy;
  random: () => number;
  /** No byte for this long: the stream is dead (default 2.5 heartbeats). */
  idleTimeoutMs?: number;
  /** Headers must arrive within this (default 10 s). */
  connectTimeoutMs?: number;
}

export class PokeStream {
  private stopped = true;
  private running: Promise<void> | null = null;
  private current: AbortController | null = null;
  private wake: (() => void) | null = null;
  private open = false;

  constructor(private readonly options: PokeStreamOptions) {}

  get isOpen(): boolean {
    return this.open;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A loop still winding down from stop() ends first: never two streams at once.
    const previous = this.running ?? Promise.resolve();
    const running: Promise<void> = previous
      .then(() => (this.stopped ? undefined : this.loop()))
      .finally(() => {
        if (this.running === running) this.running = null;
      });
    this.running = running;
  }

  /** Ends the stream and the reconnect loop; resolves once the loop has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.nudge();
    await this.running;
  }

  /** Re-checks `allowed()` now instead of at the end of the current wait. */
  nudge(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!this.options.allowed()) {
        await this.pause(60_000);
        continue;
      }
      const token = await this.options.token();
      if (this.stopped) return;
      if (!token) {
        failures += 1;
        await this.pause(this.delay(failures));
        continue;
      }
      const controller = new AbortController();
      this.current = controller;
      let wasOpen = false;
      try {
        wasOpen = await this.connect(token, controller);
        if (!wasOpen) failures += 1;
      } catch {
        failures += 1;
      } finally {
        this.current = null;
        this.open = false;
        controller.abort();
      }
      if (this.stopped) return;
      if (wasOpen) failures = 1; // a short, jittered pause before reconnecting
      this.options.onLost(wasOpen);
      await this.pause(this.delay(failures));
    }
  }

  /** One connection: true when it opened (and has now ended). */
  private async connect(token: string, controller: AbortController): Promise<boolean> {
    const connectTimer = setTimeout(
      () => controller.abort(),
      this.options.connectTimeoutMs ?? 10_000,
    );
    let response: Response;
    try {
      response = await this.options.api.openEvents(token, controller.signal);
    } finally {
      clearTimeout(connectTimer);
    }
    if (response.status === 401) {
      await response.body?.cancel().catch(() => {});
      this.options.onUnauthorized();
      return false;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      return false;
    }
    this.open = true;
    this.options.onOpen();
    await this.read(response.body, controller);
    return true;
  }

  private async read(body: ReadableStream<Uint8Array>, controller: AbortController) {
    const idleMs = this.options.idleTimeoutMs ?? SYNC_EVENTS_HEARTBEAT_MS * 2.5;
    let idle = setTimeout(() => controller.abort(), idleMs);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(), idleMs);
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (eventName(block) === POKE_EVENT && !this.stopped) this.options.onPoke();
        }
      }
    } catch {
      // aborted (stop, idle, connection lost): the stream is over either way
    } finally {
      clearTimeout(idle);
    }
  }

  private delay(failures: number): number {
    return backoffDelay(failures, this.options.random(), this.options.backoff);
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** The `event:` field of one SSE block; comments (heartbeats) have none. */
function eventName(block: string): string | null {
  let name: string | null = null;
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
  }
  return name;
}
