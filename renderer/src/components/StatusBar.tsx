// The bottom bar: connection state, what waits to sync, what the server refused, a sync button.
import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Progress, Spin, Tooltip } from 'antd';
import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloudUploadOutlined,
  ExclamationCircleOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../shared/contract';
import { formatShortTime } from '../format';
import { useWorkstationEvent } from '../hooks';
import { callWorkstation } from '../workstation';
import { useReportError } from './feedback';

const STATE_BADGES: Record<SyncStatus['state'], 'success' | 'default' | 'processing' | 'error'> = {
  online: 'success',
  syncing: 'processing',
  offline: 'error',
  signed_out: 'default',
};

export function StatusBar({ onStatus }: { onStatus?: (status: SyncStatus) => void }) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [syncing, setSyncing] = useState(false);

  const accept = useCallback(
    (next: SyncStatus) => {
      setStatus(next);
      onStatus?.(next);
    },
    [onStatus],
  );

  useWorkstationEvent('sync.status', accept);

  useEffect(() => {
    let live = true;
    callWorkstation('sync.status', {})
      .then((s) => {
        if (live) accept(s);
      })
      .catch(reportError);
    return () => {
      live = false;
    };
  }, [accept, reportError]);

  const syncNow = async () => {
    setSyncing(true);
    try {
      accept(await callWorkstation('sync.now', {}));
    } catch (error) {
      reportError(error);
    } finally {
      setSyncing(false);
    }
  };

  const state = status?.state;
  const pending = status?.pending ?? 0;
  const rejected = status?.rejected ?? 0;
  const bootstrap = status?.bootstrap ?? null;

  return (
    <div className="cw-statusbar" data-testid="status-bar" role="status">
      <Tooltip
        title={status?.lastError ? t('sync.lastError', { error: status.lastError }) : undefined}
      >
        <span
          className="cw-statusbar-item"
          data-testid="sync-state"
          data-state={state ?? 'unknown'}
        >
          <Badge status={state ? STATE_BADGES[state] : 'default'} />
          <span>{t(`sync.state.${state ?? 'unknown'}`)}</span>
        </span>
      </Tooltip>
      {bootstrap ? (
        <span
          className="cw-statusbar-item"
          data-testid="sync-bootstrap"
          data-received={bootstrap.received}
        >
          {bootstrap.total ? (
            <Progress
              type="circle"
              size={14}
              percent={Math.min(100, Math.floor((bootstrap.received / bootstrap.total) * 100))}
              showInfo={false}
            />
          ) : (
            <Spin size="small" />
          )}
          {bootstrap.total
            ? t('sync.bootstrapOf', { received: bootstrap.received, total: bootstrap.total })
            : t('sync.bootstrap', { received: bootstrap.received })}
        </span>
      ) : null}
      <span className="cw-statusbar-item" data-testid="sync-pending" data-count={pending}>
        {pending > 0 ? (
          <>
            <CloudUploadOutlined style={{ color: '#d48806' }} />
            {t('sync.pending', { count: pending })}
          </>
        ) : (
          <>
            <CheckCircleOutlined style={{ color: '#52c41a' }} />
            {t('sync.allSynced')}
          </>
        )}
      </span>
      {rejected > 0 ? (
        <span
          className="cw-statusbar-item"
          data-testid="sync-rejected"
          data-count={rejected}
          style={{ color: '#cf1322' }}
        >
          <ExclamationCircleOutlined />
          {t('sync.rejected', { count: rejected })}
        </span>
      ) : null}
      <span className="cw-statusbar-item" data-testid="sync-last">
        <ClockCircleOutlined style={{ color: '#8591a0' }} />
        {status?.lastSyncedAt
          ? t('sync.lastSynced', { time: formatShortTime(status.lastSyncedAt) })
          : t('sync.neverSynced')}
      </span>
      {state === 'offline' && status?.nextRetryAt ? (
        <span
          className="cw-statusbar-item"
          data-testid="sync-next-retry"
          style={{ color: '#8591a0' }}
        >
          {t('sync.nextRetry', { time: formatShortTime(status.nextRetryAt) })}
        </span>
      ) : null}
      <span className="cw-statusbar-spacer" />
      <Button
        size="small"
        icon={<SyncOutlined spin={syncing || state === 'syncing'} />}
        disabled={syncing || state === 'signed_out'}
        onClick={() => void syncNow()}
        data-testid="sync-now"
      >
        {t('sync.now')}
      </Button>
    </div>
  );
}
