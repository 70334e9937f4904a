// The knowledge base as it travels (articles and standard scripts 话术) and the one Chinese
// search of it: the server indexes and ranks with these functions, and a workstation
// searching its offline copy uses the same ones, so both find the same articles in the
// same order.
//
// Search without a Chinese parser: text is folded (NFKC, lower case, Traditional →
// Simplified) and cut into runs of Han characters and runs of letters/digits. A Han run
// is indexed by each character and each pair of neighbours (bigrams), a letter/digit run
// by the word and its prefixes. A query of one Han character looks up that character, a
// longer Han run its bigrams, a word the word (so a prefix finds longer words); an article
// matches when its terms cover the query (queryClauses). The rank favours terms in the
// title and tags and the query appearing as written.
import { z } from 'zod';
import { toSimplified } from './lifecycle/traditional-chinese';

export const KNOWLEDGE_KINDS = ['article', 'script'] as const;
export const KnowledgeKind = z.enum(KNOWLEDGE_KINDS);
export type KnowledgeKind = z.infer<typeof KnowledgeKind>;

export const KNOWLEDGE_STATUSES = ['draft', 'published', 'archived'] as const;
export const KnowledgeStatus = z.enum(KNOWLEDGE_STATUSES);
export type KnowledgeStatus = z.infer<typeof KnowledgeStatus>;

/** Codes the UI translates; a new category is a release, like a new case type. */
export const KNOWLEDGE_CATEGORIES = [
  'card_fraud', // 盗刷与欺诈
  'frozen_funds', // 资金冻结
  'fees', // 收费与年费
  'wealth', // 理财与基金
  'digital', // 手机银行与网银
  'loans', // 贷款与还款
  'accounts', // 账户与存款
  'de_escalation', // 安抚与致歉
  'process', // 投诉处理流程
] as const;
export const KnowledgeCategory = z.enum(KNOWLEDGE_CATEGORIES);
export type KnowledgeCategory = z.infer<typeof KnowledgeCategory>;

export const KnowledgeTag = z
  .string()
  .trim()
  .min(1, { message: 'REQUIRED' })
  .max(30, { message: 'TAG_TOO_LONG' });

/** What an administrator writes; the server adds id, status, author, time and version. */
export const KnowledgeDraft = z.object({
  kind: KnowledgeKind,
  category: KnowledgeCategory,
  title: z.string().trim().min(1, { message: 'REQUIRED' }).max(200, { message: 'TOO_LONG' }),
  tags: z
    .array(KnowledgeTag)
    .max(20, { message: 'TOO_MANY_TAGS' })
    .refine((tags) => new Set(tags).size === tags.length, { message: 'DUPLICATE_TAG' }),
  body: z.string().trim().min(1, { message: 'REQUIRED' }).max(20_000, { message: 'TOO_LONG' }),
});
export type KnowledgeDraft = z.infer<typeof KnowledgeDraft>;

/** Sync versions travel as decimal strings, like the case cursor. */
export const SyncVersion = z.string().regex(/^\d{1,18}$/, { message: 'VERSION_INVALID' });

export const KnowledgeArticle = KnowledgeDraft.extend({
  id: z.uuid(),
  status: KnowledgeStatus,
  authorId: z.string().nullable(),
  authorName: z.string().nullable(),
  updatedAt: z.string(),
  version: SyncVersion,
});
export type KnowledgeArticle = z.infer<typeof KnowledgeArticle>;

export const KnowledgeHit = KnowledgeArticle.omit({ body: true }).extend({
  /** A piece of the body around the first place the query occurs (or its start). */
  excerpt: z.string(),
  score: z.number(),
});
export type KnowledgeHit = z.infer<typeof KnowledgeHit>;

export const KnowledgeSearchQuery = z.object({
  q: z.string().max(100, { message: 'TOO_LONG' }).default(''),
  category: KnowledgeCategory.optional(),
  tag: KnowledgeTag.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type KnowledgeSearchQuery = z.infer<typeof KnowledgeSearchQuery>;

export const KnowledgeSearchResponse = z.object({ hits: z.array(KnowledgeHit) });
export type KnowledgeSearchResponse = z.infer<typeof KnowledgeSearchResponse>;

export const KnowledgeChangesQuery = z.object({
  after: SyncVersion.default('0'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type KnowledgeChangesQuery = z.infer<typeof KnowledgeChangesQuery>;

export const KnowledgeChanges = z.object({
  /** Published articles changed after `after`, in version order. */
  articles: z.array(KnowledgeArticle),
  /** Tombstones: articles archived after `after` that were published before; drop them. */
  removedIds: z.array(z.uuid()),
  /** Pass as `after` next time. */
  cursor: SyncVersion,
  hasMore: z.boolean(),
});
export type KnowledgeChanges = z.infer<typeof KnowledgeChanges>;

// --- folding and terms ------------------------------------------------------------------

/**
 * Traditional forms of characters common in banking texts, beyond the risk-keyword ones
 * lifecycle/traditional-chinese folds. Both the index and the query are folded, so a
 * missing pair only costs recall for Traditional queries, never correctness.
 */
const MORE_TRADITIONAL: Readonly<Record<string, string>> = {
  費: '费',
  帳: '账',
  賬: '账',
  戶: '户',
  銀: '银',
  錢: '钱',
  轉: '转',
  還: '还',
  貸: '贷',
  額: '额',
  財: '财',
  產: '产',
  險: '险',
  號: '号',
  碼: '码',
  機: '机',
  網: '网',
  務: '务',
  開: '开',
  餘: '余',
  動: '动',
  證: '证',
  補: '补',
  償: '偿',
  請: '请',
  問: '问',
  題: '题',
  說: '说',
  話: '话',
  術: '术',
  處: '处',
  時: '时',
  對: '对',
  應: '应',
  資: '资',
  價: '价',
  調: '调',
  確: '确',
  認: '认',
  驗: '验',
  簽: '签',
  約: '约',
  撥: '拨',
  線: '线',
  櫃: '柜',
  臺: '台',
  紀: '纪',
  錄: '录',
  記: '记',
  歸: '归',
  與: '与',
  為: '为',
  個: '个',
  們: '们',
  會: '会',
  辦: '办',
  無: '无',
  關: '关',
  聯: '联',
  絡: '络',
  頁: '页',
  點: '点',
  擊: '击',
};

/** NFKC (full-width letters and digits), lower case, Traditional → Simplified. */
export function foldForSearch(text: string): string {
  const folded = toSimplified(text.normalize('NFKC').toLowerCase());
  let out = '';
  for (const ch of folded) out += MORE_TRADITIONAL[ch] ?? ch;
  return out;
}

const HAN = /\p{Script=Han}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Longer letter/digit runs are cut: card numbers and URLs are not what people search. */
const MAX_WORD = 24;

interface Run {
  han: boolean;
  text: string;
}

/** Runs of Han characters and runs of other letters/digits, in a folded text. */
function runsOf(folded: string): Run[] {
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const ch of folded) {
    const han = HAN.test(ch);
    if (!han && !WORD_CHAR.test(ch)) {
      current = null;
      continue;
    }
    if (!current || current.han !== han) {
      current = { han, text: '' };
      runs.push(current);
    }
    current.text += ch;
  }
  return runs;
}

/** Every term an indexed text holds: Han characters and bigrams, words and their prefixes. */
export function documentTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const run of runsOf(foldForSearch(text))) {
    const chars = [...run.text];
    if (run.han) {
      chars.forEach((ch, i) => {
        terms.add(ch);
        if (i + 1 < chars.length) terms.add(ch + chars[i + 1]);
      });
    } else {
      const word = chars.slice(0, MAX_WORD);
      terms.add(word.join(''));
      for (let n = 1; n < word.length; n++) terms.add(word.slice(0, n).join(''));
    }
  }
  return [...terms];
}

/**
 * Every term of a query, for ranking: a lone Han character itself, a longer Han run its
 * bigrams, a word itself (a prefix of an indexed word matches too). Empty when the query
 * has nothing searchable (punctuation only).
 */
export function queryTerms(query: string): string[] {
  return [...new Set(queryClauses(query).flat())];
}

/**
 * What an article must hold to match a query: each clause is a set of alternative terms, at
 * least one of which it holds. A word or a lone Han character is a clause of its own. In a
 * longer Han run every character must sit in a bigram the article holds (the first and last
 * bigram are so required), so "手机银行登录" finds an article on 手机银行 and 登录 though no
 * article writes 行登: people type words together that texts write apart.
 */
export function queryClauses(query: string): string[][] {
  const clauses: string[][] = [];
  for (const run of runsOf(foldForSearch(query))) {
    const chars = [...run.text];
    if (!run.han || chars.length === 1) {
      clauses.push([chars.slice(0, MAX_WORD).join('')]);
      continue;
    }
    const bigrams = chars.slice(1).map((ch, i) => chars[i]! + ch);
    const first = bigrams[0]!;
    const last = bigrams[bigrams.length - 1]!;
    clauses.push([first]);
    if (last !== first) clauses.push([last]);
    // Character i (not the first two or last two) lies in bigram i−1 or bigram i.
    for (let i = 2; i < chars.length - 2; i++) clauses.push([bigrams[i - 1]!, bigrams[i]!]);
  }
  const seen = new Set<string>();
  return clauses.filter((clause) => {
    const key = [...clause].sort().join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a set of indexed terms satisfies every clause of a query (see queryClauses). */
export function holdsClauses(terms: ReadonlySet<string>, clauses: readonly string[][]): boolean {
  return clauses.every((clause) => clause.some((term) => terms.has(term)));
}

/** The indexed terms of an article: its title, tags and body together. */
export function articleTerms(article: Pick<KnowledgeDraft, 'title' | 'tags' | 'body'>): string[] {
  return documentTerms([article.title, ...article.tags, article.body].join('\n'));
}

/** The query's pieces between spaces and punctuation, folded: each is looked for whole. */
function phrasesOf(query: string): string[] {
  return foldForSearch(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((piece) => piece.length > 0);
}

const TITLE_TERM = 6;
const TAG_TERM = 4;
const BODY_TERM = 1;
const TITLE_PHRASE = 20;
const TAG_EQUALS_PHRASE = 15;
const TAG_PHRASE = 8;
const BODY_PHRASE = 2;
const BODY_PHRASE_MAX_COUNT = 5;

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * How well an article answers a query, 0 when it does not match (see queryClauses).
 * Each query term scores where it occurs (title ≫ tags ≫ body); each whole piece of the
 * query scores again when it occurs as written, so "信用卡年费" ranks the article about
 * credit card annual fees above one that merely mentions 信用, 卡 and 年费 apart.
 */
export function knowledgeScore(
  query: string,
  article: Pick<KnowledgeDraft, 'title' | 'tags' | 'body'>,
): number {
  const clauses = queryClauses(query);
  if (clauses.length === 0) return 0;
  if (!holdsClauses(new Set(articleTerms(article)), clauses)) return 0;
  const terms = queryTerms(query);
  const title = new Set(documentTerms(article.title));
  const tags = new Set(documentTerms(article.tags.join('\n')));
  const body = new Set(documentTerms(article.body));
  let score = 0;
  for (const term of terms) {
    if (title.has(term)) score += TITLE_TERM;
    if (tags.has(term)) score += TAG_TERM;
    if (body.has(term)) score += BODY_TERM;
  }
  const foldedTitle = foldForSearch(article.title);
  const foldedTags = article.tags.map(foldForSearch);
  const foldedBody = foldForSearch(article.body);
  for (const phrase of phrasesOf(query)) {
    if (foldedTitle.includes(phrase)) score += TITLE_PHRASE;
    if (foldedTags.includes(phrase)) score += TAG_EQUALS_PHRASE;
    else if (foldedTags.some((tag) => tag.includes(phrase))) score += TAG_PHRASE;
    score += BODY_PHRASE * Math.min(occurrences(foldedBody, phrase), BODY_PHRASE_MAX_COUNT);
  }
  return score;
}

/** Best first; ties by the most recently updated, then title. */
export function rankKnowledge<A extends Pick<KnowledgeArticle, 'title' | 'tags' | 'body'>>(
  query: string,
  articles: readonly (A & { updatedAt: string })[],
): { article: A & { updatedAt: string }; score: number }[] {
  return articles
    .map((article) => ({ article, score: knowledgeScore(query, article) }))
    .filter((hit) => hit.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.article.updatedAt.localeCompare(a.article.updatedAt) ||
        a.article.title.localeCompare(b.article.title),
    );
}

const EXCERPT_BEFORE = 20;
const EXCERPT_LENGTH = 90;

/** A piece of the body around the query's first piece, for a result list. */
export function knowledgeExcerpt(query: string, body: string): string {
  const folded = foldForSearch(body);
  // Folding keeps one character for one almost everywhere; where it does not, the start.
  const aligned = folded.length === body.length;
  const first = phrasesOf(query)
    .map((phrase) => folded.indexOf(phrase))
    .filter((at) => at >= 0)
    .sort((a, b) => a - b)[0];
  const start = aligned && first !== undefined ? Math.max(0, first - EXCERPT_BEFORE) : 0;
  const piece = body.slice(start, start + EXCERPT_LENGTH).replace(/\s+/g, ' ');
  return `${start > 0 ? '…' : ''}${piece}${start + EXCERPT_LENGTH < body.length ? '…' : ''}`;
}
