// Helpers of the sync integration tests: a TCP proxy that can cut a workstation off (and
// cut replies mid-flight), workstation backends, and the server's truth read straight from
// PostgreSQL to compare caches with.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import pg from 'pg';
import { CaseRecord, type Note } from '../../shared/case-views';
import type { ContractResult, MethodName, MethodOutput } from '../../shared/contract';
import { MemorySecretStore } from '../../main/backend/secret-store';
import type { SyncEngineOptions } from '../../main/backend/sync-engine';
import { WorkstationBackend } from '../../main/backend/workstation-backend';
import { caseRecord, caseScope, CASE_SELECT, type CaseRow } from '../../server/cases';
import type { SignedInUser } from '../../server/auth';

/**
 * A TCP proxy in front of the central API. `offline()` drops every open connection (a
 * request in flight loses its answer, whether or not the server applied it) and refuses
 * new ones until `online()`.
 */
export class FaultProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private down = false;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const drop = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get isOffline(): boolean {
    return this.down;
  }

  offline(): void {
    this.down = true;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  online(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.offline();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const FAST_SYNC: SyncEngineOptions = {
  pollIntervalMs: 60_000,
  baseBackoffMs: 50,
  maxBackoffMs: 200,
};

export async function openWorkstation(
  dataDir: string,
  apiUrl: string,
  options: {
    secrets?: MemorySecretStore;
    sync?: SyncEngineOptions;
    now?: () => Date;
    referenceRefreshMs?: number;
  } = {},
): Promise<WorkstationBackend> {
  return WorkstationBackend.open({
    dataDir,
    apiUrl,
    secrets: options.secrets ?? new MemorySecretStore(),
    sync: { ...FAST_SYNC, ...options.sync },
    referenceRefreshMs: options.referenceRefreshMs,
    ...(options.now ? { now: options.now } : {}),
  });
}

export async function call<M extends MethodName>(
  backend: WorkstationBackend,
  method: M,
  input: unknown,
): Promise<MethodOutput<M>> {
  const result = (await backend.call(method, input)) as ContractResult<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

export async function waitFor(
  test: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const intake = (description: string, channel: 'phone' | 'app' = 'phone') => ({
  customerName: '郑晓东',
  customerPhone: '139-0000-4455',
  channel,
  type: 'complaint' as const,
  businessLine: 'payment' as const,
  description,
  customerExpectation: '退回重复扣款',
});

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: SignedInUser['role'];
  team_id: string | null;
  branch_id: string | null;
}

/** What the server says a user sees: every case in scope, as a client would parse it. */
export async function serverView(
  database: pg.Client,
  username: string,
): Promise<
  Map<string, { record: CaseRecord; notes: { id: string; text: string; authorId: string }[] }>
> {
  const user = (
    await database.query<UserRow>(
      'select id, username, display_name, role, team_id, branch_id from users where username = $1',
      [username],
    )
  ).rows[0]!;
  const scope = caseScope(
    { id: user.id, role: user.role, teamId: user.team_id, branchId: user.branch_id },
    1,
  );
  const rows = await database.query<CaseRow>(`${CASE_SELECT} where ${scope.sql}`, scope.params);
  const notes = await database.query<{
    id: string;
    case_id: string;
    text: string;
    author_id: string;
  }>(
    `select n.id, n.case_id, n.text, n.author_id from case_notes n join cases c on c.id = n.case_id
      where ${scope.sql} order by n.id`,
    scope.params,
  );
  const view = new Map<
    string,
    { record: CaseRecord; notes: { id: string; text: string; authorId: string }[] }
  >();
  for (const row of rows.rows) {
    view.set(row.id, { record: CaseRecord.parse(caseRecord(row)), notes: [] });
  }
  for (const note of notes.rows) {
    view.get(note.case_id)!.notes.push({ id: note.id, text: note.text, authorId: note.author_id });
  }
  return view;
}

/** What a workstation's cache shows for one case, in the same shape. */
export function cacheView(backend: WorkstationBackend, caseId: string) {
  const record = backend.store.getCase(caseId);
  const notes = backend.store
    .listNotes(caseId)
    .map((note: Note) => ({
      id: note.id,
      text: note.text,
      authorId: note.authorId,
      pending: note.pending,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { record, notes };
}

/** The cache holds exactly the server's view of this user, case by case and note by note. */
export async function expectCacheMatchesServer(
  backend: WorkstationBackend,
  database: pg.Client,
  username: string,
): Promise<Set<string>> {
  const server = await serverView(database, username);
  expect(new Set(backend.store.listCaseIds())).toEqual(new Set(server.keys()));
  for (const [caseId, truth] of server) {
    const cached = cacheView(backend, caseId);
    expect(cached.record, `${username}: case ${caseId}`).toEqual(truth.record);
    expect(cached.notes, `${username}: notes of ${caseId}`).toEqual(
      truth.notes.map((note) => ({ ...note, pending: false })),
    );
  }
  return new Set(server.keys());
}
