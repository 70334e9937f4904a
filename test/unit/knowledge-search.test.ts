// The Chinese search of the knowledge base, the part the server and a workstation's offline
// copy share: which articles a query finds and in which order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  articleTerms,
  documentTerms,
  holdsClauses,
  foldForSearch,
  knowledgeExcerpt,
  knowledgeScore,
  queryClauses,
  queryTerms,
  rankKnowledge,
} from '../../shared/knowledge';
import { SEED_ARTICLES } from '../../server/knowledge';

const shipped = SEED_ARTICLES.map((article) => ({
  ...article,
  updatedAt: '2026-11-01T00:00:00.000Z',
}));
const topKey = (query: string) => rankKnowledge(query, shipped)[0]?.article.key;

describe('search quality on the shipped articles', () => {
  it.each([
    ['盗刷', 'card-fraud-first-steps'],
    ['信用卡年费', 'annual-fee'],
    ['年费', 'annual-fee'],
    ['ETC', 'etc-card'],
    ['etc 扣费', 'etc-card'],
    ['ＥＴＣ', 'etc-card'], // full-width letters from a Chinese input method
    ['资金冻结 司法', 'frozen-funds-judicial'],
    ['理财产品亏损', 'wealth-mis-selling'],
    ['理财亏损', 'wealth-script'], // its title says it as written
    ['验证码', 'app-sms-code'],
    ['手机银行登录', 'app-login-failure'],
    ['拒付', 'card-fraud-chargeback'],
    ['久悬', 'account-dormant'],
    ['盜刷', 'card-fraud-first-steps'], // Traditional 盜
    ['信用卡年費', 'annual-fee'], // Traditional 費
    ['15日', 'complaint-deadlines'],
    ['致歉', 'apology-script'],
    ['补偿审批', 'compensation-approval'],
  ])('%s → %s', (query, expected) => {
    expect(topKey(query)).toBe(expected);
  });

  it('finds every article holding a lone character (冻)', () => {
    const found = rankKnowledge('冻', shipped).map((hit) => hit.article.key);
    const holding = shipped.filter((a) => `${a.title}${a.tags.join('')}${a.body}`.includes('冻'));
    expect(found.sort()).toEqual(holding.map((a) => a.key).sort());
    expect(found.length).toBeGreaterThan(3);
  });

  it('finds nothing for words no article holds', () => {
    expect(rankKnowledge('比特币', shipped)).toEqual([]);
    expect(rankKnowledge('bitcoin', shipped)).toEqual([]);
    expect(rankKnowledge('？！', shipped)).toEqual([]);
  });

  it('ranks the title above a passing mention in the body', () => {
    const inTitle = { title: '资金冻结说明', tags: [], body: '说明。' };
    const inBody = { title: '账户说明', tags: [], body: '如遇资金冻结请联系网点。' };
    expect(knowledgeScore('资金冻结', inTitle)).toBeGreaterThan(knowledgeScore('资金冻结', inBody));
  });
});

describe('terms', () => {
  it('cuts Han text into characters and bigrams, words into the word and its prefixes', () => {
    expect(documentTerms('冻结ETC')).toEqual(['冻', '冻结', '结', 'etc', 'e', 'et']);
    expect(queryTerms('信用卡年费').sort()).toEqual(['信用', '用卡', '卡年', '年费'].sort());
    expect(queryTerms('冻')).toEqual(['冻']);
    expect(queryTerms('A股 95588')).toEqual(['a', '股', '95588']);
    expect(queryTerms('。，')).toEqual([]);
  });

  it('asks a long Han run for bigrams covering each character, not for every bigram', () => {
    expect(queryClauses('手机银行登录')).toEqual([
      ['手机'],
      ['登录'],
      ['机银', '银行'],
      ['银行', '行登'],
    ]);
    expect(queryClauses('冻结')).toEqual([['冻结']]);
    expect(queryClauses('盗刷 ETC')).toEqual([['盗刷'], ['etc']]);
  });

  it('folds full-width, upper case and Traditional forms alike', () => {
    expect(foldForSearch('ＥＴＣ凍結帳戶')).toBe('etc冻结账户');
  });

  it('excerpts the body around the query', () => {
    const body = `${'前言。'.repeat(30)}客户的信用卡年费被重复扣收。${'后记。'.repeat(30)}`;
    expect(knowledgeExcerpt('年费', body)).toContain('信用卡年费');
  });
});

const hanText = fc
  .array(fc.constantFrom(...'信用卡年费资金冻结盗刷理财手机银行账户转账验证码'), {
    minLength: 1,
    maxLength: 40,
  })
  .map((chars) => chars.join(''));
const mixedText = fc
  .array(fc.oneof(hanText, fc.constantFrom('ETC', 'app', '95588', ' ', '，', 'ＡＴＭ', '凍結')), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

describe('properties', () => {
  it('any piece of a Han text finds the text', () => {
    fc.assert(
      fc.property(hanText, fc.nat(), fc.nat(), (text, a, b) => {
        const chars = [...text];
        const from = a % chars.length;
        const piece = chars.slice(from, from + 1 + (b % (chars.length - from))).join('');
        const terms = new Set(articleTerms({ title: '', tags: [], body: text }));
        expect(holdsClauses(terms, queryClauses(piece))).toBe(true);
      }),
    );
  });

  it('any start of a word finds the text holding the word', () => {
    fc.assert(
      fc.property(mixedText, fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.nat(), (text, word, cut) => {
        const body = `${text} ${word} ${text}`;
        const start = word.slice(0, 1 + (cut % word.length));
        const terms = new Set(articleTerms({ title: '', tags: [], body }));
        expect(holdsClauses(terms, queryClauses(start))).toBe(true);
      }),
    );
  });

  it('folding is idempotent and a Traditional query searches like its Simplified form', () => {
    fc.assert(
      fc.property(mixedText, (text) => {
        expect(foldForSearch(foldForSearch(text))).toBe(foldForSearch(text));
        expect(queryTerms(text)).toEqual(queryTerms(foldForSearch(text)));
      }),
    );
  });

  it('an article scores exactly when its bigrams cover every character of the query', () => {
    fc.assert(
      fc.property(hanText, hanText, (body, query) => {
        const holds = new Set(documentTerms(body));
        const chars = [...query];
        // Spelled out independently of queryClauses: a character is covered by a bigram
        // with its left or right neighbour that the body holds; a lone character by itself.
        const covered =
          chars.length === 1
            ? holds.has(query)
            : chars.every(
                (ch, i) =>
                  (i > 0 && holds.has(chars[i - 1]! + ch)) ||
                  (i + 1 < chars.length && holds.has(ch + chars[i + 1]!)),
              );
        expect(knowledgeScore(query, { title: '', tags: [], body }) > 0).toBe(covered);
      }),
    );
  });
});
