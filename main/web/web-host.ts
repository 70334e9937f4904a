// The browser host: serves the built renderer and the workstation contract over a WebSocket,
// on 127.0.0.1 only, to pages of its own origin holding this launch's token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WorkstationBackend } from '../backend/workstation-backend';

export interface WebHost {
  url: string;
  /** The URL to open: carries the per-launch token. */
  launchUrl: string;
  token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The page may talk to its own host only; nothing remote, nothing inline. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

export async function startWebHost(options: {
  backend: WorkstationBackend;
  staticDir: string;
  port?: number;
  token?: string;
}): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = resolve(options.staticDir);
  let origin = '';
  let port = 0;

  const server = createServer((request, response) => serveStatic(root, port, request, response));
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', origin);
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    const tokenOk = given.length === expected.length && timingSafeEqual(given, expected);
    // A page of another origin (any website open in the same browser) must never reach the backend.
    const originOk = request.headers.origin === origin;
    if (url.pathname !== '/ws' || !tokenOk || !originOk) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveContract(options.backend, ws));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    launchUrl: `${origin}/?token=${token}`,
    token,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function serveContract(backend: WorkstationBackend, ws: WebSocket): void {
  const unsubscribe = backend.subscribe((event, payload) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ kind: 'event', event, payload }));
  });
  ws.on('close', unsubscribe);
  ws.on('message', async (data) => {
    let message: { kind?: unknown; id?: unknown; method?: unknown; input?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      ws.send(
        JSON.stringify({ kind: 'error', error: { code: 'BAD_MESSAGE', message: 'Not JSON' } }),
      );
      return;
    }
    if (
      message.kind !== 'call' ||
      typeof message.id !== 'number' ||
      typeof message.method !== 'string'
    ) {
      ws.send(
        JSON.stringify({
          kind: 'error',
          error: { code: 'BAD_MESSAGE', message: 'Expected {kind:"call", id, method, input}' },
        }),
      );
      return;
    }
    const result = await backend.call(message.method, message.input);
    if (ws.readyState === ws.OPEN)
      ws.send(JSON.stringify({ kind: 'result', id: message.id, result }));
  });
}

function serveStatic(
  root: string,
  port: number,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const headers = {
    'content-security-policy': contentSecurityPolicy(port),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, headers).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
  let file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(root + sep) && file !== root) {
    response.writeHead(403, headers).end();
    return;
  }
  // Unknown paths get the app shell (single-page app); a missing build says how to make it.
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) {
    response
      .writeHead(500, { ...headers, 'content-type': 'text/plain; charset=utf-8' })
      .end('Renderer not built: run `npm run build:web` first.');
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}
