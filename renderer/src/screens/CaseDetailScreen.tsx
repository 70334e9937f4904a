// One case around its lifecycle: who and what (header), what may be done now (actions), the
// clocks, what the lifecycle holds (tasks, compensation, resolution, notices, feedback,
// extensions) and the history merged with the notes.
import { useCallback, useEffect, useMemo, useState } from 'react';
import i18next, { type TFunction } from 'i18next';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Divider,
  Result,
  Skeleton,
  Space,
  Typography,
} from 'antd';
import { ArrowLeftOutlined, LockOutlined, UserOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { maskPhone, type CaseSummary } from '../../../shared/case-views';
import type { CaseDetail, Session } from '../../../shared/contract';
import { isFinalState } from '../case-lifecycle';
import { useReportError } from '../components/feedback';
import { PendingTag, PriorityReasons, PriorityTag, StatusBadge } from '../components/tags';
import { errorCode, translateErrorCode } from '../errors';
import { formatDateTime } from '../format';
import { useWorkstationEvent } from '../hooks';
import { callWorkstation } from '../workstation';
import { ActionsPanel } from './case/ActionsPanel';
import { AttachmentsPanel } from './case/AttachmentsPanel';
import { CaseTimeline } from './case/CaseTimeline';
import { CaseDirectoryContext, type CaseDirectory } from './case/common';
import { DeadlinesPanel } from './case/DeadlinesPanel';
import { LifecyclePanels } from './case/LifecyclePanels';
import { KnowledgeLauncher } from './knowledge/KnowledgePanel';

interface Props {
  caseId: string;
  session?: Session;
  onBack: () => void;
  onOpenCase?: (caseId: string) => void;
}

export function CaseDetailScreen({ caseId, session, onBack, onOpenCase }: Props) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  /** When the detail (and its deadlines) was computed: the countdown starts there. */
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const [loadError, setLoadError] = useState<string | null>(null);
  const [myCases, setMyCases] = useState<CaseSummary[] | null>(null);

  const accept = useCallback((next: CaseDetail) => {
    setDetail(next);
    setLoadedAt(Date.now());
  }, []);

  const load = useCallback(async () => {
    try {
      accept(await callWorkstation('cases.get', { caseId }));
      setLoadError(null);
    } catch (error) {
      setLoadError(errorCode(error));
      reportError(error);
    }
  }, [caseId, reportError, accept]);

  const loadMyCases = useCallback(async () => {
    try {
      setMyCases(await callWorkstation('cases.listMine', {}));
    } catch {
      setMyCases([]);
    }
  }, []);

  useEffect(() => {
    void load();
    void loadMyCases();
  }, [load, loadMyCases]);

  useWorkstationEvent('case.changed', ({ caseIds }) => {
    if (caseIds.includes(caseId)) void load();
    void loadMyCases();
  });

  const directory = useDirectory(t, detail, session, myCases);

  const back = (
    <Button
      type="link"
      icon={<ArrowLeftOutlined />}
      onClick={onBack}
      data-testid="detail-back"
      style={{ paddingInline: 0, marginBottom: 8 }}
    >
      {t('detail.backToList')}
    </Button>
  );

  if (!detail) {
    return (
      <div data-testid="case-detail-screen">
        {back}
        {loadError ? (
          <Card>
            <Result
              status={loadError === 'CASE_NOT_FOUND' ? '404' : 'warning'}
              title={t('detail.loadFailed')}
              subTitle={translateErrorCode(t, loadError)}
              data-testid="case-detail-error"
              extra={[
                <Button key="back" onClick={onBack}>
                  {t('detail.backToList')}
                </Button>,
                loadError === 'CASE_NOT_FOUND' ? null : (
                  <Button key="retry" type="primary" onClick={() => void load()}>
                    {t('app.retry')}
                  </Button>
                ),
              ]}
            />
          </Card>
        ) : (
          <Card>
            <Skeleton active paragraph={{ rows: 8 }} />
          </Card>
        )}
      </div>
    );
  }

  const record = detail.case;
  const readOnly = isFinalState(record.status);

  return (
    <CaseDirectoryContext.Provider value={directory}>
      <div data-testid="case-detail-screen" data-status={record.status}>
        <div className="cw-detail-toolbar">
          {back}
          <KnowledgeLauncher />
        </div>
        <Card className="cw-detail-card">
          <CaseHeader detail={detail} />
          {readOnly ? null : (
            <>
              <Divider style={{ margin: '14px 0 12px' }} />
              <ActionsPanel detail={detail} onChanged={accept} />
            </>
          )}
        </Card>
        {readOnly ? <FinalBanner detail={detail} onOpenCase={onOpenCase} /> : null}
        {detail.rejections.length > 0 ? (
          <Alert
            type="error"
            showIcon
            icon={<WarningOutlined />}
            data-testid="case-rejections"
            style={{ marginTop: 16 }}
            title={t('detail.rejectionsTitle')}
            description={
              <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }}>
                {detail.rejections.map((r) => (
                  <li key={r.mutationId} data-testid="case-rejection" data-code={r.code}>
                    {t('detail.rejectionItem', {
                      action: mutationLabel(t, r.name),
                      reason: translateErrorCode(t, r.code),
                    })}
                  </li>
                ))}
              </ul>
            }
          />
        ) : null}
        <div className="cw-detail-grid">
          <div className="cw-detail-column">
            <DeadlinesPanel deadlines={detail.deadlines} loadedAt={loadedAt} />
            <LifecyclePanels context={record.lifecycle} />
            <CaseFields detail={detail} />
            <AttachmentsPanel caseId={caseId} readOnly={readOnly} />
          </div>
          <div className="cw-detail-column">
            <CaseTimeline
              caseId={caseId}
              context={record.lifecycle}
              notes={detail.notes}
              readOnly={readOnly}
              onNoteAdded={() => void load()}
            />
          </div>
        </div>
      </div>
    </CaseDirectoryContext.Provider>
  );
}

/** Names for the ids the lifecycle records: the owner, the agent, the notes' authors. */
function useDirectory(
  t: TFunction,
  detail: CaseDetail | null,
  session: Session | undefined,
  cases: CaseSummary[] | null,
): CaseDirectory {
  return useMemo(() => {
    const names = new Map<string, string>();
    if (session) names.set(session.user.id, session.user.displayName);
    for (const note of detail?.notes ?? []) names.set(note.authorId, note.authorName);
    const record = detail?.case;
    if (record?.ownerId && record.ownerName) names.set(record.ownerId, record.ownerName);
    const numbers = new Map((cases ?? []).map((c) => [c.id, c.number]));
    return {
      nameOf: (id) => {
        if (!id) return '';
        if (id === 'system') return t('timeline.system');
        return names.get(id) ?? id;
      },
      people: [...names].map(([id, name]) => ({ id, name })),
      cases,
      caseRef: (id) => numbers.get(id) ?? id,
    };
  }, [t, detail, session, cases]);
}

/** `case.transition@1` → 状态变更; an unknown mutation keeps its raw name. */
function mutationLabel(t: TFunction, name: string): string {
  const key = `mutations.${name.replace(/@\d+$/, '')}`;
  return i18next.exists(key) ? t(key) : t('mutations.unknown', { name });
}

function CaseHeader({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const record = detail.case;
  const owner = record.ownerName ?? record.ownerId;
  return (
    <div className="cw-detail-header">
      <div style={{ minWidth: 0 }}>
        <Space size={12} wrap align="center">
          <Typography.Text
            className="cw-detail-number"
            copyable={{ text: record.number, tooltips: [t('app.copy'), t('app.copied')] }}
          >
            <span data-testid="case-detail-number">{record.number}</span>
          </Typography.Text>
          <PriorityTag priority={record.priority} />
          <StatusBadge status={record.status} />
          {detail.pending ? <PendingTag /> : null}
        </Space>
        {record.lifecycle.priorityReasons.length > 0 ? (
          <div style={{ marginTop: 8 }}>
            <PriorityReasons reasons={record.lifecycle.priorityReasons} />
          </div>
        ) : null}
        <div className="cw-detail-meta">
          <Space separator={<span style={{ color: '#d0d5dc' }}>|</span>} wrap>
            <span data-testid="case-detail-customer">
              <Typography.Text strong>{record.customerName}</Typography.Text>{' '}
              <span className="cw-mono">{maskPhone(record.customerPhone)}</span>
            </span>
            <span>{t(`channels.${record.channel}`)}</span>
            <span>{t(`caseTypes.${record.type}`)}</span>
            <span>{t(`businessLines.${record.businessLine}`)}</span>
            <span>{formatDateTime(record.createdAt)}</span>
          </Space>
        </div>
      </div>
      <div className="cw-detail-owner" data-testid="case-detail-owner">
        <span className="cw-detail-owner-label">{t('detail.owner')}</span>
        <span className="cw-detail-owner-name">
          <UserOutlined style={{ color: '#8591a0' }} />
          {owner ?? <Typography.Text type="warning">{t('detail.unassigned')}</Typography.Text>}
        </span>
      </div>
    </div>
  );
}

function FinalBanner({
  detail,
  onOpenCase,
}: {
  detail: CaseDetail;
  onOpenCase?: (caseId: string) => void;
}) {
  const { t } = useTranslation();
  const context = detail.case.lifecycle;
  const target = context.mergedInto;
  const [targetNumber, setTargetNumber] = useState<string | null>(null);

  useEffect(() => {
    if (!target) return;
    let live = true;
    callWorkstation('cases.get', { caseId: target })
      .then((d) => {
        if (live) setTargetNumber(d.case.number);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [target]);

  const merged = detail.case.status === 'merged';
  return (
    <Alert
      type="info"
      showIcon
      icon={<LockOutlined />}
      data-testid="case-readonly-banner"
      data-status={detail.case.status}
      style={{ marginTop: 16 }}
      title={
        merged
          ? t('detail.mergedBanner', { target: targetNumber ?? target ?? '' })
          : t('detail.withdrawnBanner', { reason: context.withdrawReason ?? '' })
      }
      action={
        merged && target && targetNumber && onOpenCase ? (
          <Button size="small" onClick={() => onOpenCase(target)} data-testid="open-merge-target">
            {t('detail.openTarget')}
          </Button>
        ) : undefined
      }
    />
  );
}

function CaseFields({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const record = detail.case;
  const items = [
    { key: 'channel', label: t('detail.channel'), children: t(`channels.${record.channel}`) },
    { key: 'type', label: t('detail.type'), children: t(`caseTypes.${record.type}`) },
    {
      key: 'businessLine',
      label: t('detail.businessLine'),
      children: t(`businessLines.${record.businessLine}`),
    },
    { key: 'customer', label: t('detail.customer'), children: record.customerName },
    {
      key: 'phone',
      label: t('detail.phone'),
      children: <span className="cw-mono">{maskPhone(record.customerPhone)}</span>,
    },
    { key: 'createdAt', label: t('detail.createdAt'), children: formatDateTime(record.createdAt) },
    { key: 'updatedAt', label: t('detail.updatedAt'), children: formatDateTime(record.updatedAt) },
    {
      key: 'owner',
      label: t('detail.owner'),
      children: record.ownerName ?? record.ownerId ?? t('detail.unassigned'),
    },
    {
      key: 'description',
      label: t('detail.description'),
      span: 2,
      children: (
        <div className="cw-long-text" data-testid="case-detail-description">
          {record.description}
        </div>
      ),
    },
    {
      key: 'customerExpectation',
      label: t('detail.customerExpectation'),
      span: 2,
      children: (
        <div className="cw-long-text" data-testid="case-detail-expectation">
          {record.customerExpectation}
        </div>
      ),
    },
  ];
  return (
    <Card title={t('detail.recorded')} size="small">
      <Descriptions
        column={2}
        size="small"
        bordered
        items={items}
        styles={{ label: { width: 100, whiteSpace: 'nowrap' } }}
      />
    </Card>
  );
}
