// Who may see and do what with which case, against a real PostgreSQL: every role × operation
// × kind of case is one cell of an explicit table, so that a changed rule fails a cell.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain';
import type { CaseEventInput } from '../../shared/lifecycle/case-machine';
import type { Mutation, PullResponse } from '../../shared/sync-protocol';
import { buildServer } from '../../server/app';
import { caseScope } from '../../server/cases';
import { openDb, openPglite, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { hashPassword } from '../../server/passwords';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('authz-secret-authz-secret-authz-secret');
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;

/** Beyond the demo's people: a second team's agent and lead, a second branch's staff. */
async function addOtherTeamAndBranch(target: Db): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  await target.query(
    `insert into users (id, username, display_name, role, team_id, branch_id, password_hash)
     values ('u-agent03', 'agent03', '赵敏', 'agent', 'team-t2', 'branch-sh', $1),
            ('u-lead02', 'lead02', '孙立', 'lead', 'team-t2', null, $1),
            ('u-branch02', 'branch02', '周洁', 'branch', null, 'branch-sh', $1)`,
    [hash],
  );
}

beforeAll(async () => {
  postgres = await startPostgres();
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 0 });
  await addOtherTeamAndBranch(db);
  app = buildServer({ db, jwtSecret });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
});

// --- factories ------------------------------------------------------------------------

interface Session {
  username: string;
  clientId: string;
  headers: { authorization: string };
  seq: number;
}

async function signIn(server: FastifyInstance, username: string): Promise<Session> {
  const clientId = randomUUID();
  const response = await server.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId },
  });
  expect(response.statusCode, response.body).toBe(200);
  return {
    username,
    clientId,
    headers: { authorization: `Bearer ${response.json().token}` },
    seq: 0,
  };
}

let numberSeq = 0;
const nextCaseNumber = () => `AZA0-261123-${String(++numberSeq).padStart(4, '0')}`;

type MutationBody = Pick<Mutation, 'name' | 'args'>;

/** Pushes one mutation; its result code, or 'applied'. */
async function act(server: FastifyInstance, session: Session, body: MutationBody) {
  session.seq += 1;
  const response = await server.inject({
    method: 'POST',
    url: '/sync/push',
    headers: session.headers,
    payload: {
      protocolVersion: 1,
      clientId: session.clientId,
      mutations: [
        { id: randomUUID(), seq: session.seq, recordedAt: new Date().toISOString(), ...body },
      ],
    },
  });
  expect(response.statusCode, response.body).toBe(200);
  const [result] = response.json().results;
  return result.status === 'applied' ? 'applied' : (result.code as string);
}

const create = (caseId = randomUUID()): MutationBody => ({
  name: 'case.create@1',
  args: {
    caseId,
    number: nextCaseNumber(),
    intake: {
      customerName: '测试客户',
      customerPhone: '139-0000-5678',
      channel: 'phone',
      type: 'complaint',
      businessLine: 'card',
      description: '客户反映信用卡年费被重复扣收。',
      customerExpectation: '退还重复扣收的年费。',
    },
  },
});
const note = (caseId: string): MutationBody => ({
  name: 'case.addNote@1',
  args: { caseId, noteId: randomUUID(), text: '已致电客户说明进度。' },
});
const transition = (caseId: string, event: CaseEventInput): MutationBody => ({
  name: 'case.transition@1',
  args: { caseId, event, baseVersion: 0 },
});

async function pulledCaseIds(server: FastifyInstance, session: Session): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor = '0';
  for (;;) {
    const response = await server.inject({
      method: 'GET',
      url: `/sync/pull?clientId=${session.clientId}&cursor=${cursor}`,
      headers: session.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    const page: PullResponse = response.json();
    for (const c of page.cases) ids.add(c.id);
    cursor = page.cursor;
    if (!page.hasMore) return ids;
  }
}

// --- the matrix -----------------------------------------------------------------------

const ACTORS = ['agent01', 'agent02', 'branch01', 'lead01', 'lead02', 'admin01'] as const;
type Actor = (typeof ACTORS)[number];

/**
 * Kinds of case, by who holds them. agent01 and agent02 are team T1 (agent01 at the Beijing
 * branch, agent02 at none); the queue case is T1's without an owner (agent02 recused);
 * agent03 is team T2 at Shanghai; branch01 (Beijing) and branch02 (Shanghai) have no team.
 */
const KINDS = ['agent01', 'agent02', 'queueT1', 'agent03', 'branch01', 'branch02'] as const;
type Kind = (typeof KINDS)[number];
type Row = Record<Kind, boolean | string>;

/** Makes a case of the kind; its id. */
async function caseOfKind(server: FastifyInstance, kind: Kind): Promise<string> {
  const holder = kind === 'queueT1' ? 'agent02' : kind;
  const session = await signIn(server, holder);
  const caseId = randomUUID();
  expect(await act(server, session, create(caseId))).toBe('applied');
  if (kind === 'queueT1') {
    const recused = await act(
      server,
      session,
      transition(caseId, { type: 'RECUSE', reason: '与客户存在利害关系' }),
    );
    expect(recused).toBe('applied');
  }
  return caseId;
}

/** A move of the case to someone allowed to hold it, for each kind. */
const handOver = (kind: Kind, caseId: string): MutationBody => {
  switch (kind) {
    case 'queueT1':
      return transition(caseId, { type: 'ASSIGN', assigneeId: 'u-agent01' });
    case 'agent01':
      return transition(caseId, { type: 'REASSIGN', toUserId: 'u-agent02', reason: '休假' });
    case 'agent02':
      return transition(caseId, { type: 'REASSIGN', toUserId: 'u-agent01', reason: '休假' });
    case 'agent03':
      return transition(caseId, { type: 'REASSIGN', toUserId: 'u-lead02', reason: '休假' });
    case 'branch01':
      return transition(caseId, { type: 'REASSIGN', toUserId: 'u-branch02', reason: '休假' });
    case 'branch02':
      return transition(caseId, { type: 'REASSIGN', toUserId: 'u-branch01', reason: '休假' });
  }
};

const o = true;
const x = false;
const A = 'applied';
const F = 'FORBIDDEN';
const NOL = 'NOT_OWNER_OR_LEAD';
const LO = 'LEAD_ONLY';

//                                agent01 agent02 queueT1 agent03 branch01 branch02
/** agent02 recused from the queue case: out of their sight, though their notes still merge. */
const EXPECTED_VISIBLE: Record<Actor, Row> = {
  agent01: { agent01: o, agent02: x, queueT1: o, agent03: x, branch01: x, branch02: x },
  agent02: { agent01: x, agent02: o, queueT1: x, agent03: x, branch01: x, branch02: x },
  branch01: { agent01: o, agent02: x, queueT1: x, agent03: x, branch01: o, branch02: x },
  lead01: { agent01: o, agent02: o, queueT1: o, agent03: x, branch01: x, branch02: x },
  lead02: { agent01: x, agent02: x, queueT1: x, agent03: o, branch01: x, branch02: x },
  admin01: { agent01: x, agent02: x, queueT1: x, agent03: x, branch01: x, branch02: x },
};
const EXPECTED_NOTE: Record<Actor, Row> = {
  agent01: { agent01: A, agent02: F, queueT1: F, agent03: F, branch01: F, branch02: F },
  agent02: { agent01: F, agent02: A, queueT1: A, agent03: F, branch01: F, branch02: F },
  branch01: { agent01: F, agent02: F, queueT1: F, agent03: F, branch01: A, branch02: F },
  lead01: { agent01: A, agent02: A, queueT1: A, agent03: F, branch01: F, branch02: F },
  lead02: { agent01: F, agent02: F, queueT1: F, agent03: A, branch01: F, branch02: F },
  admin01: { agent01: F, agent02: F, queueT1: F, agent03: F, branch01: F, branch02: F },
};
/** RECORD_PLAN: the machine explains a non-owner's refusal; the server a team boundary. */
const EXPECTED_TRANSITION: Record<Actor, Row> = {
  agent01: { agent01: A, agent02: NOL, queueT1: NOL, agent03: NOL, branch01: NOL, branch02: NOL },
  agent02: { agent01: NOL, agent02: A, queueT1: NOL, agent03: NOL, branch01: NOL, branch02: NOL },
  branch01: { agent01: NOL, agent02: NOL, queueT1: NOL, agent03: NOL, branch01: A, branch02: NOL },
  lead01: { agent01: A, agent02: A, queueT1: A, agent03: F, branch01: F, branch02: F },
  lead02: { agent01: F, agent02: F, queueT1: F, agent03: A, branch01: F, branch02: F },
  admin01: { agent01: F, agent02: F, queueT1: F, agent03: F, branch01: F, branch02: F },
};
/** REASSIGN (ASSIGN for the queue), each cell on a fresh case. */
const EXPECTED_REASSIGN: Record<Actor, Row> = {
  agent01: { agent01: LO, agent02: LO, queueT1: LO, agent03: LO, branch01: LO, branch02: LO },
  agent02: { agent01: LO, agent02: LO, queueT1: LO, agent03: LO, branch01: LO, branch02: LO },
  branch01: { agent01: LO, agent02: LO, queueT1: LO, agent03: LO, branch01: LO, branch02: LO },
  lead01: { agent01: A, agent02: A, queueT1: A, agent03: F, branch01: F, branch02: F },
  lead02: { agent01: F, agent02: F, queueT1: F, agent03: A, branch01: F, branch02: F },
  admin01: { agent01: F, agent02: F, queueT1: F, agent03: F, branch01: F, branch02: F },
};
const EXPECTED_CREATE: Record<Actor, string> = {
  agent01: A,
  agent02: A,
  branch01: A,
  lead01: A,
  lead02: A,
  admin01: F,
};

describe('case authorization matrix', () => {
  let cases: Record<Kind, string>;
  const sessions = {} as Record<Actor, Session>;

  beforeAll(async () => {
    cases = {} as Record<Kind, string>;
    for (const kind of KINDS) cases[kind] = await caseOfKind(app, kind);
    for (const actor of ACTORS) sessions[actor] = await signIn(app, actor);
  });

  it('shows each role exactly the cases of its scope', async () => {
    const seen = {} as Record<Actor, Row>;
    for (const actor of ACTORS) {
      const ids = await pulledCaseIds(app, sessions[actor]);
      seen[actor] = Object.fromEntries(KINDS.map((k) => [k, ids.has(cases[k])])) as Row;
    }
    expect(seen).toEqual(EXPECTED_VISIBLE);
  });

  it('lets each role create cases, except administrators', async () => {
    const outcome = {} as Record<Actor, string>;
    for (const actor of ACTORS) outcome[actor] = await act(app, sessions[actor], create());
    expect(outcome).toEqual(EXPECTED_CREATE);
  });

  it('lets notes be added by the owner and the team’s lead only', async () => {
    const outcome = {} as Record<Actor, Row>;
    for (const actor of ACTORS) {
      const row = {} as Row;
      for (const kind of KINDS) row[kind] = await act(app, sessions[actor], note(cases[kind]));
      outcome[actor] = row;
    }
    expect(outcome).toEqual(EXPECTED_NOTE);
  });

  it('lets the owner and the team’s lead move a case on', async () => {
    const outcome = {} as Record<Actor, Row>;
    for (const actor of ACTORS) {
      const row = {} as Row;
      for (const kind of KINDS) {
        const plan = transition(cases[kind], { type: 'RECORD_PLAN', plan: '联系清算部门核实' });
        row[kind] = await act(app, sessions[actor], plan);
      }
      outcome[actor] = row;
    }
    expect(outcome).toEqual(EXPECTED_TRANSITION);
  });

  it('lets only the team’s lead reassign a case or assign one from the queue', async () => {
    const outcome = {} as Record<Actor, Row>;
    for (const actor of ACTORS) {
      const row = {} as Row;
      for (const kind of KINDS) {
        const fresh = await caseOfKind(app, kind);
        row[kind] = await act(app, sessions[actor], handOver(kind, fresh));
      }
      outcome[actor] = row;
    }
    expect(outcome).toEqual(EXPECTED_REASSIGN);
  });

  it('keeps a task’s answer to the owner and the lead, though the lifecycle lets any staff answer', async () => {
    const owner = await signIn(app, 'agent01');
    const caseId = randomUUID();
    expect(await act(app, owner, create(caseId))).toBe(A);
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    const open = transition(caseId, {
      type: 'OPEN_TASK',
      taskId: 'task-1',
      department: 'risk',
      request: '核实交易是否为盗刷',
      dueAt,
    });
    expect(await act(app, owner, open)).toBe(A);
    const answer = transition(caseId, { type: 'ANSWER_TASK', taskId: 'task-1', answer: '确认' });
    const outcome = {
      agent02: await act(app, await signIn(app, 'agent02'), answer),
      branch01: await act(app, await signIn(app, 'branch01'), answer),
      lead02: await act(app, await signIn(app, 'lead02'), answer),
      lead01: await act(app, await signIn(app, 'lead01'), answer),
    };
    expect(outcome).toEqual({ agent02: F, branch01: F, lead02: F, lead01: A });
  });
});

/** Administration: the status each role gets; a stranger's workstation id is simply unknown. */
const EXPECTED_ADMIN: Record<Actor, Record<string, number>> = {
  agent01: { listPeople: 403, createTeam: 403, listShifts: 403, revokeWorkstation: 403 },
  agent02: { listPeople: 403, createTeam: 403, listShifts: 403, revokeWorkstation: 403 },
  branch01: { listPeople: 403, createTeam: 403, listShifts: 403, revokeWorkstation: 403 },
  lead01: { listPeople: 403, createTeam: 403, listShifts: 403, revokeWorkstation: 403 },
  lead02: { listPeople: 403, createTeam: 403, listShifts: 403, revokeWorkstation: 403 },
  admin01: { listPeople: 200, createTeam: 201, listShifts: 200, revokeWorkstation: 404 },
};

describe('the scope rule in SQL', () => {
  interface ScopeUser {
    id: string;
    role: Role;
    teamId: string | null;
    branchId: string | null;
  }
  interface ScopeCase {
    owner: string | null;
    team: string | null;
    branch: string | null;
    recused: string[];
  }
  /** The rule as the business states it, to hold the SQL to. */
  const sees = (user: ScopeUser, c: ScopeCase): boolean => {
    switch (user.role) {
      case 'agent':
        return (
          c.owner === user.id ||
          (c.owner === null &&
            user.teamId !== null &&
            c.team === user.teamId &&
            !c.recused.includes(user.id))
        );
      case 'lead':
        return user.teamId !== null && c.team === user.teamId;
      case 'branch':
        return user.branchId !== null && c.branch === user.branchId;
      case 'admin':
        return false;
    }
  };
  const people = ['u1', 'u2', 'u3'];
  const team = fc.constantFrom(null, 'team-t1', 'team-t2');
  const branch = fc.constantFrom(null, 'branch-bj', 'branch-sh');
  const user = fc.record({
    id: fc.constantFrom(...people),
    role: fc.constantFrom<Role>('agent', 'branch', 'lead', 'admin'),
    teamId: team,
    branchId: branch,
  });
  const someCase = fc.record({
    owner: fc.constantFrom(null, ...people),
    team,
    branch,
    recused: fc.subarray(people),
  });

  it('includes a case exactly when the rule says so, nulls included', async () => {
    await fc.assert(
      fc.asyncProperty(user, fc.array(someCase, { minLength: 1, maxLength: 8 }), async (u, cs) => {
        const scope = caseScope(u, 2);
        const rows = await db.query<{ i: number; visible: boolean }>(
          `select c.i, coalesce(${scope.sql}, false) as visible
             from jsonb_to_recordset($1::jsonb)
                  as c(i int, owner_id text, team_id text, branch_id text, lifecycle jsonb)
            order by c.i`,
          [
            JSON.stringify(
              cs.map((c, i) => ({
                i,
                owner_id: c.owner,
                team_id: c.team,
                branch_id: c.branch,
                lifecycle: { recusedUserIds: c.recused },
              })),
            ),
            ...scope.params,
          ],
        );
        expect(rows.rows.map((r) => r.visible)).toEqual(cs.map((c) => sees(u, c)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('administration', () => {
  it('is for administrators only, refused to every other role before the body is read', async () => {
    const outcome = {} as Record<Actor, Record<string, number>>;
    let code = 0;
    for (const actor of ACTORS) {
      const { headers } = await signIn(app, actor);
      const status = async (method: 'GET' | 'POST', url: string, payload?: object) =>
        (await app.inject({ method, url, headers, payload })).statusCode;
      outcome[actor] = {
        listPeople: await status('GET', '/admin/people'),
        createTeam: await status('POST', '/admin/teams', { code: `Z${++code}`, name: '新组' }),
        listShifts: await status('GET', '/admin/shifts'),
        revokeWorkstation: await status('POST', `/admin/workstations/${randomUUID()}/revoke`),
      };
    }
    expect(outcome).toEqual(EXPECTED_ADMIN);
  });
});

describe('on PGlite', () => {
  it('shows an agent the team queue and an administrator no case', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authz-pglite-'));
    const embedded = await openPglite(dir);
    const server = buildServer({ db: embedded, jwtSecret });
    try {
      await runMigrations(embedded);
      await seedDemo(embedded, { cases: 0 });
      const queued = await caseOfKind(server, 'queueT1');
      const agent = await signIn(server, 'agent01');
      const admin = await signIn(server, 'admin01');
      expect((await pulledCaseIds(server, agent)).has(queued)).toBe(true);
      expect(await pulledCaseIds(server, admin)).toEqual(new Set());
      expect(await act(server, admin, note(queued))).toBe(F);
    } finally {
      await server.close();
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
