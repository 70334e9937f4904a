// The knowledge base on a real PostgreSQL 15 (and a PGlite smoke): Chinese search through
// the API, admin-only writes, validation, and the workstations' changes feed that never
// skips an article committed late.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rankKnowledge,
  type KnowledgeArticle,
  type KnowledgeChanges,
  type KnowledgeDraft,
  type KnowledgeSearchResponse,
} from '../../shared/knowledge';
import { buildServer } from '../../server/app';
import { openDb, openPglite, type Db } from '../../server/db';
import {
  createArticle,
  SEED_ARTICLES,
  seedKnowledge,
  setArticleStatus,
} from '../../server/knowledge';
import { runMigrations } from '../../server/migrations';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('knowledge-secret-knowledge-secret');
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  postgres = await startPostgres('knowledge_test');
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 0 });
  await seedKnowledge(db);
  app = buildServer({ db, jwtSecret });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
});

type Headers = { authorization: string };

async function signIn(server: FastifyInstance, username: string): Promise<Headers> {
  const response = await server.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId: randomUUID() },
  });
  expect(response.statusCode, response.body).toBe(200);
  return { authorization: `Bearer ${response.json().token}` };
}

async function search(
  headers: Headers,
  params: Record<string, string>,
  server = app,
): Promise<KnowledgeSearchResponse> {
  const response = await server.inject({
    method: 'GET',
    url: `/knowledge/search?${new URLSearchParams(params)}`,
    headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function changes(
  headers: Headers,
  after: string,
  limit?: number,
  server = app,
): Promise<KnowledgeChanges> {
  const query = new URLSearchParams({ after });
  if (limit) query.set('limit', String(limit));
  const response = await server.inject({
    method: 'GET',
    url: `/knowledge/changes?${query}`,
    headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** Page after page until nothing more: what a workstation's offline copy would hold. */
async function allChanges(headers: Headers, after = '0', limit?: number, server = app) {
  const pages: KnowledgeChanges[] = [];
  let cursor = after;
  for (;;) {
    const page = await changes(headers, cursor, limit, server);
    pages.push(page);
    expect(BigInt(page.cursor) >= BigInt(cursor)).toBe(true);
    cursor = page.cursor;
    if (!page.hasMore) return { pages, cursor };
  }
}

const draft = (overrides: Partial<KnowledgeDraft> = {}): KnowledgeDraft => ({
  kind: 'article',
  category: 'digital',
  title: '数字人民币钱包开通失败',
  tags: ['数字人民币', '钱包'],
  body: '客户开通数字人民币钱包时提示“身份校验失败”，请核对实名信息后重试。',
  ...overrides,
});

async function create(headers: Headers, body: KnowledgeDraft, server = app) {
  const response = await server.inject({
    method: 'POST',
    url: '/admin/knowledge',
    headers,
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<KnowledgeArticle>();
}

async function setStatus(
  headers: Headers,
  id: string,
  action: 'publish' | 'archive',
  server = app,
) {
  const response = await server.inject({
    method: 'POST',
    url: `/admin/knowledge/${id}/${action}`,
    headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<KnowledgeArticle>();
}

const countArticles = async () =>
  Number(
    (await db.query<{ n: string }>('select count(*) as n from knowledge_articles')).rows[0]!.n,
  );

const titleOf = (key: string) => SEED_ARTICLES.find((article) => article.key === key)!.title;

describe('search through the API', () => {
  it.each([
    ['盗刷', 'card-fraud-first-steps'],
    ['信用卡年费', 'annual-fee'],
    ['冻结', 'frozen-funds-judicial'],
    ['ETC', 'etc-card'],
    ['盜刷', 'card-fraud-first-steps'],
    ['手机银行登录', 'app-login-failure'],
    ['理财产品亏损', 'wealth-mis-selling'],
    ['验证码', 'app-sms-code'],
  ])('%s finds “%s” first', async (q, key) => {
    const headers = await signIn(app, 'agent01');
    const { hits } = await search(headers, { q });
    expect(hits[0]?.title).toBe(titleOf(key));
  });

  it('finds every published article holding a lone character, for branch staff too', async () => {
    const { hits } = await search(await signIn(app, 'branch01'), { q: '冻', limit: '50' });
    const holding = SEED_ARTICLES.filter((a) => `${a.title}${a.tags}${a.body}`.includes('冻'));
    expect(hits.map((hit) => hit.title).sort()).toEqual(holding.map((a) => a.title).sort());
    expect(hits[0]!.excerpt).toContain('冻');
  });

  it('narrows by category and tag', async () => {
    const headers = await signIn(app, 'lead01');
    const scripts = await search(headers, { q: '话术', category: 'de_escalation' });
    expect(scripts.hits.length).toBeGreaterThan(1);
    expect(scripts.hits.every((hit) => hit.category === 'de_escalation')).toBe(true);
    const tagged = await search(headers, { tag: '年费' });
    expect(tagged.hits.map((hit) => hit.title).sort()).toEqual(
      SEED_ARTICLES.filter((a) => a.tags.includes('年费'))
        .map((a) => a.title)
        .sort(),
    );
    expect((await search(headers, { q: '比特币' })).hits).toEqual([]);
    expect((await search(headers, { q: '。。' })).hits).toEqual([]);
  });

  it('refuses a bad category or an overlong query with field errors', async () => {
    const headers = await signIn(app, 'agent01');
    const response = await app.inject({
      method: 'GET',
      url: `/knowledge/search?${new URLSearchParams({ q: '卡'.repeat(101), category: 'nope' })}`,
      headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION');
    expect(
      response
        .json()
        .fields.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['category', 'q']);
  });

  it('asks for a sign-in', async () => {
    const response = await app.inject({ method: 'GET', url: '/knowledge/search?q=盗刷' });
    expect(response.statusCode).toBe(401);
  });
});

describe('the database and the shared ranking agree', () => {
  const vocabulary = [...'信用卡年费资金冻结盗刷手机银行'];
  const text = (min: number, max: number) =>
    fc
      .array(fc.oneof(fc.constantFrom(...vocabulary), fc.constantFrom(' ETC ', ' app ', '，')), {
        minLength: min,
        maxLength: max,
      })
      .map((parts) => parts.join(''));

  it('finds the same articles in the same order as a workstation searching its copy', async () => {
    // Its own tag keeps these articles apart from the rest of the base.
    const tag = `一致性${randomUUID().slice(0, 8)}`;
    const bodies = fc.sample(fc.tuple(text(1, 6), text(5, 60)), { numRuns: 40, seed: 20261123 });
    const articles: KnowledgeArticle[] = [];
    for (const [i, [title, body]] of bodies.entries()) {
      const written = await createArticle(db, null, {
        kind: 'article',
        category: 'process',
        title: `${i}号${title}`,
        tags: [tag],
        body,
      });
      articles.push(await setArticleStatus(db, written.id, 'published'));
    }
    const headers = await signIn(app, 'agent01');
    let found = 0;
    await fc.assert(
      fc.asyncProperty(text(1, 5), async (q) => {
        const { hits } = await search(headers, { q, tag, limit: '50' });
        const expected = rankKnowledge(q, articles).map((hit) => hit.article.id);
        expect(hits.map((hit) => hit.id)).toEqual(expected);
        if (hits.length > 1) found++;
      }),
      { numRuns: 60, seed: 7 },
    );
    expect(found).toBeGreaterThan(20); // the queries did find and order articles
  }, 60_000);
});

describe('administration', () => {
  it('refuses writes from anyone but an administrator, and stores nothing', async () => {
    const admin = await signIn(app, 'admin01');
    const article = await create(admin, draft());
    const before = await countArticles();
    for (const username of ['agent01', 'branch01', 'lead01']) {
      const headers = await signIn(app, username);
      const attempts = [
        { method: 'POST' as const, url: '/admin/knowledge', payload: draft() },
        {
          method: 'PUT' as const,
          url: `/admin/knowledge/${article.id}`,
          payload: { ...draft({ title: '改' }), baseVersion: article.version },
        },
        { method: 'POST' as const, url: `/admin/knowledge/${article.id}/publish` },
        { method: 'GET' as const, url: '/admin/knowledge' },
      ];
      for (const attempt of attempts) {
        const response = await app.inject({ ...attempt, headers });
        expect(response.statusCode, `${username} ${attempt.method} ${attempt.url}`).toBe(403);
        expect(response.json().code).toBe('FORBIDDEN');
      }
    }
    expect(await countArticles()).toBe(before);
    const stored = await app.inject({
      method: 'GET',
      url: `/knowledge/${article.id}`,
      headers: admin,
    });
    expect(stored.json()).toMatchObject({ status: 'draft', title: draft().title });
  });

  it('refuses an invalid article with field errors, and stores nothing', async () => {
    const admin = await signIn(app, 'admin01');
    const before = await countArticles();
    const response = await app.inject({
      method: 'POST',
      url: '/admin/knowledge',
      headers: admin,
      payload: { ...draft(), title: '  ', category: 'gossip', tags: ['年费', '年费'] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION' });
    expect(response.json().fields).toEqual(
      expect.arrayContaining([
        { path: 'title', code: 'REQUIRED' },
        { path: 'tags', code: 'DUPLICATE_TAG' },
        expect.objectContaining({ path: 'category' }),
      ]),
    );
    expect(await countArticles()).toBe(before);
  });

  it('takes an article from draft to published to archived, visible to agents only when published', async () => {
    const admin = await signIn(app, 'admin01');
    const agent = await signIn(app, 'agent01');
    const { cursor: start } = await allChanges(agent);
    const written = await create(admin, draft({ title: '数字人民币钱包开通失败怎么办' }));
    expect(written).toMatchObject({ status: 'draft', authorName: '刘洋' });
    expect((await search(agent, { q: '数字人民币' })).hits).toEqual([]);
    const hidden = await app.inject({
      method: 'GET',
      url: `/knowledge/${written.id}`,
      headers: agent,
    });
    expect(hidden.statusCode).toBe(404);

    const published = await setStatus(admin, written.id, 'publish');
    expect(BigInt(published.version) > BigInt(written.version)).toBe(true);
    expect(await setStatus(admin, written.id, 'publish')).toEqual(published); // no new version
    expect((await search(agent, { q: '数字人民币' })).hits[0]?.id).toBe(written.id);

    const stale = await app.inject({
      method: 'PUT',
      url: `/admin/knowledge/${written.id}`,
      headers: admin,
      payload: { ...draft({ title: '旧版本上的修改' }), baseVersion: written.version },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('KNOWLEDGE_VERSION_CONFLICT');

    const edited = await app.inject({
      method: 'PUT',
      url: `/admin/knowledge/${written.id}`,
      headers: admin,
      payload: {
        ...draft({ title: '数字人民币钱包：硬钱包挂失', tags: ['数字人民币', '硬钱包'] }),
        baseVersion: published.version,
      },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await search(agent, { q: '硬钱包' })).hits[0]?.id).toBe(written.id);
    expect((await search(agent, { q: '开通失败怎么办' })).hits.map((h) => h.id)).not.toContain(
      written.id,
    );

    const missing = await app.inject({
      method: 'POST',
      url: `/admin/knowledge/${randomUUID()}/archive`,
      headers: admin,
    });
    expect(missing.statusCode).toBe(404);

    await setStatus(admin, written.id, 'archive');
    expect((await search(agent, { q: '硬钱包' })).hits).toEqual([]);
    const { pages } = await allChanges(agent, start);
    expect(pages.flatMap((p) => p.removedIds)).toEqual([written.id]);
    expect(pages.flatMap((p) => p.articles).map((a) => a.id)).not.toContain(written.id);
  });

  it('seeds the shipped articles once', async () => {
    expect(await seedKnowledge(db)).toEqual({ inserted: 0 });
  });
});

describe('changes feed', () => {
  it('hands a new workstation every published article, a seed run kept on one page', async () => {
    const agent = await signIn(app, 'agent01');
    const { pages } = await allChanges(agent, '0', 5);
    const articles = pages.flatMap((p) => p.articles);
    // The shipped articles share the seed's version: they come together though limit is 5.
    expect(pages[0]!.articles.length).toBeGreaterThanOrEqual(SEED_ARTICLES.length);
    expect(articles.every((a) => a.status === 'published')).toBe(true);
    // Later pages may carry tombstones of archived articles (harmless to a fresh copy), never
    // of a draft: a draft was never on any workstation.
    const archived = await db.query<{ id: string }>(
      "select id from knowledge_articles where status = 'archived'",
    );
    const archivedIds = archived.rows.map((row) => row.id);
    expect(pages.flatMap((p) => p.removedIds).filter((id) => !archivedIds.includes(id))).toEqual(
      [],
    );
    expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
    const published = await db.query<{ n: string }>(
      "select count(*) as n from knowledge_articles where status = 'published'",
    );
    expect(articles).toHaveLength(Number(published.rows[0]!.n));
  });

  it('pages in version order without repeats and starts over after a cursor from the future', async () => {
    const admin = await signIn(app, 'admin01');
    const agent = await signIn(app, 'agent01');
    const { cursor: start } = await allChanges(agent);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const written = await create(admin, draft({ title: `分页测试第${i}篇` }));
      ids.push((await setStatus(admin, written.id, 'publish')).id);
    }
    const { pages } = await allChanges(agent, start, 3);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.flatMap((p) => p.articles.map((a) => a.id))).toEqual(ids);
    const future = await changes(agent, '999999999999');
    expect(future.articles.length).toBeGreaterThanOrEqual(SEED_ARTICLES.length);
  });

  it('refuses a cursor that is not a version', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/knowledge/changes?after=-1',
      headers: await signIn(app, 'agent01'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([{ path: 'after', code: 'VERSION_INVALID' }]);
  });

  /** Every writing transaction dawdles before it commits, so commits land out of order. */
  function dawdlingBeforeCommit(inner: Db): Db {
    return {
      ...inner,
      transaction: (fn, opts) =>
        inner.transaction(
          (tx) =>
            fn({
              ...tx,
              query: async <T>(sql: string, params?: unknown[]) => {
                const result = await tx.query<T>(sql, params);
                if (/^\s*(insert into|update) knowledge_articles/.test(sql)) {
                  await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
                }
                return result;
              },
            }),
          opts,
        ),
    };
  }

  it('never lets a polling workstation miss an article while 10 admins publish at once', async () => {
    const writerDb = await openDb({ databaseUrl: postgres.url });
    const writerApp = buildServer({ db: dawdlingBeforeCommit(writerDb), jwtSecret });
    const reader = await signIn(app, 'agent02');
    const { cursor: start } = await allChanges(reader);
    const admins = await Promise.all(
      Array.from({ length: 10 }, () => signIn(writerApp, 'admin01')),
    );
    const published: string[] = [];

    let writing = true;
    const seen: string[] = [];
    const poll = (async () => {
      let cursor = start;
      let polls = 0;
      for (let last = false; !last; polls++) {
        last = !writing;
        const { pages, cursor: next } = await allChanges(reader, cursor, 2);
        seen.push(...pages.flatMap((p) => p.articles.map((a) => a.id)));
        cursor = next;
      }
      return polls;
    })();
    try {
      await Promise.all(
        admins.map(async (headers, writer) => {
          for (let i = 0; i < 3; i++) {
            const written = await create(
              headers,
              draft({ title: `并发发布 ${writer}-${i}` }),
              writerApp,
            );
            published.push((await setStatus(headers, written.id, 'publish', writerApp)).id);
          }
        }),
      );
    } finally {
      writing = false;
      await writerApp.close();
      await writerDb.close();
    }
    expect(await poll).toBeGreaterThan(2);
    expect(published).toHaveLength(30);
    expect(published.filter((id) => !seen.includes(id))).toEqual([]);
    // Each was published once (drafts never travel): seen once.
    expect(seen.filter((id) => published.includes(id))).toHaveLength(30);
  }, 30_000);
});

describe('OpenAPI', () => {
  it('describes the knowledge routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of [
      '/knowledge/search',
      '/knowledge/changes',
      '/knowledge/{id}',
      '/admin/knowledge',
      '/admin/knowledge/{id}',
      '/admin/knowledge/{id}/publish',
      '/admin/knowledge/{id}/archive',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/knowledge/search'].get.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('embedded PGlite', () => {
  it('migrates, seeds, searches in Chinese and feeds changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'case-knowledge-pglite-'));
    const lite = await openPglite(dir);
    try {
      await runMigrations(lite);
      await seedDemo(lite, { cases: 0 });
      expect(await seedKnowledge(lite)).toEqual({ inserted: SEED_ARTICLES.length });
      const server = buildServer({ db: lite, jwtSecret });
      const agent = await signIn(server, 'agent01');
      for (const [q, key] of [
        ['盗刷', 'card-fraud-first-steps'],
        ['信用卡年費', 'annual-fee'],
        ['ETC', 'etc-card'],
        ['手机银行登录', 'app-login-failure'],
      ] as const) {
        expect((await search(agent, { q }, server)).hits[0]?.title).toBe(titleOf(key));
      }
      expect((await search(agent, { q: '冻' }, server)).hits.length).toBeGreaterThan(3);
      const admin = await signIn(server, 'admin01');
      const { cursor } = await allChanges(agent, '0', 5, server);
      const written = await create(admin, draft(), server);
      await setStatus(admin, written.id, 'publish', server);
      const { pages } = await allChanges(agent, cursor, 5, server);
      expect(pages.flatMap((p) => p.articles.map((a) => a.id))).toEqual([written.id]);
      await server.close();
    } finally {
      await lite.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
