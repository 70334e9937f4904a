// 登记投诉: the agent records a phone complaint while the customer is on the line.
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Button, Card, Col, Form, Input, Row, Select, Space, Typography } from 'antd';
import {
  AlertOutlined,
  CheckCircleFilled,
  CheckCircleOutlined,
  FileSearchOutlined,
  PlusOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseRecord } from '../../../shared/case-views';
import { validationError } from '../../../shared/contract';
import {
  BUSINESS_LINES,
  CASE_TYPES,
  CHANNELS,
  CaseIntake,
  type BusinessLine,
  type CaseType,
  type Channel,
} from '../../../shared/domain';
import { assessIntake } from '../../../shared/intake';
import { useReportError } from '../components/feedback';
import { PriorityReasons, PriorityTag } from '../components/tags';
import {
  mapFieldErrors,
  schemaFieldCode,
  toContractError,
  translateErrorCode,
  translateFieldCode,
} from '../errors';
import { callWorkstation } from '../workstation';

const FIELDS = [
  'customerName',
  'customerPhone',
  'channel',
  'type',
  'businessLine',
  'description',
  'customerExpectation',
] as const;
type Field = (typeof FIELDS)[number];

interface Values {
  customerName: string;
  customerPhone: string;
  channel: Channel;
  type: CaseType;
  businessLine: BusinessLine | undefined;
  description: string;
  customerExpectation: string;
}

const EMPTY: Values = {
  customerName: '',
  customerPhone: '',
  channel: 'phone',
  type: 'complaint',
  businessLine: undefined,
  description: '',
  customerExpectation: '',
};

const LIMITS = { description: 4000, customerExpectation: 1000 } as const;

function fieldCode(field: Field, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return 'REQUIRED';
  return schemaFieldCode(CaseIntake.shape[field], value);
}

interface Props {
  onOpenCase: (caseId: string) => void;
  onLogAnother: () => void;
}

export function IntakeScreen({ onOpenCase, onLogAnother }: Props) {
  const { t } = useTranslation();
  const [created, setCreated] = useState<CaseRecord | null>(null);

  return (
    <div data-testid="intake-screen">
      <div className="cw-page-header">
        <div>
          <Typography.Title level={3} className="cw-page-title">
            {t('intake.title')}
          </Typography.Title>
          <div className="cw-page-subtitle">{t('intake.subtitle')}</div>
        </div>
      </div>
      {created ? (
        <CreatedCase record={created} onOpenCase={onOpenCase} onLogAnother={onLogAnother} />
      ) : (
        <IntakeForm onCreated={setCreated} />
      )}
    </div>
  );
}

function IntakeForm({ onCreated }: { onCreated: (record: CaseRecord) => void }) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  /** A failure not tied to one field: its code, and any validation issues no field shows. */
  const [formError, setFormError] = useState<{
    code: string;
    unmatched: { path: string; code: string }[];
  } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  /** Fields checked as the agent types: after leaving them once, or after a submit. */
  const touched = useRef(new Set<Field>());

  /** The same assessment the registration runs (shared/intake.ts), live as the agent types. */
  const suggestion = useMemo(
    () =>
      assessIntake({
        type: values.type,
        description: values.description,
        customerExpectation: values.customerExpectation,
      }),
    [values.type, values.description, values.customerExpectation],
  );
  const keywords = suggestion.reasons.flatMap((r) =>
    r.code === 'RISK_KEYWORD' ? [r.keyword] : [],
  );

  const change = <F extends Field>(field: F, value: Values[F]) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (touched.current.has(field) || errors[field]) {
      setErrors((e) => ({ ...e, [field]: fieldCode(field, value) ?? undefined }));
    }
  };

  const blur = (field: Field) => {
    touched.current.add(field);
    setErrors((e) => ({ ...e, [field]: fieldCode(field, values[field]) ?? undefined }));
  };

  const focusField = (field: Field) => {
    document.getElementById(`intake-field-${field}`)?.focus();
  };

  const showFieldErrors = (byField: Partial<Record<Field, string>>) => {
    setErrors(byField);
    for (const field of FIELDS) touched.current.add(field);
    const first = FIELDS.find((f) => byField[f]);
    if (first) focusField(first);
  };

  const submit = async () => {
    if (submitting) return;
    setFormError(null);
    const parsed = CaseIntake.safeParse(values);
    if (!parsed.success) {
      const { byField } = mapFieldErrors(FIELDS, validationError(parsed.error));
      // An empty select is "required", not a type error.
      if (!values.businessLine) byField.businessLine = 'REQUIRED';
      showFieldErrors(byField);
      return;
    }
    setSubmitting(true);
    try {
      const record = await callWorkstation('cases.create', parsed.data);
      onCreated(record);
    } catch (error) {
      const contractError = toContractError(error);
      if (contractError.code === 'VALIDATION') {
        const { byField, unmatched } = mapFieldErrors(FIELDS, contractError);
        showFieldErrors(byField);
        setFormError({ code: 'VALIDATION', unmatched });
      } else {
        setFormError({ code: contractError.code, unmatched: [] });
        reportError(error);
      }
      setSubmitting(false);
    }
  };

  const submitOnCtrlEnter = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  const item = (field: Field) => ({
    label: t(`intake.${field}`),
    required: true,
    htmlFor: `intake-field-${field}`,
    validateStatus: errors[field] ? ('error' as const) : undefined,
    help: errors[field] ? (
      <span data-testid={`intake-error-${field}`} data-code={errors[field]}>
        {translateFieldCode(t, errors[field])}
      </span>
    ) : undefined,
  });

  const selectOptions = <T extends string>(codes: readonly T[], group: string) =>
    codes.map((code) => ({ value: code, label: t(`${group}.${code}`) }));

  return (
    <div className="cw-intake-layout">
      <Card>
        {formError ? (
          <Alert
            type="error"
            showIcon
            data-testid="intake-error"
            data-code={formError.code}
            title={translateErrorCode(t, formError.code)}
            description={
              formError.unmatched.length > 0
                ? formError.unmatched
                    .map((u) => `${u.path}: ${translateFieldCode(t, u.code)}`)
                    .join('; ')
                : undefined
            }
            style={{ marginBottom: 16 }}
          />
        ) : null}
        <Form layout="vertical" onFinish={() => void submit()} data-testid="intake-form">
          <div className="cw-section-title">{t('intake.sectionCustomer')}</div>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item {...item('customerName')}>
                <Input
                  id="intake-field-customerName"
                  data-testid="intake-customerName"
                  autoFocus
                  autoComplete="off"
                  placeholder={t('intake.customerNamePlaceholder')}
                  value={values.customerName}
                  onChange={(e) => change('customerName', e.target.value)}
                  onBlur={() => blur('customerName')}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item {...item('customerPhone')}>
                <Input
                  id="intake-field-customerPhone"
                  data-testid="intake-customerPhone"
                  autoComplete="off"
                  inputMode="tel"
                  placeholder={t('intake.customerPhonePlaceholder')}
                  value={values.customerPhone}
                  onChange={(e) => change('customerPhone', e.target.value)}
                  onBlur={() => blur('customerPhone')}
                />
              </Form.Item>
            </Col>
          </Row>
          <div className="cw-section-title">{t('intake.sectionCase')}</div>
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item {...item('channel')}>
                <Select<Channel>
                  id="intake-field-channel"
                  data-testid="intake-channel"
                  options={selectOptions(CHANNELS, 'channels')}
                  value={values.channel}
                  onChange={(v) => change('channel', v)}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item {...item('type')}>
                <Select<CaseType>
                  id="intake-field-type"
                  data-testid="intake-type"
                  options={selectOptions(CASE_TYPES, 'caseTypes')}
                  value={values.type}
                  onChange={(v) => change('type', v)}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item {...item('businessLine')}>
                <Select<BusinessLine>
                  id="intake-field-businessLine"
                  data-testid="intake-businessLine"
                  placeholder={t('intake.businessLinePlaceholder')}
                  options={selectOptions(BUSINESS_LINES, 'businessLines')}
                  value={values.businessLine}
                  onChange={(v) => change('businessLine', v)}
                  onBlur={() => blur('businessLine')}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item {...item('description')}>
            <Input.TextArea
              id="intake-field-description"
              data-testid="intake-description"
              rows={5}
              placeholder={t('intake.descriptionPlaceholder')}
              count={{ show: true, max: LIMITS.description }}
              value={values.description}
              onChange={(e) => change('description', e.target.value)}
              onBlur={() => blur('description')}
              onKeyDown={submitOnCtrlEnter}
            />
          </Form.Item>
          <Form.Item {...item('customerExpectation')}>
            <Input.TextArea
              id="intake-field-customerExpectation"
              data-testid="intake-customerExpectation"
              rows={3}
              placeholder={t('intake.customerExpectationPlaceholder')}
              count={{ show: true, max: LIMITS.customerExpectation }}
              value={values.customerExpectation}
              onChange={(e) => change('customerExpectation', e.target.value)}
              onBlur={() => blur('customerExpectation')}
              onKeyDown={submitOnCtrlEnter}
            />
          </Form.Item>
          <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginTop: 8 }}>
            <Button
              type="primary"
              htmlType="submit"
              size="large"
              loading={submitting}
              data-testid="intake-submit"
            >
              {submitting ? t('intake.submitting') : t('intake.submit')}
            </Button>
            <Button
              size="large"
              data-testid="intake-reset"
              onClick={() => {
                setValues(EMPTY);
                setErrors({});
                setFormError(null);
                touched.current.clear();
                focusField('customerName');
              }}
            >
              {t('intake.reset')}
            </Button>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('intake.shortcut')}
            </Typography.Text>
          </div>
        </Form>
      </Card>
      <div className="cw-priority-panel">
        <Card
          title={
            <Space>
              <SafetyCertificateOutlined />
              {t('intake.suggestedPriority')}
            </Space>
          }
        >
          <div data-testid="intake-suggested-priority" data-priority={suggestion.priority}>
            <PriorityTag priority={suggestion.priority} className="cw-priority-value" />
          </div>
          {keywords.length > 0 ? (
            <Alert
              type="error"
              showIcon
              icon={<AlertOutlined />}
              data-testid="intake-risk-keywords"
              data-keywords={keywords.join(',')}
              title={`${t('intake.riskKeywords', {
                keywords: keywords.join(t('app.listSeparator')),
              })} → ${t(`priorities.${suggestion.priority}`)}`}
              description={suggestion.requiresHuman ? t('intake.riskFlag') : undefined}
            />
          ) : (
            <Typography.Text type="secondary">
              <CheckCircleOutlined style={{ marginRight: 6 }} />
              {t('intake.noRisk')}
            </Typography.Text>
          )}
          <div className="cw-intake-reasons" data-testid="intake-priority-reasons">
            <div className="cw-sla-title">{t('intake.reasonsTitle')}</div>
            {suggestion.reasons.length > 0 ? (
              <PriorityReasons reasons={suggestion.reasons} />
            ) : (
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                {t('intake.noReasons')}
              </Typography.Text>
            )}
            {suggestion.routeToSenior ? (
              <div className="cw-intake-flag">{t('intake.routeToSenior')}</div>
            ) : null}
            {suggestion.goesFirst ? (
              <div className="cw-intake-flag">{t('intake.goesFirst')}</div>
            ) : null}
          </div>
          <div className="cw-sla">
            <div className="cw-sla-title">{t('intake.slaTitle')}</div>
            <div data-testid="intake-sla">{t(`intake.sla.${suggestion.priority}`)}</div>
          </div>
          <Typography.Paragraph
            type="secondary"
            style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}
          >
            {t('intake.priorityHint')}
          </Typography.Paragraph>
        </Card>
      </div>
    </div>
  );
}

function CreatedCase({
  record,
  onOpenCase,
  onLogAnother,
}: {
  record: CaseRecord;
  onOpenCase: (caseId: string) => void;
  onLogAnother: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Card data-testid="intake-created">
      <div className="cw-created">
        <CheckCircleFilled className="cw-created-icon" />
        <Typography.Title level={3} style={{ margin: '12px 0 4px' }}>
          {t('intake.createdTitle')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('intake.createdSubtitle')}</Typography.Text>
        <div className="cw-case-number-box">
          <span className="cw-case-number-label">{t('intake.caseNumber')}</span>
          <Typography.Text
            className="cw-case-number"
            copyable={{ text: record.number, tooltips: [t('app.copy'), t('app.copied')] }}
          >
            <span data-testid="created-case-number">{record.number}</span>
          </Typography.Text>
        </div>
        <div className="cw-created-meta">
          <PriorityTag priority={record.priority} />
          <PriorityReasons reasons={record.lifecycle.priorityReasons} />
          <span>{record.customerName}</span>
          <span className="cw-dot">·</span>
          <span>{t(`caseTypes.${record.type}`)}</span>
          <span className="cw-dot">·</span>
          <span>{t(`businessLines.${record.businessLine}`)}</span>
        </div>
        {record.version === 0 ? (
          <Alert
            type="info"
            showIcon
            data-testid="intake-created-pending"
            title={t('intake.createdPending')}
            style={{ marginTop: 16, textAlign: 'left' }}
          />
        ) : null}
        <Space size="middle" style={{ marginTop: 24 }}>
          <Button
            type="primary"
            size="large"
            icon={<FileSearchOutlined />}
            onClick={() => onOpenCase(record.id)}
            data-testid="intake-open-case"
          >
            {t('intake.openCase')}
          </Button>
          <Button
            size="large"
            icon={<PlusOutlined />}
            onClick={onLogAnother}
            data-testid="intake-log-another"
            autoFocus
          >
            {t('intake.logAnother')}
          </Button>
        </Space>
      </div>
    </Card>
  );
}
