// The reference data a workstation keeps so that it works offline as it does online: the
// deadline rules in force (the policy and calendar an administrator chose on the server)
// and the published knowledge base, searched here with the same ranking as the server's.
import { createWorkCalendar, type WorkCalendar } from '../../shared/clock/calendar';
import type { DeadlinePolicy } from '../../shared/clock/policies';
import {
  KnowledgeArticle,
  knowledgeExcerpt,
  rankKnowledge,
  type KnowledgeChanges,
  type KnowledgeHit,
  type KnowledgeSearchQuery,
} from '../../shared/knowledge';
import { DeadlineRules } from '../../shared/reference-data';
import type { CacheDb } from './cache-db';
import { CHINA_RULES } from './case-queue';
import type { CentralApiClient } from './central-api-client';

const DEADLINE_RULES_KEY = 'deadline-rules';
const KNOWLEDGE_CURSOR_KEY = 'knowledge-cursor';
/** Reference data changes rarely: checked at most this often, after a pull. */
export const REFERENCE_REFRESH_MS = 60_000;
const KNOWLEDGE_PAGE = 500;

export interface RulesInForce {
  policy: DeadlinePolicy;
  calendar: WorkCalendar;
  /** Where they come from: the server's choice, or the built-in default before any sync. */
  source: 'server' | 'default';
  version: string | null;
}

const DEFAULT_RULES: RulesInForce = { ...CHINA_RULES, source: 'default', version: null };

export class ReferenceCache {
  private rules: RulesInForce | null = null;
  private lastRefreshAt = -Infinity;

  constructor(
    private readonly db: CacheDb,
    private readonly refreshEveryMs = REFERENCE_REFRESH_MS,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {
    // Read now, not on first use: the queue index's triggers ask for the rules from inside
    // a statement, where this connection cannot run another query.
    this.loadDeadlineRules();
  }

  /** The deadline rules to count with: the server's last word, or China's by default. */
  deadlineRules(): RulesInForce {
    return this.rules ?? this.loadDeadlineRules();
  }

  private loadDeadlineRules(): RulesInForce {
    const row = this.db
      .prepare('SELECT data_json FROM reference_data WHERE key = ?')
      .get(DEADLINE_RULES_KEY) as { data_json: string } | undefined;
    const parsed = row ? DeadlineRules.safeParse(JSON.parse(row.data_json)) : null;
    this.rules = parsed?.success
      ? {
          policy: parsed.data.policy.policy,
          calendar: createWorkCalendar(parsed.data.calendar.calendar),
          source: 'server',
          version: parsed.data.version,
        }
      : DEFAULT_RULES;
    return this.rules;
  }

  saveDeadlineRules(rules: DeadlineRules): boolean {
    if (rules.version === this.deadlineRules().version) return false;
    // Built before it is kept: a calendar the engine cannot build must not replace one it can.
    const inForce: RulesInForce = {
      policy: rules.policy.policy,
      calendar: createWorkCalendar(rules.calendar.calendar),
      source: 'server',
      version: rules.version,
    };
    this.db
      .prepare(
        `INSERT INTO reference_data (key, version, data_json) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET version = excluded.version, data_json = excluded.data_json`,
      )
      .run(DEADLINE_RULES_KEY, rules.version, JSON.stringify(rules));
    this.rules = inForce;
    return true;
  }

  knowledgeCursor(): string {
    const row = this.db
      .prepare('SELECT version FROM reference_data WHERE key = ?')
      .get(KNOWLEDGE_CURSOR_KEY) as { version: string } | undefined;
    return row?.version ?? '0';
  }

  /** One page of the server's changes feed, with its cursor, in one transaction. */
  applyKnowledgeChanges(changes: KnowledgeChanges): void {
    const upsert = this.db.prepare(
      `INSERT INTO knowledge_articles (id, version, updated_at, data_json) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version,
         updated_at = excluded.updated_at, data_json = excluded.data_json`,
    );
    const remove = this.db.prepare('DELETE FROM knowledge_articles WHERE id = ?');
    const cursor = this.db.prepare(
      `INSERT INTO reference_data (key, version, data_json) VALUES (?, ?, '{}')
       ON CONFLICT (key) DO UPDATE SET version = excluded.version`,
    );
    this.db.transaction(() => {
      for (const article of changes.articles) {
        if (article.status === 'published') {
          upsert.run(article.id, article.version, article.updatedAt, JSON.stringify(article));
        } else {
          remove.run(article.id);
        }
      }
      for (const id of changes.removedIds) remove.run(id);
      cursor.run(KNOWLEDGE_CURSOR_KEY, changes.cursor);
    })();
  }

  /** Search of the cached knowledge base: the server's ranking, so the same order. */
  searchKnowledge(query: Pick<KnowledgeSearchQuery, 'q' | 'category' | 'tag' | 'limit'>) {
    const articles = this.allArticles().filter(
      (article) =>
        (!query.category || article.category === query.category) &&
        (!query.tag || article.tags.includes(query.tag)),
    );
    const q = query.q.trim();
    const ranked = q
      ? rankKnowledge(q, articles)
      : articles
          .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
          .map((article) => ({ article, score: 0 }));
    return ranked.slice(0, query.limit).map(({ article, score }): KnowledgeHit => ({
      ...withoutBody(article),
      excerpt: knowledgeExcerpt(q, article.body),
      score,
    }));
  }

  getArticle(id: string): KnowledgeArticle | null {
    const row = this.db.prepare('SELECT data_json FROM knowledge_articles WHERE id = ?').get(id) as
      { data_json: string } | undefined;
    return row ? KnowledgeArticle.parse(JSON.parse(row.data_json)) : null;
  }

  /**
   * Brings the rules and the knowledge base up to date, at most every `refreshEveryMs`
   * unless forced. Returns whether the deadline rules changed (cases must be recounted).
   */
  async refresh(
    api: CentralApiClient,
    token: string,
    signal?: AbortSignal,
    force = false,
  ): Promise<{ rulesChanged: boolean }> {
    const now = this.monotonicNow();
    if (!force && now - this.lastRefreshAt < this.refreshEveryMs) return { rulesChanged: false };
    const rulesChanged = this.saveDeadlineRules(await api.deadlineRules(token, signal));
    for (;;) {
      const page = await api.knowledgeChanges(
        token,
        { after: this.knowledgeCursor(), limit: KNOWLEDGE_PAGE },
        signal,
      );
      this.applyKnowledgeChanges(page);
      if (!page.hasMore) break;
    }
    this.lastRefreshAt = now;
    return { rulesChanged };
  }

  /** A revoked workstation or another user: nothing of the old session stays. */
  forget(): void {
    this.db.exec(`DELETE FROM reference_data; DELETE FROM knowledge_articles;`);
    this.loadDeadlineRules();
    this.lastRefreshAt = -Infinity;
  }

  private allArticles(): KnowledgeArticle[] {
    const rows = this.db.prepare('SELECT data_json FROM knowledge_articles').all() as {
      data_json: string;
    }[];
    return rows.map((row) => JSON.parse(row.data_json) as KnowledgeArticle);
  }
}

function withoutBody({ body: _body, ...rest }: KnowledgeArticle): Omit<KnowledgeArticle, 'body'> {
  return rest;
}
