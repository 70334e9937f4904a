// 时限: every clock of the case as the deadline engine computed it, counted down live.
import { Card, Empty, Progress, Space, Tag, Tooltip, Typography } from 'antd';
import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  ExclamationCircleOutlined,
  FieldTimeOutlined,
  PauseCircleOutlined,
  StopOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Deadline } from '../../../../shared/clock';
import { liveDeadline, orderDeadlines } from '../../case-lifecycle';
import { formatDateTime, formatDueTime } from '../../format';
import { useNow } from '../../hooks';
import { formatDuration } from './common';

type State = Deadline['state'];

const STATE_COLORS: Record<State, string> = {
  running: 'blue',
  warning: 'orange',
  breached: 'red',
  paused: 'default',
  met: 'green',
  stopped: 'default',
};
const STROKES: Record<State, string> = {
  running: '#1677ff',
  warning: '#fa8c16',
  breached: '#f5222d',
  paused: '#bfbfbf',
  met: '#52c41a',
  stopped: '#d9d9d9',
};
const STATE_ICONS: Record<State, ReactNode> = {
  running: <ClockCircleOutlined />,
  warning: <WarningOutlined />,
  breached: <ExclamationCircleOutlined />,
  paused: <PauseCircleOutlined />,
  met: <CheckCircleOutlined />,
  stopped: <StopOutlined />,
};

interface Props {
  deadlines: readonly Deadline[];
  /** When the deadlines were computed (the case was loaded): the countdown starts there. */
  loadedAt: number;
}

export function DeadlinesPanel({ deadlines, loadedAt }: Props) {
  const { t } = useTranslation();
  // The countdown moves every 30 s; the case reloads whenever it changes.
  const now = useNow(30_000);
  const ordered = orderDeadlines(deadlines);
  return (
    <Card
      size="small"
      title={
        <Space size={8}>
          <FieldTimeOutlined />
          {t('deadlines.title')}
        </Space>
      }
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('time.beijing')}
        </Typography.Text>
      }
      data-testid="deadlines-panel"
    >
      {ordered.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('deadlines.none')} />
      ) : (
        <div className="cw-deadlines">
          {ordered.map((deadline) => (
            <DeadlineRow key={deadline.kind} deadline={deadline} loadedAt={loadedAt} now={now} />
          ))}
        </div>
      )}
    </Card>
  );
}

function DeadlineRow({
  deadline,
  loadedAt,
  now,
}: {
  deadline: Deadline;
  loadedAt: number;
  now: number;
}) {
  const { t } = useTranslation();
  const { state, remainingMs } = liveDeadline(deadline, loadedAt, now);

  let timing: ReactNode = null;
  if (state === 'met') {
    timing = (
      <span>
        {t('deadlines.metAt', { time: formatDateTime(deadline.metAt) })}
        {deadline.metLate ? (
          <Tag color="orange" variant="outlined" style={{ marginInlineStart: 6 }}>
            {t('deadlines.metLate')}
          </Tag>
        ) : null}
      </span>
    );
  } else if (remainingMs !== null) {
    const text = formatDuration(t, remainingMs);
    timing =
      state === 'breached'
        ? t('deadlines.overdue', { time: text })
        : state === 'paused'
          ? t('deadlines.pausedRemaining', { time: text })
          : t('deadlines.remaining', { time: text });
  } else if (deadline.dueAt === null && state !== 'stopped') {
    timing = t('deadlines.noDue');
  }

  const percent = progressOf(deadline, state, remainingMs);
  const extras: ReactNode[] = [];
  if (deadline.periodDays !== undefined) {
    extras.push(
      <Tag key="period" variant="outlined" data-testid="deadline-period">
        {t('deadlines.period', { days: deadline.periodDays })}
      </Tag>,
    );
  }
  if (deadline.extensionLevel) {
    extras.push(
      <Tag key="ext" color="purple" variant="outlined" data-testid="deadline-extension-level">
        {t('deadlines.extensionLevel', { level: deadline.extensionLevel })}
      </Tag>,
    );
  }
  if (deadline.missedCycles) {
    extras.push(
      <Tag key="missed" color="orange" variant="outlined">
        {t('deadlines.missedCycles', { count: deadline.missedCycles })}
      </Tag>,
    );
  }
  if (deadline.letterRequired) {
    extras.push(
      <Tag key="letter" color="gold" variant="outlined">
        {t('deadlines.letterRequired')}
      </Tag>,
    );
  }
  if (!deadline.calendarCovered) {
    extras.push(
      <Tooltip key="calendar" title={t('deadlines.calendarNotCovered')}>
        <WarningOutlined style={{ color: '#d48806' }} />
      </Tooltip>,
    );
  }

  return (
    <div
      className={`cw-deadline cw-deadline-${state}`}
      data-testid={`deadline-${deadline.kind}`}
      data-state={state}
    >
      <div className="cw-deadline-head">
        <div className="cw-deadline-name">
          <span>{t(`deadlines.kinds.${deadline.kind}`)}</span>
          {extras}
        </div>
        <Tooltip title={state === 'paused' ? t('deadlines.pausedHint') : undefined}>
          <Tag
            color={STATE_COLORS[state]}
            icon={STATE_ICONS[state]}
            style={{ marginInlineEnd: 0 }}
            data-testid="deadline-state"
          >
            {t(`deadlines.states.${state}`)}
          </Tag>
        </Tooltip>
      </div>
      <div className="cw-deadline-times">
        <span className="cw-deadline-due" data-testid="deadline-due">
          {deadline.dueAt ? t('deadlines.due', { time: formatDueTime(deadline.dueAt) }) : ''}
        </span>
        <span
          className="cw-deadline-remaining"
          data-testid="deadline-remaining"
          data-remaining-ms={remainingMs ?? undefined}
        >
          {timing}
        </span>
      </div>
      {state === 'stopped' || (deadline.dueAt === null && state !== 'met') ? null : (
        <Progress
          percent={percent}
          showInfo={false}
          size="small"
          strokeColor={STROKES[state]}
          className="cw-deadline-bar"
          aria-label={`${t(`deadlines.kinds.${deadline.kind}`)} · ${t(`deadlines.states.${state}`)}`}
        />
      )}
    </div>
  );
}

/** How much of the span has gone: full once met or overdue. */
function progressOf(deadline: Deadline, state: State, remainingMs: number | null): number {
  if (state === 'met' || state === 'breached') return 100;
  if (remainingMs === null || deadline.dueAt === null) return 0;
  const span = Date.parse(deadline.dueAt) - Date.parse(deadline.startedAt);
  if (!(span > 0)) return 0;
  return Math.max(2, Math.min(100, Math.round((1 - remainingMs / span) * 100)));
}
