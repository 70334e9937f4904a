// One case: what was recorded, what may be done now, the rejections to act on, the notes.
import { useCallback, useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import i18next, { type TFunction } from 'i18next';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Result,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import {
  ArrowLeftOutlined,
  CheckOutlined,
  ClockCircleOutlined,
  FileDoneOutlined,
  PlayCircleOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseDetail } from '../../../shared/contract';
import { maskPhone, NoteText, type Note } from '../../../shared/domain';
import type { CaseEventType } from '../../../shared/machines/case';
import { useReportError } from '../components/feedback';
import { PendingTag, PriorityTag, StatusBadge } from '../components/tags';
import {
  errorCode,
  schemaFieldCode,
  toContractError,
  translateErrorCode,
  translateFieldCode,
} from '../errors';
import { formatDateTime } from '../format';
import { useWorkstationEvent } from '../hooks';
import { callWorkstation } from '../workstation';

interface Props {
  caseId: string;
  onBack: () => void;
}

export function CaseDetailScreen({ caseId, onBack }: Props) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDetail(await callWorkstation('cases.get', { caseId }));
      setLoadError(null);
    } catch (error) {
      setLoadError(errorCode(error));
      reportError(error);
    }
  }, [caseId, reportError]);

  useEffect(() => {
    void load();
  }, [load]);

  useWorkstationEvent('case.changed', ({ caseIds }) => {
    if (caseIds.includes(caseId)) void load();
  });

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

  return (
    <div data-testid="case-detail-screen">
      {back}
      <CaseHeader detail={detail} onChanged={setDetail} />
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
        <CaseFields detail={detail} />
        <NotesCard caseId={caseId} notes={detail.notes} onAdded={() => void load()} />
      </div>
    </div>
  );
}

/** `case.transition@1` → 状态变更; an unknown mutation keeps its raw name. */
function mutationLabel(t: TFunction, name: string): string {
  const key = `mutations.${name.replace(/@\d+$/, '')}`;
  return i18next.exists(key) ? t(key) : t('mutations.unknown', { name });
}

const EVENT_ICONS: Record<CaseEventType, ReactNode> = {
  START: <PlayCircleOutlined />,
  RESOLVE: <CheckOutlined />,
  CLOSE: <FileDoneOutlined />,
};

function CaseHeader({
  detail,
  onChanged,
}: {
  detail: CaseDetail;
  onChanged: (detail: CaseDetail) => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const reportError = useReportError();
  const [busy, setBusy] = useState<CaseEventType | null>(null);
  const [resolveOpen, setResolveOpen] = useState(false);
  const record = detail.case;
  /** START on a resolved case reopens it: say so. */
  const actionLabel = (type: CaseEventType) =>
    type === 'START' && record.status === 'resolved' ? t('events.REOPEN') : t(`events.${type}`);

  /** Resolves when done; on failure reports it (validation is the modal's) and rethrows. */
  const run = async (
    event: { type: 'START' } | { type: 'CLOSE' } | { type: 'RESOLVE'; resolution: string },
  ): Promise<void> => {
    setBusy(event.type);
    try {
      const next = await callWorkstation('cases.transition', { caseId: record.id, event });
      onChanged(next);
      void message.success(t('detail.transitioned', { action: actionLabel(event.type) }));
    } catch (error) {
      if (toContractError(error).code !== 'VALIDATION') reportError(error);
      throw error;
    } finally {
      setBusy(null);
    }
  };

  const onAction = (type: CaseEventType) => {
    if (type === 'RESOLVE') {
      setResolveOpen(true);
    } else if (type === 'CLOSE') {
      modal.confirm({
        title: t('detail.closeConfirmTitle'),
        content: t('detail.closeConfirmText'),
        okText: t('events.CLOSE'),
        cancelText: t('app.cancel'),
        okButtonProps: { 'data-testid': 'close-confirm' } as Record<string, string>,
        onOk: () => run({ type: 'CLOSE' }).catch(() => undefined),
      });
    } else {
      void run({ type: 'START' }).catch(() => undefined);
    }
  };

  return (
    <Card>
      <div className="cw-detail-header">
        <div>
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
          <div className="cw-detail-meta">
            <Space separator={<span style={{ color: '#d0d5dc' }}>|</span>} wrap>
              <span data-testid="case-detail-customer">
                <Typography.Text strong>{record.customerName}</Typography.Text>{' '}
                <span className="cw-mono">{maskPhone(record.customerPhone)}</span>
              </span>
              <span>{t(`channels.${record.channel}`)}</span>
              <span>{t(`caseTypes.${record.type}`)}</span>
              <span>{t(`businessLines.${record.businessLine}`)}</span>
            </Space>
          </div>
        </div>
        <div data-testid="case-actions">
          {detail.allowedEvents.length > 0 ? (
            <Space>
              {detail.allowedEvents.map((type) => (
                <Button
                  key={type}
                  type={type === 'CLOSE' ? 'default' : 'primary'}
                  icon={EVENT_ICONS[type]}
                  loading={busy === type}
                  disabled={busy !== null && busy !== type}
                  onClick={() => onAction(type)}
                  data-testid={`action-${type}`}
                >
                  {actionLabel(type)}
                </Button>
              ))}
            </Space>
          ) : (
            <Typography.Text type="secondary">{t('detail.noActions')}</Typography.Text>
          )}
        </div>
      </div>
      <ResolveModal
        open={resolveOpen}
        onCancel={() => setResolveOpen(false)}
        onSubmit={async (resolution) => {
          await run({ type: 'RESOLVE', resolution });
          setResolveOpen(false);
        }}
      />
    </Card>
  );
}

function ResolveModal({
  open,
  onCancel,
  onSubmit,
}: {
  open: boolean;
  onCancel: () => void;
  onSubmit: (resolution: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (open) {
      setText('');
      setFieldError(null);
    }
  }, [open]);

  const submit = async () => {
    const code = schemaFieldCode(NoteText, text);
    if (code) {
      setFieldError(code);
      return;
    }
    setSubmitting(true);
    try {
      await onSubmit(text.trim());
    } catch (error) {
      const contractError = toContractError(error);
      if (contractError.code === 'VALIDATION') {
        setFieldError(contractError.fields?.[0]?.code ?? 'INVALID_VALUE');
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('detail.resolveTitle')}
      okText={t('detail.resolveSubmit')}
      cancelText={t('app.cancel')}
      onOk={() => void submit()}
      onCancel={onCancel}
      confirmLoading={submitting}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'resolve-submit' } as Record<string, string>}
      width={560}
    >
      <div data-testid="resolve-modal">
        <Typography.Paragraph type="secondary">{t('detail.resolveHint')}</Typography.Paragraph>
        <Form layout="vertical">
          <Form.Item
            label={t('detail.resolution')}
            required
            validateStatus={fieldError ? 'error' : undefined}
            help={fieldError ? translateFieldCode(t, fieldError) : undefined}
          >
            <Input.TextArea
              autoFocus
              rows={6}
              data-testid="resolve-input"
              placeholder={t('detail.resolutionPlaceholder')}
              count={{ show: true, max: 4000 }}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                if (fieldError) setFieldError(schemaFieldCode(NoteText, e.target.value));
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void submit();
                }
              }}
            />
          </Form.Item>
        </Form>
      </div>
    </Modal>
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
    {
      key: 'priority',
      label: t('detail.priority'),
      children: <PriorityTag priority={record.priority} />,
    },
    { key: 'status', label: t('detail.status'), children: <StatusBadge status={record.status} /> },
    { key: 'owner', label: t('detail.owner'), children: record.ownerName },
    { key: 'customer', label: t('detail.customer'), children: record.customerName },
    {
      key: 'phone',
      label: t('detail.phone'),
      children: <span className="cw-mono">{maskPhone(record.customerPhone)}</span>,
    },
    { key: 'createdAt', label: t('detail.createdAt'), children: formatDateTime(record.createdAt) },
    { key: 'updatedAt', label: t('detail.updatedAt'), children: formatDateTime(record.updatedAt) },
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
    ...(record.resolution
      ? [
          {
            key: 'resolution',
            label: t('detail.resolution'),
            span: 2,
            children: (
              <div className="cw-long-text" data-testid="case-detail-resolution">
                {record.resolution}
              </div>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card title={t('detail.recorded')}>
      <Descriptions
        column={2}
        size="small"
        bordered
        items={items}
        styles={{ label: { width: 110, whiteSpace: 'nowrap' } }}
      />
    </Card>
  );
}

function NotesCard({
  caseId,
  notes,
  onAdded,
}: {
  caseId: string;
  notes: Note[];
  onAdded: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reportError = useReportError();
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const ordered = [...notes].sort((a, b) =>
    (a.createdAt ?? a.recordedAt).localeCompare(b.createdAt ?? b.recordedAt),
  );

  const submit = async () => {
    if (submitting) return;
    const code = schemaFieldCode(NoteText, text);
    if (code) {
      setFieldError(code);
      return;
    }
    setSubmitting(true);
    try {
      await callWorkstation('cases.addNote', { caseId, text: text.trim() });
      setText('');
      setFieldError(null);
      void message.success(t('detail.noteAdded'));
      onAdded();
    } catch (error) {
      const contractError = toContractError(error);
      if (contractError.code === 'VALIDATION') {
        setFieldError(contractError.fields?.[0]?.code ?? 'INVALID_VALUE');
      } else {
        reportError(error);
      }
    } finally {
      setSubmitting(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <Card
      title={t('detail.notes')}
      extra={<Typography.Text type="secondary">{notes.length}</Typography.Text>}
      data-testid="case-notes"
    >
      {ordered.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('detail.noNotes')} />
      ) : (
        <Timeline
          items={ordered.map((note) => ({
            key: note.id,
            color: note.pending ? 'gray' : 'blue',
            icon: note.pending ? <ClockCircleOutlined style={{ color: '#d48806' }} /> : undefined,
            content: (
              <div
                data-testid="note-item"
                data-note-id={note.id}
                data-pending={String(note.pending)}
              >
                <div className="cw-note-head">
                  <span className="cw-note-author">{note.authorName}</span>
                  {note.pending || !note.createdAt ? (
                    <Tag color="gold" variant="outlined" style={{ marginInlineEnd: 0 }}>
                      {t('detail.notePending')}
                    </Tag>
                  ) : (
                    <span className="cw-note-time">{formatDateTime(note.createdAt)}</span>
                  )}
                </div>
                <div className="cw-long-text">{note.text}</div>
              </div>
            ),
          }))}
        />
      )}
      <div className="cw-note-form">
        <Form.Item
          style={{ width: '100%', marginBottom: 0 }}
          validateStatus={fieldError ? 'error' : undefined}
          help={fieldError ? translateFieldCode(t, fieldError) : undefined}
        >
          <Input.TextArea
            rows={3}
            data-testid="note-input"
            placeholder={t('detail.notePlaceholder')}
            count={{ show: text.length > 0, max: 4000 }}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (fieldError) setFieldError(null);
            }}
            onKeyDown={onKeyDown}
          />
        </Form.Item>
        <Button
          type="primary"
          loading={submitting}
          onClick={() => void submit()}
          data-testid="note-submit"
        >
          {t('detail.addNote')}
        </Button>
      </div>
    </Card>
  );
}
