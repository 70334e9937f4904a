// The central API's one door to PostgreSQL: a pg pool when DATABASE_URL is given, else an
// embedded PGlite folder, so that one command runs the whole system. SQL must suit both.
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';

export interface Db {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * LISTENs on a channel (on its own connection with pg; PGlite's listen API) and calls
   * `onNotify` for each NOTIFY, which PostgreSQL delivers when the notifying transaction
   * commits. A lost listening connection is reopened with backoff, and `onNotify` is then
   * called once, as notifications sent meanwhile are gone. Resolves once listening; the
   * function it gives stops. Not available on a transaction's handle.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  isolation?: 'repeatable read';
}

export interface DbLocation {
  databaseUrl?: string;
  dataDir?: string;
}

export async function openDb(location: DbLocation): Promise<Db> {
  if (location.databaseUrl) return openPostgres(location.databaseUrl);
  if (!location.dataDir) throw new Error('openDb needs a databaseUrl or a dataDir');
  return openPglite(location.dataDir);
}

const notInTransaction = async (): Promise<never> => {
  throw new Error('listen() runs on the database, not inside a transaction');
};

/** A channel name as an SQL identifier: LISTEN takes no parameters. */
function channelIdentifier(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  return `"${channel}"`;
}

/**
 * LISTEN on a dedicated pg.Client (a pooled connection would be handed to others, and
 * pgbouncer-style transaction pooling drops LISTEN). Reconnects after a database restart.
 */
async function listenPostgres(
  databaseUrl: string,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<() => Promise<void>> {
  const identifier = channelIdentifier(channel);
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const candidate = new pg.Client({ connectionString: databaseUrl });
    candidate.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    candidate.on('error', () => lost(candidate));
    candidate.on('end', () => lost(candidate));
    try {
      await candidate.connect();
      await candidate.query(`listen ${identifier}`);
    } catch (error) {
      void candidate.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await candidate.end().catch(() => {});
      return;
    }
    client = candidate;
  };
  const lost = (which: pg.Client) => {
    if (stopped || client !== which) return;
    client = null;
    void which.end().catch(() => {});
    reconnectLater();
  };
  const reconnectLater = () => {
    if (stopped || retry) return;
    const delay = Math.min(10_000, 100 * 2 ** Math.min(failures, 10));
    failures += 1;
    retry = setTimeout(() => {
      retry = null;
      connect().then(
        () => {
          failures = 0;
          if (!stopped) onNotify(''); // what was sent while we were away is lost: poke anyway
        },
        () => reconnectLater(),
      );
    }, delay);
    retry.unref?.();
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    retry = null;
    const current = client;
    client = null;
    if (current) {
      await current.query(`unlisten ${identifier}`).catch(() => {});
      await current.end().catch(() => {});
    }
  };
}

export function openPostgres(databaseUrl: string): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle client losing its server (a restart) must not crash the process; the next
  // query reconnects or fails with a transient error the routes answer as 503.
  pool.on('error', () => {});
  const onClient = (client: pg.PoolClient): Db => ({
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await client.query(sql, params);
      return { rows: result.rows as T[] };
    },
    exec: async (sql) => {
      await client.query(sql);
    },
    transaction: (fn) => fn(onClient(client)),
    listen: notInTransaction,
    close: async () => {},
  });
  return {
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await pool.query(sql, params);
      return { rows: result.rows as T[] };
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn, opts) => {
      const client = await pool.connect();
      let broken = false;
      // A checked-out client has no listener of the pool's: a database shutdown reaching it
      // between two statements would be an unhandled 'error' and crash the process. Mark it
      // broken instead; the statement in progress or the next one fails (transient, 503).
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query(
          opts?.isolation === 'repeatable read' ? 'begin isolation level repeatable read' : 'begin',
        );
        const result = await fn(onClient(client));
        await client.query('commit');
        return result;
      } catch (error) {
        try {
          await client.query('rollback');
        } catch {
          broken = true; // the connection itself failed: do not hand it out again
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    listen: (channel, onNotify) => listenPostgres(databaseUrl, channel, onNotify),
    close: () => pool.end(),
  };
}

export async function openPglite(dataDir: string): Promise<Db> {
  await mkdir(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  const onTransaction = (tx: PGliteTransaction): Db => ({
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await tx.query<T>(sql, params);
      return { rows: result.rows };
    },
    exec: async (sql) => {
      await tx.exec(sql);
    },
    transaction: (fn) => fn(onTransaction(tx)),
    listen: notInTransaction,
    close: async () => {},
  });
  // PGlite is one connection: its own mutex queues every query behind an open transaction.
  return {
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await pglite.query<T>(sql, params);
      return { rows: result.rows };
    },
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    transaction: (fn, opts) =>
      pglite.transaction(async (tx) => {
        if (opts?.isolation === 'repeatable read') {
          await tx.query('set transaction isolation level repeatable read');
        }
        return fn(onTransaction(tx));
      }),
    // One connection: its own notifications (a NOTIFY committed by this very process) come
    // back on it, which is all an embedded, single-process API needs.
    listen: async (channel, onNotify) => {
      channelIdentifier(channel);
      const unlisten = await pglite.listen(channel, (payload) => onNotify(payload));
      return async () => {
        if (!pglite.closed) await unlisten().catch(() => {});
      };
    },
    close: () => pglite.close(),
  };
}

/** Errors worth retrying: the database was unreachable, restarting or made us back off. */
export function isTransientDbError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE classes: 08 connection, 40 serialization/deadlock, 53 resources, 57 operator
    // intervention (shutdown, crash recovery); and Node's own socket failures.
    if (/^(08|40|53|57)/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code))
      return true;
  }
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      message,
    )
  );
}
