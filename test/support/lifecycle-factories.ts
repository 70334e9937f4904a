// Small factories for the lifecycle tests: people, times, a case at a given point of its
// life, and well-formed events for any moment of it.
import {
  decideCaseEvent,
  openTasks,
  pendingCompensation,
  startCase,
  type CaseActor,
  type CaseContext,
  type CaseContextInput,
  type CaseEvent,
  type CaseEventInput,
  type CaseState,
} from '../../shared/lifecycle/case-machine';
import type { ApprovalDecision } from '../../shared/lifecycle/approval-machine';

export const owner: CaseActor = { userId: 'agent-1', role: 'agent' };
export const colleague: CaseActor = { userId: 'agent-2', role: 'agent' };
export const lead: CaseActor = { userId: 'lead-1', role: 'lead' };
export const distributor: CaseActor = { userId: 'distributor', role: 'system' };
export const admin: CaseActor = { userId: 'admin-1', role: 'admin' };
export const branchClerk: CaseActor = { userId: 'branch-1', role: 'branch' };
export const EVERYONE: readonly CaseActor[] = [
  owner,
  colleague,
  lead,
  distributor,
  admin,
  branchClerk,
];

export const RECEIVED_AT = '2026-11-23T08:00:00.000Z';
/** The n-th minute after the complaint was received, as an ISO time. */
export const minute = (n: number) => new Date(Date.parse(RECEIVED_AT) + n * 60_000).toISOString();

export function newComplaint(overrides: Partial<CaseContextInput> = {}) {
  return startCase({
    caseId: 'case-1',
    caseType: 'complaint',
    receivedAt: RECEIVED_AT,
    registeredBy: owner.userId,
    ownerId: owner.userId,
    ...overrides,
  });
}

export function stamp(input: CaseEventInput, actor: CaseActor = owner, at = minute(1)): CaseEvent {
  return { ...input, actor, at } as CaseEvent;
}

export interface CaseAt {
  state: CaseState;
  context: CaseContext;
}

/** Applies events that must all be accepted; a refusal fails the test with its reason. */
export function play(start: CaseAt, events: readonly CaseEvent[]): CaseAt {
  let current = start;
  for (const event of events) {
    const verdict = decideCaseEvent(current.state, current.context, event);
    if (!verdict.ok) throw new Error(`${event.type} refused in ${current.state}: ${verdict.code}`);
    current = { state: verdict.state, context: verdict.context };
  }
  return current;
}

export const RESOLUTION = {
  rootCause: '系统重复扣收年费',
  solution: '退还重复扣收的年费 200 元',
  prevention: '修复扣费批处理的重跑检查',
} as const;

/** Registered → triaged → in progress, owned by `owner`. */
export function inProgress(overrides: Partial<CaseContextInput> = {}): CaseAt {
  return play(newComplaint(overrides), [
    stamp({ type: 'TRIAGE', priority: 'normal' }),
    stamp({ type: 'ACCEPT' }),
  ]);
}

/** In progress → resolved → the customer told → waiting for the rating. */
export function awaitingFeedback(overrides: Partial<CaseContextInput> = {}): CaseAt {
  return play(inProgress(overrides), [
    stamp({ type: 'RESOLVE', ...RESOLUTION }, owner, minute(30)),
    stamp({ type: 'NOTIFY_CUSTOMER', channel: 'sms', summary: '年费已退还' }, owner, minute(31)),
  ]);
}

export function approvals(
  count: number,
  last: 'approved' | 'rejected' = 'approved',
): ApprovalDecision[] {
  const roles = ['lead', 'dept_head', 'committee'] as const;
  return Array.from({ length: count }, (_, i) => ({
    level: i + 1,
    approverId: `approver-${i + 1}`,
    role: roles[i % roles.length]!,
    decision: i === count - 1 ? last : 'approved',
    comment: '同意',
    at: minute(100 + i),
  }));
}

/**
 * Well-formed inputs of every event type for this moment of the case (a task id that is
 * open, the next extension step, a settled approval chain…), several where the event has
 * branches. Event types that cannot be well formed now (no open task) are left out.
 */
export function wellFormedInputs(context: CaseContext, serial = 0): CaseEventInput[] {
  const open = openTasks(context)[0];
  const pending = pendingCompensation(context);
  const limit = context.policy.frontlineCompensationLimitFen;
  const nextStep = context.policy.extensionStepsDays.find(
    (d) => d > (context.extensions.at(-1)?.toDays ?? context.policy.regulatoryDeadlineDays),
  );
  const assignee = ['agent-1', 'agent-2', 'agent-3'].find(
    (id) => id !== context.ownerId && !context.recusedUserIds.includes(id),
  );
  const inputs: CaseEventInput[] = [
    { type: 'TRIAGE', priority: 'urgent', reasons: [{ code: 'RISK_KEYWORD', keyword: '盗刷' }] },
    { type: 'ACCEPT' },
    { type: 'REQUEST_CUSTOMER_INFO', what: '请提供交易流水截图' },
    { type: 'CUSTOMER_RESPONDED', summary: '已上传截图' },
    {
      type: 'OPEN_TASK',
      taskId: `task-${context.tasks.length + 1}`,
      department: 'risk',
      request: '核实该笔交易是否为盗刷',
      dueAt: '2099-01-01T00:00:00.000Z',
    },
    {
      type: 'REQUEST_COMPENSATION',
      requestId: `comp-${context.compensations.length + 1}-low`,
      amountFen: Math.max(1, limit),
      reason: '致歉补偿',
    },
    {
      type: 'REQUEST_COMPENSATION',
      requestId: `comp-${context.compensations.length + 1}-high`,
      amountFen: limit + 1,
      reason: '资金损失补偿',
    },
    { type: 'RESOLVE', ...RESOLUTION },
    { type: 'NOTIFY_CUSTOMER', channel: 'phone', summary: '电话告知处理结果' },
    { type: 'RECORD_FEEDBACK', score: 4 },
    { type: 'RECORD_FEEDBACK', score: 2, comment: '不满意' },
    { type: 'CLOSE_WITHOUT_FEEDBACK', reason: '三次联系客户未接通' },
    { type: 'REOPEN', reason: '客户来电表示问题未解决' },
    { type: 'MERGE_INTO', targetCaseId: 'case-2', reason: '与 case-2 重复' },
    { type: 'WITHDRAW', reason: '客户撤诉' },
    { type: 'RECORD_INTERIM_MEASURE', measure: '已临时止付' },
    { type: 'RECORD_PLAN', plan: '先止付，后调查' },
    { type: 'RECORD_ROOT_CAUSE', summary: '商户终端被植入侧录设备' },
    { type: 'RECORD_PROGRESS_UPDATE', channel: 'app', summary: '风控核查中' },
    { type: 'PROMISE_RESOLUTION', promisedBy: '2099-01-01T00:00:00.000Z' },
    { type: 'RECORD_FOLLOW_UP', summary: '回访：客户满意' },
    { type: 'RECORD_NEW_FACTS', summary: '客户补充了新的交易记录' },
    { type: 'ABSORB_REPEAT', fromCaseId: `case-repeat-${serial}-${context.absorbed.length}` },
    { type: 'RECUSE', reason: '经办人与客户为亲属' },
    { type: 'RECORD_FIRST_CONTACT' },
    context.exclusionOpen
      ? { type: 'END_EXCLUSION' }
      : { type: 'START_EXCLUSION', reason: '送外部司法鉴定' },
  ];
  if (assignee) {
    inputs.push({ type: 'ASSIGN', assigneeId: assignee });
    inputs.push({ type: 'REASSIGN', toUserId: assignee, reason: '原经办人休假' });
  }
  if (open) inputs.push({ type: 'ANSWER_TASK', taskId: open.id, answer: '确认为盗刷' });
  if (pending) {
    inputs.push({
      type: 'COMPENSATION_DECIDED',
      requestId: pending.id,
      approved: true,
      levels: approvals(pending.requiredLevels),
    });
    inputs.push({
      type: 'COMPENSATION_DECIDED',
      requestId: pending.id,
      approved: false,
      levels: approvals(1, 'rejected'),
    });
  }
  if (nextStep !== undefined)
    inputs.push({
      type: 'EXTEND_DEADLINE',
      toDays: nextStep,
      approvalId: 'approval-7',
      approvedBy: 'head-office',
      customerNoticeAt: minute(5),
      reason: '案情复杂，需上级审批延期',
    });
  if (context.caseType === 'suggestion')
    inputs.push({
      type: 'DECIDE_SUGGESTION',
      adopted: true,
      customerReach: '所有手机银行用户',
      feasibility: '下个版本可实现',
      value: '减少转账误操作',
      rationale: '采纳',
    });
  return inputs;
}
