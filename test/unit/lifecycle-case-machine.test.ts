import { describe, expect, it } from 'vitest';
import {
  allowedCaseEvents,
  CASE_STATES,
  CaseContext,
  caseSnapshot,
  decideCaseEvent,
  statesHandling,
  type CaseEvent,
  type CaseState,
} from '../../shared/lifecycle/case-machine';
import { DEFAULT_LIFECYCLE_POLICY } from '../../shared/lifecycle/policy';
import {
  admin,
  approvals,
  awaitingFeedback,
  colleague,
  distributor,
  EVERYONE,
  inProgress,
  lead,
  minute,
  newComplaint,
  owner,
  play,
  RESOLUTION,
  stamp,
  wellFormedInputs,
  type CaseAt,
} from '../support/lifecycle-factories';

const refusal = (at: CaseAt, event: CaseEvent) => {
  const verdict = decideCaseEvent(at.state, at.context, event);
  return verdict.ok ? `accepted → ${verdict.state}` : verdict.code;
};

describe('the case lifecycle', () => {
  it('walks a complaint from registration to closure with the customer’s rating', () => {
    const closed = play(newComplaint(), [
      stamp({ type: 'RECORD_FIRST_CONTACT' }, owner, minute(2)),
      stamp({ type: 'TRIAGE', priority: 'high' }, owner, minute(3)),
      stamp({ type: 'ACCEPT' }, owner, minute(4)),
      stamp({ type: 'RESOLVE', ...RESOLUTION }, owner, minute(60)),
      stamp({ type: 'NOTIFY_CUSTOMER', channel: 'sms', summary: '已退款' }, owner, minute(61)),
      stamp({ type: 'RECORD_FEEDBACK', score: 5, comment: '满意' }, owner, minute(90)),
    ]);
    expect(closed.state).toBe('closed');
    expect(closed.context.resolution?.rootCause).toBe(RESOLUTION.rootCause);
    expect(closed.context.feedback?.score).toBe(5);
    expect(closed.context.clock.map((e) => e.kind)).toEqual([
      'received',
      'first_contact',
      'priority_changed',
      'resolved',
      'decision_notified',
      'closed',
    ]);
  });

  it('lets the first-contact agent who owns the case start right after triage', () => {
    const triaged = play(newComplaint(), [stamp({ type: 'TRIAGE', priority: 'normal' })]);
    expect(triaged.state).toBe('triaged');
    expect(play(triaged, [stamp({ type: 'ACCEPT' })]).state).toBe('in_progress');
  });

  it('has an unowned case distributed by the system, then accepted by the assignee', () => {
    const unowned = play(newComplaint({ ownerId: null }), [
      stamp({ type: 'TRIAGE', priority: 'normal' }, distributor),
    ]);
    expect(refusal(unowned, stamp({ type: 'ACCEPT' }, colleague))).toBe('CASE_UNASSIGNED');
    const assigned = play(unowned, [
      stamp({ type: 'ASSIGN', assigneeId: colleague.userId }, distributor),
    ]);
    expect(assigned.state).toBe('assigned');
    expect(assigned.context.ownerId).toBe(colleague.userId);
    expect(assigned.context.ownership).toEqual([
      {
        kind: 'assigned',
        from: null,
        to: colleague.userId,
        by: distributor.userId,
        reason: null,
        at: minute(1),
      },
    ]);
    expect(play(assigned, [stamp({ type: 'ACCEPT' }, colleague)]).state).toBe('in_progress');
  });

  it('refuses another agent with a reason the UI can translate, and lets a team lead act', () => {
    const working = inProgress();
    const resolve = (actor = colleague) => stamp({ type: 'RESOLVE', ...RESOLUTION }, actor);
    expect(refusal(working, resolve(colleague))).toBe('NOT_OWNER_OR_LEAD');
    expect(refusal(working, resolve(admin))).toBe('NOT_OWNER_OR_LEAD');
    expect(refusal(working, resolve(distributor))).toBe('NOT_OWNER_OR_LEAD');
    expect(refusal(working, resolve(lead))).toBe('accepted → resolved');
  });

  it('lets only a team lead (or the distributor) move a case, and records every move', () => {
    const working = inProgress();
    const move = (actor = owner) =>
      stamp({ type: 'REASSIGN', toUserId: colleague.userId, reason: '原经办人休假' }, actor);
    expect(refusal(working, move(owner))).toBe('LEAD_ONLY');
    expect(
      refusal(working, stamp({ type: 'REASSIGN', toUserId: owner.userId, reason: 'x' }, lead)),
    ).toBe('ALREADY_OWNER');
    expect(
      refusal(working, stamp({ type: 'REASSIGN', toUserId: 'agent-3', reason: ' ' }, lead)),
    ).toBe('REASON_REQUIRED');
    const moved = play(working, [move(lead)]);
    expect(moved.state).toBe('in_progress');
    expect(moved.context.ownerId).toBe(colleague.userId);
    expect(moved.context.ownership.at(-1)).toMatchObject({
      kind: 'reassigned',
      from: owner.userId,
      to: colleague.userId,
      by: lead.userId,
      reason: '原经办人休假',
    });
    expect(refusal(moved, stamp({ type: 'RESOLVE', ...RESOLUTION }, owner))).toBe(
      'NOT_OWNER_OR_LEAD',
    );
  });

  it('hands a case back to the lead when its handler recuses, and never back to them', () => {
    const working = inProgress();
    expect(refusal(working, stamp({ type: 'RECUSE', reason: '亲属' }, lead))).toBe('OWNER_ONLY');
    const recused = play(working, [stamp({ type: 'RECUSE', reason: '经办人与客户为亲属' })]);
    expect(recused.state).toBe('triaged');
    expect(recused.context.ownerId).toBeNull();
    expect(refusal(recused, stamp({ type: 'ASSIGN', assigneeId: owner.userId }, lead))).toBe(
      'ASSIGNEE_RECUSED',
    );
    expect(
      play(recused, [stamp({ type: 'ASSIGN', assigneeId: colleague.userId }, lead)]).state,
    ).toBe('assigned');
  });

  it('needs a root cause, a solution and a prevention before resolving', () => {
    const working = inProgress();
    for (const blank of ['rootCause', 'solution', 'prevention'] as const) {
      expect(refusal(working, stamp({ type: 'RESOLVE', ...RESOLUTION, [blank]: '  ' }))).toBe(
        'RESOLUTION_INCOMPLETE',
      );
    }
    expect(refusal(working, stamp({ type: 'RESOLVE', ...RESOLUTION }))).toBe('accepted → resolved');
  });

  it('pauses for the customer and records when the wait started and ended', () => {
    const waiting = play(inProgress(), [
      stamp({ type: 'REQUEST_CUSTOMER_INFO', what: '请提供交易截图' }, owner, minute(10)),
    ]);
    expect(waiting.state).toBe('waiting_customer');
    expect(refusal(waiting, stamp({ type: 'RESOLVE', ...RESOLUTION }))).toBe(
      'NOT_ALLOWED_IN_STATE',
    );
    const back = play(waiting, [
      stamp({ type: 'CUSTOMER_RESPONDED', summary: '已提供' }, owner, minute(50)),
    ]);
    expect(back.state).toBe('in_progress');
    expect(back.context.clock.slice(-2)).toEqual([
      { kind: 'waiting_customer_started', at: minute(10), what: '请提供交易截图' },
      { kind: 'waiting_customer_ended', at: minute(50) },
    ]);
  });

  it('returns from the departments only when the last open task is answered', () => {
    const task = (taskId: string, department: 'risk' | 'product') =>
      stamp({ type: 'OPEN_TASK', taskId, department, request: '请协办', dueAt: minute(24 * 60) });
    const waiting = play(inProgress(), [task('t-risk', 'risk'), task('t-product', 'product')]);
    expect(waiting.state).toBe('waiting_departments');
    expect(refusal(waiting, stamp({ type: 'ANSWER_TASK', taskId: 't-x', answer: '好' }))).toBe(
      'TASK_UNKNOWN',
    );
    // A department's answer may be entered by any staff member; who did is recorded.
    const oneAnswered = play(waiting, [
      stamp({ type: 'ANSWER_TASK', taskId: 't-risk', answer: '确认盗刷' }, colleague),
    ]);
    expect(oneAnswered.state).toBe('waiting_departments');
    expect(oneAnswered.context.tasks[0]).toMatchObject({
      answeredBy: colleague.userId,
      answer: '确认盗刷',
    });
    expect(
      refusal(oneAnswered, stamp({ type: 'ANSWER_TASK', taskId: 't-risk', answer: '再答' })),
    ).toBe('TASK_ALREADY_ANSWERED');
    expect(
      refusal(
        oneAnswered,
        stamp({ type: 'ANSWER_TASK', taskId: 't-product', answer: 'ok' }, distributor),
      ),
    ).toBe('STAFF_ONLY');
    const allAnswered = play(oneAnswered, [
      stamp({ type: 'ANSWER_TASK', taskId: 't-product', answer: '合规声明已出具' }),
    ]);
    expect(allAnswered.state).toBe('in_progress');
  });

  it('refuses a department task that is due before it is opened, or opened twice', () => {
    const working = inProgress();
    const open = (taskId: string, dueAt: string) =>
      stamp(
        { type: 'OPEN_TASK', taskId, department: 'compliance', request: '合规意见', dueAt },
        owner,
        minute(10),
      );
    expect(refusal(working, open('t1', minute(5)))).toBe('TASK_DUE_BEFORE_OPENING');
    const waiting = play(working, [open('t1', minute(100))]);
    expect(refusal(waiting, open('t1', minute(200)))).toBe('TASK_DUPLICATE');
  });

  it('grants compensation within the frontline limit at once and records it', () => {
    const granted = play(inProgress(), [
      stamp({ type: 'REQUEST_COMPENSATION', requestId: 'c1', amountFen: 300_00, reason: '致歉' }),
    ]);
    expect(granted.state).toBe('in_progress');
    expect(granted.context.compensations[0]).toMatchObject({
      amountFen: 300_00,
      status: 'granted',
      requiredLevels: 0,
    });
  });

  it('sends compensation above the limit to approval and back with the decision', () => {
    const pending = play(inProgress(), [
      stamp({ type: 'REQUEST_COMPENSATION', requestId: 'c1', amountFen: 800_00, reason: '损失' }),
    ]);
    expect(pending.state).toBe('pending_approval');
    const decided = (
      approved: boolean,
      levels = approvals(1),
      requestId = 'c1',
      actor = distributor,
    ) => stamp({ type: 'COMPENSATION_DECIDED', requestId, approved, levels }, actor);
    expect(refusal(pending, decided(true, []))).toBe('APPROVAL_INCOMPLETE');
    expect(refusal(pending, decided(true, approvals(1, 'rejected')))).toBe('APPROVAL_INCOMPLETE');
    expect(refusal(pending, decided(true, approvals(1), 'c9'))).toBe(
      'COMPENSATION_REQUEST_UNKNOWN',
    );
    expect(refusal(pending, decided(true, approvals(1), 'c1', owner))).toBe('LEAD_ONLY');
    const approved = play(pending, [decided(true)]);
    expect(approved.state).toBe('in_progress');
    expect(approved.context.compensations[0]).toMatchObject({ status: 'approved' });
    const rejected = play(pending, [decided(false, approvals(1, 'rejected'))]);
    expect(rejected.context.compensations[0]).toMatchObject({ status: 'rejected' });
  });

  it('does not take a 5,000 CNY compensation as approved on the team lead’s word alone', () => {
    const pending = play(inProgress(), [
      stamp({ type: 'REQUEST_COMPENSATION', requestId: 'c1', amountFen: 5_000_00, reason: '损失' }),
    ]);
    const decided = (levels: number) =>
      stamp(
        {
          type: 'COMPENSATION_DECIDED',
          requestId: 'c1',
          approved: true,
          levels: approvals(levels),
        },
        distributor,
      );
    expect(refusal(pending, decided(1))).toBe('APPROVAL_INCOMPLETE');
    expect(refusal(pending, decided(2))).toBe('accepted → in_progress');
  });

  it('reopens the case when the customer rates it below 3', () => {
    const reopened = play(awaitingFeedback(), [
      stamp({ type: 'RECORD_FEEDBACK', score: 2, comment: '没解决' }, owner, minute(40)),
    ]);
    expect(reopened.state).toBe('reopened');
    expect(reopened.context.reopenCount).toBe(1);
    expect(reopened.context.resolution).toBeNull();
    expect(reopened.context.reopenings[0]).toMatchObject({
      cause: 'low_satisfaction',
      feedback: { score: 2 },
      resolution: { rootCause: RESOLUTION.rootCause },
    });
    expect(reopened.context.clock.at(-1)).toEqual({
      kind: 'reopened',
      at: minute(40),
      cause: 'low_satisfaction',
      reason: '没解决',
    });
    // Work continues, and the case needs a new resolution before it can close again.
    const again = play(reopened, [stamp({ type: 'ACCEPT' })]);
    expect(again.state).toBe('in_progress');
    expect(refusal(again, stamp({ type: 'RECORD_FEEDBACK', score: 5 }))).toBe(
      'NOT_ALLOWED_IN_STATE',
    );
  });

  it('closes the case when the customer rates it 3 or more', () => {
    expect(refusal(awaitingFeedback(), stamp({ type: 'RECORD_FEEDBACK', score: 3 }))).toBe(
      'accepted → closed',
    );
  });

  it('refuses a rating outside 1 to 5', () => {
    for (const score of [0, 6, 3.5, -1]) {
      expect(refusal(awaitingFeedback(), stamp({ type: 'RECORD_FEEDBACK', score }))).toBe(
        'FEEDBACK_OUT_OF_RANGE',
      );
    }
    // Not a number at all is not a rating out of range but a broken message.
    expect(refusal(awaitingFeedback(), stamp({ type: 'RECORD_FEEDBACK', score: Number.NaN }))).toBe(
      'EVENT_MALFORMED',
    );
  });

  it('closes without a rating only with a recorded reason', () => {
    const waiting = awaitingFeedback();
    expect(refusal(waiting, stamp({ type: 'CLOSE_WITHOUT_FEEDBACK', reason: ' ' }))).toBe(
      'CLOSE_REASON_REQUIRED',
    );
    const closed = play(waiting, [
      stamp({ type: 'CLOSE_WITHOUT_FEEDBACK', reason: '三次联系客户未接通' }),
    ]);
    expect(closed.state).toBe('closed');
    expect(closed.context.closeReason).toBe('三次联系客户未接通');
  });

  it('cannot close a case whose decision was never told to the customer', () => {
    const resolved = play(inProgress(), [stamp({ type: 'RESOLVE', ...RESOLUTION })]);
    expect(refusal(resolved, stamp({ type: 'CLOSE_WITHOUT_FEEDBACK', reason: '联系不上' }))).toBe(
      'NOT_ALLOWED_IN_STATE',
    );
  });

  it('logs every notice, but only the first after a resolution tells the decision', () => {
    const waiting = play(awaitingFeedback(), [
      stamp(
        { type: 'NOTIFY_CUSTOMER', channel: 'letter', summary: '寄送结案书' },
        owner,
        minute(45),
      ),
    ]);
    expect(waiting.state).toBe('awaiting_feedback');
    expect(waiting.context.notices.map((n) => n.channel)).toEqual(['sms', 'letter']);
    expect(waiting.context.clock.filter((e) => e.kind === 'decision_notified')).toHaveLength(1);
  });

  it('reopens a closed case on request, keeping the finished cycle', () => {
    const closed = play(awaitingFeedback(), [stamp({ type: 'RECORD_FEEDBACK', score: 4 })]);
    expect(refusal(closed, stamp({ type: 'REOPEN', reason: '' }))).toBe('REASON_REQUIRED');
    const reopened = play(closed, [stamp({ type: 'REOPEN', reason: '客户再次来电' })]);
    expect(reopened.state).toBe('reopened');
    expect(reopened.context.feedback).toBeNull();
    expect(reopened.context.reopenings[0]).toMatchObject({
      cause: 'reopen_requested',
      feedback: { score: 4 },
    });
  });

  it('accepts nothing once a case is merged, and still shows it', () => {
    const merged = play(inProgress(), [
      stamp({ type: 'MERGE_INTO', targetCaseId: 'case-7', reason: '重复工单' }),
    ]);
    expect(merged.state).toBe('merged');
    expect(merged.context.mergedInto).toBe('case-7');
    expect(refusal(merged, stamp({ type: 'REOPEN', reason: 'x' }, lead))).toBe('CASE_FINAL');
    for (const actor of EVERYONE)
      expect(allowedCaseEvents('merged', merged.context, actor)).toEqual([]);
  });

  it('refuses merging a case into itself', () => {
    expect(
      refusal(inProgress(), stamp({ type: 'MERGE_INTO', targetCaseId: 'case-1', reason: '重复' })),
    ).toBe('SAME_CASE');
  });

  it('ends handling on withdrawal and closes the intervals the deadline engine reads', () => {
    const withdrawn = play(inProgress(), [
      stamp({ type: 'START_EXCLUSION', reason: '司法鉴定' }, owner, minute(5)),
      stamp({ type: 'REQUEST_CUSTOMER_INFO', what: '鉴定材料' }, owner, minute(6)),
      stamp({ type: 'WITHDRAW', reason: '客户撤回投诉' }, owner, minute(7)),
    ]);
    expect(withdrawn.state).toBe('withdrawn');
    expect(withdrawn.context.exclusionOpen).toBe(false);
    expect(withdrawn.context.clock.slice(-3)).toEqual([
      { kind: 'waiting_customer_ended', at: minute(7) },
      { kind: 'exclusion_ended', at: minute(7) },
      { kind: 'withdrawn', at: minute(7), reason: '客户撤回投诉' },
    ]);
    expect(refusal(withdrawn, stamp({ type: 'CUSTOMER_RESPONDED' }))).toBe('CASE_FINAL');
  });

  describe('extending the regulatory deadline', () => {
    const extension = (toDays: number, more: Record<string, string | undefined> = {}) =>
      stamp({
        type: 'EXTEND_DEADLINE',
        toDays,
        approvalId: 'appr-1',
        approvedBy: '分行消保部',
        customerNoticeAt: minute(3),
        reason: '案情复杂',
        ...more,
      });

    it('refuses an extension without an approval', () => {
      expect(refusal(inProgress(), extension(30, { approvalId: undefined }))).toBe(
        'EXTENSION_NEEDS_APPROVAL',
      );
      expect(refusal(inProgress(), extension(30, { approvedBy: ' ' }))).toBe(
        'EXTENSION_NEEDS_APPROVAL',
      );
    });

    it('refuses an extension without a notice to the customer', () => {
      expect(refusal(inProgress(), extension(30, { customerNoticeAt: undefined }))).toBe(
        'EXTENSION_NEEDS_CUSTOMER_NOTICE',
      );
    });

    it('extends only from 15 to 30, then to 60, and no further', () => {
      expect(refusal(inProgress(), extension(60))).toBe('EXTENSION_OUT_OF_SEQUENCE');
      expect(refusal(inProgress(), extension(90))).toBe('EXTENSION_BEYOND_MAXIMUM');
      const to30 = play(inProgress(), [extension(30)]);
      expect(to30.state).toBe('in_progress');
      expect(refusal(to30, extension(30))).toBe('EXTENSION_OUT_OF_SEQUENCE');
      const to60 = play(to30, [extension(60)]);
      expect(to60.context.extensions.map((e) => e.toDays)).toEqual([30, 60]);
      expect(to60.context.clock.at(-1)).toMatchObject({
        kind: 'extension',
        toDays: 60,
        approvalId: 'appr-1',
        customerNoticeAt: minute(3),
      });
      expect(refusal(to60, extension(60))).toBe('EXTENSION_BEYOND_MAXIMUM');
      expect(allowedCaseEvents(to60.state, to60.context, owner)).not.toContain('EXTEND_DEADLINE');
    });
  });

  it('does not resolve while an external appraisal is running', () => {
    const excluded = play(inProgress(), [stamp({ type: 'START_EXCLUSION', reason: '外部鉴定' })]);
    expect(refusal(excluded, stamp({ type: 'START_EXCLUSION', reason: '再次' }))).toBe(
      'EXCLUSION_ALREADY_OPEN',
    );
    expect(refusal(excluded, stamp({ type: 'RESOLVE', ...RESOLUTION }))).toBe('EXCLUSION_OPEN');
    const ended = play(excluded, [stamp({ type: 'END_EXCLUSION' })]);
    expect(refusal(ended, stamp({ type: 'END_EXCLUSION' }))).toBe('EXCLUSION_NOT_OPEN');
    expect(refusal(ended, stamp({ type: 'RESOLVE', ...RESOLUTION }))).toBe('accepted → resolved');
  });

  it('records the first contact once', () => {
    const contacted = play(newComplaint(), [
      stamp({ type: 'RECORD_FIRST_CONTACT' }, owner, minute(9)),
    ]);
    expect(contacted.state).toBe('registered');
    expect(contacted.context.firstContactAt).toBe(minute(9));
    expect(refusal(contacted, stamp({ type: 'RECORD_FIRST_CONTACT' }))).toBe(
      'FIRST_CONTACT_ALREADY_RECORDED',
    );
  });

  it('absorbs a repeat complaint once, and records new facts for the clock', () => {
    const absorbed = play(inProgress(), [
      stamp({ type: 'ABSORB_REPEAT', fromCaseId: 'case-9' }),
      stamp({ type: 'RECORD_NEW_FACTS', summary: '客户提供了新的转账凭证' }),
    ]);
    expect(absorbed.state).toBe('in_progress');
    expect(absorbed.context.absorbed).toEqual(['case-9']);
    expect(absorbed.context.clock.slice(-2).map((e) => e.kind)).toEqual([
      'absorbed_repeat',
      'new_facts',
    ]);
    expect(refusal(absorbed, stamp({ type: 'ABSORB_REPEAT', fromCaseId: 'case-9' }))).toBe(
      'ALREADY_ABSORBED',
    );
    expect(refusal(absorbed, stamp({ type: 'ABSORB_REPEAT', fromCaseId: 'case-1' }))).toBe(
      'SAME_CASE',
    );
  });

  it('records a change of priority on the clock, and not a triage that keeps it', () => {
    const triaged = play(newComplaint(), [
      stamp({ type: 'TRIAGE', priority: 'normal' }),
      stamp({
        type: 'TRIAGE',
        priority: 'urgent',
        reasons: [{ code: 'RISK_KEYWORD', keyword: '盗刷' }],
      }),
    ]);
    expect(triaged.context.clock.filter((e) => e.kind === 'priority_changed')).toEqual([
      { kind: 'priority_changed', at: minute(1), from: 'normal', priority: 'urgent' },
    ]);
    expect(triaged.context.priorityReasons).toEqual([{ code: 'RISK_KEYWORD', keyword: '盗刷' }]);
  });

  it('decides a suggestion by adopting or declining it, and only a suggestion', () => {
    const decide = stamp({
      type: 'DECIDE_SUGGESTION',
      adopted: false,
      customerReach: '少数用户',
      feasibility: '需改造核心系统',
      value: '低',
      rationale: '暂不采纳，已记录',
    });
    expect(refusal(inProgress(), decide)).toBe('NOT_A_SUGGESTION');
    expect(newComplaint({ caseType: 'suggestion' }).context.priority).toBe('suggestion');
    const suggestion = inProgress({ caseType: 'suggestion' });
    const decided = play(suggestion, [decide]);
    expect(decided.state).toBe('resolved');
    expect(decided.context.suggestionDecision).toMatchObject({ adopted: false });
  });

  it('records the milestones the service clocks measure: root cause, progress, a promised date', () => {
    const working = play(inProgress(), [
      stamp({ type: 'RECORD_ROOT_CAUSE', summary: '终端被植入侧录设备' }, owner, minute(90)),
      stamp(
        { type: 'RECORD_PROGRESS_UPDATE', channel: 'app', summary: '核查中' },
        owner,
        minute(95),
      ),
      stamp({ type: 'PROMISE_RESOLUTION', promisedBy: minute(3 * 24 * 60) }, owner, minute(96)),
    ]);
    expect(working.state).toBe('in_progress');
    expect(working.context.clock.slice(-3)).toEqual([
      { kind: 'root_cause_found', at: minute(90), summary: '终端被植入侧录设备' },
      { kind: 'progress_update', at: minute(95), channel: 'app' },
      { kind: 'resolution_promised', at: minute(96), promisedBy: minute(3 * 24 * 60) },
    ]);
    // A progress update is a notice to the customer too, but not the decision.
    expect(working.context.notices).toMatchObject([{ purpose: 'progress', channel: 'app' }]);
    expect(working.context.decisionNotifiedAt).toBeNull();
    expect(
      refusal(
        working,
        stamp({ type: 'PROMISE_RESOLUTION', promisedBy: minute(1) }, owner, minute(97)),
      ),
    ).toBe('PROMISE_IN_PAST');
  });

  it('records the follow-up calls after closure, and nothing else but a reopening', () => {
    const closed = play(awaitingFeedback({ major: true }), [
      stamp({ type: 'RECORD_FEEDBACK', score: 4 }, owner, minute(40)),
    ]);
    expect(closed.context.clock[0]).toMatchObject({
      kind: 'received',
      caseType: 'complaint',
      major: true,
    });
    const followed = play(closed, [
      stamp({ type: 'RECORD_FOLLOW_UP', summary: '回访：已到账' }, owner, minute(24 * 60)),
      stamp(
        { type: 'RECORD_FOLLOW_UP', second: true, summary: '二次回访' },
        owner,
        minute(20 * 24 * 60),
      ),
    ]);
    expect(followed.state).toBe('closed');
    expect(
      followed.context.clock.slice(-2).map((e) => e.kind === 'follow_up_done' && e.second),
    ).toEqual([false, true]);
    expect(allowedCaseEvents('closed', followed.context, owner)).toEqual([
      'REOPEN',
      'RECORD_FOLLOW_UP',
    ]);
  });

  it('refuses an event that does not match its schema', () => {
    const broken = { ...stamp({ type: 'ACCEPT' }), at: 'yesterday' };
    expect(refusal(inProgress(), broken)).toBe('EVENT_MALFORMED');
  });

  it('reads its limits from the policy, not from the code', () => {
    const strict = {
      ...DEFAULT_LIFECYCLE_POLICY,
      frontlineCompensationLimitFen: 100_00,
      approvalBands: [{ upToFen: null, levels: 1 }],
      reopenBelowScore: 4,
    };
    const working = inProgress({ policy: strict });
    expect(
      refusal(
        working,
        stamp({ type: 'REQUEST_COMPENSATION', requestId: 'c', amountFen: 300_00, reason: '致歉' }),
      ),
    ).toBe('accepted → pending_approval');
    expect(
      refusal(awaitingFeedback({ policy: strict }), stamp({ type: 'RECORD_FEEDBACK', score: 3 })),
    ).toBe('accepted → reopened');
  });

  it('rebuilds the same case from its stored columns', () => {
    const stored = JSON.parse(JSON.stringify(awaitingFeedback())) as CaseAt;
    expect(CaseContext.parse(stored.context)).toEqual(stored.context);
    expect(caseSnapshot(stored.state, stored.context).value).toBe('awaiting_feedback');
    expect(refusal(stored, stamp({ type: 'RECORD_FEEDBACK', score: 4 }))).toBe('accepted → closed');
  });

  it('offers the owner the actions of the moment and a colleague none', () => {
    const working = inProgress();
    expect(allowedCaseEvents('in_progress', working.context, owner)).toEqual([
      'TRIAGE',
      'RECUSE',
      'REQUEST_CUSTOMER_INFO',
      'OPEN_TASK',
      'REQUEST_COMPENSATION',
      'RESOLVE',
      'MERGE_INTO',
      'WITHDRAW',
      'RECORD_FIRST_CONTACT',
      'RECORD_INTERIM_MEASURE',
      'RECORD_PLAN',
      'RECORD_ROOT_CAUSE',
      'RECORD_PROGRESS_UPDATE',
      'PROMISE_RESOLUTION',
      'START_EXCLUSION',
      'EXTEND_DEADLINE',
      'RECORD_NEW_FACTS',
      'ABSORB_REPEAT',
    ]);
    expect(allowedCaseEvents('in_progress', working.context, colleague)).toEqual([]);
    expect(allowedCaseEvents('in_progress', working.context, lead)).toContain('REASSIGN');
  });
});

describe('every state of the case can be reached (model-based walk)', () => {
  it('reaches all 13 states by breadth-first search over well-formed events', () => {
    const start = { ...newComplaint({ ownerId: null }), path: [] as string[] };
    const reached = new Map<CaseState, string[]>([[start.state, []]]);
    const queue = [start];
    for (let node = queue.shift(); node; node = queue.shift()) {
      for (const input of wellFormedInputs(node.context)) {
        for (const actor of [
          { userId: node.context.ownerId ?? owner.userId, role: 'agent' as const },
          lead,
          distributor,
        ]) {
          const verdict = decideCaseEvent(
            node.state,
            node.context,
            stamp(input, actor, minute(node.path.length + 1)),
          );
          if (!verdict.ok || reached.has(verdict.state)) continue;
          const path = [...node.path, `${input.type} by ${actor.role}`];
          reached.set(verdict.state, path);
          queue.push({ state: verdict.state, context: verdict.context, path });
        }
      }
    }
    expect([...reached.keys()].sort()).toEqual([...CASE_STATES].sort());
    expect(reached.get('closed')).toEqual([
      'TRIAGE by lead',
      'ASSIGN by lead',
      'ACCEPT by agent',
      'RESOLVE by agent',
      'NOTIFY_CUSTOMER by agent',
      'RECORD_FEEDBACK by agent',
    ]);
  });

  it('handles every event in some state, and nothing in a final state', () => {
    for (const type of ['TRIAGE', 'ANSWER_TASK', 'COMPENSATION_DECIDED', 'RECUSE'] as const)
      expect(statesHandling(type).length).toBeGreaterThan(0);
    expect(statesHandling('REOPEN')).toEqual(['resolved', 'awaiting_feedback', 'closed']);
    expect(statesHandling('MERGE_INTO')).not.toContain('closed');
  });
});
