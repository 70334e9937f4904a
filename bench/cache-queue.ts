// The agent's queue over a cache of 100,000 cases (a team lead's whole team): one window
// of a filtered queue sorted by next deadline, and searches of a 2- and a 4-character
// Chinese term, each beside a bare SQLite query over the same file (the `cases` table as
// it was before the index); then one case created through CaseStore with the index on.
// Cases are inserted in bulk straight into SQLite (the index's triggers run as in a pull).
//   goal: each queue / search window < 100 ms (median)
//   goal: createCase with the index < 16 ms (median, fsync included)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseRecord } from '../shared/case-views';
import { BUSINESS_LINES, CHANNELS, type CaseIntake } from '../shared/domain';
import { registerCase } from '../shared/intake';
import { decideCaseEvent, type CaseEventInput } from '../shared/lifecycle/case-machine';
import { openCacheDb, type CacheDb } from '../main/backend/cache-db';
import { queryQueue, type QueueQuery } from '../main/backend/case-queue';
import { CaseStore } from '../main/backend/case-store';
import { figure, goal, median, now, runMain } from './support';

const CASES = Number(process.env.BENCH_QUEUE_CASES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const AGENTS = 50;
const TEAM = 'team-t1';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// --- realistic cases ----------------------------------------------------------------------

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国晓东'];
const COMPLAINTS = [
  '信用卡被盗刷三笔，要求冻结账户并退款',
  '网银转账重复扣款两次，每次500元',
  '账户被冻结，无法支付工资，已多次致电无人处理',
  '贷款提前还款被收取违约金，未事先告知',
  '理财产品收益与宣传不符，要求赎回本金',
  '手机银行登录异常，短信验证码收不到',
  '柜台办理业务排队两小时，服务态度差',
  '年费未经同意扣除，要求退还',
  '跨行转账显示失败但已扣款',
  '疑似电信诈骗，资金被转走，要求协助报警',
  '信用卡分期手续费计算有误',
  '自动扣款失败导致逾期，征信受影响',
];
const EXPECTATIONS = [
  '退回款项',
  '解除冻结',
  '书面道歉',
  '赔偿损失',
  '尽快回电说明',
  '更正征信记录',
];
const NOTES = ['已致电客户说明进度', '客户要求书面答复', '已提交清算中心核查', '约定周五回电'];

const pick = <T>(values: readonly T[], n: number): T => values[n % values.length]!;

/** Lifecycles of many ages and shapes, each registered once through the shared lifecycle. */
function lifecycleTemplates(): CaseRecord[] {
  const templates: CaseRecord[] = [];
  const ages = [10 * 60_000, 2 * HOUR, 9 * HOUR, 30 * HOUR, 3 * DAY, 8 * DAY, 16 * DAY, 40 * DAY];
  const shapes: CaseEventInput[][] = [
    [],
    [{ type: 'REQUEST_CUSTOMER_INFO', what: '交易流水截图' }],
    [
      { type: 'RESOLVE', rootCause: '清算超时', solution: '退回扣款', prevention: '增加监控' },
      { type: 'NOTIFY_CUSTOMER', channel: 'phone', summary: '已退款' },
      { type: 'RECORD_FEEDBACK', score: 5 },
    ],
  ];
  let n = 0;
  for (const ageMs of ages)
    for (const events of shapes)
      for (const channel of ['phone', 'email'] as const) {
        const description = pick(COMPLAINTS, n++);
        templates.push(template(ageMs, events, { channel, description }));
      }
  return templates;
}

function template(ageMs: number, events: CaseEventInput[], intake: Partial<CaseIntake>) {
  const id = randomUUID();
  const base: CaseIntake = {
    customerName: '郑晓东',
    customerPhone: '13900004455',
    channel: 'phone',
    type: 'complaint',
    businessLine: 'payment',
    description: '',
    customerExpectation: '退回款项',
    ...intake,
  };
  const receivedMs = Date.now() - ageMs;
  const actor = { userId: 'u-agent01', role: 'agent' as const };
  let { state, context } = registerCase({
    caseId: id,
    intake: base,
    actor,
    receivedAt: new Date(receivedMs).toISOString(),
  });
  events.forEach((event, index) => {
    const at = new Date(receivedMs + (index + 1) * 60_000).toISOString();
    const verdict = decideCaseEvent(state, context, { ...event, actor, at });
    if (!verdict.ok) throw new Error(`${event.type}: ${verdict.code}`);
    ({ state, context } = verdict);
  });
  const record: CaseRecord = {
    ...base,
    id,
    number: '',
    status: state,
    lifecycle: context,
    priority: context.priority,
    ownerId: 'u-agent01',
    ownerName: null,
    teamId: TEAM,
    branchId: null,
    createdAt: new Date(receivedMs).toISOString(),
    updatedAt: new Date(receivedMs + events.length * 60_000).toISOString(),
    version: 1,
  };
  return record;
}

/** Inserts `count` cases (and a note on every third) in transactions of 5,000. */
function seed(db: CacheDb, count: number): void {
  const templates = lifecycleTemplates();
  const insertCase = db.prepare(
    'INSERT INTO cases (id, number, owner_id, updated_at, server_json, view_json, pending) VALUES (?, ?, ?, ?, ?, ?, 0)',
  );
  const insertNote = db.prepare(
    'INSERT INTO notes (id, case_id, data_json, pending) VALUES (?, ?, ?, 0)',
  );
  const batch = db.transaction((start: number, n: number) => {
    for (let i = start; i < start + n; i++) {
      const t = templates[i % templates.length]!;
      const id = randomUUID();
      const owner = `u-agent${String((i % AGENTS) + 1).padStart(2, '0')}`;
      const record: CaseRecord = {
        ...t,
        id,
        lifecycle: { ...t.lifecycle, caseId: id },
        number: `BJA7-2611${String(1 + (i % 28)).padStart(2, '0')}-${String(i).padStart(6, '0')}`,
        customerName: pick(SURNAMES, i * 7) + pick(GIVEN, i * 13) + pick(GIVEN, i * 31),
        customerPhone: `13${String(100_000_000 + ((i * 7_919) % 900_000_000)).slice(0, 9)}`,
        channel: pick(CHANNELS, i * 3),
        businessLine: pick(BUSINESS_LINES, i * 5),
        description: `${pick(COMPLAINTS, i * 11)}（客户编号${i}）`,
        customerExpectation: pick(EXPECTATIONS, i),
        ownerId: owner,
        updatedAt: new Date(Date.parse(t.updatedAt) - (i % 1000) * 60_000).toISOString(),
      };
      const json = JSON.stringify(record);
      insertCase.run(id, record.number, owner, record.updatedAt, json, json);
      if (i % 3 === 0) {
        const noteId = randomUUID();
        const note = {
          id: noteId,
          caseId: id,
          authorId: owner,
          authorName: '李娜',
          text: pick(NOTES, i),
          createdAt: record.updatedAt,
          recordedAt: record.updatedAt,
          pending: false,
        };
        insertNote.run(noteId, id, JSON.stringify(note));
      }
    }
  });
  for (let start = 0; start < count; start += 5_000) batch(start, Math.min(5_000, count - start));
}

// --- timing ---------------------------------------------------------------------------------

function timed(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = now();
    run();
    times.push(now() - start);
  }
  return median(times);
}

function compare(name: string, ms: number, bareMs: number, bareText: string): boolean {
  figure(`${name}`, ms, 'ms', 2);
  figure(`  baseline ${bareText}`, bareMs, 'ms', 2);
  return goal(`${name} < 100 ms`, ms < 100, `${ms.toFixed(2)} ms`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-queue-'));
  try {
    const file = join(dir, 'cache.sqlite');
    const db = openCacheDb(file);
    const seedStart = now();
    seed(db, CASES);
    const seedMs = now() - seedStart;
    figure('seeded cases (index maintained by its triggers)', CASES, 'cases', 0);
    figure('seed time', seedMs / 1000, 's', 2);
    figure('seed per case, index included', (seedMs * 1000) / CASES, 'µs', 0);
    figure('cache file', statSync(file).size / 1e6, 'MB', 1);
    db.pragma('optimize');
    const at = new Date();

    // 1. A lead's team queue: open urgent/high cases at risk, by next deadline, first 50.
    const teamQueue: QueueQuery = {
      scope: 'team',
      userId: 'u-lead01',
      teamId: TEAM,
      filters: { status: ['in_progress', 'waiting_customer'], priority: ['urgent', 'high'] },
      sort: 'nextDue',
      offset: 0,
      limit: 50,
    };
    const page = queryQueue(db, teamQueue, at);
    figure('team queue rows (total)', page.total, 'rows', 0);
    const queueMs = timed(() => queryQueue(db, teamQueue, at));
    const scanQueue = db.prepare(
      `SELECT count(*) OVER () AS total, view_json FROM cases
        WHERE view_json ->> '$.teamId' = ? AND view_json ->> '$.status' IN ('in_progress', 'waiting_customer')
          AND view_json ->> '$.priority' IN ('urgent', 'high')
        ORDER BY updated_at DESC LIMIT 50`,
    );
    const floor = db.prepare(
      'SELECT view_json FROM cases ORDER BY owner_id, updated_at DESC LIMIT 50',
    );
    const scanMs = timed(() => scanQueue.all(TEAM));
    const floorMs = timed(() => floor.all());
    const results = [
      compare(
        'team queue, filtered, by next deadline, first 50',
        queueMs,
        scanMs,
        'bare SELECT of the same filter over view_json (by update, no deadlines)',
      ),
    ];
    figure('  floor: bare SELECT of 50 rows by an existing index', floorMs, 'ms', 2);
    const deepMs = timed(() => queryQueue(db, { ...teamQueue, offset: 10_000 }, at));
    figure('team queue window at offset 10,000', deepMs, 'ms', 2);
    const allMs = timed(() =>
      queryQueue(db, { ...teamQueue, filters: {}, sort: 'nextDue', offset: 50_000 }, at),
    );
    figure('team queue unfiltered, window at offset 50,000', allMs, 'ms', 2);
    const mine: QueueQuery = {
      scope: 'mine',
      userId: 'u-agent01',
      sort: 'nextDue',
      offset: 0,
      limit: 50,
    };
    figure(
      `agent queue (${queryQueue(db, mine, at).total} cases), first 50`,
      timed(() => queryQueue(db, mine, at)),
      'ms',
      2,
    );

    // 2. Search in the team's queue, by next deadline, first 50.
    const like = db.prepare(
      `SELECT count(*) OVER () AS total, view_json FROM cases WHERE view_json LIKE ?
        ORDER BY updated_at DESC LIMIT 50`,
    );
    // The other way to find 1–2 characters: LIKE over the cases of the queue's scope.
    const narrowed = db.prepare(
      `SELECT count(*) OVER () AS total, c.view_json FROM case_queue q JOIN cases c ON c.id = q.case_id
        WHERE q.team_id = ? AND c.view_json LIKE ? ORDER BY q.due_order, q.priority_rank, q.number LIMIT 50`,
    );
    for (const term of ['冻结', '重复扣款', '盗', '4455']) {
      const search = { ...teamQueue, filters: {}, search: term };
      const hits = queryQueue(db, search, at).total;
      const ms = timed(() => queryQueue(db, search, at));
      const bareMs = timed(() => like.all(`%${term}%`));
      results.push(
        compare(
          `search "${term}" (${[...term].length} chars, ${hits} hits), first 50`,
          ms,
          bareMs,
          'bare SELECT … WHERE view_json LIKE, by update',
        ),
      );
      figure(
        `  alternative: LIKE over the scope's cases, by next deadline`,
        timed(() => narrowed.all(TEAM, `%${term}%`)),
        'ms',
        2,
      );
    }

    // 3. A pull page of 1,000 new cases (what a bootstrap applies), with the index and in a
    // cache whose index triggers are dropped: the index's share of a bootstrap.
    const pullPerCase = (cache: CacheDb) => {
      const pullStore = new CaseStore(cache);
      const templates = lifecycleTemplates();
      const times: number[] = [];
      for (let run = 0; run < 3; run++) {
        const cases = Array.from({ length: 1_000 }, (_, i) => {
          const t = templates[i % templates.length]!;
          const id = randomUUID();
          return {
            ...t,
            id,
            lifecycle: { ...t.lifecycle, caseId: id },
            number: `PULL-${run}-${String(i).padStart(6, '0')}`,
            description: `${pick(COMPLAINTS, i)}（客户编号${i}）`,
          };
        });
        const start = now();
        pullStore.applyPull({
          cursor: `bench-${run}`,
          lastSeq: 0,
          cases,
          notes: [],
          removedCaseIds: [],
          attachments: [],
          hasMore: false,
        });
        times.push((now() - start) / cases.length);
      }
      return median(times) * 1000;
    };
    const bare = openCacheDb(join(dir, 'no-index.sqlite'));
    for (const trigger of [
      'insert',
      'view',
      'pending',
      'delete',
      'note_insert',
      'note_update',
      'note_delete',
    ])
      bare.exec(`DROP TRIGGER case_queue_${trigger}`);
    figure('pull page of 1,000 new cases, per case, with the index', pullPerCase(db), 'µs', 0);
    figure('  baseline the same pull without the index', pullPerCase(bare), 'µs', 0);
    bare.close();

    // 4. One case created by the agent, index and fsync included.
    const store = new CaseStore(db);
    const base = lifecycleTemplates()[0]!;
    const createTimes: number[] = [];
    const bareTimes: number[] = [];
    db.exec('CREATE TABLE bench_cases AS SELECT * FROM cases WHERE 0');
    const bareInsert = db.prepare(
      'INSERT INTO bench_cases (id, number, owner_id, updated_at, server_json, view_json, created_json, pending) VALUES (?, ?, ?, ?, NULL, ?, ?, 1)',
    );
    for (let i = 0; i < Math.max(RUNS, 30); i++) {
      const id = randomUUID();
      const {
        number: _n,
        version: _v,
        ...record
      } = { ...base, id, lifecycle: { ...base.lifecycle, caseId: id } };
      let start = now();
      store.createCase({
        record,
        workstationCode: 'BJA7',
        actor: { userId: 'u-agent01', role: 'agent' },
        now: new Date(),
      });
      createTimes.push(now() - start);
      const json = JSON.stringify({ ...base, id });
      start = now();
      db.transaction(() =>
        bareInsert.run(id, `N-${i}`, 'u-agent01', base.updatedAt, json, json),
      ).immediate();
      bareTimes.push(now() - start);
    }
    const createMs = median(createTimes);
    figure('createCase with the queue index', createMs, 'ms', 2);
    figure(
      '  baseline bare INSERT of the row in a transaction (fsync)',
      median(bareTimes),
      'ms',
      2,
    );
    results.push(goal('createCase < 16 ms', createMs < 16, `${createMs.toFixed(2)} ms`));
    db.close();
    console.log(
      `runs: ${RUNS} (medians above); goals met: ${results.filter(Boolean).length}/${results.length}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main, 600_000);
