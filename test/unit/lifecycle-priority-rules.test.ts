import { describe, expect, it } from 'vitest';
import {
  assessPriority,
  DEFAULT_PRIORITY_RULES,
  findRiskKeywords,
  foldForMatching,
  PriorityRules,
  raisePriority,
  type PriorityAssessmentInput,
} from '../../shared/lifecycle/priority-rules';
import {
  TRADITIONAL_TO_SIMPLIFIED,
  toSimplified,
} from '../../shared/lifecycle/traditional-chinese';

const complaint = (patch: Partial<PriorityAssessmentInput> = {}): PriorityAssessmentInput => ({
  type: 'complaint',
  description: '信用卡年费被重复扣收',
  segments: {},
  recentComplaintsIn30Days: 0,
  ...patch,
});

/** The default keywords as a customer in Hong Kong or Taiwan would type them. */
const TRADITIONAL_SPELLINGS: Record<string, string> = {
  被骗: '被騙',
  盗刷: '盜刷',
  冻结: '凍結',
  诈骗: '詐騙',
  挂失: '掛失',
  报警: '報警',
  盗用: '盜用',
  骗局: '騙局',
  异常交易: '異常交易',
  人身安全: '人身安全',
  起诉: '起訴',
  律师: '律師',
};

describe('priority and routing at intake', () => {
  it('keeps an ordinary fee dispute normal, with no reasons', () => {
    expect(assessPriority(complaint())).toEqual({
      priority: 'normal',
      reasons: [],
      riskFlag: false,
      requiresHuman: false,
      routeToSenior: false,
      goesFirst: false,
    });
  });

  it('makes a case urgent, flags it and calls a person in on a risk keyword', () => {
    const result = assessPriority(complaint({ description: '我的银行卡昨晚被盗刷了三笔' }));
    expect(result).toMatchObject({ priority: 'urgent', riskFlag: true, requiresHuman: true });
    expect(result.reasons).toEqual([{ code: 'RISK_KEYWORD', keyword: '盗刷' }]);
  });

  it('finds a risk keyword in the notes too, and names each keyword once', () => {
    const result = assessPriority(
      complaint({ description: '转账失败', notes: ['客户称已报警', '客户再次说已报警，怀疑诈骗'] }),
    );
    expect(result.reasons).toEqual([
      { code: 'RISK_KEYWORD', keyword: '诈骗' },
      { code: 'RISK_KEYWORD', keyword: '报警' },
    ]);
  });

  it('does not match a keyword across the end of the description and the start of a note', () => {
    expect(
      assessPriority(complaint({ description: '客户说他被', notes: ['骗了吗？不是'] })).riskFlag,
    ).toBe(false);
  });

  it('finds every default keyword written in Traditional characters', () => {
    expect(Object.keys(TRADITIONAL_SPELLINGS).sort()).toEqual(
      [...DEFAULT_PRIORITY_RULES.riskKeywords].sort(),
    );
    for (const [simplified, traditional] of Object.entries(TRADITIONAL_SPELLINGS)) {
      const result = assessPriority(
        complaint({ description: `客戶說：${traditional}了，請盡快處理` }),
      );
      expect(result.reasons, traditional).toEqual([{ code: 'RISK_KEYWORD', keyword: simplified }]);
      expect(result.priority).toBe('urgent');
    }
  });

  it('folds exactly the Traditional characters of the keywords to Simplified', () => {
    expect(toSimplified('被騙盜刷凍結詐騙掛失報警起訴律師異常')).toBe(
      '被骗盗刷冻结诈骗挂失报警起诉律师异常',
    );
    for (const [traditional, simplified] of Object.entries(TRADITIONAL_TO_SIMPLIFIED)) {
      expect(traditional).not.toBe(simplified);
      expect([...traditional]).toHaveLength(1);
      expect(DEFAULT_PRIORITY_RULES.riskKeywords.join('')).toContain(simplified);
    }
    expect(toSimplified('銀行卡 ATM')).toBe('銀行卡 ATM'); // characters outside the map pass as they are
  });

  it('matches after NFKC: full-width letters, compatibility ideographs, Kangxi radicals, stray spaces', () => {
    const rules: PriorityRules = {
      ...DEFAULT_PRIORITY_RULES,
      riskKeywords: ['ATM吞卡', '律师', '人身安全'],
    };
    expect(findRiskKeywords(['ＡＴＭ吞卡了'], rules.riskKeywords)).toEqual(['ATM吞卡']);
    expect(findRiskKeywords(['要找\uF9D8師'], rules.riskKeywords)).toEqual(['律师']); // U+F9D8 律
    expect(findRiskKeywords(['危及\u2F08\u2F9D安全'], rules.riskKeywords)).toEqual(['人身安全']); // ⼈⾝ radicals
    expect(findRiskKeywords(['被 骗', '盗\u200b刷'], DEFAULT_PRIORITY_RULES.riskKeywords)).toEqual([
      '被骗',
      '盗刷',
    ]);
    expect(foldForMatching('ＡＴＭ 盜刷')).toBe('atm盗刷');
  });

  it('takes keywords configured in Traditional characters as well', () => {
    const rules: PriorityRules = { ...DEFAULT_PRIORITY_RULES, riskKeywords: ['詐騙'] };
    expect(assessPriority(complaint({ description: '疑似诈骗电话' }), rules).reasons).toEqual([
      { code: 'RISK_KEYWORD', keyword: '詐騙' },
    ]);
  });

  it('raises a VIP one level and puts the case first', () => {
    const result = assessPriority(complaint({ segments: { vip: true } }));
    expect(result).toMatchObject({ priority: 'high', goesFirst: true, reasons: [{ code: 'VIP' }] });
  });

  it('raises an elderly customer’s case one level', () => {
    expect(assessPriority(complaint({ segments: { elderly: true } }))).toMatchObject({
      priority: 'high',
      goesFirst: false,
      reasons: [{ code: 'ELDERLY' }],
    });
  });

  it('raises an elderly VIP once by default, and never above urgent', () => {
    expect(assessPriority(complaint({ segments: { vip: true, elderly: true } })).priority).toBe(
      'high',
    );
    const urgentVip = assessPriority(
      complaint({ description: '账户被冻结', segments: { vip: true, elderly: true } }),
    );
    expect(urgentVip.priority).toBe('urgent');
    expect(urgentVip.reasons.map((r) => r.code)).toEqual(['RISK_KEYWORD', 'VIP', 'ELDERLY']);
    const generous = { ...DEFAULT_PRIORITY_RULES, maxSegmentRaise: 5 };
    expect(
      assessPriority(complaint({ segments: { vip: true, elderly: true } }), generous).priority,
    ).toBe('urgent');
    expect(raisePriority('urgent', 3)).toBe('urgent');
  });

  it('does not hurry a suggestion because of who makes it', () => {
    expect(
      assessPriority(
        complaint({ type: 'suggestion', description: '建议增加夜间模式', segments: { vip: true } }),
      ).priority,
    ).toBe('suggestion');
  });

  it('routes a repeat complainant (another complaint within 30 days) to a senior agent', () => {
    expect(assessPriority(complaint({ recentComplaintsIn30Days: 1 }))).toMatchObject({
      priority: 'normal',
      routeToSenior: true,
      reasons: [{ code: 'REPEAT_COMPLAINANT' }],
    });
    expect(assessPriority(complaint({ recentComplaintsIn30Days: 0 })).routeToSenior).toBe(false);
  });

  it('accepts its default rules as valid policy data', () => {
    expect(PriorityRules.parse(DEFAULT_PRIORITY_RULES)).toEqual(DEFAULT_PRIORITY_RULES);
  });
});
