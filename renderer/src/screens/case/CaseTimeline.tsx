// 处理经过: the lifecycle's clock entries, ownership moves, tasks and compensation merged with
// the agent's notes, oldest first, with the note form below (unless the case is read-only).
import { useState, type KeyboardEvent, type ReactNode } from 'react';
import { App, Button, Card, Empty, Form, Input, Rate, Tag, Timeline, Typography } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Note } from '../../../../shared/case-views';
import { NoteText } from '../../../../shared/domain';
import type { CaseContext, ClockEntry } from '../../../../shared/lifecycle/case-machine';
import { useReportError } from '../../components/feedback';
import { PriorityTag } from '../../components/tags';
import { schemaFieldCode, toContractError, translateFieldCode } from '../../errors';
import { formatDateTime, formatMoney } from '../../format';
import { callWorkstation } from '../../workstation';
import { useNoteInsertTarget } from '../knowledge/note-insert';
import { useCaseDirectory, type CaseDirectory } from './common';

interface Entry {
  key: string;
  /** For ordering: the server time, or the workstation's while pending. */
  at: string;
  color: string;
  node: ReactNode;
  icon?: ReactNode;
  /** Among entries of the same instant, lower first (the rating before the closure it causes). */
  rank?: number;
}

const CLOCK_COLORS: Partial<Record<ClockEntry['kind'], string>> = {
  received: 'blue',
  resolved: 'green',
  decision_notified: 'green',
  closed: 'green',
  reopened: 'magenta',
  withdrawn: 'gray',
  merged_into: 'gray',
  waiting_customer_started: 'gold',
  exclusion_started: 'gold',
  priority_changed: 'orange',
  new_facts: 'orange',
  extension: 'purple',
};

interface Props {
  caseId: string;
  context: CaseContext;
  notes: Note[];
  readOnly: boolean;
  onNoteAdded: () => void;
}

export function CaseTimeline({ caseId, context, notes, readOnly, onNoteAdded }: Props) {
  const { t } = useTranslation();
  const directory = useCaseDirectory();
  const entries = [...clockEntries(t, context, directory), ...noteEntries(t, notes)].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || a.key.localeCompare(b.key),
  );

  return (
    <Card
      title={t('timeline.title')}
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('time.beijing')}
        </Typography.Text>
      }
      data-testid="case-notes"
    >
      <div data-testid="case-timeline">
        {entries.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('timeline.empty')} />
        ) : (
          <Timeline
            items={entries.map((e) => ({
              key: e.key,
              color: e.color,
              icon: e.icon,
              content: e.node,
            }))}
          />
        )}
      </div>
      {readOnly ? null : <NoteForm caseId={caseId} onAdded={onNoteAdded} />}
    </Card>
  );
}

function Head({ title, time, extra }: { title: ReactNode; time: string; extra?: ReactNode }) {
  return (
    <div className="cw-note-head">
      <span className="cw-note-author">{title}</span>
      {extra ?? <span className="cw-note-time">{time}</span>}
    </div>
  );
}

function entryNode(kind: string, title: ReactNode, at: string, body?: ReactNode): ReactNode {
  return (
    <div data-testid="timeline-entry" data-kind={kind} className="cw-timeline-entry">
      <Head title={title} time={formatDateTime(at)} />
      {body ? <div className="cw-timeline-body">{body}</div> : null}
    </div>
  );
}

function noticeSummary(context: CaseContext, at: string): string | undefined {
  return context.notices.find((n) => n.at === at)?.summary;
}

function clockBody(
  t: TFunction,
  entry: ClockEntry,
  context: CaseContext,
  { caseRef }: CaseDirectory,
): ReactNode {
  const text = (value: string | undefined | null) =>
    value ? <div className="cw-long-text">{value}</div> : null;
  switch (entry.kind) {
    case 'received':
      return (
        <span>
          <PriorityTag priority={entry.priority} /> {t(`caseTypes.${entry.caseType}`)}
        </span>
      );
    case 'root_cause_found':
    case 'new_facts':
      return text(entry.summary);
    case 'progress_update':
    case 'decision_notified':
      return (
        <>
          <div className="cw-item-meta">{t(`noticeChannels.${entry.channel}`)}</div>
          {text(noticeSummary(context, entry.at))}
        </>
      );
    case 'resolution_promised':
      return t('timeline.promisedBy', { time: formatDateTime(entry.promisedBy) });
    case 'waiting_customer_started':
      return text(entry.what);
    case 'waiting_customer_ended':
      return text(context.customerRequests.find((r) => r.respondedAt === entry.at)?.response);
    case 'exclusion_started':
    case 'withdrawn':
      return text(entry.reason);
    case 'extension':
      return (
        <>
          {text(entry.reason)}
          <div className="cw-item-meta">
            {t('timeline.extendedTo', {
              days: entry.toDays,
              approvalId: entry.approvalId,
              approvedBy: entry.approvedBy,
              noticeAt: formatDateTime(entry.customerNoticeAt),
            })}
          </div>
        </>
      );
    case 'absorbed_repeat':
      return t('timeline.caseRef', { ref: caseRef(entry.repeatCaseId) });
    case 'merged_into':
      return t('timeline.caseRef', { ref: caseRef(entry.intoCaseId) });
    case 'priority_changed':
      return (
        <span>
          <PriorityTag priority={entry.from} /> → <PriorityTag priority={entry.priority} />
        </span>
      );
    case 'interim_measure':
      return text(entry.measure);
    case 'plan_recorded':
      return text(entry.plan);
    case 'follow_up_done':
      return (
        <>
          {entry.second ? (
            <Tag color="purple" variant="outlined">
              {t('timeline.secondFollowUp')}
            </Tag>
          ) : null}
          {text(entry.summary)}
        </>
      );
    case 'reopened':
      return (
        <>
          <div className="cw-item-meta">{t(`timeline.reopenCauses.${entry.cause}`)}</div>
          {text(entry.reason)}
        </>
      );
    default:
      return null;
  }
}

function clockEntries(t: TFunction, context: CaseContext, directory: CaseDirectory): Entry[] {
  const { nameOf } = directory;
  const entries: Entry[] = context.clock.map((entry, index) => ({
    key: `clock-${String(index).padStart(4, '0')}`,
    at: entry.at,
    color: CLOCK_COLORS[entry.kind] ?? 'gray',
    node: entryNode(
      entry.kind,
      t(`clockEntries.${entry.kind}`),
      entry.at,
      clockBody(t, entry, context, directory),
    ),
  }));
  context.ownership.forEach((move, index) => {
    entries.push({
      key: `owner-${index}`,
      at: move.at,
      color: 'cyan',
      node: entryNode(
        `ownership-${move.kind}`,
        t(`timeline.ownership.${move.kind}`),
        move.at,
        <>
          <div>
            {t('timeline.ownerChange', {
              from: move.from ? nameOf(move.from) : t('timeline.unassigned'),
              to: move.to ? nameOf(move.to) : t('timeline.unassigned'),
            })}
          </div>
          {move.reason ? <div className="cw-long-text">{move.reason}</div> : null}
        </>,
      ),
    });
  });
  for (const task of context.tasks) {
    const department = t(`departments.${task.department}`);
    entries.push({
      key: `task-${task.id}-open`,
      at: task.openedAt,
      color: 'geekblue',
      node: entryNode(
        'task-opened',
        t('timeline.taskOpened', { department }),
        task.openedAt,
        <div className="cw-long-text">{task.request}</div>,
      ),
    });
    if (task.answeredAt) {
      entries.push({
        key: `task-${task.id}-answer`,
        at: task.answeredAt,
        color: 'geekblue',
        node: entryNode(
          'task-answered',
          t('timeline.taskAnswered', { department }),
          task.answeredAt,
          <div className="cw-long-text">{task.answer}</div>,
        ),
      });
    }
  }
  for (const c of context.compensations) {
    entries.push({
      key: `comp-${c.id}-request`,
      at: c.requestedAt,
      color: 'orange',
      node: entryNode(
        'compensation-requested',
        t('timeline.compensationRequested', { amount: formatMoney(c.amountFen) }),
        c.requestedAt,
        <div className="cw-long-text">{c.reason}</div>,
      ),
    });
    if (c.decidedAt && c.status !== 'granted') {
      entries.push({
        key: `comp-${c.id}-decision`,
        at: c.decidedAt,
        color: c.status === 'rejected' ? 'red' : 'green',
        node: entryNode(
          'compensation-decided',
          t('timeline.compensationDecided', { status: t(`compensationStatuses.${c.status}`) }),
          c.decidedAt,
        ),
      });
    }
  }
  const feedbacks = [
    ...context.reopenings.flatMap((r) => (r.feedback ? [r.feedback] : [])),
    ...(context.feedback ? [context.feedback] : []),
  ];
  feedbacks.forEach((feedback, index) => {
    entries.push({
      key: `feedback-${index}`,
      at: feedback.at,
      rank: 0,
      color: feedback.score < context.policy.reopenBelowScore ? 'red' : 'green',
      node: entryNode(
        'feedback',
        t('panels.feedback'),
        feedback.at,
        <>
          <Rate
            disabled
            value={feedback.score}
            count={context.policy.satisfactionScale.max}
            style={{ fontSize: 13 }}
          />
          {feedback.comment ? <div className="cw-long-text">{feedback.comment}</div> : null}
        </>,
      ),
    });
  });
  return entries;
}

function noteEntries(t: TFunction, notes: Note[]): Entry[] {
  return notes.map((note) => ({
    key: `note-${note.id}`,
    at: note.createdAt ?? note.recordedAt,
    color: note.pending ? 'gray' : 'blue',
    icon: note.pending ? <ClockCircleOutlined style={{ color: '#d48806' }} /> : undefined,
    node: (
      <div
        data-testid="note-item"
        data-note-id={note.id}
        data-pending={String(note.pending)}
        className="cw-timeline-note"
      >
        <Head
          title={
            <>
              {note.authorName}
              <span className="cw-note-kind">{t('timeline.note')}</span>
            </>
          }
          time={formatDateTime(note.createdAt)}
          extra={
            note.pending || !note.createdAt ? (
              <Tag color="gold" variant="outlined" style={{ marginInlineEnd: 0 }}>
                {t('detail.notePending')}
              </Tag>
            ) : undefined
          }
        />
        <div className="cw-long-text">{note.text}</div>
      </div>
    ),
  }));
}

function NoteForm({ caseId, onAdded }: { caseId: string; onAdded: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reportError = useReportError();
  const [text, setText] = useState('');
  // The knowledge panel's "插入到备注" lands here.
  const noteBox = useNoteInsertTarget(setText);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

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
    <div className="cw-note-form">
      <Form.Item
        style={{ width: '100%', marginBottom: 0 }}
        validateStatus={fieldError ? 'error' : undefined}
        help={fieldError ? translateFieldCode(t, fieldError) : undefined}
      >
        <Input.TextArea
          rows={3}
          data-testid="note-input"
          ref={noteBox}
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
  );
}
