// 可执行操作: one button per event the lifecycle allows this agent now, grouped; each opens
// its form (EventFormModal).
import { useState, type ReactNode } from 'react';
import { App, Button, Space, Typography } from 'antd';
import {
  AimOutlined,
  AuditOutlined,
  BellOutlined,
  BranchesOutlined,
  CalendarOutlined,
  CheckCircleOutlined,
  CloseCircleOutlined,
  CommentOutlined,
  ExperimentOutlined,
  FieldTimeOutlined,
  FileAddOutlined,
  FileDoneOutlined,
  FileSearchOutlined,
  FlagOutlined,
  LoginOutlined,
  MergeCellsOutlined,
  MessageOutlined,
  MoneyCollectOutlined,
  PhoneOutlined,
  PlayCircleOutlined,
  QuestionCircleOutlined,
  RedoOutlined,
  SafetyOutlined,
  SolutionOutlined,
  StarOutlined,
  StopOutlined,
  SwapOutlined,
  TeamOutlined,
  UserAddOutlined,
  UserDeleteOutlined,
  VerticalAlignBottomOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseDetail } from '../../../../shared/contract';
import type { CaseEventType } from '../../../../shared/lifecycle/case-machine';
import { DANGER_EVENTS, groupAllowedEvents, isPrimaryEvent } from '../../case-lifecycle';
import { EventFormModal } from './EventFormModal';

const EVENT_ICONS: Record<CaseEventType, ReactNode> = {
  TRIAGE: <FlagOutlined />,
  ASSIGN: <UserAddOutlined />,
  ACCEPT: <PlayCircleOutlined />,
  REASSIGN: <SwapOutlined />,
  RECUSE: <UserDeleteOutlined />,
  REQUEST_CUSTOMER_INFO: <QuestionCircleOutlined />,
  CUSTOMER_RESPONDED: <LoginOutlined />,
  OPEN_TASK: <TeamOutlined />,
  ANSWER_TASK: <SolutionOutlined />,
  REQUEST_COMPENSATION: <MoneyCollectOutlined />,
  COMPENSATION_DECIDED: <AuditOutlined />,
  RESOLVE: <CheckCircleOutlined />,
  DECIDE_SUGGESTION: <FileDoneOutlined />,
  NOTIFY_CUSTOMER: <BellOutlined />,
  RECORD_FEEDBACK: <StarOutlined />,
  CLOSE_WITHOUT_FEEDBACK: <CloseCircleOutlined />,
  REOPEN: <RedoOutlined />,
  MERGE_INTO: <MergeCellsOutlined />,
  WITHDRAW: <StopOutlined />,
  RECORD_FIRST_CONTACT: <PhoneOutlined />,
  RECORD_INTERIM_MEASURE: <SafetyOutlined />,
  RECORD_PLAN: <AimOutlined />,
  RECORD_ROOT_CAUSE: <FileSearchOutlined />,
  RECORD_PROGRESS_UPDATE: <MessageOutlined />,
  PROMISE_RESOLUTION: <CalendarOutlined />,
  RECORD_FOLLOW_UP: <CommentOutlined />,
  START_EXCLUSION: <ExperimentOutlined />,
  END_EXCLUSION: <VerticalAlignBottomOutlined />,
  EXTEND_DEADLINE: <FieldTimeOutlined />,
  RECORD_NEW_FACTS: <FileAddOutlined />,
  ABSORB_REPEAT: <BranchesOutlined />,
};

interface Props {
  detail: CaseDetail;
  onChanged: (next: CaseDetail) => void;
}

export function ActionsPanel({ detail, onChanged }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [active, setActive] = useState<{ type: CaseEventType; key: number } | null>(null);
  const groups = groupAllowedEvents(detail.allowedEvents);

  return (
    <div data-testid="case-actions" className="cw-actions">
      {groups.length === 0 ? (
        <Typography.Text type="secondary">{t('detail.noActions')}</Typography.Text>
      ) : (
        groups.map(({ group, events }) => (
          <div key={group} className="cw-action-group" data-testid={`action-group-${group}`}>
            <span className="cw-action-group-label">{t(`eventGroups.${group}`)}</span>
            <Space size={[8, 8]} wrap>
              {events.map((type) => (
                <Button
                  key={type}
                  type={isPrimaryEvent(type, detail.case.status) ? 'primary' : 'default'}
                  danger={DANGER_EVENTS.has(type)}
                  icon={EVENT_ICONS[type]}
                  disabled={active !== null}
                  onClick={() => setActive({ type, key: Date.now() })}
                  data-testid={`action-${type}`}
                >
                  {t(`events.${type}`)}
                </Button>
              ))}
            </Space>
          </div>
        ))
      )}
      {active ? (
        <EventFormModal
          key={active.key}
          type={active.type}
          detail={detail}
          onDone={(next, type) => {
            onChanged(next);
            void message.success(t('detail.transitioned', { action: t(`events.${type}`) }));
          }}
          onClosed={() => setActive(null)}
        />
      ) : null}
    </div>
  );
}
