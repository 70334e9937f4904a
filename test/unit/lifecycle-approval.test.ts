import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedApprovalEvents,
  approvalOutcome,
  decideApprovalEvent,
  isSettledApprovalChain,
  startApproval,
  type ApprovalActor,
  type ApprovalContext,
  type ApprovalEvent,
  type ApprovalState,
} from '../../shared/lifecycle/approval-machine';
import { decideCaseEvent } from '../../shared/lifecycle/case-machine';
import {
  DEFAULT_LIFECYCLE_POLICY,
  formatFenAsYuan,
  LifecyclePolicy,
  parseYuanToFen,
  requiredApprovalLevels,
} from '../../shared/lifecycle/policy';
import { distributor, inProgress, play, stamp } from '../support/lifecycle-factories';

const at = '2026-11-23T09:00:00.000Z';
const requester = 'agent-1';
const teamLead: ApprovalActor = { userId: 'lead-1', role: 'lead' };
const otherLead: ApprovalActor = { userId: 'lead-2', role: 'lead' };
const deptHead: ApprovalActor = { userId: 'head-1', role: 'dept_head' };
const committee: ApprovalActor = { userId: 'committee-1', role: 'committee' };
const CHAIN = [teamLead, deptHead, committee];

const request = (yuan: number, policy = DEFAULT_LIFECYCLE_POLICY) =>
  startApproval({
    requestId: 'comp-1',
    caseId: 'case-1',
    amountFen: yuan * 100,
    reason: '资金损失补偿',
    requestedBy: requester,
    requestedAt: at,
    policy,
  });

type At = { state: ApprovalState; context: ApprovalContext };
const decide = (
  current: At,
  type: 'APPROVE' | 'REJECT',
  actor: ApprovalActor,
  more: Partial<{ level: number; comment: string }> = {},
) => {
  const event: ApprovalEvent = {
    type,
    actor,
    at,
    level: current.context.decisions.length + 1,
    comment: type === 'APPROVE' ? '同意' : '金额过高',
    ...more,
  };
  return decideApprovalEvent(current.state, current.context, event);
};
const approveAll = (start: At) => {
  let current = start;
  let levels = 0;
  while (current.state === 'awaiting_approval') {
    const verdict = decide(current, 'APPROVE', CHAIN[current.context.decisions.length]!);
    if (!verdict.ok) throw new Error(verdict.code);
    current = verdict;
    levels++;
  }
  return { current, levels };
};

describe('compensation approval', () => {
  it('grants 300 CNY at once, with no approval', () => {
    expect(request(300).state).toBe('granted');
    expect(request(500).state).toBe('granted');
    expect(approvalOutcome('granted', request(500).context)).toBeNull();
  });

  it('needs exactly one level, the team lead, for 800 CNY', () => {
    const started = request(800);
    expect(started.state).toBe('awaiting_approval');
    expect(started.context.chain.map((l) => l.name)).toEqual(['team_lead']);
    const { current, levels } = approveAll(started);
    expect(levels).toBe(1);
    expect(current.state).toBe('approved');
  });

  it('needs the team lead and the department head for 5,000 CNY', () => {
    const started = request(5_000);
    expect(started.context.chain.map((l) => l.name)).toEqual(['team_lead', 'department_head']);
    const afterLead = decide(started, 'APPROVE', teamLead);
    expect(afterLead.ok && afterLead.state).toBe('awaiting_approval');
    expect(approveAll(started).levels).toBe(2);
  });

  it('needs all three levels for 20,000 CNY', () => {
    expect(request(20_000).context.chain).toHaveLength(3);
    const { current, levels } = approveAll(request(20_000));
    expect(levels).toBe(3);
    expect(current.context.decisions.map((d) => [d.level, d.role, d.decision])).toEqual([
      [1, 'lead', 'approved'],
      [2, 'dept_head', 'approved'],
      [3, 'committee', 'approved'],
    ]);
  });

  it('ends rejected when the department head rejects at level 2', () => {
    const afterLead = decide(request(20_000), 'APPROVE', teamLead);
    if (!afterLead.ok) throw new Error(afterLead.code);
    const rejected = decide(afterLead, 'REJECT', deptHead, { comment: '证据不足' });
    expect(rejected.ok && rejected.state).toBe('rejected');
    if (!rejected.ok) return;
    expect(decide(rejected, 'APPROVE', committee)).toEqual({ ok: false, code: 'APPROVAL_FINAL' });
    expect(allowedApprovalEvents(rejected.state, rejected.context, committee)).toEqual([]);
    expect(approvalOutcome(rejected.state, rejected.context)).toMatchObject({
      approved: false,
      levels: [{ decision: 'approved' }, { decision: 'rejected', comment: '证据不足' }],
    });
  });

  it('lets only the role of the level decide it', () => {
    const started = request(5_000);
    expect(decide(started, 'APPROVE', deptHead)).toEqual({
      ok: false,
      code: 'WRONG_APPROVER_ROLE',
    });
    expect(allowedApprovalEvents(started.state, started.context, deptHead)).toEqual([]);
    expect(allowedApprovalEvents(started.state, started.context, teamLead)).toEqual([
      'APPROVE',
      'REJECT',
    ]);
  });

  it('keeps four eyes: no approving one’s own request, nor two levels', () => {
    const chain: LifecyclePolicy = {
      ...DEFAULT_LIFECYCLE_POLICY,
      approvalChain: [
        { name: 'team_lead', approverRoles: ['lead'] },
        { name: 'any_lead', approverRoles: ['lead', 'dept_head'] },
        { name: 'service_committee', approverRoles: ['committee'] },
      ],
    };
    const started = startApproval({
      requestId: 'c',
      caseId: 'case-1',
      amountFen: 5_000_00,
      reason: '补偿',
      requestedBy: teamLead.userId,
      requestedAt: at,
      policy: chain,
    });
    expect(decide(started, 'APPROVE', teamLead)).toEqual({ ok: false, code: 'SELF_APPROVAL' });
    const first = decide(started, 'APPROVE', otherLead);
    if (!first.ok) throw new Error(first.code);
    expect(decide(first, 'APPROVE', otherLead)).toEqual({
      ok: false,
      code: 'APPROVER_ALREADY_DECIDED',
    });
  });

  it('refuses a stale decision for another level, and a decision without a comment', () => {
    const started = request(5_000);
    expect(decide(started, 'APPROVE', teamLead, { level: 2 })).toEqual({
      ok: false,
      code: 'LEVEL_MISMATCH',
    });
    expect(decide(started, 'REJECT', teamLead, { comment: '  ' })).toEqual({
      ok: false,
      code: 'COMMENT_REQUIRED',
    });
  });

  it('tells the case an outcome the case accepts', () => {
    const pending = play(inProgress(), [
      stamp({
        type: 'REQUEST_COMPENSATION',
        requestId: 'comp-1',
        amountFen: 20_000_00,
        reason: '损失',
      }),
    ]);
    const { current } = approveAll(request(20_000));
    const outcome = approvalOutcome(current.state, current.context)!;
    const verdict = decideCaseEvent(pending.state, pending.context, stamp(outcome, distributor));
    expect(verdict.ok && verdict.state).toBe('in_progress');
    expect(verdict.ok && verdict.context.compensations[0]?.status).toBe('approved');
  });

  it('takes as many levels as the band of the amount, for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_00 }), (amountFen) => {
        const started = startApproval({
          requestId: 'c',
          caseId: 'case-1',
          amountFen,
          reason: '补偿',
          requestedBy: requester,
          requestedAt: at,
        });
        const expected =
          amountFen <= 500_00 ? 0 : amountFen <= 2_000_00 ? 1 : amountFen <= 10_000_00 ? 2 : 3;
        expect(requiredApprovalLevels(amountFen, DEFAULT_LIFECYCLE_POLICY)).toBe(expected);
        if (expected === 0) {
          expect(started.state).toBe('granted');
        } else {
          const { current, levels } = approveAll(started);
          expect([current.state, levels]).toEqual(['approved', expected]);
        }
      }),
      { seed: 800, numRuns: 1000 },
    );
  });

  it('settles a chain only with every level approved, or approvals then one rejection', () => {
    const d = (level: number, decision: 'approved' | 'rejected') => ({
      level,
      approverId: `a${level}`,
      role: 'lead' as const,
      decision,
      comment: 'c',
      at,
    });
    expect(isSettledApprovalChain(2, true, [d(1, 'approved'), d(2, 'approved')])).toBe(true);
    expect(isSettledApprovalChain(2, true, [d(1, 'approved')])).toBe(false);
    expect(isSettledApprovalChain(2, true, [d(2, 'approved'), d(1, 'approved')])).toBe(false);
    expect(isSettledApprovalChain(2, false, [d(1, 'approved'), d(2, 'rejected')])).toBe(true);
    expect(isSettledApprovalChain(2, false, [d(1, 'rejected'), d(2, 'approved')])).toBe(false);
    expect(isSettledApprovalChain(2, false, [])).toBe(false);
  });
});

describe('the lifecycle policy', () => {
  it('accepts its own defaults', () => {
    expect(LifecyclePolicy.parse(DEFAULT_LIFECYCLE_POLICY)).toEqual(DEFAULT_LIFECYCLE_POLICY);
  });

  it('refuses bands that do not ascend, need more levels than the chain, or end closed', () => {
    const broken = (patch: Partial<LifecyclePolicy>) =>
      LifecyclePolicy.safeParse({ ...DEFAULT_LIFECYCLE_POLICY, ...patch }).success;
    expect(
      broken({
        approvalBands: [
          { upToFen: 100_00, levels: 1 },
          { upToFen: null, levels: 2 },
        ],
      }),
    ).toBe(false);
    expect(broken({ approvalBands: [{ upToFen: null, levels: 4 }] })).toBe(false);
    expect(broken({ approvalBands: [{ upToFen: 900_00, levels: 1 }] })).toBe(false);
    expect(broken({ extensionStepsDays: [60, 30] })).toBe(false);
    expect(broken({ reopenBelowScore: 9 })).toBe(false);
  });

  it('reads amounts in yuan exactly, as integer fen', () => {
    expect(parseYuanToFen('800')).toBe(80_000);
    expect(parseYuanToFen('0.1')).toBe(10);
    expect(parseYuanToFen('1,200.05')).toBe(120_005);
    expect(parseYuanToFen('８００．５')).toBe(80_050); // full-width, as typed with a Chinese IME
    for (const wrong of ['', '-5', '1.005', 'abc', '1e3']) expect(parseYuanToFen(wrong)).toBeNull();
    expect(formatFenAsYuan(80_050)).toBe('800.50');
    expect(formatFenAsYuan(5)).toBe('0.05');
  });
});
