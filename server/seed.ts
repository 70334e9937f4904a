// Demo data for a fresh central database: two branches, two teams, five people and a few
// dozen invented complaints. Deterministic (a seeded PRNG) so that screenshots, tests and
// bug reports see the same cases; every phone number is in a range no real line uses here.
import {
  decideCaseEvent,
  type CaseEvent,
  type CaseEventInput,
  type CaseState,
} from '../shared/lifecycle/case-machine';
import {
  CaseIntake,
  type BusinessLine,
  type CaseType,
  type Channel,
  type Role,
} from '../shared/domain';
import {
  insertCase,
  insertNote,
  storeTransition,
  type ChangeStamp,
  type StoredLifecycle,
} from './cases';
import type { Db } from './db';
import { registerCase } from '../shared/intake';
import { hashPassword } from './passwords';

export const DEMO_PASSWORD = 'demo1234';

export const DEMO_TEAMS = [
  { id: 'team-t1', code: 'T1', name: '客服投诉一组' },
  { id: 'team-t2', code: 'T2', name: '客服投诉二组' },
] as const;

export const DEMO_BRANCHES = [
  { id: 'branch-bj', code: 'BJ', name: '北京西单支行' },
  { id: 'branch-sh', code: 'SH', name: '上海陆家嘴支行' },
] as const;

export interface DemoUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  teamId: string | null;
  branchId: string | null;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'u-agent01',
    username: 'agent01',
    displayName: '王晓梅',
    role: 'agent',
    teamId: 'team-t1',
    branchId: 'branch-bj',
  },
  {
    id: 'u-agent02',
    username: 'agent02',
    displayName: '李建国',
    role: 'agent',
    teamId: 'team-t1',
    branchId: null,
  },
  {
    id: 'u-branch01',
    username: 'branch01',
    displayName: '陈静',
    role: 'branch',
    teamId: null,
    branchId: 'branch-bj',
  },
  {
    id: 'u-lead01',
    username: 'lead01',
    displayName: '张伟',
    role: 'lead',
    teamId: 'team-t1',
    branchId: null,
  },
  {
    id: 'u-admin01',
    username: 'admin01',
    displayName: '刘洋',
    role: 'admin',
    teamId: null,
    branchId: null,
  },
];

/** The owners of seeded cases: the two agents of team T1. */
const CASE_OWNERS = DEMO_USERS.filter((user) => user.role === 'agent');

/** Seeded case numbers come from a make-believe workstation 'SD' + 'A0'. */
const SEED_WORKSTATION = 'SDA0';
/** Seeded cases start on this day (Beijing time) and spread over the following weeks. */
const SEED_START = Date.UTC(2026, 10, 1);
const SEED_SPAN_DAYS = 20;

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;
const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

function uuidFrom(random: Random): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const SURNAMES = [...'王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高'];
const GIVEN_NAMES =
  '秀英 桂芳 志强 海燕 建华 丽娟 晓东 俊杰 雪梅 国庆 婷婷 子涵 浩然 淑珍 玉兰 文博 佳怡 明辉 春生 慧敏'.split(
    ' ',
  );
const PHONE_MODELS = [
  '华为 Mate 60',
  '小米 14',
  'iPhone 13',
  'OPPO Reno 11',
  'vivo X100',
  '荣耀 90',
];

interface ComplaintStory {
  businessLine: BusinessLine;
  type: CaseType;
  channels: readonly Channel[];
  tell(random: Random): { description: string; expectation: string; resolution: string };
}

/** What customers actually call about; amounts and details vary per case. */
const STORIES: readonly ComplaintStory[] = [
  {
    businessLine: 'fees',
    type: 'complaint',
    channels: ['phone', 'app', 'chat'],
    tell: (random) => {
      const fee = pick(random, [100, 200, 300, 480]);
      return {
        description: `客户反映其信用卡今年已刷卡满${between(random, 6, 20)}次，符合免年费条件，但${between(random, 1, 10)}月账单仍扣收年费${fee}元，要求说明原因。`,
        expectation: `退还已扣收的信用卡年费${fee}元，并确认明年免收年费。`,
        resolution: `经核实为系统未统计部分消费笔数，已退还年费${fee}元并向客户致歉。`,
      };
    },
  },
  {
    businessLine: 'payment',
    type: 'complaint',
    channels: ['phone', 'app'],
    tell: (random) => {
      const amount = between(random, 5, 500) * 100;
      return {
        description: `客户通过手机银行向他行账户转账${amount}元，页面提示“交易失败”，但账户已扣款，至今款项既未退回也未到账。`,
        expectation: '尽快退回款项或确认到账，并说明转账失败的原因。',
        resolution: `经查为跨行清算通道超时，${amount}元已退回原账户，已电话告知客户。`,
      };
    },
  },
  {
    businessLine: 'wealth',
    type: 'complaint',
    channels: ['phone', 'branch', 'letter'],
    tell: (random) => {
      const amount = between(random, 5, 100);
      const actual = (between(random, 150, 250) / 100).toFixed(2);
      const benchmark = (between(random, 300, 420) / 100).toFixed(2);
      return {
        description: `客户${between(random, 3, 12)}个月前购买本行稳健型理财产品${amount}万元，到期实际年化收益${actual}%，低于购买时介绍的业绩比较基准${benchmark}%，认为理财收益不符、存在误导销售。`,
        expectation: '解释收益差异原因，补偿收益差额。',
        resolution:
          '已调取双录资料，确认销售时已揭示业绩比较基准不代表承诺收益，向客户详细解释后客户表示理解。',
      };
    },
  },
  {
    businessLine: 'digital',
    type: 'complaint',
    channels: ['app', 'phone', 'social'],
    tell: (random) => ({
      description: `客户反映近${between(random, 2, 10)}天手机银行APP卡顿严重，登录后频繁闪退，无法查询明细和转账，重装后仍无改善。机型：${pick(random, PHONE_MODELS)}。`,
      expectation: '尽快修复APP卡顿问题，并告知预计修复时间。',
      resolution: '确认为新版本兼容性问题，技术部门已发布修复版本，指导客户升级后恢复正常。',
    }),
  },
  {
    businessLine: 'conduct',
    type: 'complaint',
    channels: ['branch', 'phone', 'letter'],
    tell: (random) => ({
      description: `客户称在${pick(random, DEMO_BRANCHES).name}办理业务时排队约${between(random, 40, 120)}分钟，大堂经理服务态度冷淡，询问办理进度时不予理睬。`,
      expectation: '网点负责人道歉，并改进服务态度。',
      resolution: '网点负责人已致电客户道歉，并对相关员工开展服务规范培训。',
    }),
  },
  {
    businessLine: 'card',
    type: 'complaint',
    channels: ['phone'],
    tell: (random) => {
      const amount = between(random, 10, 200) * 100;
      return {
        description: `客户发现信用卡凌晨在境外网站被盗刷${between(random, 2, 5)}笔，共计${amount}元，卡片一直在本人身边，已电话挂失。`,
        expectation: '冻结并追回被盗刷资金，尽快补发新卡。',
        resolution: `已发起拒付流程并临时调账${amount}元，新卡已寄出。`,
      };
    },
  },
  {
    businessLine: 'digital',
    type: 'suggestion',
    channels: ['app', 'email'],
    tell: () => ({
      description:
        '客户建议手机银行增加大字版（老年模式），目前字体偏小、操作步骤多，家中老人使用困难。',
      expectation: '希望建议被采纳，并告知采纳结果。',
      resolution: '建议已转产品部门评估，计划在下一版本上线关怀模式，已告知客户。',
    }),
  },
  {
    businessLine: 'account',
    type: 'inquiry',
    channels: ['phone', 'branch'],
    tell: () => ({
      description: '客户咨询借记卡被限制非柜面交易的原因及解除方式，称近期没有异常操作。',
      expectation: '说明限制原因，尽快恢复正常使用。',
      resolution: '已说明为长期未使用账户的风险管控措施，客户携带身份证件到网点核实后已解除限制。',
    }),
  },
];

const FOLLOW_UP_NOTES = [
  '已致电客户核实情况，客户同意等待处理结果。',
  '已联系相关部门协查，预计两个工作日内回复。',
  '客户来电催办，已告知当前处理进度。',
];

/** How a seeded case has been worked since intake (which leaves it in progress). */
function workedPath(
  target: 'in_progress' | 'waiting_customer' | 'resolved' | 'awaiting_feedback' | 'closed',
  story: ComplaintStory,
  told: { resolution: string },
  random: Random,
): CaseEventInput[] {
  if (target === 'in_progress') return [];
  if (target === 'waiting_customer') {
    return [{ type: 'REQUEST_CUSTOMER_INFO', what: '请客户提供交易截图及身份证明复印件' }];
  }
  const decision: CaseEventInput =
    story.type === 'suggestion'
      ? {
          type: 'DECIDE_SUGGESTION',
          adopted: random() < 0.6,
          customerReach: '老年客户及视力不佳客户，约占手机银行活跃用户的8%',
          feasibility: '需产品与技术部门排期，预计一个版本周期',
          value: '降低老年客户操作难度，减少同类咨询',
          rationale: told.resolution,
        }
      : {
          type: 'RESOLVE',
          rootCause: told.resolution.split('，')[0]!,
          solution: told.resolution,
          prevention: pick(random, PREVENTIONS),
        };
  const notify: CaseEventInput = {
    type: 'NOTIFY_CUSTOMER',
    channel: 'phone',
    summary: told.resolution,
  };
  if (target === 'resolved') return [decision];
  if (target === 'awaiting_feedback') return [decision, notify];
  return [decision, notify, { type: 'RECORD_FEEDBACK', score: between(random, 3, 5) }];
}

const PREVENTIONS = [
  '已将此类问题纳入月度服务质量复盘，并更新一线处理话术。',
  '已提请科技部门增加监控告警，同类问题将提前发现。',
  '已对相关岗位员工开展专项培训，并纳入服务考核。',
  '已优化业务提示文案，在办理前向客户充分说明。',
];

/** yyMMdd of the Beijing date, as case numbers carry it. */
function beijingDay(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3600_000);
  return local.toISOString().slice(2, 10).replaceAll('-', '');
}

/** Any constant shared by every API process: two may start together on one database. */
const SEED_LOCK_KEY = 4_010_002;

export interface SeedResult {
  seeded: boolean;
  users: number;
  cases: number;
}

/**
 * Seeds demo people and cases into a migrated database, once: when any user exists it does
 * nothing, so every start may call it. Statuses are reached through the case machine, with
 * the history rows a real case would have.
 */
export async function seedDemo(
  db: Db,
  opts: { cases?: number; seed?: number } = {},
): Promise<SeedResult> {
  const caseCount = opts.cases ?? 30;
  const random = prng(opts.seed ?? 20261101);
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const existing = await tx.query('select 1 from users limit 1');
    if (existing.rows.length > 0) return { seeded: false, users: 0, cases: 0 };

    for (const team of DEMO_TEAMS) {
      await tx.query('insert into teams (id, code, name) values ($1, $2, $3)', [
        team.id,
        team.code,
        team.name,
      ]);
    }
    for (const branch of DEMO_BRANCHES) {
      await tx.query('insert into branches (id, code, name) values ($1, $2, $3)', [
        branch.id,
        branch.code,
        branch.name,
      ]);
    }
    for (const user of DEMO_USERS) {
      await tx.query(
        `insert into users (id, username, display_name, role, team_id, branch_id, password_hash)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [
          user.id,
          user.username,
          user.displayName,
          user.role,
          user.teamId,
          user.branchId,
          passwordHash,
        ],
      );
    }

    // Each seeded change gets its own version, as if pushed one by one.
    const stampAt = async (actorId: string, at: Date): Promise<ChangeStamp> => {
      const bumped = await tx.query<{ v: string | number }>(
        'update sync_version set v = v + 1 returning v',
      );
      return { actorId, clientId: null, at: at.toISOString(), version: String(bumped.rows[0]!.v) };
    };

    for (let i = 0; i < caseCount; i++) {
      const story = pick(random, STORIES);
      const told = story.tell(random);
      const owner = CASE_OWNERS[i % CASE_OWNERS.length]!;
      const dayOffset = Math.floor((i * SEED_SPAN_DAYS) / Math.max(caseCount, 1));
      // 09:00–17:59 in Beijing.
      const createdAt = new Date(
        SEED_START +
          dayOffset * 86_400_000 +
          between(random, 1, 9) * 3600_000 +
          between(random, 0, 59) * 60_000,
      );
      const caseId = uuidFrom(random);
      const created = await stampAt(owner.id, createdAt);
      const actor = { userId: owner.id, role: owner.role };
      await insertCase(tx, created, {
        id: caseId,
        number: `${SEED_WORKSTATION}-${beijingDay(createdAt)}-${String(i + 1).padStart(4, '0')}`,
        // Parsed like a workstation's intake, so that demo data never breaks a client's schema.
        intake: CaseIntake.parse({
          customerName: pick(random, SURNAMES) + pick(random, GIVEN_NAMES),
          customerPhone: `1390000${String(between(random, 0, 9999)).padStart(4, '0')}`,
          channel: pick(random, story.channels),
          type: story.type,
          businessLine: story.businessLine,
          description: told.description,
          customerExpectation: told.expectation,
        }),
        registeredBy: actor,
        receivedAt: createdAt.toISOString(),
        teamId: owner.teamId,
        branchId: owner.branchId,
      });
      const row = await tx.query<{ status: CaseState; lifecycle: StoredLifecycle['lifecycle'] }>(
        'select status, lifecycle from cases where id = $1',
        [caseId],
      );
      let state: StoredLifecycle & { version: number } = {
        ...row.rows[0]!,
        version: Number(created.version),
      };

      // Older cases have gone further; the newest are mostly still in progress.
      const age = 1 - i / Math.max(caseCount, 1);
      const roll = random() * (0.4 + age);
      const target =
        roll < 0.35
          ? 'in_progress'
          : roll < 0.45
            ? 'waiting_customer'
            : roll < 0.7
              ? 'resolved'
              : roll < 0.95
                ? 'awaiting_feedback'
                : 'closed';
      let at = createdAt;
      const noteAt = new Date(at.getTime() + 30 * 60_000);
      await insertNote(tx, await stampAt(owner.id, noteAt), {
        id: uuidFrom(random),
        caseId,
        text: pick(random, FOLLOW_UP_NOTES),
        recordedAt: noteAt.toISOString(),
      });
      for (const step of workedPath(target, story, told, random)) {
        at = new Date(at.getTime() + between(random, 1, 8) * 3600_000);
        const event = { ...step, actor, at: at.toISOString() } as CaseEvent;
        const verdict = decideCaseEvent(state.status, state.lifecycle, event);
        if (!verdict.ok) {
          throw new Error(
            `seed walked an illegal path: ${step.type} from ${state.status}: ${verdict.code}`,
          );
        }
        const stamp = await stampAt(owner.id, at);
        const after = { status: verdict.state, lifecycle: verdict.context };
        await storeTransition(tx, stamp, caseId, step.type, state, after);
        state = { ...after, version: Number(stamp.version) };
      }
    }
    return { seeded: true, users: DEMO_USERS.length, cases: caseCount };
  });
}

// --- demo data at scale ----------------------------------------------------------------------
//
// A year of a large complaint desk, for load tests and for feeling how the product behaves
// with real volumes: the demo set above, plus teams, branches, their leads and staff, agents,
// and many cases. Rows are inserted in bulk (`unnest` of column arrays, a batch per
// transaction); each case's lifecycle is still walked through the shared machine, so every
// row is a state the machine reaches. History rows at this scale are compact (status before
// and after, not whole lifecycles), which keeps a full seed near a minute.

export interface SeedSize {
  cases: number;
  agents: number;
  teams: number;
  branches: number;
}

export const FULL_SEED: SeedSize = { cases: 100_000, agents: 200, teams: 20, branches: 20 };

/** Cases per transaction. */
const SCALE_BATCH = 2_000;
/** Seeded case numbers at scale come from the make-believe workstation 'SD' + 'S0'. */
const SCALE_WORKSTATION = 'SDS0';
const DAY_MS = 86_400_000;

const SCALE_SURNAMES = [
  ...'王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
  '欧阳',
  '司马',
  '上官',
  '诸葛',
];
const GIVEN_CHARACTERS = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣佳琳晨雪倩婷颖子轩涵睿博文思雨嘉怡',
];
const CITIES = [
  '北京朝阳',
  '上海浦东',
  '广州天河',
  '深圳福田',
  '杭州西湖',
  '南京鼓楼',
  '成都锦江',
  '武汉江汉',
  '西安雁塔',
  '重庆渝中',
  '天津和平',
  '苏州工业园',
  '长沙芙蓉',
  '郑州金水',
  '青岛市南',
  '厦门思明',
  '宁波鄞州',
  '合肥蜀山',
  '济南历下',
  '沈阳和平',
];

/** Two stories only the scale seed tells: the demo's own list must not change. */
const SCALE_STORIES: readonly ComplaintStory[] = [
  ...STORIES,
  {
    businessLine: 'loan',
    type: 'complaint',
    channels: ['phone', 'branch', 'regulator'],
    tell: (random) => {
      const penalty = between(random, 5, 80) * 100;
      return {
        description: `客户申请提前归还房贷，被告知需支付违约金${penalty}元，客户称签约时客户经理未提示提前还款违约条款。`,
        expectation: `减免提前还款违约金${penalty}元。`,
        resolution: `经核查合同条款及面签录音，已按规定减免违约金${Math.floor(penalty / 2)}元，并向客户解释条款。`,
      };
    },
  },
  {
    businessLine: 'account',
    type: 'complaint',
    channels: ['phone', 'chat', 'app'],
    tell: (random) => ({
      description: `客户账户因涉嫌电信诈骗被冻结，称${between(random, 2, 9)}天前收到陌生来电后转账，已报警，要求尽快处理。`,
      expectation: '尽快解除冻结或说明解冻流程，协助追回被骗资金。',
      resolution: '已协助客户向公安机关提交材料，账户经核实后解除冻结，已提示防诈骗注意事项。',
    }),
  },
];

type ScaleTarget =
  'in_progress' | 'waiting_customer' | 'resolved' | 'awaiting_feedback' | 'closed' | 'reopened';

/**
 * How far a case has come, by its age: most older cases are closed, a few are still open
 * (and so past their deadlines: breached), the newest are mostly being worked.
 */
function scaleTarget(ageDays: number, random: Random): ScaleTarget {
  const roll = random();
  const shares: [ScaleTarget, number][] =
    ageDays >= 30
      ? [
          ['closed', 0.88],
          ['reopened', 0.02],
          ['awaiting_feedback', 0.03],
          ['resolved', 0.02],
          ['waiting_customer', 0.02],
          ['in_progress', 0.03],
        ]
      : ageDays >= 7
        ? [
            ['closed', 0.55],
            ['reopened', 0.02],
            ['awaiting_feedback', 0.13],
            ['resolved', 0.1],
            ['waiting_customer', 0.08],
            ['in_progress', 0.12],
          ]
        : [
            ['closed', 0.12],
            ['reopened', 0.01],
            ['awaiting_feedback', 0.14],
            ['resolved', 0.15],
            ['waiting_customer', 0.15],
            ['in_progress', 0.43],
          ];
  let sum = 0;
  for (const [target, share] of shares) {
    sum += share;
    if (roll < sum) return target;
  }
  return 'in_progress';
}

/** Days between two steps of a case's handling, as the step usually takes. */
const STEP_DAYS: Record<string, [number, number]> = {
  REQUEST_CUSTOMER_INFO: [0, 2],
  RESOLVE: [1, 12],
  DECIDE_SUGGESTION: [2, 20],
  NOTIFY_CUSTOMER: [0, 2],
  RECORD_FEEDBACK: [1, 6],
};

interface ScalePerson {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  teamId: string | null;
  branchId: string | null;
}

const two = (n: number) => String(n).padStart(2, '0');
const three = (n: number) => String(n).padStart(3, '0');

function scalePeople(size: SeedSize, random: Random) {
  const personName = () =>
    pick(random, SCALE_SURNAMES) +
    pick(random, GIVEN_CHARACTERS) +
    (random() < 0.6 ? pick(random, GIVEN_CHARACTERS) : '');
  const teams = Array.from({ length: size.teams }, (_, i) => ({
    id: `team-s${two(i + 1)}`,
    code: `S${two(i + 1)}`,
    name: `远程客服中心投诉${i + 1}组`,
  }));
  const branches = Array.from({ length: size.branches }, (_, i) => ({
    id: `branch-s${two(i + 1)}`,
    code: `B${two(i + 1)}`,
    name: `${CITIES[i % CITIES.length]}${i >= CITIES.length ? `第${Math.floor(i / CITIES.length) + 1}` : ''}支行`,
  }));
  const people: ScalePerson[] = [];
  teams.forEach((team, i) =>
    people.push({
      id: `u-lead${three(i + 1)}`,
      username: `lead${three(i + 1)}`,
      displayName: personName(),
      role: 'lead',
      teamId: team.id,
      branchId: null,
    }),
  );
  branches.forEach((branch, i) =>
    people.push({
      id: `u-branch${three(i + 1)}`,
      username: `branch${three(i + 1)}`,
      displayName: personName(),
      role: 'branch',
      teamId: null,
      branchId: branch.id,
    }),
  );
  const agents: ScalePerson[] = Array.from({ length: size.agents }, (_, i) => ({
    id: `u-agent${three(i + 1)}`,
    username: `agent${three(i + 1)}`,
    displayName: personName(),
    role: 'agent',
    teamId: teams[i % teams.length]!.id,
    branchId: branches[i % branches.length]!.id,
  }));
  people.push(...agents);
  return { teams, branches, people, agents };
}

/** Column arrays of one batch, in the order the insert statements take them. */
interface ScaleBatch {
  cases: {
    id: string[];
    number: string[];
    customerName: string[];
    customerPhone: string[];
    channel: string[];
    type: string[];
    businessLine: string[];
    description: string[];
    expectation: string[];
    status: string[];
    lifecycle: string[];
    priority: string[];
    ownerId: string[];
    teamId: (string | null)[];
    branchId: (string | null)[];
    createdAt: string[];
    updatedAt: string[];
  };
  notes: { id: string[]; caseIndex: number[]; authorId: string[]; text: string[]; at: string[] };
  history: {
    caseIndex: number[];
    actorId: string[];
    action: string[];
    before: (string | null)[];
    after: string[];
    at: string[];
  };
}

function emptyBatch(): ScaleBatch {
  return {
    cases: {
      id: [],
      number: [],
      customerName: [],
      customerPhone: [],
      channel: [],
      type: [],
      businessLine: [],
      description: [],
      expectation: [],
      status: [],
      lifecycle: [],
      priority: [],
      ownerId: [],
      teamId: [],
      branchId: [],
      createdAt: [],
      updatedAt: [],
    },
    notes: { id: [], caseIndex: [], authorId: [], text: [], at: [] },
    history: { caseIndex: [], actorId: [], action: [], before: [], after: [], at: [] },
  };
}

/** One case, walked from intake through the machine to its target or to `endMs`. */
function scaleCase(
  batch: ScaleBatch,
  index: number,
  total: number,
  owner: ScalePerson,
  endMs: number,
  random: Random,
): void {
  const story = pick(random, SCALE_STORIES);
  const told = story.tell(random);
  // Spread over the year before endMs, in order; 08:00–20:59 Beijing time.
  const dayBack = Math.floor(365 * (1 - index / total));
  const day = Math.floor(endMs / DAY_MS) - dayBack;
  const createdMs = Math.min(
    endMs - 60_000,
    day * DAY_MS + between(random, 0, 12) * 3600_000 + between(random, 0, 3599) * 1000,
  );
  const createdAt = new Date(createdMs);
  const caseId = uuidFrom(random);
  const actor = { userId: owner.id, role: owner.role };
  const intake = CaseIntake.parse({
    customerName:
      pick(random, SCALE_SURNAMES) +
      pick(random, GIVEN_CHARACTERS) +
      (random() < 0.7 ? pick(random, GIVEN_CHARACTERS) : ''),
    customerPhone: `139000${String(between(random, 0, 99_999)).padStart(5, '0')}`,
    channel: pick(random, story.channels),
    type: story.type,
    businessLine: story.businessLine,
    description: told.description,
    customerExpectation: told.expectation,
  });
  const registered = registerCase({
    caseId,
    intake,
    actor,
    receivedAt: createdAt.toISOString(),
  });
  let state: CaseState = registered.state;
  let lifecycle = registered.context;
  const row = batch.cases.id.length;
  batch.history.caseIndex.push(row);
  batch.history.actorId.push(owner.id);
  batch.history.action.push('case.create');
  batch.history.before.push(null);
  batch.history.after.push(state);
  batch.history.at.push(createdAt.toISOString());

  let atMs = createdMs;
  const noteMs = createdMs + 30 * 60_000;
  if (noteMs < endMs) {
    batch.notes.id.push(uuidFrom(random));
    batch.notes.caseIndex.push(row);
    batch.notes.authorId.push(owner.id);
    batch.notes.text.push(pick(random, FOLLOW_UP_NOTES));
    batch.notes.at.push(new Date(noteMs).toISOString());
    atMs = noteMs;
  }

  const target = scaleTarget((endMs - createdMs) / DAY_MS, random);
  const path = workedPath(target === 'reopened' ? 'closed' : target, story, told, random).map(
    (step) =>
      step.type === 'RECORD_FEEDBACK' && target === 'reopened' ? { ...step, score: 2 } : step,
  );
  for (const step of path) {
    const [low, high] = STEP_DAYS[step.type] ?? [0, 3];
    const nextMs = atMs + between(random, low, high) * DAY_MS + between(random, 1, 8) * 3600_000;
    if (nextMs >= endMs) break; // not done yet: the case stays where it is
    atMs = nextMs;
    const event = { ...step, actor, at: new Date(atMs).toISOString() } as CaseEvent;
    const verdict = decideCaseEvent(state, lifecycle, event);
    if (!verdict.ok) {
      throw new Error(`seed walked an illegal path: ${step.type} from ${state}: ${verdict.code}`);
    }
    batch.history.caseIndex.push(row);
    batch.history.actorId.push(owner.id);
    batch.history.action.push(`case.transition.${step.type}`);
    batch.history.before.push(state);
    batch.history.after.push(verdict.state);
    batch.history.at.push(event.at);
    state = verdict.state;
    lifecycle = verdict.context;
  }

  const c = batch.cases;
  c.id.push(caseId);
  c.number.push(
    `${SCALE_WORKSTATION}-${beijingDay(createdAt)}-${String(index + 1).padStart(6, '0')}`,
  );
  c.customerName.push(intake.customerName);
  c.customerPhone.push(intake.customerPhone);
  c.channel.push(intake.channel);
  c.type.push(intake.type);
  c.businessLine.push(intake.businessLine);
  c.description.push(intake.description);
  c.expectation.push(intake.customerExpectation);
  c.status.push(state);
  c.lifecycle.push(JSON.stringify(lifecycle));
  c.priority.push(lifecycle.priority);
  c.ownerId.push(lifecycle.ownerId ?? owner.id);
  c.teamId.push(owner.teamId);
  c.branchId.push(owner.branchId);
  c.createdAt.push(createdAt.toISOString());
  c.updatedAt.push(new Date(atMs).toISOString());
}

async function insertScaleBatch(tx: Db, batch: ScaleBatch): Promise<void> {
  const n = batch.cases.id.length;
  // One version per case (its note shares it), handed out in one bump: pulls page by them.
  const bumped = await tx.query<{ v: string | number }>(
    'update sync_version set v = v + $1 returning v',
    [n],
  );
  const base = BigInt(bumped.rows[0]!.v) - BigInt(n);
  const c = batch.cases;
  await tx.query(
    `insert into cases (id, number, customer_name, customer_phone, channel, type, business_line,
                        description, customer_expectation, status, lifecycle, priority, owner_id,
                        team_id, branch_id, created_at, updated_at, version)
     select t.id, t.number, t.customer_name, t.customer_phone, t.channel, t.type, t.business_line,
            t.description, t.customer_expectation, t.status, t.lifecycle::jsonb, t.priority,
            t.owner_id, t.team_id, t.branch_id, t.created_at::timestamptz,
            t.updated_at::timestamptz, $18::bigint + t.ord
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                   $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                   $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
            with ordinality as t(id, number, customer_name, customer_phone, channel, type,
                                 business_line, description, customer_expectation, status,
                                 lifecycle, priority, owner_id, team_id, branch_id, created_at,
                                 updated_at, ord)`,
    [
      c.id,
      c.number,
      c.customerName,
      c.customerPhone,
      c.channel,
      c.type,
      c.businessLine,
      c.description,
      c.expectation,
      c.status,
      c.lifecycle,
      c.priority,
      c.ownerId,
      c.teamId,
      c.branchId,
      c.createdAt,
      c.updatedAt,
      String(base),
    ],
  );
  const notes = batch.notes;
  await tx.query(
    `insert into case_notes (id, case_id, author_id, text, created_at, recorded_at, version)
     select t.id, ($6::uuid[])[t.row + 1], t.author_id, t.text, t.at::timestamptz,
            t.at::timestamptz, $7::bigint + t.row + 1
       from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[])
            as t(id, row, author_id, text, at)`,
    [notes.id, notes.caseIndex, notes.authorId, notes.text, notes.at, c.id, String(base)],
  );
  const history = batch.history;
  await tx.query(
    `insert into case_history (case_id, actor_id, client_id, action, before, after, at)
     select ($7::uuid[])[t.row + 1], t.actor_id, null, t.action,
            case when t.before is null then null else jsonb_build_object('status', t.before) end,
            jsonb_build_object('status', t.after), t.at::timestamptz
       from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            with ordinality as t(row, actor_id, action, before, after, at, ord)
      order by t.ord`,
    [
      history.caseIndex,
      history.actorId,
      history.action,
      history.before,
      history.after,
      history.at,
      c.id,
    ],
  );
}

/**
 * The demo set, then (once: skipped when its first team exists) people and cases at scale.
 * Deterministic for a seed and an end time; cases spread over the 365 days before `endAt`
 * (default: the start of today, UTC, so that runs on one day agree).
 */
export async function seedAtScale(
  db: Db,
  opts: { size?: SeedSize; seed?: number; endAt?: Date; onProgress?: (cases: number) => void } = {},
): Promise<SeedResult> {
  const size = opts.size ?? FULL_SEED;
  const seed = opts.seed ?? 20261101;
  const endMs = (opts.endAt ?? new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS)).getTime();
  await seedDemo(db, { seed });
  const random = prng(seed ^ 0x5eed5ca1);
  const { teams, branches, people, agents } = scalePeople(size, random);
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  const fresh = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const existing = await tx.query('select 1 from teams where id = $1', [teams[0]!.id]);
    if (existing.rows.length > 0) return false;
    await tx.query(
      `insert into teams (id, code, name) select * from unnest($1::text[], $2::text[], $3::text[])`,
      [teams.map((t) => t.id), teams.map((t) => t.code), teams.map((t) => t.name)],
    );
    await tx.query(
      `insert into branches (id, code, name)
       select * from unnest($1::text[], $2::text[], $3::text[])`,
      [branches.map((b) => b.id), branches.map((b) => b.code), branches.map((b) => b.name)],
    );
    await tx.query(
      `insert into users (id, username, display_name, role, team_id, branch_id, password_hash)
       select t.*, $7 from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::text[]) as t`,
      [
        people.map((p) => p.id),
        people.map((p) => p.username),
        people.map((p) => p.displayName),
        people.map((p) => p.role),
        people.map((p) => p.teamId),
        people.map((p) => p.branchId),
        passwordHash,
      ],
    );
    return true;
  });
  if (!fresh) return { seeded: false, users: 0, cases: 0 };

  // The next batch is walked through the machine while the database stores the last one.
  let storing: Promise<void> = Promise.resolve();
  for (let start = 0; start < size.cases; start += SCALE_BATCH) {
    const batch = emptyBatch();
    const end = Math.min(size.cases, start + SCALE_BATCH);
    for (let index = start; index < end; index++) {
      scaleCase(batch, index, size.cases, pick(random, agents), endMs, random);
    }
    await storing;
    storing = db
      .transaction((tx) => insertScaleBatch(tx, batch))
      .then(() => {
        opts.onProgress?.(end);
      });
    // A failed batch must not wait for the whole walk to be noticed.
    storing.catch(() => {});
  }
  await storing;
  return { seeded: true, users: people.length, cases: size.cases };
}
