// What the lifecycle's context holds, one panel each, shown once there is something in it:
// customer information requests, cross-department tasks, compensation, the resolution (or a
// suggestion's decision), customer notices, feedback and extensions.
import type { ReactNode } from 'react';
import { Card, Descriptions, Rate, Space, Tag, Typography } from 'antd';
import {
  AuditOutlined,
  BellOutlined,
  CheckCircleOutlined,
  FieldTimeOutlined,
  MoneyCollectOutlined,
  QuestionCircleOutlined,
  StarOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseContext } from '../../../../shared/lifecycle/case-machine';
import { formatDateTime, formatDueTime, formatMoney } from '../../format';
import { useNow } from '../../hooks';
import { formatDuration, useCaseDirectory } from './common';

const COMPENSATION_COLORS = {
  granted: 'green',
  pending: 'orange',
  approved: 'green',
  rejected: 'red',
} as const;

function Panel({
  title,
  icon,
  testId,
  extra,
  children,
}: {
  title: string;
  icon: ReactNode;
  testId: string;
  extra?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card
      size="small"
      title={
        <Space size={8}>
          {icon}
          {title}
        </Space>
      }
      extra={extra}
      data-testid={testId}
    >
      {children}
    </Card>
  );
}

export function LifecyclePanels({ context }: { context: CaseContext }) {
  return (
    <>
      <CustomerRequestsPanel context={context} />
      <TasksPanel context={context} />
      <CompensationsPanel context={context} />
      <ResolutionPanel context={context} />
      <NoticesPanel context={context} />
      <FeedbackPanel context={context} />
      <ExtensionsPanel context={context} />
    </>
  );
}

function CustomerRequestsPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  if (context.customerRequests.length === 0) return null;
  return (
    <Panel
      title={t('panels.customerRequests')}
      icon={<QuestionCircleOutlined />}
      testId="panel-customer-requests"
    >
      <div className="cw-items">
        {context.customerRequests.map((r, i) => (
          <div key={`${r.requestedAt}-${i}`} className="cw-item" data-testid="customer-request">
            <div className="cw-item-head">
              <span className="cw-item-meta">
                {t('panels.requestedAt', { time: formatDateTime(r.requestedAt) })}
              </span>
              {r.respondedAt ? (
                <Tag color="green" variant="outlined" style={{ marginInlineEnd: 0 }}>
                  {t('panels.respondedAt', { time: formatDateTime(r.respondedAt) })}
                </Tag>
              ) : (
                <Tag color="gold" style={{ marginInlineEnd: 0 }}>
                  {t('panels.waitingResponse')}
                </Tag>
              )}
            </div>
            <div className="cw-long-text">{r.what}</div>
            {r.response ? <div className="cw-item-answer cw-long-text">{r.response}</div> : null}
          </div>
        ))}
      </div>
    </Panel>
  );
}

function TasksPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  const { nameOf } = useCaseDirectory();
  const now = useNow(30_000);
  if (context.tasks.length === 0) return null;
  return (
    <Panel title={t('panels.tasks')} icon={<TeamOutlined />} testId="panel-tasks">
      <div className="cw-items">
        {context.tasks.map((task) => {
          const answered = task.answeredAt !== null;
          const remaining = Date.parse(task.dueAt) - now;
          const overdue = !answered && remaining < 0;
          const state = answered ? 'answered' : overdue ? 'overdue' : 'open';
          return (
            <div
              key={task.id}
              className="cw-item"
              data-testid="task-item"
              data-task-id={task.id}
              data-state={state}
            >
              <div className="cw-item-head">
                <Space size={6} wrap>
                  <Tag color="geekblue" style={{ marginInlineEnd: 0 }}>
                    {t(`departments.${task.department}`)}
                  </Tag>
                  <span className="cw-item-meta">
                    {t('panels.taskDue', { time: formatDueTime(task.dueAt) })}
                  </span>
                </Space>
                {answered ? (
                  <Tag color="green" icon={<CheckCircleOutlined />} style={{ marginInlineEnd: 0 }}>
                    {t('panels.taskAnswered')}
                  </Tag>
                ) : overdue ? (
                  <Tag color="red" style={{ marginInlineEnd: 0 }}>
                    {t('panels.taskOverdue')} · {formatDuration(t, remaining)}
                  </Tag>
                ) : (
                  <Tag color="blue" style={{ marginInlineEnd: 0 }}>
                    {t('panels.taskOpen')} ·{' '}
                    {t('deadlines.remaining', { time: formatDuration(t, remaining) })}
                  </Tag>
                )}
              </div>
              <div className="cw-long-text">{task.request}</div>
              {answered ? (
                <div className="cw-item-answer">
                  <div className="cw-long-text">{task.answer}</div>
                  <div className="cw-item-meta">
                    {t('panels.answeredBy', {
                      name: nameOf(task.answeredBy),
                      time: formatDateTime(task.answeredAt),
                    })}
                  </div>
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
    </Panel>
  );
}

function CompensationsPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  const { nameOf } = useCaseDirectory();
  if (context.compensations.length === 0) return null;
  return (
    <Panel
      title={t('panels.compensations')}
      icon={<MoneyCollectOutlined />}
      testId="panel-compensations"
    >
      <div className="cw-items">
        {context.compensations.map((c) => (
          <div
            key={c.id}
            className="cw-item"
            data-testid="compensation-item"
            data-status={c.status}
            data-amount-fen={c.amountFen}
          >
            <div className="cw-item-head">
              <Space size={8} wrap>
                <span className="cw-amount">{formatMoney(c.amountFen)}</span>
                <span className="cw-item-meta">
                  {c.requiredLevels === 0
                    ? t('panels.noApproval')
                    : t('panels.requiredLevels', { levels: c.requiredLevels })}
                </span>
              </Space>
              <Tag color={COMPENSATION_COLORS[c.status]} style={{ marginInlineEnd: 0 }}>
                {t(`compensationStatuses.${c.status}`)}
              </Tag>
            </div>
            <div className="cw-long-text">{c.reason}</div>
            <div className="cw-item-meta">
              {t('panels.recordedBy', {
                name: nameOf(c.requestedBy),
                time: formatDateTime(c.requestedAt),
              })}
            </div>
            {c.levels.length > 0 ? (
              <div className="cw-item-answer">
                {c.levels.map((level) => (
                  <div key={level.level} className="cw-approval-line">
                    <AuditOutlined style={{ color: '#8591a0' }} />
                    <span>
                      {level.level}. {nameOf(level.approverId)} · {t(`approverRoles.${level.role}`)}
                    </span>
                    <Tag
                      color={level.decision === 'approved' ? 'green' : 'red'}
                      variant="outlined"
                      style={{ marginInlineEnd: 0 }}
                    >
                      {t(`approvalDecisions.${level.decision}`)}
                    </Tag>
                    <span className="cw-item-meta">{formatDateTime(level.at)}</span>
                    {level.comment ? <span>— {level.comment}</span> : null}
                  </div>
                ))}
              </div>
            ) : null}
          </div>
        ))}
      </div>
    </Panel>
  );
}

function ResolutionPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  const { nameOf } = useCaseDirectory();
  const { resolution, suggestionDecision: decision } = context;
  if (!resolution && !decision) return null;
  const text = (value: string) => <div className="cw-long-text">{value}</div>;
  return (
    <>
      {resolution ? (
        <Panel
          title={t('panels.resolution')}
          icon={<CheckCircleOutlined />}
          testId="panel-resolution"
          extra={
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('panels.recordedBy', {
                name: nameOf(resolution.recordedBy),
                time: formatDateTime(resolution.recordedAt),
              })}
            </Typography.Text>
          }
        >
          <Descriptions
            column={1}
            size="small"
            bordered
            styles={{ label: { width: 110, whiteSpace: 'nowrap' } }}
            items={[
              {
                key: 'rootCause',
                label: t('panels.rootCause'),
                children: text(resolution.rootCause),
              },
              { key: 'solution', label: t('panels.solution'), children: text(resolution.solution) },
              {
                key: 'prevention',
                label: t('panels.prevention'),
                children: text(resolution.prevention),
              },
              ...(resolution.compensationSummary
                ? [
                    {
                      key: 'compensation',
                      label: t('panels.compensationSummary'),
                      children: text(resolution.compensationSummary),
                    },
                  ]
                : []),
            ]}
          />
        </Panel>
      ) : null}
      {decision ? (
        <Panel
          title={t('panels.suggestionDecision')}
          icon={<CheckCircleOutlined />}
          testId="panel-suggestion-decision"
          extra={
            <Tag color={decision.adopted ? 'green' : 'default'} style={{ marginInlineEnd: 0 }}>
              {decision.adopted ? t('panels.adopted') : t('panels.declined')}
            </Tag>
          }
        >
          <Descriptions
            column={1}
            size="small"
            bordered
            styles={{ label: { width: 110, whiteSpace: 'nowrap' } }}
            items={[
              {
                key: 'reach',
                label: t('panels.customerReach'),
                children: text(decision.customerReach),
              },
              {
                key: 'feasibility',
                label: t('panels.feasibility'),
                children: text(decision.feasibility),
              },
              { key: 'value', label: t('panels.value'), children: text(decision.value) },
              {
                key: 'rationale',
                label: t('panels.rationale'),
                children: text(decision.rationale),
              },
            ]}
          />
        </Panel>
      ) : null}
    </>
  );
}

function NoticesPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  const { nameOf } = useCaseDirectory();
  if (context.notices.length === 0) return null;
  return (
    <Panel title={t('panels.notices')} icon={<BellOutlined />} testId="panel-notices">
      <div className="cw-items">
        {[...context.notices].reverse().map((n, i) => (
          <div
            key={`${n.at}-${i}`}
            className="cw-item"
            data-testid="notice-item"
            data-purpose={n.purpose}
          >
            <div className="cw-item-head">
              <Space size={6} wrap>
                <Tag
                  color={n.purpose === 'decision' ? 'green' : 'blue'}
                  style={{ marginInlineEnd: 0 }}
                >
                  {t(`panels.noticePurposes.${n.purpose}`)}
                </Tag>
                <span>{t(`noticeChannels.${n.channel}`)}</span>
              </Space>
              <span className="cw-item-meta">
                {t('panels.recordedBy', { name: nameOf(n.by), time: formatDateTime(n.at) })}
              </span>
            </div>
            <div className="cw-long-text">{n.summary}</div>
          </div>
        ))}
      </div>
    </Panel>
  );
}

function FeedbackPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  const { nameOf } = useCaseDirectory();
  const { feedback, closeReason } = context;
  if (!feedback && !closeReason) return null;
  const scale = context.policy.satisfactionScale;
  return (
    <Panel title={t('panels.feedback')} icon={<StarOutlined />} testId="panel-feedback">
      {feedback ? (
        <div data-testid="feedback-score" data-score={feedback.score}>
          <div className="cw-item-head">
            <Space size={10}>
              <Rate disabled value={feedback.score} count={scale.max} />
              <Typography.Text strong>
                {feedback.score} / {scale.max}
              </Typography.Text>
            </Space>
            <span className="cw-item-meta">
              {t('panels.recordedBy', {
                name: nameOf(feedback.recordedBy),
                time: formatDateTime(feedback.at),
              })}
            </span>
          </div>
          <div className="cw-long-text" style={{ color: feedback.comment ? undefined : '#8591a0' }}>
            {feedback.comment ?? t('panels.noComment')}
          </div>
        </div>
      ) : null}
      {closeReason ? (
        <div className="cw-long-text" data-testid="close-reason">
          {t('panels.closeReason', { reason: closeReason })}
        </div>
      ) : null}
    </Panel>
  );
}

function ExtensionsPanel({ context }: { context: CaseContext }) {
  const { t } = useTranslation();
  if (context.extensions.length === 0) return null;
  return (
    <Panel title={t('panels.extensions')} icon={<FieldTimeOutlined />} testId="panel-extensions">
      <div className="cw-items">
        {context.extensions.map((e) => (
          <div key={`${e.at}-${e.toDays}`} className="cw-item" data-testid="extension-item">
            <div className="cw-item-head">
              <Tag color="purple" style={{ marginInlineEnd: 0 }}>
                {t('panels.extensionTo', { days: e.toDays })}
              </Tag>
              <span className="cw-item-meta">{formatDateTime(e.at)}</span>
            </div>
            <div className="cw-long-text">{e.reason}</div>
            <div className="cw-item-meta">
              {t('panels.approval', { approvalId: e.approvalId, approvedBy: e.approvedBy })}
              {' · '}
              {t('panels.customerNotice', { time: formatDateTime(e.customerNoticeAt) })}
            </div>
          </div>
        ))}
      </div>
    </Panel>
  );
}
