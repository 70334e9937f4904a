import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemorySecretStore } from '../../main/backend/secret-store';
import { WorkstationBackend } from '../../main/backend/workstation-backend';
import { startWebHost, type WebHost } from '../../main/web/web-host';

let dir: string;
let backend: WorkstationBackend;
let host: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-webhost-'));
  const staticDir = join(dir, 'web');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the web root');
  // No central API at all: validation must not depend on it.
  backend = await WorkstationBackend.open({
    dataDir: join(dir, 'cache'),
    apiUrl: 'http://127.0.0.1:9',
    secrets: new MemorySecretStore(),
  });
  host = await startWebHost({ backend, staticDir, port: 0 });
});

afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function connect(query: string, origin: string | undefined): Promise<WebSocket> {
  const ws = new WebSocket(
    `${host.url.replace('http', 'ws')}/ws${query}`,
    origin ? { origin } : {},
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

describe('the browser host', () => {
  it('listens on the loopback address only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a WebSocket without this launch’s token', async () => {
    await expect(connect('?token=wrong', host.url)).rejects.toThrow('HTTP 403');
    await expect(connect('', host.url)).rejects.toThrow('HTTP 403');
  });

  it('refuses a page of another origin even with the token', async () => {
    await expect(connect(`?token=${host.token}`, 'http://evil.example')).rejects.toThrow(
      'HTTP 403',
    );
    await expect(connect(`?token=${host.token}`, undefined)).rejects.toThrow('HTTP 403');
  });

  it('answers a call of the wrong shape with a validation error naming the field', async () => {
    const ws = await connect(`?token=${host.token}`, host.url);
    const answer = await call(ws, {
      kind: 'call',
      id: 1,
      method: 'cases.get',
      input: { caseId: 42 },
    });
    expect(answer).toMatchObject({
      kind: 'result',
      id: 1,
      result: { ok: false, error: { code: 'VALIDATION' } },
    });
    const error = (answer.result as { error: { message: string; fields: { path: string }[] } })
      .error;
    expect(error.fields.map((f) => f.path)).toEqual(['caseId']);
    expect(error.message).toContain('caseId');

    const intake = await call(ws, {
      kind: 'call',
      id: 2,
      method: 'cases.create',
      input: {
        customerName: '赵敏',
        customerPhone: '13900001111',
        channel: 'phone',
        type: 'complaint',
        businessLine: 'card',
        description: '   ',
        customerExpectation: '退还年费',
      },
    });
    expect(intake).toMatchObject({
      result: {
        ok: false,
        error: { code: 'VALIDATION', fields: [{ path: 'description', code: 'REQUIRED' }] },
      },
    });
    ws.close();
  });

  it('answers unknown methods and non-JSON clearly', async () => {
    const ws = await connect(`?token=${host.token}`, host.url);
    expect(
      await call(ws, { kind: 'call', id: 3, method: 'cases.dropAll', input: {} }),
    ).toMatchObject({
      result: { ok: false, error: { code: 'UNKNOWN_METHOD' } },
    });
    expect(await call(ws, 'not json')).toMatchObject({
      kind: 'error',
      error: { code: 'BAD_MESSAGE' },
    });
    expect(
      await call(ws, { kind: 'call', id: 4, method: 'cases.listMine', input: {} }),
    ).toMatchObject({
      result: { ok: false, error: { code: 'NOT_SIGNED_IN' } },
    });
    ws.close();
  });

  it('serves the app with a strict CSP and nothing outside its folder', async () => {
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const escape = await fetch(`${host.url}/..%2fsecret.txt`);
    expect(await escape.text()).not.toContain('outside the web root');
  });
});
