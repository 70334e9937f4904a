// 受理回执: what a walk-in customer takes home. Its own address (#/receipt/<case id>) so that
// the system print dialog, or a PDF made from it, shows the receipt alone.
import { useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Space, Spin, Typography } from 'antd';
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseDetail, Session } from '../../../../shared/contract';
import { maskPhone } from '../../../../shared/case-views';
import { formatDateTime, formatDueTime } from '../../format';
import { errorCode, translateErrorCode } from '../../errors';
import { callWorkstation } from '../../workstation';
import './intake-desk.css';

export const ID_TYPES = [
  'residentId',
  'passport',
  'hkMacaoPermit',
  'taiwanPermit',
  'other',
] as const;
export type IdType = (typeof ID_TYPES)[number];

export function receiptHash(caseId: string): string {
  return `#/receipt/${caseId}`;
}

/** The answer the customer can count on: the regulator's deadline, else the resolution one. */
function expectedAnswerBy(detail: CaseDetail): string | null {
  const byKind = (kind: string) => detail.deadlines.find((d) => d.kind === kind && d.dueAt);
  return (byKind('regulatory_decision') ?? byKind('resolution'))?.dueAt ?? null;
}

export function WalkInReceipt({
  caseId,
  session,
  onBack,
}: {
  caseId: string;
  session: Session;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    callWorkstation('cases.get', { caseId })
      .then(setDetail)
      .catch((error: unknown) => setFailure(errorCode(error)));
  }, [caseId]);

  if (failure) return <Alert type="error" showIcon title={translateErrorCode(t, failure)} />;
  if (!detail) return <Spin />;
  const record = detail.case;
  const identityNote = detail.notes.find((n) => n.text.startsWith(t('intakeDesk.identityPrefix')));
  const answerBy = expectedAnswerBy(detail);

  return (
    <div className="cw-receipt-page" data-testid="receipt">
      <Space className="cw-receipt-actions">
        <Button icon={<ArrowLeftOutlined />} onClick={onBack} data-testid="receipt-back">
          {t('intakeDesk.back')}
        </Button>
        <Button
          type="primary"
          icon={<PrinterOutlined />}
          onClick={() => window.print()}
          data-testid="receipt-print"
          autoFocus
        >
          {t('intakeDesk.print')}
        </Button>
      </Space>
      <article className="cw-receipt" aria-labelledby="cw-receipt-title">
        <header className="cw-receipt-header">
          <div className="cw-receipt-bank">{t('app.name')}</div>
          <h1 id="cw-receipt-title">{t('intakeDesk.receiptTitle')}</h1>
        </header>
        <div className="cw-receipt-number">
          <span>{t('intake.caseNumber')}</span>
          <strong data-testid="receipt-case-number">{record.number}</strong>
        </div>
        <Descriptions column={1} bordered size="small" className="cw-receipt-fields">
          <Descriptions.Item label={t('intake.customerName')}>
            {record.customerName}
          </Descriptions.Item>
          <Descriptions.Item label={t('intake.customerPhone')}>
            {maskPhone(record.customerPhone)}
          </Descriptions.Item>
          <Descriptions.Item label={t('intake.type')}>
            {t(`caseTypes.${record.type}`)} · {t(`businessLines.${record.businessLine}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('intake.description')}>
            <span className="cw-receipt-text">{record.description}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('intake.customerExpectation')}>
            <span className="cw-receipt-text">{record.customerExpectation}</span>
          </Descriptions.Item>
          {identityNote ? (
            <Descriptions.Item label={t('intakeDesk.identityCheck')}>
              {identityNote.text.slice(t('intakeDesk.identityPrefix').length)}
            </Descriptions.Item>
          ) : null}
          <Descriptions.Item label={t('intakeDesk.receivedAt')}>
            {formatDateTime(record.createdAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t('intakeDesk.branch')}>
            {record.branchId ?? session.user.branchId ?? '—'} · {session.user.displayName}
          </Descriptions.Item>
          <Descriptions.Item label={t('intakeDesk.answerBy')}>
            <strong data-testid="receipt-answer-by">
              {answerBy ? formatDueTime(answerBy) : t('intakeDesk.answerByUnknown')}
            </strong>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph className="cw-receipt-footer">
          {t('intakeDesk.receiptFooter', { number: record.number })}
        </Typography.Paragraph>
      </article>
    </div>
  );
}
