// The policy data the lifecycle machines read: compensation limit and approval chain,
// regulatory extension steps, the satisfaction scale. The numbers of
// DEFAULT_LIFECYCLE_POLICY are DOMAIN.md's defaults; the logic never names a number.
//
// Money is integer fen everywhere in the lifecycle (1 CNY = 100 fen): no binary
// fractions, no rounding, amounts compare exactly. The UI parses what the agent types
// with parseYuanToFen and shows amounts with formatFenAsYuan.
import { z } from 'zod';

/** Everyone who may decide a level of a compensation approval; the case roles plus two. */
export const APPROVER_ROLES = [
  'agent',
  'branch',
  'lead',
  'admin',
  'system',
  'dept_head',
  'committee',
] as const;
export const ApproverRole = z.enum(APPROVER_ROLES);
export type ApproverRole = z.infer<typeof ApproverRole>;

/** An amount of money in fen: a positive whole number. */
export const AmountFen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** One level of the approval chain (DOMAIN: team lead, department head, service committee). */
export const ApprovalLevelPolicy = z.object({
  name: z.string().min(1),
  approverRoles: z.array(ApproverRole).min(1),
});
export type ApprovalLevelPolicy = z.infer<typeof ApprovalLevelPolicy>;

/**
 * Amounts above the frontline limit up to `upToFen` (inclusive) need the first `levels`
 * levels of the chain. Bands ascend; the last one has no upper bound (`upToFen: null`).
 */
export const ApprovalBand = z.object({
  upToFen: AmountFen.nullable(),
  levels: z.number().int().min(1),
});
export type ApprovalBand = z.infer<typeof ApprovalBand>;

export const LifecyclePolicy = z
  .object({
    /** The most a frontline agent grants at once, without approval (inclusive). */
    frontlineCompensationLimitFen: z.number().int().nonnegative(),
    approvalChain: z.array(ApprovalLevelPolicy).min(1),
    approvalBands: z.array(ApprovalBand).min(1),
    /** Days to decide and tell the customer (CBIRC 2020: 15). */
    regulatoryDeadlineDays: z.number().int().positive(),
    /** The totals an approved extension may move the deadline to, in order (30, then 60). */
    extensionStepsDays: z.array(z.number().int().positive()),
    satisfactionScale: z.object({ min: z.number().int(), max: z.number().int() }),
    /** A satisfaction score below this reopens the case. */
    reopenBelowScore: z.number().int(),
  })
  .superRefine((policy, ctx) => {
    const bands = policy.approvalBands;
    bands.forEach((band, i) => {
      const last = i === bands.length - 1;
      if (last !== (band.upToFen === null))
        ctx.addIssue({ code: 'custom', path: ['approvalBands', i], message: 'OPEN_BAND_LAST' });
      const previous = i === 0 ? policy.frontlineCompensationLimitFen : bands[i - 1]!.upToFen;
      if (band.upToFen !== null && previous !== null && band.upToFen <= previous)
        ctx.addIssue({ code: 'custom', path: ['approvalBands', i], message: 'BANDS_ASCEND' });
      if (band.levels > policy.approvalChain.length)
        ctx.addIssue({ code: 'custom', path: ['approvalBands', i], message: 'CHAIN_TOO_SHORT' });
    });
    let days = policy.regulatoryDeadlineDays;
    policy.extensionStepsDays.forEach((step, i) => {
      if (step <= days)
        ctx.addIssue({ code: 'custom', path: ['extensionStepsDays', i], message: 'STEPS_ASCEND' });
      days = step;
    });
    const { min, max } = policy.satisfactionScale;
    if (min > max || policy.reopenBelowScore <= min || policy.reopenBelowScore > max)
      ctx.addIssue({ code: 'custom', path: ['reopenBelowScore'], message: 'OUTSIDE_SCALE' });
  });
export type LifecyclePolicy = z.infer<typeof LifecyclePolicy>;

export const DEFAULT_LIFECYCLE_POLICY: LifecyclePolicy = {
  frontlineCompensationLimitFen: 50_000, // 500 CNY: DOMAIN, granted at once by the frontline
  approvalChain: [
    { name: 'team_lead', approverRoles: ['lead'] },
    { name: 'department_head', approverRoles: ['dept_head'] },
    { name: 'service_committee', approverRoles: ['committee'] },
  ],
  // DOMAIN gives the chain but not the band edges; these are ours until policy says.
  approvalBands: [
    { upToFen: 200_000, levels: 1 }, // 500 < amount ≤ 2,000 CNY: team lead
    { upToFen: 1_000_000, levels: 2 }, // ≤ 10,000 CNY: + department head
    { upToFen: null, levels: 3 }, // above: + service committee
  ],
  regulatoryDeadlineDays: 15,
  extensionStepsDays: [30, 60],
  satisfactionScale: { min: 1, max: 5 },
  reopenBelowScore: 3,
};

/** How many approval levels an amount needs: 0 when the frontline grants it at once. */
export function requiredApprovalLevels(
  amountFen: number,
  policy: Pick<LifecyclePolicy, 'frontlineCompensationLimitFen' | 'approvalBands'>,
): number {
  if (amountFen <= policy.frontlineCompensationLimitFen) return 0;
  const band = policy.approvalBands.find((b) => b.upToFen === null || amountFen <= b.upToFen);
  // A policy that passed LifecyclePolicy always ends with an open band.
  return band?.levels ?? policy.approvalBands.at(-1)?.levels ?? 1;
}

/** Whether a satisfaction score is a whole number on the policy's scale (1–5). */
export function isSatisfactionScore(
  policy: Pick<LifecyclePolicy, 'satisfactionScale'>,
  score: number,
): boolean {
  const { min, max } = policy.satisfactionScale;
  return Number.isInteger(score) && score >= min && score <= max;
}

/** A score below the policy's threshold (3) reopens the case. */
export function isLowSatisfaction(
  policy: Pick<LifecyclePolicy, 'reopenBelowScore'>,
  score: number,
): boolean {
  return score < policy.reopenBelowScore;
}

/** "800", "800.5", "800.50", "1,200.00" → fen; anything else (negative, 3 decimals) → null. */
export function parseYuanToFen(text: string): number | null {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(
    text.normalize('NFKC').trim().replace(/,/g, ''),
  );
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** 80050 → "800.50": for letters and lists; the UI adds the currency sign. */
export function formatFenAsYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
