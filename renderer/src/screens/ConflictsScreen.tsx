// Changes the central API refused: never silent. Each keeps what the agent typed until they
// redo it, keep it as a note on the case, or discard it (the decision is logged).
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Descriptions, Empty, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Conflict } from '../../../shared/contract';
import { useReportError } from '../components/feedback';
import { translateErrorCode } from '../errors';
import { useWorkstationEvent } from '../hooks';
import { callWorkstation } from '../workstation';

interface Props {
  onOpenCase: (caseId: string) => void;
}

/** The words the agent typed, whatever the change was. */
function typedValues(conflict: Conflict): [string, string][] {
  const args = (conflict.args ?? {}) as Record<string, unknown>;
  const source = (args.event ?? args.intake ?? args) as Record<string, unknown>;
  return Object.entries(source)
    .filter(
      ([key, value]) => key !== 'type' && (typeof value === 'string' || typeof value === 'number'),
    )
    .filter(([key]) => !/Id$/.test(key))
    .map(([key, value]) => [key, String(value)]);
}

export function ConflictsScreen({ onOpenCase }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reportError = useReportError();
  const [conflicts, setConflicts] = useState<Conflict[] | null>(null);

  const load = useCallback(async () => {
    try {
      setConflicts(await callWorkstation('sync.conflicts', {}));
    } catch (error) {
      reportError(error);
    }
  }, [reportError]);

  useEffect(() => {
    void load();
  }, [load]);
  useWorkstationEvent('sync.status', () => void load());

  const settle = async (conflict: Conflict, decision: 'retry' | 'note' | 'discard') => {
    try {
      await callWorkstation('sync.settleConflict', { mutationId: conflict.mutationId, decision });
      void message.success(t(`conflicts.done.${decision}`));
      await load();
    } catch (error) {
      reportError(error);
    }
  };

  const eventType = (conflict: Conflict) => {
    const args = (conflict.args ?? {}) as { event?: { type?: string } };
    return args.event?.type
      ? t(`events.${args.event.type}`, { defaultValue: args.event.type })
      : t(`conflicts.kinds.${conflict.name.replace(/[.@]/g, '_')}`, {
          defaultValue: conflict.name,
        });
  };

  return (
    <div data-testid="conflicts-screen">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('conflicts.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('conflicts.subtitle')}</Typography.Paragraph>
      {conflicts && conflicts.length === 0 ? (
        <Card>
          <Empty description={t('conflicts.empty')} />
        </Card>
      ) : null}
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        {(conflicts ?? []).map((conflict) => (
          <Card
            key={conflict.mutationId}
            data-testid="conflict-item"
            data-code={conflict.code}
            title={
              <Space>
                <span>{eventType(conflict)}</span>
                {conflict.caseNumber ? (
                  <Button type="link" onClick={() => onOpenCase(conflict.caseId)}>
                    {conflict.caseNumber}
                  </Button>
                ) : null}
                <Tag color="red">{translateErrorCode(t, conflict.code)}</Tag>
              </Space>
            }
            actions={[
              <Button
                key="retry"
                onClick={() => void settle(conflict, 'retry')}
                data-testid="conflict-retry"
              >
                {t('conflicts.retry')}
              </Button>,
              <Button
                key="note"
                onClick={() => void settle(conflict, 'note')}
                data-testid="conflict-note"
              >
                {t('conflicts.note')}
              </Button>,
              <Button
                key="discard"
                danger
                onClick={() => void settle(conflict, 'discard')}
                data-testid="conflict-discard"
              >
                {t('conflicts.discard')}
              </Button>,
            ]}
          >
            <Descriptions column={1} size="small" title={t('conflicts.typed')}>
              {typedValues(conflict).map(([key, value]) => (
                <Descriptions.Item
                  key={key}
                  label={t(`conflicts.fields.${key}`, { defaultValue: key })}
                >
                  {value}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
        ))}
      </Space>
    </div>
  );
}
