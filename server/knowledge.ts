// Knowledge base: articles and standard scripts (话术), administered and searchable in Chinese.
//
// Admins write drafts, publish and archive them (/admin/knowledge/...); everyone signed in
// searches and reads the published ones. Each write bumps the global sync version (see
// sync.ts) and stamps it on the article, so /knowledge/changes hands workstations their
// offline copy with the same no-skip guarantee as the case pull: it reads in one REPEATABLE
// READ snapshot and its cursor is a version. Search: shared/knowledge.ts cuts text into
// terms (Han characters and bigrams, words), stored in a GIN-indexed text[]; the database
// finds the articles holding every query term and the shared ranking orders them.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  articleTerms,
  knowledgeExcerpt,
  KnowledgeArticle,
  KnowledgeCategory,
  KnowledgeChanges,
  KnowledgeChangesQuery,
  KnowledgeDraft,
  KnowledgeSearchQuery,
  KnowledgeSearchResponse,
  KnowledgeStatus,
  queryClauses,
  rankKnowledge,
  SyncVersion,
  type KnowledgeCategory as Category,
  type KnowledgeChangesQuery as ChangesQuery,
  type KnowledgeKind,
  type KnowledgeSearchQuery as SearchQuery,
} from '../shared/knowledge';
import { ApiError } from '../shared/sync-protocol';
import { ApiFailure } from './api-errors';
import { requireRole, requireSignIn, signedInUser } from './auth';
import { recordAdminChange } from './admin-history';
import type { Db } from './db';

interface ArticleRow {
  id: string;
  kind: KnowledgeKind;
  category: Category;
  title: string;
  tags: string[];
  body: string;
  status: KnowledgeStatus;
  author_id: string | null;
  author_name: string | null;
  updated_at: Date | string;
  version: string | number | bigint;
}

const ARTICLE_SELECT = `select a.id, a.kind, a.category, a.title, a.tags, a.body, a.status,
       a.author_id, u.display_name as author_name, a.updated_at, a.version
  from knowledge_articles a left join users u on u.id = a.author_id`;

function articleOf(row: ArticleRow): KnowledgeArticle {
  return {
    id: row.id,
    kind: row.kind,
    category: row.category,
    title: row.title,
    tags: row.tags,
    body: row.body,
    status: row.status,
    authorId: row.author_id,
    authorName: row.author_name,
    updatedAt: new Date(row.updated_at).toISOString(),
    version: String(row.version),
  };
}

/** Takes the writers' lock (see sync.ts) and gives this transaction's version and time. */
async function nextVersion(tx: Db): Promise<{ version: string; now: string }> {
  const bumped = await tx.query<{ v: string | number; now: Date | string }>(
    'update sync_version set v = v + 1 returning v, now() as now',
  );
  return { version: String(bumped.rows[0]!.v), now: new Date(bumped.rows[0]!.now).toISOString() };
}

const notFound = (id: string) =>
  new ApiFailure(404, { code: 'KNOWLEDGE_NOT_FOUND', message: `No knowledge article ${id}.` });

async function articleById(db: Db, id: string): Promise<KnowledgeArticle | null> {
  const found = await db.query<ArticleRow>(`${ARTICLE_SELECT} where a.id = $1`, [id]);
  return found.rows[0] ? articleOf(found.rows[0]) : null;
}

/** An administrator's change is recorded in admin_history; the seed's is not. */
type Auditor = { id: string; clientId: string | null } | null;

async function audit(
  tx: Db,
  by: Auditor,
  id: string,
  action: string,
  before: ArticleRow | null,
): Promise<void> {
  if (!by) return;
  const after = await tx.query<ArticleRow>(
    'select a.*, null as author_name from knowledge_articles a where a.id = $1',
    [id],
  );
  const shown = (row: ArticleRow | null | undefined) => (row ? articleOf(row) : null);
  await recordAdminChange(tx, {
    actor: by,
    entity: 'knowledge',
    entityId: id,
    action,
    before: shown(before),
    after: shown(after.rows[0]),
  });
}

export async function createArticle(
  db: Db,
  authorId: string | null,
  draft: KnowledgeDraft,
  by: Auditor = null,
): Promise<KnowledgeArticle> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    const { version, now } = await nextVersion(tx);
    await tx.query(
      `insert into knowledge_articles (id, kind, category, title, tags, body, status, author_id,
                                       created_at, updated_at, version, search_terms)
       values ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8, $9, $10)`,
      [
        id,
        draft.kind,
        draft.category,
        draft.title,
        draft.tags,
        draft.body,
        authorId,
        now,
        version,
        articleTerms(draft),
      ],
    );
    await audit(tx, by, id, 'create', null);
  });
  return (await articleById(db, id))!;
}

/** Locks the article for this transaction; 404 when there is none, 409 on a stale base. */
async function lockArticle(tx: Db, id: string, baseVersion?: string): Promise<ArticleRow> {
  const found = await tx.query<ArticleRow>(
    `select a.*, null as author_name from knowledge_articles a where a.id = $1 for update`,
    [id],
  );
  const row = found.rows[0];
  if (!row) throw notFound(id);
  if (baseVersion !== undefined && String(row.version) !== baseVersion) {
    throw new ApiFailure(409, {
      code: 'KNOWLEDGE_VERSION_CONFLICT',
      message: `The article changed since version ${baseVersion} (now ${String(row.version)}); reload it.`,
    });
  }
  return row;
}

export async function updateArticle(
  db: Db,
  authorId: string,
  id: string,
  draft: KnowledgeDraft,
  baseVersion: string,
  by: Auditor = null,
): Promise<KnowledgeArticle> {
  await db.transaction(async (tx) => {
    const before = await lockArticle(tx, id, baseVersion);
    const { version, now } = await nextVersion(tx);
    await tx.query(
      `update knowledge_articles
          set kind = $2, category = $3, title = $4, tags = $5, body = $6, author_id = $7,
              updated_at = $8, version = $9, search_terms = $10
        where id = $1`,
      [
        id,
        draft.kind,
        draft.category,
        draft.title,
        draft.tags,
        draft.body,
        authorId,
        now,
        version,
        articleTerms(draft),
      ],
    );
    await audit(tx, by, id, 'update', before);
  });
  return (await articleById(db, id))!;
}

/** Publishing or archiving; asking for the status it already has changes nothing. */
export async function setArticleStatus(
  db: Db,
  id: string,
  status: Exclude<KnowledgeStatus, 'draft'>,
  by: Auditor = null,
): Promise<KnowledgeArticle> {
  await db.transaction(async (tx) => {
    const row = await lockArticle(tx, id);
    if (row.status === status) return;
    const { version, now } = await nextVersion(tx);
    await tx.query(
      `update knowledge_articles
          set status = $2, updated_at = $3, version = $4,
              was_published = was_published or $2 = 'published'
        where id = $1`,
      [id, status, now, version],
    );
    await audit(tx, by, id, status === 'published' ? 'publish' : 'archive', row);
  });
  return (await articleById(db, id))!;
}

/** At most this many candidates are ranked: far more than anyone reads of a result list. */
const MAX_CANDIDATES = 1000;

export async function searchKnowledge(
  db: Db,
  query: SearchQuery,
): Promise<KnowledgeSearchResponse> {
  const clauses = queryClauses(query.q);
  // A query of punctuation only finds nothing rather than everything.
  if (query.q.trim() !== '' && clauses.length === 0) return { hits: [] };
  // Both operators use the GIN index: @> for the terms required, && for each choice.
  const required = clauses.filter((clause) => clause.length === 1).map((clause) => clause[0]!);
  const choices = clauses.filter((clause) => clause.length > 1);
  const found = await db.query<ArticleRow>(
    `${ARTICLE_SELECT}
      where a.status = 'published' and a.search_terms @> $1::text[]
        ${choices.map((_, i) => `and a.search_terms && $${i + 4}::text[]`).join(' ')}
        and ($2::text is null or a.category = $2) and ($3::text is null or $3 = any (a.tags))
      order by a.updated_at desc, a.id
      limit ${MAX_CANDIDATES}`,
    [required, query.category ?? null, query.tag?.trim() ?? null, ...choices],
  );
  const articles = found.rows.map(articleOf);
  const ranked =
    clauses.length === 0
      ? articles.map((article) => ({ article, score: 0 }))
      : rankKnowledge(query.q, articles);
  return {
    hits: ranked.slice(0, query.limit).map(({ article, score }) => {
      const { body, ...summary } = article;
      return { ...summary, excerpt: knowledgeExcerpt(query.q, body), score };
    }),
  };
}

/** Published articles and tombstones after a version, from one snapshot (see the top). */
export async function knowledgeChanges(db: Db, query: ChangesQuery): Promise<KnowledgeChanges> {
  return db.transaction(
    async (tx) => {
      const current = await tx.query<{ v: string | number }>('select v from sync_version');
      const currentVersion = BigInt(current.rows[0]!.v);
      // A cursor from the future means the database was replaced: start over.
      const after = BigInt(query.after) > currentVersion ? '0' : query.after;
      // From scratch the workstation holds nothing to remove: published ones only. Later,
      // also those unpublished since (tombstones); a draft never published never travels.
      const wanted =
        after === '0'
          ? "and a.status = 'published'"
          : "and (a.status = 'published' or a.was_published)";
      // The next `limit` versions and one more to know whether more remain; a transaction
      // that wrote several articles (the seed) shares one version, and they stay together.
      const marks = await tx.query<{ version: string | number }>(
        `select a.version from knowledge_articles a where a.version > $1 ${wanted}
          order by a.version limit $2`,
        [after, query.limit + 1],
      );
      const hasMore = marks.rows.length > query.limit;
      const upper = hasMore ? String(marks.rows[query.limit - 1]!.version) : String(currentVersion);
      const rows = await tx.query<ArticleRow>(
        `${ARTICLE_SELECT} where a.version > $1 and a.version <= $2 ${wanted}
          order by a.version, a.id`,
        [after, upper],
      );
      const articles = rows.rows.map(articleOf);
      return {
        articles: articles.filter((a) => a.status === 'published'),
        removedIds: articles.filter((a) => a.status !== 'published').map((a) => a.id),
        cursor: upper,
        hasMore,
      };
    },
    { isolation: 'repeatable read' },
  );
}

const ArticleParams = z.object({ id: z.uuid() });
const AdminListQuery = z.object({
  status: KnowledgeStatus.optional(),
  category: KnowledgeCategory.optional(),
});
const AdminArticleList = z.object({ articles: z.array(KnowledgeArticle) });
const ArticleEdit = KnowledgeDraft.extend({
  /** The version the admin edited: a newer one in the database refuses the edit (409). */
  baseVersion: SyncVersion,
});

const failures = { 400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError };

export async function knowledgeRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db } = opts;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, opts.jwtSecret);
  const security = [{ bearerAuth: [] }];
  const admin = (request: Parameters<typeof signedInUser>[0]) => {
    const user = signedInUser(request);
    requireRole(user, 'admin');
    return user;
  };

  routes.get(
    '/knowledge/search',
    {
      onRequest,
      schema: {
        summary: 'Search the published articles and scripts (Chinese, Latin and digits)',
        tags: ['knowledge'],
        security,
        querystring: KnowledgeSearchQuery,
        response: { 200: KnowledgeSearchResponse, ...failures },
      },
    },
    async (request) => {
      signedInUser(request);
      return searchKnowledge(db, request.query);
    },
  );

  routes.get(
    '/knowledge/changes',
    {
      onRequest,
      schema: {
        summary: 'Published articles changed after a version, and tombstones, for offline copies',
        tags: ['knowledge'],
        security,
        querystring: KnowledgeChangesQuery,
        response: { 200: KnowledgeChanges, ...failures },
      },
    },
    async (request) => {
      signedInUser(request);
      return knowledgeChanges(db, request.query);
    },
  );

  routes.get(
    '/knowledge/:id',
    {
      onRequest,
      schema: {
        summary: 'One article; drafts and archived ones only for admins',
        tags: ['knowledge'],
        security,
        params: ArticleParams,
        response: { 200: KnowledgeArticle, 404: ApiError, ...failures },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      const article = await articleById(db, request.params.id);
      if (!article || (article.status !== 'published' && user.role !== 'admin'))
        throw notFound(request.params.id);
      return article;
    },
  );

  routes.get(
    '/admin/knowledge',
    {
      onRequest,
      schema: {
        summary: 'Every article in any status, most recently updated first (admins)',
        tags: ['knowledge', 'admin'],
        security,
        querystring: AdminListQuery,
        response: { 200: AdminArticleList, ...failures },
      },
    },
    async (request) => {
      admin(request);
      const found = await db.query<ArticleRow>(
        `${ARTICLE_SELECT}
          where ($1::text is null or a.status = $1) and ($2::text is null or a.category = $2)
          order by a.updated_at desc, a.id`,
        [request.query.status ?? null, request.query.category ?? null],
      );
      return { articles: found.rows.map(articleOf) };
    },
  );

  routes.post(
    '/admin/knowledge',
    {
      onRequest,
      schema: {
        summary: 'Write a new article or script, as a draft (admins)',
        tags: ['knowledge', 'admin'],
        security,
        body: KnowledgeDraft,
        response: { 201: KnowledgeArticle, ...failures },
      },
    },
    async (request, reply) => {
      const user = admin(request);
      return reply
        .code(201)
        .send(
          await createArticle(db, user.id, request.body, { id: user.id, clientId: user.clientId }),
        );
    },
  );

  routes.put(
    '/admin/knowledge/:id',
    {
      onRequest,
      schema: {
        summary: 'Edit an article; refused when it changed since baseVersion (admins)',
        tags: ['knowledge', 'admin'],
        security,
        params: ArticleParams,
        body: ArticleEdit,
        response: { 200: KnowledgeArticle, 404: ApiError, 409: ApiError, ...failures },
      },
    },
    async (request) => {
      const user = admin(request);
      const { baseVersion, ...draft } = request.body;
      return updateArticle(db, user.id, request.params.id, draft, baseVersion, {
        id: user.id,
        clientId: user.clientId,
      });
    },
  );

  for (const [action, status] of [
    ['publish', 'published'],
    ['archive', 'archived'],
  ] as const) {
    routes.post(
      `/admin/knowledge/:id/${action}`,
      {
        onRequest,
        schema: {
          summary: `Set an article ${status}; workstations ${
            status === 'published' ? 'receive it' : 'drop it'
          } at their next sync (admins)`,
          tags: ['knowledge', 'admin'],
          security,
          params: ArticleParams,
          response: { 200: KnowledgeArticle, 404: ApiError, ...failures },
        },
      },
      async (request) => {
        const user = admin(request);
        return setArticleStatus(db, request.params.id, status, {
          id: user.id,
          clientId: user.clientId,
        });
      },
    );
  }
}

// --- the articles shipped with the system ----------------------------------------------

interface SeedArticle extends KnowledgeDraft {
  /** Stable across releases: the article's id is derived from it. */
  key: string;
}

/** A UUID (version 5 layout) from a name, so that seeding twice finds its own rows. */
function seedArticleId(key: string): string {
  const hex = createHash('sha1').update(`knowledge:${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SEED_LOCK_KEY = 4_010_005;

/**
 * Adds the shipped articles that are missing, published, in one transaction (one version).
 * Idempotent: an article seeded before, edited or archived since, is left as it is.
 */
export async function seedKnowledge(db: Db): Promise<{ inserted: number }> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const ids = SEED_ARTICLES.map((article) => seedArticleId(article.key));
    const present = await tx.query<{ id: string }>(
      'select id from knowledge_articles where id = any ($1::uuid[])',
      [ids],
    );
    const have = new Set(present.rows.map((row) => row.id));
    const missing = SEED_ARTICLES.filter((article) => !have.has(seedArticleId(article.key)));
    if (missing.length === 0) return { inserted: 0 };
    const { version, now } = await nextVersion(tx);
    for (const article of missing) {
      const draft = KnowledgeDraft.parse(article);
      await tx.query(
        `insert into knowledge_articles (id, kind, category, title, tags, body, status,
                                         was_published, author_id, created_at, updated_at,
                                         version, search_terms)
         values ($1, $2, $3, $4, $5, $6, 'published', true, null, $7, $7, $8, $9)`,
        [
          seedArticleId(article.key),
          draft.kind,
          draft.category,
          draft.title,
          draft.tags,
          draft.body,
          now,
          version,
          articleTerms(draft),
        ],
      );
    }
    return { inserted: missing.length };
  });
}

export const SEED_ARTICLES: readonly SeedArticle[] = [
  {
    key: 'card-fraud-first-steps',
    kind: 'article',
    category: 'card_fraud',
    title: '信用卡盗刷：接到客户来电后的处置步骤',
    tags: ['盗刷', '信用卡', '止付', '挂失'],
    body: '客户反映信用卡被盗刷时，先确认身份，再立即协助客户办理临时止付或挂失，防止损失扩大。\n1. 核实持卡人身份（姓名、证件后四位、预留手机号）。\n2. 询问卡片是否仍在身边、最后一次正常交易的时间和地点。\n3. 立即冻结卡片交易（临时止付），并告知客户挂失后原卡不可再用。\n4. 记录可疑交易的时间、金额、商户名称，提交争议交易（拒付）申请。\n5. 提醒客户尽快向公安机关报警，保留报案回执，以便后续调单与追偿。\n工单优先级为紧急，15分钟内首次联系，2小时内查明原因。',
  },
  {
    key: 'card-fraud-chargeback',
    kind: 'article',
    category: 'card_fraud',
    title: '争议交易（拒付）申请的条件与时限',
    tags: ['盗刷', '拒付', '争议交易', '调单'],
    body: '境内外卡组织对争议交易的受理时限不同：银联一般为交易日起180天内，Visa、Mastercard为120天内。\n需要客户提供：争议交易声明书、身份证件复印件、报案回执（盗刷类）。\n调单期间，可先为客户办理争议款项的临时挂账，免收该笔款项的利息和滞纳金。\n处理结果以卡组织仲裁为准，须在处理决定中向客户说明依据。',
  },
  {
    key: 'card-fraud-script-reassure',
    kind: 'script',
    category: 'card_fraud',
    title: '话术：客户因盗刷情绪激动',
    tags: ['盗刷', '安抚', '话术'],
    body: '“您好，我非常理解您现在的着急，卡里的钱被别人刷走，换作是我也会很担心。请您放心，我现在马上帮您把卡片止付，先保证不再有新的损失。接下来我会一步步帮您登记这几笔交易，并告诉您后续怎么处理、多久会有结果。”\n注意：不要承诺“一定全额退回”，只说明会按流程提交争议并跟进。',
  },
  {
    key: 'card-fraud-overseas',
    kind: 'article',
    category: 'card_fraud',
    title: '境外盗刷与无卡交易的识别',
    tags: ['盗刷', '境外', '无卡交易', 'CVV'],
    body: '境外盗刷多为无卡交易（网购、订阅），常见特征是小额试刷后连续大额交易。\n核查要点：交易国家与客户出行记录是否一致、是否为3D验证交易、是否有短信验证码被泄露。\n若客户曾在陌生网站输入卡号、有效期和CVV，应提醒客户换卡，并关闭境外无卡交易功能。',
  },
  {
    key: 'phone-scam-warning',
    kind: 'article',
    category: 'card_fraud',
    title: '电信诈骗：冒充客服、公检法的常见话术识别',
    tags: ['诈骗', '被骗', '报警', '反诈'],
    body: '诈骗分子常冒充银行客服、快递理赔、公检法人员，要求客户将资金转入“安全账户”或提供验证码。\n银行不会要求客户转账到所谓安全账户，也不会索要短信验证码和密码。\n客户已转账的，立即引导其拨打110报警并联系收款行止付；登记工单为紧急，并通知风险团队人工介入。',
  },
  {
    key: 'frozen-funds-judicial',
    kind: 'article',
    category: 'frozen_funds',
    title: '资金冻结：司法冻结的查询与告知',
    tags: ['冻结', '司法冻结', '法院', '账户'],
    body: '司法冻结由法院、检察院、公安机关等有权机关依法执行，银行只能协助执行，不能自行解冻。\n客户来电时：告知冻结机关名称、文书编号、冻结金额和期限（可查询到的范围内），请客户直接联系执行机关。\n不得向客户透露办案人员的个人信息；对客户的情绪予以安抚，说明银行的协助义务。',
  },
  {
    key: 'frozen-funds-risk-control',
    kind: 'article',
    category: 'frozen_funds',
    title: '账户因风控被限制交易（非柜面限制）的解除流程',
    tags: ['冻结', '风控', '限制交易', '非柜面'],
    body: '账户出现异常交易（频繁大额转入转出、涉诈名单命中）时，系统会暂停非柜面交易。\n解除需客户本人携带有效身份证件到开户网点，说明资金来源和交易用途，网点核实后提交解除申请。\n一般在核实完成后1个工作日内解除。客户无法到网点的，登记工单并由网点预约上门或视频核实。',
  },
  {
    key: 'frozen-funds-script',
    kind: 'script',
    category: 'frozen_funds',
    title: '话术：客户质问为什么冻结我的钱',
    tags: ['冻结', '安抚', '话术', '风控'],
    body: '“您的心情我完全理解，账户突然用不了，确实会影响您的生活和生意。这个限制是为了保护您的资金安全，系统发现了一些需要核实的交易。我先帮您查一下限制的原因和解除需要准备的材料，您只要带身份证到网点核实一下，我们会尽快帮您恢复。”\n避免说“这是规定我也没办法”。',
  },
  {
    key: 'frozen-funds-telecom',
    kind: 'article',
    category: 'frozen_funds',
    title: '涉诈账户冻结与申诉渠道',
    tags: ['冻结', '涉诈', '申诉', '公安'],
    body: '公安机关对涉嫌电信网络诈骗的账户实施冻结时，银行按要求执行。客户认为误冻的，可通过开户行提交申诉材料，由银行转交公安机关核查。\n申诉材料：身份证件、资金往来说明、交易凭证。处理时限以公安机关答复为准，银行应在收到答复后及时告知客户。',
  },
  {
    key: 'annual-fee',
    kind: 'article',
    category: 'fees',
    title: '信用卡年费的收取规则与减免',
    tags: ['年费', '信用卡', '减免', '收费'],
    body: '普卡首年免年费，当年刷卡满6次可免次年年费；金卡以上按卡种收取，具体见收费标准。\n客户对信用卡年费有异议时：核实卡种和刷卡次数；符合减免条件而被收取的，予以退还；不符合但客户为首次反映的，可按权限申请一次性减免。\n告知客户年费的收取日期和查询方式，避免重复投诉。',
  },
  {
    key: 'fee-script-refund',
    kind: 'script',
    category: 'fees',
    title: '话术：客户要求退还年费或手续费',
    tags: ['年费', '手续费', '退费', '话术'],
    body: '“感谢您告诉我们这个问题。我看了一下，这笔年费是在X月X日收取的。按照您的用卡情况，我可以帮您提交减免申请，结果会在3个工作日内短信通知您。以后年费收取前我们也会提前提醒您。”\n如超出前线补偿权限（500元），须说明需要主管审批。',
  },
  {
    key: 'transfer-fee',
    kind: 'article',
    category: 'fees',
    title: '跨行转账与异地取现手续费说明',
    tags: ['手续费', '转账', '取现', '收费'],
    body: '手机银行、网上银行跨行转账免手续费；柜面跨行转账按金额分档收费。\n借记卡跨行取现每月前3笔免费，之后每笔2元；境外取现按卡组织规定收取。\n客户投诉被重复收费的，调取交易流水核对；系统重复扣收的，全额退还并致歉。',
  },
  {
    key: 'overdue-penalty',
    kind: 'article',
    category: 'loans',
    title: '信用卡逾期：违约金与征信影响',
    tags: ['逾期', '违约金', '征信', '还款'],
    body: '客户因特殊原因（住院、疫情隔离、系统故障）未能按时还款的，可提供证明申请减免违约金和利息。\n逾期记录已报送征信的，如确属银行原因造成，应在核实后20日内提交征信异议更正；属客户原因的，如实告知不能删除。\n与客户沟通时说明容时容差规则：还款日后3天内还清视为按时还款。',
  },
  {
    key: 'loan-prepayment',
    kind: 'article',
    category: 'loans',
    title: '个人住房贷款提前还款的申请与费用',
    tags: ['贷款', '提前还款', '房贷', '违约金'],
    body: '提前还款需提前预约，一般在预约后的下一个还款日办理。部分合同约定提前还款违约金，以合同条款为准。\n客户投诉预约排队时间过长的，核实预约日期，向客户说明额度安排并给出预计办理日期。',
  },
  {
    key: 'wealth-mis-selling',
    kind: 'article',
    category: 'wealth',
    title: '理财产品亏损投诉：销售适当性核查',
    tags: ['理财', '亏损', '适当性', '风险评估'],
    body: '客户购买理财产品亏损后投诉“销售时未告知风险”的，核查：\n1. 客户风险评估等级与产品风险等级是否匹配；\n2. 是否完成录音录像（双录）；\n3. 风险揭示书是否由客户本人签署。\n核查结果在处理决定中如实告知。存在误导销售的，按规定赔偿；不存在的，解释产品净值变动原因，不得承诺保本。',
  },
  {
    key: 'wealth-script',
    kind: 'script',
    category: 'wealth',
    title: '话术：理财亏损客户的沟通',
    tags: ['理财', '亏损', '话术', '安抚'],
    body: '“我理解看到收益是负数时您会很失望。我先帮您调一下当时购买的记录，包括风险评估和签署的材料，看看销售过程有没有问题。同时我也请理财经理给您详细讲一下这只产品净值下跌的原因，以及后面的持有建议。核查结果我会在15日内给您答复。”',
  },
  {
    key: 'wealth-redemption',
    kind: 'article',
    category: 'wealth',
    title: '理财产品赎回资金到账时间',
    tags: ['理财', '赎回', '到账', '基金'],
    body: '现金管理类产品T+1日到账；固定期限产品到期后1至3个工作日到账；基金赎回按基金合同约定（一般T+1至T+4个工作日）。\n遇节假日顺延。客户反映未到账的，查询赎回申请状态和清算日期，超期的联系产品方核实。',
  },
  {
    key: 'app-login-failure',
    kind: 'article',
    category: 'digital',
    title: '手机银行无法登录的排查',
    tags: ['手机银行', 'APP', '登录', '密码'],
    body: '常见原因：登录密码连续输错5次被锁定；更换手机后设备未绑定；APP版本过旧；手机系统时间不正确。\n排查步骤：确认报错信息；引导客户升级到最新版本；密码锁定的次日自动解锁，或通过“忘记密码”人脸识别重置。\n大面积登录失败时，查看系统公告，确认是否为系统故障，按故障应急流程登记。',
  },
  {
    key: 'app-transfer-pending',
    kind: 'article',
    category: 'digital',
    title: '手机银行转账显示“处理中”或对方未收到',
    tags: ['手机银行', 'APP', '转账', '到账'],
    body: '跨行转账一般实时到账，部分情况下需2小时或次日到账（超过5万元的大额跨行转账在非工作时间）。\n客户反映“扣款成功但对方未收到”的，查询交易流水号和清算状态；退回的款项1至3个工作日原路退回。\n不要让客户重复转账。',
  },
  {
    key: 'app-sms-code',
    kind: 'article',
    category: 'digital',
    title: '收不到短信验证码的处理',
    tags: ['短信', '验证码', '手机银行', 'APP'],
    body: '检查预留手机号是否正确、手机是否拦截了106开头的短信、是否欠费停机。\n预留手机号已更换的，需本人携带身份证到网点变更。\n提醒客户：任何人索要验证码都是诈骗。',
  },
  {
    key: 'etc-card',
    kind: 'article',
    category: 'digital',
    title: 'ETC记账卡扣费异常',
    tags: ['ETC', '扣费', '高速', '信用卡'],
    body: 'ETC扣费由高速公路收费系统发起，银行按收费方的扣款指令入账。客户反映重复扣费或金额不符的，先请客户在ETC发行方APP查询通行记录，银行提供扣款流水。\n确属重复扣款的，由银行向发行方提交退费申请，一般7至15个工作日退回。',
  },
  {
    key: 'account-dormant',
    kind: 'article',
    category: 'accounts',
    title: '久悬账户的激活',
    tags: ['账户', '久悬', '激活', '存款'],
    body: '一年以上未发生收付活动的账户可能被列为久悬账户，暂停非柜面交易。\n客户本人携带身份证件到任意网点即可激活；资金不受影响。',
  },
  {
    key: 'account-opening-refused',
    kind: 'article',
    category: 'accounts',
    title: '开户被拒或限额开户的解释',
    tags: ['开户', '账户', '限额', '反诈'],
    body: '按反电信网络诈骗要求，银行对开户目的不明确、无法提供相关证明的客户，可拒绝开户或开立限额账户。\n向客户解释时说明这是监管要求和保护措施，并告知可以补充的证明材料（工作证明、居住证明、业务往来凭证）。',
  },
  {
    key: 'deposit-certificate',
    kind: 'article',
    category: 'accounts',
    title: '大额存单提前支取的利息计算',
    tags: ['存款', '存单', '提前支取', '利息'],
    body: '大额存单提前支取，按支取日挂牌活期利率计息，部分产品支持部分提前支取。\n客户对利息计算有异议的，提供计息明细，逐笔说明起息日、利率和天数。',
  },
  {
    key: 'apology-script',
    kind: 'script',
    category: 'de_escalation',
    title: '话术：标准致歉',
    tags: ['致歉', '安抚', '话术'],
    body: '“非常抱歉给您带来了不便，这是我们的工作没有做好。您反映的问题我已经详细记录下来了，我会亲自跟进，在X点之前给您回电告知处理进展。”\n致歉要具体：说明为什么道歉，给出下一次联系的时间，并做到。',
  },
  {
    key: 'angry-customer-script',
    kind: 'script',
    category: 'de_escalation',
    title: '话术：客户情绪激动、要投诉到监管',
    tags: ['安抚', '升级', '监管', '话术'],
    body: '先倾听，不打断；复述客户的核心诉求，确认理解正确。\n“您说的情况我都记下了：一是……，二是……。您希望我们……，对吗？您有权向监管部门反映，同时也请给我们一次机会，我这边会把您的问题升级给主管，今天内给您答复。”\n不要与客户争辩，不要说“这不归我们管”。',
  },
  {
    key: 'callback-script',
    kind: 'script',
    category: 'de_escalation',
    title: '话术：回访客户满意度',
    tags: ['回访', '满意度', '话术'],
    body: '“您好，我是XX银行客服，就您X月X日反映的……问题做个回访。请问问题现在解决了吗？您对我们的处理满意吗？如果打分1到5分，您会打几分？”\n客户打分低于3分的，工单重新打开，说明会再次跟进。',
  },
  {
    key: 'complaint-deadlines',
    kind: 'article',
    category: 'process',
    title: '投诉处理时限：15日、30日、60日',
    tags: ['时限', '投诉', '监管', '延期'],
    body: '依据《银行业保险业消费投诉处理管理办法》，银行应在收到投诉之日起15日内作出处理决定并告知投诉人；情况复杂的可延长至30日；情况特别复杂或有特殊原因的，经上级机构或总行高管审批并告知投诉人，可再延长30日。\n期间按民法典计算：从收到投诉的次日起算，最后一日是法定节假日的，顺延至节假日后的第一个工作日。',
  },
  {
    key: 'compensation-approval',
    kind: 'article',
    category: 'process',
    title: '补偿权限与审批',
    tags: ['补偿', '审批', '权限'],
    body: '一线人员可直接给予500元以内的补偿；超过的按金额分级审批：2000元以内由组长审批，10000元以内增加部门负责人，超过10000元提交服务委员会。\n补偿须记录原因、金额和审批人，并在处理决定中告知客户。',
  },
  {
    key: 'risk-keywords',
    kind: 'article',
    category: 'process',
    title: '风险关键词与紧急工单',
    tags: ['风险', '紧急', '关键词', '盗刷', '冻结'],
    body: '描述或备注中出现被骗、盗刷、冻结、挂失、诈骗、报警等风险关键词的，工单自动升为紧急，并通知风险团队人工介入。\n坐席不应为了降低工作量而回避这些词，应如实记录客户原话。',
  },
  {
    key: 'transfer-between-desks',
    kind: 'article',
    category: 'process',
    title: '工单转派与部门协查',
    tags: ['转派', '协查', '部门', '工单'],
    body: '需要其他部门协助的（例如卡部调单、风控核查），在工单中发起协查，写明需要对方回答的问题和期望时间。\n等待协查期间工单状态为“等待部门”，对客户的进度更新不能中断。',
  },
  {
    key: 'branch-queue-complaint',
    kind: 'article',
    category: 'accounts',
    title: '网点排队时间过长的投诉处理',
    tags: ['网点', '排队', '柜台', '服务'],
    body: '核实客户到店时间和取号记录，了解当时的窗口开放情况。向客户致歉，说明可通过手机银行预约取号，大部分业务也可在手机银行自助办理。\n网点负责人应在3个工作日内回复改进措施。',
  },
];
