// The case's vocabulary as tags and badges, one look everywhere.
import type { ReactNode } from 'react';
import { Badge, Space, Tag, Tooltip } from 'antd';
import { AlertOutlined, CloudUploadOutlined, CrownOutlined, UserOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Priority } from '../../../shared/domain';
import type { CaseState } from '../../../shared/lifecycle/case-machine';
import type { PriorityReason } from '../../../shared/lifecycle/priority-rules';
import { STATUS_COLORS } from '../case-lifecycle';

export const PRIORITY_COLORS: Record<Priority, string> = {
  urgent: 'red',
  high: 'orange',
  normal: 'blue',
  suggestion: 'green',
};

export function PriorityTag({ priority, className }: { priority: Priority; className?: string }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={PRIORITY_COLORS[priority]}
      className={className}
      data-testid="priority-tag"
      data-priority={priority}
    >
      {t(`priorities.${priority}`)}
    </Tag>
  );
}

export function priorityReasonLabel(t: TFunction, reason: PriorityReason): string {
  return reason.code === 'RISK_KEYWORD'
    ? t('priorityReasons.RISK_KEYWORD', { keyword: reason.keyword })
    : t(`priorityReasons.${reason.code}`);
}

const REASON_ICONS: Record<PriorityReason['code'], ReactNode> = {
  RISK_KEYWORD: <AlertOutlined />,
  VIP: <CrownOutlined />,
  ELDERLY: <UserOutlined />,
  REPEAT_COMPLAINANT: <UserOutlined />,
};

/** Why the case has its priority: 风险关键词：盗刷, VIP 客户… */
export function PriorityReasons({ reasons }: { reasons: readonly PriorityReason[] }) {
  const { t } = useTranslation();
  if (reasons.length === 0) return null;
  return (
    <Space size={4} wrap data-testid="priority-reasons">
      {reasons.map((reason) => (
        <Tag
          key={reason.code === 'RISK_KEYWORD' ? `kw-${reason.keyword}` : reason.code}
          icon={REASON_ICONS[reason.code]}
          color={reason.code === 'RISK_KEYWORD' ? 'volcano' : 'default'}
          variant="outlined"
          data-testid="priority-reason"
          data-code={reason.code}
          style={{ marginInlineEnd: 0 }}
        >
          {priorityReasonLabel(t, reason)}
        </Tag>
      ))}
    </Space>
  );
}

export function StatusBadge({ status }: { status: CaseState }) {
  const { t } = useTranslation();
  const color = STATUS_COLORS[status];
  return (
    <span data-testid="status-badge" data-status={status} style={{ whiteSpace: 'nowrap' }}>
      {color === 'processing' ? (
        <Badge status="processing" text={t(`statuses.${status}`)} />
      ) : (
        <Badge color={color} text={t(`statuses.${status}`)} />
      )}
    </span>
  );
}

export function PendingTag() {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('cases.pendingTip')}>
      <Tag
        icon={<CloudUploadOutlined />}
        color="gold"
        variant="outlined"
        data-testid="pending-badge"
      >
        {t('cases.pending')}
      </Tag>
    </Tooltip>
  );
}
