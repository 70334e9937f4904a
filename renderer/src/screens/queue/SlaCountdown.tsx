// The live SLA cell of a queue row: time left to the next deadline, or how long it is
// overdue, recounted every second from the instants the row carries (no call per tick).
import { ClockCircleOutlined, PauseCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { QueueRow, SlaState } from '../../../../shared/queue';
import { formatDueTime } from '../../format';
import { formatSpan, liveSlaState } from './sla-state';

const ICONS: Record<SlaState, typeof ClockCircleOutlined> = {
  ok: ClockCircleOutlined,
  warning: WarningOutlined,
  breached: WarningOutlined,
  paused: PauseCircleOutlined,
};

export function SlaCountdown({ row, nowMs }: { row: QueueRow; nowMs: number }) {
  const { t } = useTranslation();
  const state = liveSlaState(row, nowMs);
  if (row.nextDueAt === null && state !== 'paused') {
    return (
      <span className="cw-sla cw-sla-none" data-testid="sla-countdown" data-sla="none">
        {t('queue.sla.none')}
      </span>
    );
  }
  const Icon = ICONS[state];
  const due = row.nextDueAt === null ? null : Date.parse(row.nextDueAt);
  let text: string;
  if (due === null) text = t('queue.sla.paused');
  else if (state === 'breached') text = t('queue.overdue', { time: formatSpan(t, nowMs - due) });
  else text = t('queue.remaining', { time: formatSpan(t, due - nowMs) });
  return (
    <span className="cw-sla-cell" data-testid="sla-countdown" data-sla={state}>
      <span className={`cw-sla cw-sla-${state}`}>
        <Icon aria-hidden />
        <span className="cw-sla-text">
          {state === 'paused' && due !== null ? `${t('queue.sla.paused')} · ` : ''}
          {text}
        </span>
      </span>
      {due !== null ? (
        <span className="cw-sla-due">{t('queue.due', { time: formatDueTime(row.nextDueAt) })}</span>
      ) : null}
    </span>
  );
}
