// Child processes for end-to-end tests: the central API and the browser host, started and
// stopped the way an operator would, with their output kept for a failing test's report.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Service {
  process: ChildProcess;
  /** The first line that matched the ready pattern's capture group. */
  ready: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startService(options: {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  ready: RegExp;
  timeoutMs?: number;
}): Promise<Service> {
  const child = spawn(options.command, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name} did not start in time:\n${output}`)),
      options.timeoutMs ?? 60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = options.ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code}:\n${output}`));
    });
  });
  return {
    process: child,
    ready,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** The central API as `npm run server` runs it, on a given PostgreSQL. */
export function startCentralApiProcess(databaseUrl: string, port: number): Promise<Service> {
  return startService({
    name: 'central API',
    command: process.execPath,
    args: ['--import', 'tsx', 'server/main.ts'],
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret!',
    },
    ready: /listening on (http:\/\/\S+)/,
  });
}

/** The browser host as `npm run start:web` runs it (after the renderer is built). */
export function startWebHostProcess(apiUrl: string, dataDir: string): Promise<Service> {
  return startService({
    name: 'browser host',
    command: process.execPath,
    args: ['--import', 'tsx', 'main/web/start.ts'],
    env: {
      CASE_API_URL: apiUrl,
      DATA_DIR: dataDir,
      WEB_PORT: '0',
      SYNC_POLL_MS: '1000',
      SYNC_MAX_BACKOFF_MS: '1500',
    },
    ready: /open at: (http:\/\/\S+)/,
  });
}
