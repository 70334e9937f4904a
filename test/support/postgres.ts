// A throwaway PostgreSQL 15 cluster for integration and end-to-end tests: Debian's binaries,
// a temp data folder, a free port on 127.0.0.1, trust auth, no fsync. initdb refuses to run
// as root, so as root the cluster belongs to the `postgres` user.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './processes';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

export interface TestPostgres {
  url: string;
  /** Stops the server as an operator would (`-m fast`), keeping its data and port. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same data and port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function command(binary: string, args: string[]): [string, string[]] {
  const path = join(PG_BIN, binary);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

async function pgTool(binary: string, args: string[]): Promise<void> {
  const [file, argv] = command(binary, args);
  await run(file, argv, { timeout: 60_000 });
}

export async function startPostgres(database = 'case_test'): Promise<TestPostgres> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a database name: ${database}`);
  const dir = await mkdtemp(join(tmpdir(), 'case-pg-'));
  const dataDir = join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const initdbFlags = '-A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync'.split(' ');
  await pgTool('initdb', ['-D', dataDir, ...initdbFlags]);

  let port = 0;
  const start = () =>
    pgTool('pg_ctl', [
      'start',
      '-D',
      dataDir,
      '-w',
      '-t',
      '30',
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    ]);
  // The free port may be taken between the probe and the start: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  let stopped = false;
  let running = true;
  const stopNow = () => {
    if (stopped || !running) return;
    stopped = true;
    const [file, argv] = command('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate']);
    try {
      execFileSync(file, argv, { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  // A crashed test run must not leave a server behind.
  process.once('exit', stopNow);

  const admin = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  try {
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    halt: async () => {
      await pgTool('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);
      running = false;
    },
    resume: async () => {
      await start();
      running = true;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', stopNow);
      try {
        if (running) await pgTool('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}
