// The case's vocabulary as tags and badges, one look everywhere.
import { Badge, Tag, Tooltip } from 'antd';
import { CloudUploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseStatus, Priority } from '../../../shared/domain';

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

const STATUS_BADGES: Record<CaseStatus, 'default' | 'processing' | 'success' | 'warning'> = {
  new: 'warning',
  in_progress: 'processing',
  resolved: 'success',
  closed: 'default',
};

export function StatusBadge({ status }: { status: CaseStatus }) {
  const { t } = useTranslation();
  return (
    <span data-testid="status-badge" data-status={status}>
      <Badge status={STATUS_BADGES[status]} text={t(`statuses.${status}`)} />
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
