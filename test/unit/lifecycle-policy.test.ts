// The lifecycle policy is derived from the deployment's deadline policy, so that DOMAIN's
// numbers (compensation limit and bands, the regulatory period and its extension steps) are
// written once, in shared/clock/policies.ts and its JSON mirrors.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CN_CBIRC_2020,
  DEFAULT_POLICIES,
  DeadlinePolicy,
  UK_FCA_DISP,
  US_CFPB,
  compensationApprovalLevels,
} from '../../shared/clock/policies';
import {
  APPROVAL_LEVELS,
  DEFAULT_LIFECYCLE_POLICY,
  LifecyclePolicy,
  lifecyclePolicyFrom,
  requiredApprovalLevels,
} from '../../shared/lifecycle/policy';
import { inProgress, lead, minute, play, stamp } from '../support/lifecycle-factories';

describe('DEFAULT_LIFECYCLE_POLICY', () => {
  it('is the lifecycle reading of CN_CBIRC_2020', () => {
    expect(DEFAULT_LIFECYCLE_POLICY).toEqual(lifecyclePolicyFrom(CN_CBIRC_2020));
  });

  it('carries DOMAIN.md’s numbers: 500 CNY at once, three levels by band, 15 → 30 → 60 days, 1–5 with below 3 reopening', () => {
    expect(DEFAULT_LIFECYCLE_POLICY).toEqual({
      frontlineCompensationLimitFen: 50_000,
      approvalChain: [
        { name: 'team_lead', approverRoles: ['lead'] },
        { name: 'department_head', approverRoles: ['dept_head'] },
        { name: 'service_committee', approverRoles: ['committee'] },
      ],
      approvalBands: [
        { upToFen: 200_000, levels: 1 },
        { upToFen: 1_000_000, levels: 2 },
        { upToFen: null, levels: 3 },
      ],
      regulatoryDeadlineDays: 15,
      extensionStepsDays: [30, 60],
      satisfactionScale: { min: 1, max: 5 },
      reopenBelowScore: 3,
    });
  });

  it('is what the administrator’s JSON mirror (resources/policies/cn-cbirc-2020.json) gives', () => {
    const json = DeadlinePolicy.parse(
      JSON.parse(
        readFileSync(
          new URL('../../resources/policies/cn-cbirc-2020.json', import.meta.url),
          'utf8',
        ),
      ),
    );
    expect(lifecyclePolicyFrom(json)).toEqual(DEFAULT_LIFECYCLE_POLICY);
  });
});

describe('lifecyclePolicyFrom carries the deadline policy’s numbers', () => {
  for (const policy of DEFAULT_POLICIES)
    for (const trackName of Object.keys(policy.regulatory?.tracks ?? {}))
      it(`${policy.id}, track ${trackName}`, () => {
        const derived = lifecyclePolicyFrom(policy, { regulatoryTrack: trackName });
        expect(LifecyclePolicy.safeParse(derived).success).toBe(true);
        const track = policy.regulatory!.tracks[trackName]!;
        expect(derived.regulatoryDeadlineDays).toBe(track.baseDays);
        expect(derived.extensionStepsDays).toEqual(track.extensions.map((s) => s.toDays));
        const compensation = policy.compensation;
        if (compensation) {
          expect(derived.frontlineCompensationLimitFen).toBe(compensation.frontlineLimitMinorUnits);
          expect(derived.approvalBands).toEqual(
            compensation.approvalBands.map((b) => ({
              upToFen: b.upToMinorUnits,
              levels: b.levels,
            })),
          );
          expect(derived.approvalChain.map((l) => l.name)).toEqual(
            compensation.approvalChain.map((l) => l.name),
          );
        } else {
          // No figures in the sources: the frontline grants nothing, every amount goes up
          // the whole chain.
          expect(derived.frontlineCompensationLimitFen).toBe(0);
          expect(derived.approvalBands).toEqual([
            { upToFen: null, levels: APPROVAL_LEVELS.length },
          ]);
          expect(derived.approvalChain).toEqual(APPROVAL_LEVELS);
        }
      });

  it('names the numbers of each policy: CN 15 → 30 → 60; FCA 56, or 15 → 35 for payment services; CFPB 60', () => {
    const days = (policy: DeadlinePolicy, regulatoryTrack?: string) => {
      const p = lifecyclePolicyFrom(policy, { regulatoryTrack });
      return [p.regulatoryDeadlineDays, p.extensionStepsDays];
    };
    expect(days(CN_CBIRC_2020)).toEqual([15, [30, 60]]);
    expect(days(UK_FCA_DISP)).toEqual([56, []]);
    expect(days(UK_FCA_DISP, 'payment_services')).toEqual([15, [35]]);
    expect(days(US_CFPB)).toEqual([60, []]);
    // As the deadline engine does, a track the policy does not have is its default one.
    expect(days(US_CFPB, 'payment_services')).toEqual([60, []]);
  });

  it('agrees with the deadline policy on how many levels any amount needs', () => {
    const compensation = CN_CBIRC_2020.compensation!;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), (amount) => {
        expect(requiredApprovalLevels(amount, DEFAULT_LIFECYCLE_POLICY)).toBe(
          compensationApprovalLevels(amount, compensation),
        );
      }),
      { numRuns: 500, seed: 20260500 },
    );
  });

  it('follows a deployment’s change of the numbers: a 1,000 CNY limit and a single band', () => {
    const policy = structuredClone(CN_CBIRC_2020);
    policy.compensation!.frontlineLimitMinorUnits = 100_000;
    policy.compensation!.approvalBands = [{ upToMinorUnits: null, levels: 2 }];
    policy.regulatory!.tracks['default']!.baseDays = 10;
    const derived = lifecyclePolicyFrom(policy);
    expect(derived).toMatchObject({
      frontlineCompensationLimitFen: 100_000,
      approvalBands: [{ upToFen: null, levels: 2 }],
      regulatoryDeadlineDays: 10,
    });
    expect(requiredApprovalLevels(80_000, derived)).toBe(0);
    expect(requiredApprovalLevels(100_001, derived)).toBe(2);
  });

  it('refuses what the lifecycle cannot count: another currency, a level with no approvers, no regulatory period', () => {
    const gbp = structuredClone(CN_CBIRC_2020);
    gbp.compensation!.currency = 'GBP';
    expect(() => lifecyclePolicyFrom(gbp)).toThrow(RangeError);

    const unknownLevel = structuredClone(CN_CBIRC_2020);
    unknownLevel.compensation!.approvalChain[2] = { name: 'board' };
    expect(() => lifecyclePolicyFrom(unknownLevel)).toThrow(/board/);
    expect(
      lifecyclePolicyFrom(unknownLevel, {
        approvalLevels: [...APPROVAL_LEVELS, { name: 'board', approverRoles: ['committee'] }],
      }).approvalChain[2],
    ).toEqual({ name: 'board', approverRoles: ['committee'] });

    const noRegulator = structuredClone(US_CFPB);
    noRegulator.regulatory = null;
    expect(() => lifecyclePolicyFrom(noRegulator)).toThrow(RangeError);
  });
});

describe('the case machine with a derived policy', () => {
  it('an FCA payment-services case may be extended to 35 days and no further, and any compensation goes up the whole chain', () => {
    const policy = lifecyclePolicyFrom(UK_FCA_DISP, { regulatoryTrack: 'payment_services' });
    const start = inProgress({ policy, regulatoryTrack: 'payment_services' });
    const extended = play(start, [
      stamp(
        {
          type: 'EXTEND_DEADLINE',
          toDays: 35,
          approvalId: 'HR-1',
          approvedBy: 'complaints-head',
          customerNoticeAt: minute(2),
          reason: 'holding reply: exceptional circumstances',
        },
        lead,
        minute(2),
      ),
    ]);
    expect(extended.context.extensions.map((e) => e.toDays)).toEqual([35]);
    expect(() =>
      play(extended, [
        stamp(
          {
            type: 'EXTEND_DEADLINE',
            toDays: 60,
            approvalId: 'HR-2',
            approvedBy: 'complaints-head',
            customerNoticeAt: minute(3),
            reason: 'again',
          },
          lead,
          minute(3),
        ),
      ]),
    ).toThrow(/EXTENSION_BEYOND_MAXIMUM/);

    const asked = play(start, [
      stamp({ type: 'REQUEST_COMPENSATION', requestId: 'c-1', amountFen: 100, reason: 'apology' }),
    ]);
    expect(asked.state).toBe('pending_approval');
    expect(asked.context.compensations[0]?.requiredLevels).toBe(3);
  });
});
