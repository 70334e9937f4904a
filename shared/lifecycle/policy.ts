// The policy data the lifecycle machines read: compensation limit and approval chain,
// regulatory extension steps, the satisfaction scale. The logic never names a number.
//
// One source for DOMAIN.md's numbers: the deployment policy is the deadline engine's
// `DeadlinePolicy` (shared/clock/policies.ts). `lifecyclePolicyFrom` derives this
// policy from it (compensation limit, bands and chain; the regulatory period and its
// extension steps), and DEFAULT_LIFECYCLE_POLICY is `lifecyclePolicyFrom(CN_CBIRC_2020)`.
// Written here, and only here, are what the deadline policy does not carry: who may decide
// each level of the approval chain, and the satisfaction scale.
//
// Money is integer fen everywhere in the lifecycle (1 CNY = 100 fen): no binary
// fractions, no rounding, amounts compare exactly. The UI parses what the agent types
// with parseYuanToFen and shows amounts with formatFenAsYuan.
import { z } from 'zod';
import { CN_CBIRC_2020, type DeadlinePolicy } from '../clock/policies';

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

/**
 * Who decides each level of an approval chain, by the level's name in the deadline policy's
 * `compensation.approvalChain` (DOMAIN: team lead, then department head, then service
 * committee). In chain order: a policy that sets no compensation goes up all of them.
 */
export const APPROVAL_LEVELS: readonly ApprovalLevelPolicy[] = [
  { name: 'team_lead', approverRoles: ['lead'] },
  { name: 'department_head', approverRoles: ['dept_head'] },
  { name: 'service_committee', approverRoles: ['committee'] },
];

/** DOMAIN: customers rate 1–5, and below 3 reopens the case. */
export const DEFAULT_SATISFACTION: Pick<LifecyclePolicy, 'satisfactionScale' | 'reopenBelowScore'> =
  { satisfactionScale: { min: 1, max: 5 }, reopenBelowScore: 3 };

export interface LifecyclePolicyOptions {
  /**
   * The regulatory track of the case (e.g. 'payment_services' under UK_FCA_DISP): its
   * period and extension steps. As the deadline engine does, an unknown or absent track
   * takes the policy's 'default' one.
   */
  regulatoryTrack?: string;
  /** Who decides each level, by name; APPROVAL_LEVELS when absent. */
  approvalLevels?: readonly ApprovalLevelPolicy[];
  /** DEFAULT_SATISFACTION when absent. */
  satisfaction?: Pick<LifecyclePolicy, 'satisfactionScale' | 'reopenBelowScore'>;
}

/**
 * The lifecycle policy of a deployment's deadline policy, so that each number is written
 * once (in the DeadlinePolicy and its JSON mirror):
 * - compensation: the frontline limit and the band edges, in minor units, are fen (the
 *   lifecycle counts CNY only: another currency throws a RangeError); the chain is the
 *   policy's, each level with the approver roles `approvalLevels` gives its name (a name
 *   it does not know throws a RangeError). A policy that sets no compensation (UK_FCA_DISP,
 *   US_CFPB: the sources give no figures) gets the safe reading: the frontline grants
 *   nothing at once, and every amount goes up the whole chain of `approvalLevels`;
 * - the regulatory period: the track's base days and the totals of its extension steps,
 *   in order. A policy with no regulatory period throws a RangeError: the lifecycle
 *   needs one.
 * The result is checked against the LifecyclePolicy schema.
 */
export function lifecyclePolicyFrom(
  policy: DeadlinePolicy,
  options: LifecyclePolicyOptions = {},
): LifecyclePolicy {
  const levels = options.approvalLevels ?? APPROVAL_LEVELS;
  const regulatory = policy.regulatory;
  if (!regulatory)
    throw new RangeError(`Policy ${policy.id} sets no regulatory period for the lifecycle`);
  const track =
    regulatory.tracks[options.regulatoryTrack ?? 'default'] ?? regulatory.tracks['default'];
  if (!track) throw new RangeError(`Policy ${policy.id} has no default regulatory track`);

  const compensation = policy.compensation;
  let money: Pick<
    LifecyclePolicy,
    'frontlineCompensationLimitFen' | 'approvalChain' | 'approvalBands'
  >;
  if (compensation === null) {
    money = {
      frontlineCompensationLimitFen: 0,
      approvalChain: levels.map((level) => ({ ...level, approverRoles: [...level.approverRoles] })),
      approvalBands: [{ upToFen: null, levels: levels.length }],
    };
  } else {
    if (compensation.currency !== 'CNY')
      throw new RangeError(
        `Policy ${policy.id} counts compensation in ${compensation.currency}; the lifecycle counts fen (CNY)`,
      );
    money = {
      frontlineCompensationLimitFen: compensation.frontlineLimitMinorUnits,
      approvalChain: compensation.approvalChain.map(({ name }) => {
        const level = levels.find((l) => l.name === name);
        if (!level)
          throw new RangeError(`Policy ${policy.id}: no approver roles for the level "${name}"`);
        return { name, approverRoles: [...level.approverRoles] };
      }),
      approvalBands: compensation.approvalBands.map((band) => ({
        upToFen: band.upToMinorUnits,
        levels: band.levels,
      })),
    };
  }
  const satisfaction = options.satisfaction ?? DEFAULT_SATISFACTION;
  return LifecyclePolicy.parse({
    ...money,
    regulatoryDeadlineDays: track.baseDays,
    extensionStepsDays: track.extensions.map((step) => step.toDays),
    satisfactionScale: { ...satisfaction.satisfactionScale },
    reopenBelowScore: satisfaction.reopenBelowScore,
  });
}

/** DOMAIN.md's defaults: the numbers of CN_CBIRC_2020 (500 CNY; 15 → 30 → 60 days). */
export const DEFAULT_LIFECYCLE_POLICY: LifecyclePolicy = lifecyclePolicyFrom(CN_CBIRC_2020);

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
