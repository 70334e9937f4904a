// Pokes: a data-free "cases changed, pull" pushed to every connected workstation.
//
// Every transaction that changes cases runs `select pg_notify('case_changes', '')`;
// PostgreSQL delivers the notification when (and only if) that transaction commits, to every
// session that LISTENs on the channel. Each API process LISTENs on one dedicated connection
// (Db.listen) and fans the poke out to its own Server-Sent Events clients, so several API
// processes behind a load balancer on one database all poke their clients, whichever of
// them took the write. Pokes carry no data: a poked client pulls, and the pull is scoped.
//
// No poke is lost between "subscribed" and "listening": the stream's headers go out only
// after this process LISTENs, and a client pulls whenever its stream (re)connects, so a
// change either commits before the stream opened (the pull sees it) or after (it is poked).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiError,
  POKE_EVENT,
  SYNC_EVENTS_HEARTBEAT_MS,
  SYNC_EVENTS_PATH,
} from '../shared/sync-protocol';
import { requireSignIn, signedInUser } from './auth';
import type { Db } from './db';

export const CASE_CHANGES_CHANNEL = 'case_changes';
/** At most one poke per window and stream while changes keep coming. */
const POKE_WINDOW_MS = 50;

/** Inside a writing transaction: poke every listener once the transaction commits. */
export async function notifyCaseChanges(tx: Db): Promise<void> {
  await tx.query("select pg_notify('case_changes', '')");
}

interface Subscriber {
  poke(): void;
  end(): void;
}

/** One LISTEN per process, many SSE subscribers. */
export class PokeHub {
  private readonly subscribers = new Set<Subscriber>();
  private listening: Promise<() => Promise<void>> | null = null;
  private throttle: ReturnType<typeof setTimeout> | null = null;
  private missed = false;
  private closed = false;

  constructor(private readonly db: Db) {}

  /** Resolves once this process LISTENs: any commit after that pokes the subscribers. */
  async ready(): Promise<void> {
    if (this.closed) throw new Error('The poke hub is closed');
    this.listening ??= this.db.listen(CASE_CHANGES_CHANNEL, () => this.pokeAll());
    try {
      await this.listening;
    } catch (error) {
      this.listening = null; // the next subscriber tries again
      throw error;
    }
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Pokes everyone at once, then at most once per window while notifications keep coming
   * (a push of 50 mutations is 50 commits, 50 notifications): the first change is heard
   * without delay, the last one is never left without a poke after it.
   */
  pokeAll(): void {
    if (this.closed) return;
    if (this.throttle) {
      this.missed = true;
      return;
    }
    this.sendPokes();
    const windowEnds = () => {
      if (this.missed && !this.closed) {
        this.missed = false;
        this.sendPokes();
        this.throttle = setTimeout(windowEnds, POKE_WINDOW_MS);
        this.throttle.unref?.();
      } else {
        this.throttle = null;
      }
    };
    this.throttle = setTimeout(windowEnds, POKE_WINDOW_MS);
    this.throttle.unref?.();
  }

  private sendPokes(): void {
    for (const subscriber of this.subscribers) subscriber.poke();
  }

  /** Ends every stream (graceful close: the server can then stop without waiting on them). */
  endStreams(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.subscribers.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.endStreams();
    if (this.throttle) clearTimeout(this.throttle);
    this.throttle = null;
    const listening = this.listening;
    this.listening = null;
    if (listening) {
      const unlisten = await listening.catch(() => null);
      await unlisten?.();
    }
  }
}

export interface PokeRouteOptions {
  db: Db;
  jwtSecret: Uint8Array;
  hub: PokeHub;
  heartbeatMs?: number;
}

/** `GET /sync/events`: the SSE stream of pokes for a signed-in workstation. */
export async function pokeRoutes(app: FastifyInstance, opts: PokeRouteOptions): Promise<void> {
  const { hub } = opts;
  const heartbeatMs = opts.heartbeatMs ?? SYNC_EVENTS_HEARTBEAT_MS;
  app.withTypeProvider<ZodTypeProvider>().get(
    SYNC_EVENTS_PATH,
    {
      onRequest: requireSignIn(opts.db, opts.jwtSecret),
      schema: {
        summary: 'Server-Sent Events: a data-free `poke` whenever cases change, then pull',
        description:
          'text/event-stream. `event: poke` says "pull now"; comment lines are heartbeats ' +
          `(every ${Math.round(heartbeatMs / 1000)} s). The stream ends when the token expires ` +
          'or the server shuts down; reconnect with backoff and pull after reconnecting.',
        tags: ['sync'],
        security: [{ bearerAuth: [] }],
        response: {
          200: z.string().describe('text/event-stream'),
          401: ApiError,
          503: ApiError,
        },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      // Listening before the headers go out: see the top of this file.
      await hub.ready();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');

      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearTimeout(expiry);
        unsubscribe();
        if (!res.writableEnded) res.end();
      };
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      heartbeat.unref?.();
      // An expired token gets no more pokes: the client reconnects, is told 401, re-signs in.
      const expiry = setTimeout(
        end,
        Math.min(Math.max(0, user.tokenExpiresAt * 1000 - Date.now()), 2 ** 31 - 1),
      );
      expiry.unref?.();
      const unsubscribe = hub.subscribe({
        poke: () => {
          if (!ended) res.write(`event: ${POKE_EVENT}\ndata: {}\n\n`);
        },
        end,
      });
      // The response's close, not the request's: a GET's request "closes" once read.
      res.on('close', end);
      res.on('error', end);
      return reply;
    },
  );
}
