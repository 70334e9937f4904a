// Priority and routing at intake (分级响应): risk keywords make a case urgent and call a
// person in (风险预警 + 人工介入); customer segments raise it or route it. Rules are
// data (a deployment's policy); this module only applies them.
import { z } from 'zod';
import { CaseType, Priority } from '../domain';
import { toSimplified } from './traditional-chinese';

/** Why a case got its priority or routing; stored with the case (TRIAGE) and shown to the agent. */
export const PriorityReason = z.discriminatedUnion('code', [
  z.object({ code: z.literal('RISK_KEYWORD'), keyword: z.string().min(1) }),
  z.object({ code: z.literal('VIP') }),
  z.object({ code: z.literal('ELDERLY') }),
  z.object({ code: z.literal('REPEAT_COMPLAINANT') }),
]);
export type PriorityReason = z.infer<typeof PriorityReason>;

export const PriorityRules = z.object({
  /** Words that make a case urgent; Simplified or Traditional, matched in both. */
  riskKeywords: z.array(z.string().min(1)),
  /** The priority a risk keyword gives. */
  riskPriority: Priority,
  basePriorityByType: z.record(CaseType, Priority),
  /**
   * Priorities a segment may raise, lowest first. A priority not on the ladder is not
   * raised: a suggestion stays a suggestion, whoever makes it.
   */
  escalationLadder: z.array(Priority).min(1),
  segmentRaise: z.object({
    vip: z.number().int().nonnegative(),
    elderly: z.number().int().nonnegative(),
  }),
  /** At most this many levels from segments together (an elderly VIP is raised once). */
  maxSegmentRaise: z.number().int().nonnegative(),
  /** Other complaints in the last 30 days from which a customer is a repeat complainant. */
  repeatComplaintThreshold: z.number().int().positive(),
});
export type PriorityRules = z.infer<typeof PriorityRules>;

export const DEFAULT_PRIORITY_RULES: PriorityRules = {
  riskKeywords: [
    '被骗', // scammed
    '盗刷', // card fraud
    '冻结', // frozen funds
    '诈骗', // fraud
    '挂失', // report loss
    '报警', // police
    '盗用', // stolen identity or account
    '骗局', // scam
    '异常交易', // abnormal movement
    '人身安全', // personal safety
    '起诉', // legal risk: suing
    '律师', // legal risk: lawyer
  ],
  riskPriority: 'urgent',
  basePriorityByType: {
    complaint: 'normal',
    inquiry: 'normal',
    suggestion: 'suggestion',
    praise: 'normal',
  },
  escalationLadder: ['normal', 'high', 'urgent'],
  segmentRaise: { vip: 1, elderly: 1 },
  maxSegmentRaise: 1,
  repeatComplaintThreshold: 1,
};

export interface PriorityAssessmentInput {
  type: CaseType;
  description: string;
  notes?: readonly string[];
  segments: { vip?: boolean; elderly?: boolean };
  /** The customer's other complaints received in the last 30 days. */
  recentComplaintsIn30Days: number;
}

export interface PriorityAssessment {
  priority: Priority;
  reasons: PriorityReason[];
  /** Flag for the risk team (风险预警). */
  riskFlag: boolean;
  /** A person must act; no automatic reply or distribution alone (人工介入). */
  requiresHuman: boolean;
  /** A senior agent takes it (frequent complainant). */
  routeToSenior: boolean;
  /** Ahead of cases of the same priority in the queue (VIP). */
  goesFirst: boolean;
}

const INVISIBLE = /[\s\u200b-\u200d\u2060\ufeff]/gu;

/**
 * The form both a text and a keyword are compared in: NFKC (full-width letters, CJK
 * compatibility ideographs and Kangxi radicals to their plain forms), Traditional to
 * Simplified, no white space or zero-width characters (盗 刷 is still 盗刷), lower case.
 */
export function foldForMatching(text: string): string {
  return toSimplified(text.normalize('NFKC')).replace(INVISIBLE, '').toLowerCase();
}

/** The keywords (as configured) found in any of the texts, each once, in list order. */
export function findRiskKeywords(texts: readonly string[], keywords: readonly string[]): string[] {
  const folded = texts.map(foldForMatching);
  const seen = new Set<string>();
  return keywords.filter((keyword) => {
    const k = foldForMatching(keyword);
    if (k.length === 0 || seen.has(k)) return false;
    seen.add(k);
    return folded.some((text) => text.includes(k));
  });
}

export function assessPriority(
  input: PriorityAssessmentInput,
  rules: PriorityRules = DEFAULT_PRIORITY_RULES,
): PriorityAssessment {
  const keywords = findRiskKeywords(
    [input.description, ...(input.notes ?? [])],
    rules.riskKeywords,
  );
  const riskFlag = keywords.length > 0;
  const vip = input.segments.vip === true;
  const elderly = input.segments.elderly === true;
  const repeat = input.recentComplaintsIn30Days >= rules.repeatComplaintThreshold;

  const base = riskFlag ? rules.riskPriority : rules.basePriorityByType[input.type];
  const raise = Math.min(
    rules.maxSegmentRaise,
    (vip ? rules.segmentRaise.vip : 0) + (elderly ? rules.segmentRaise.elderly : 0),
  );
  const reasons: PriorityReason[] = keywords.map((keyword) => ({ code: 'RISK_KEYWORD', keyword }));
  if (vip) reasons.push({ code: 'VIP' });
  if (elderly) reasons.push({ code: 'ELDERLY' });
  if (repeat) reasons.push({ code: 'REPEAT_COMPLAINANT' });

  return {
    priority: raisePriority(base, raise, rules.escalationLadder),
    reasons,
    riskFlag,
    requiresHuman: riskFlag,
    routeToSenior: repeat,
    goesFirst: vip,
  };
}

/** Moves a priority `levels` steps up the ladder, stopping at its top. */
export function raisePriority(
  priority: Priority,
  levels: number,
  ladder: readonly Priority[] = DEFAULT_PRIORITY_RULES.escalationLadder,
): Priority {
  const at = ladder.indexOf(priority);
  if (at < 0) return priority;
  return ladder[Math.min(ladder.length - 1, at + levels)] ?? priority;
}
