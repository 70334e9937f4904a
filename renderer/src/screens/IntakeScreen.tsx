// 登记投诉: the agent records a complaint while the customer is on the line (phone) or at the
// counter (walk-in, with the identity check and a printed receipt). Keyboard first: the Tab
// order follows the call, Enter saves, and the case number is there at once, offline too.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import {
  AlertOutlined,
  CheckCircleFilled,
  CheckCircleOutlined,
  FieldTimeOutlined,
  FileSearchOutlined,
  PlusOutlined,
  PrinterOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseRecord } from '../../../shared/case-views';
import type { Session } from '../../../shared/contract';
import { validationError } from '../../../shared/contract';
import type { CustomerProfile, IntakePreview } from '../../../shared/customer-desk';
import {
  BUSINESS_LINES,
  CASE_TYPES,
  CHANNELS,
  CaseIntake,
  PhoneNumber,
  type BusinessLine,
  type CaseType,
  type Channel,
} from '../../../shared/domain';
import { assessPriority } from '../../../shared/lifecycle/priority-rules';
import { useReportError } from '../components/feedback';
import { PriorityReasons, PriorityTag } from '../components/tags';
import {
  mapFieldErrors,
  schemaFieldCode,
  toContractError,
  translateErrorCode,
  translateFieldCode,
} from '../errors';
import { formatDueTime } from '../format';
import { callWorkstation } from '../workstation';
import { KnowledgeLauncher } from './knowledge/KnowledgePanel';
import {
  CustomerPanel,
  lookupCustomer,
  open360,
  type CustomerLookupState,
} from './intake/CustomerPanel';
import { ID_TYPES, receiptHash, type IdType } from './intake/WalkInReceipt';
import './intake/intake-desk.css';

const FIELDS = [
  'customerPhone',
  'customerName',
  'channel',
  'type',
  'businessLine',
  'description',
  'customerExpectation',
] as const;
type Field = (typeof FIELDS)[number];
type WalkInField = 'idType' | 'checkedBy';

interface Values {
  customerName: string;
  customerPhone: string;
  channel: Channel;
  type: CaseType;
  businessLine: BusinessLine | undefined;
  description: string;
  customerExpectation: string;
}

const LIMITS = { description: 4000, customerExpectation: 1000 } as const;

function fieldCode(field: Field, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return 'REQUIRED';
  return schemaFieldCode(CaseIntake.shape[field], value);
}

interface Props {
  onOpenCase: (caseId: string) => void;
  onLogAnother: () => void;
  session?: Session;
  /** A screen pop: the caller's number, looked up at once and put in the form. */
  callNumber?: string;
}

export function IntakeScreen({ onOpenCase, onLogAnother, session, callNumber }: Props) {
  const { t } = useTranslation();
  const [created, setCreated] = useState<CaseRecord | null>(null);
  const walkIn = session?.user.role === 'branch';

  return (
    <div
      className="cw-intake-screen"
      data-testid="intake-screen"
      data-mode={walkIn ? 'walkIn' : 'phone'}
    >
      <div className="cw-page-header">
        <div>
          <Typography.Title level={3} className="cw-page-title">
            {walkIn ? t('intakeDesk.walkInTitle') : t('intake.title')}{' '}
            <Tag className="cw-shortcut-tag">F2</Tag>
          </Typography.Title>
          <div className="cw-page-subtitle">
            {walkIn ? t('intakeDesk.walkInSubtitle') : t('intake.subtitle')}
          </div>
        </div>
      </div>
      {created ? (
        <CreatedCase
          record={created}
          walkIn={walkIn}
          onOpenCase={onOpenCase}
          onLogAnother={onLogAnother}
        />
      ) : (
        <IntakeForm
          onCreated={setCreated}
          walkIn={walkIn}
          session={session}
          callNumber={callNumber}
        />
      )}
    </div>
  );
}

function IntakeForm({
  onCreated,
  walkIn,
  session,
  callNumber,
}: {
  onCreated: (record: CaseRecord) => void;
  walkIn: boolean;
  session: Session | undefined;
  callNumber: string | undefined;
}) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [values, setValues] = useState<Values>({
    customerName: '',
    customerPhone: callNumber ?? '',
    channel: walkIn ? 'branch' : 'phone',
    type: 'complaint',
    businessLine: undefined,
    description: '',
    customerExpectation: '',
  });
  const [customerId, setCustomerId] = useState<string | undefined>(undefined);
  const [problemAt, setProblemAt] = useState<Dayjs | null>(null);
  const [idType, setIdType] = useState<IdType | undefined>(undefined);
  const [checkedBy, setCheckedBy] = useState(session?.user.displayName ?? '');
  const [errors, setErrors] = useState<Partial<Record<Field | WalkInField, string>>>({});
  const [formError, setFormError] = useState<{
    code: string;
    unmatched: { path: string; code: string }[];
  } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [lookup, setLookup] = useState<CustomerLookupState>({ kind: 'idle' });
  const [lookupFailure, setLookupFailure] = useState<string | null>(null);
  const [preview, setPreview] = useState<IntakePreview | null>(null);
  /** Fields checked as the agent types: after leaving them once, or after a submit. */
  const touched = useRef(new Set<Field>());

  const choose = (customer: CustomerProfile, phone?: string) => {
    setCustomerId(customer.id);
    setValues((v) => ({
      ...v,
      customerName: customer.name,
      ...(phone ? { customerPhone: phone } : {}),
    }));
    setErrors((e) => ({ ...e, customerName: undefined }));
  };

  const runLookup = async (
    query: { phone: string } | { idNumber: string } | { account: string },
  ) => {
    const previous = lookup;
    setLookupFailure(null);
    setLookup({ kind: 'searching' });
    const { state, chosen } = await lookupCustomer(query, values.businessLine);
    if (state.kind === 'failed') {
      // A refused lookup (offline, say) leaves what the panel already showed in place.
      setLookup(previous.kind === 'searching' ? { kind: 'idle' } : previous);
      setLookupFailure(state.code);
      return;
    }
    setLookup(state);
    if (chosen) choose(chosen, 'phone' in query ? query.phone : undefined);
    else if (state.kind === 'cached' && state.view && !values.customerName)
      setValues((v) => ({ ...v, customerName: state.view!.name }));
  };

  const lookupByPhone = () => {
    const phone = PhoneNumber.safeParse(values.customerPhone);
    touched.current.add('customerPhone');
    if (!phone.success) {
      setErrors((e) => ({
        ...e,
        customerPhone: fieldCode('customerPhone', values.customerPhone) ?? undefined,
      }));
      return;
    }
    void runLookup({ phone: phone.data });
  };

  // A screen pop: the caller is looked up before the agent says a word.
  const popped = useRef(false);
  useEffect(() => {
    if (!callNumber || popped.current) return;
    popped.current = true;
    const phone = PhoneNumber.safeParse(callNumber);
    if (phone.success) void runLookup({ phone: phone.data });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [callNumber]);

  // The merge suggestion depends on the business line: ask again when it changes.
  const viewedId = lookup.kind === 'view' ? lookup.view.customer.id : null;
  useEffect(() => {
    if (!viewedId || !values.businessLine) return;
    let current = true;
    void open360(viewedId, values.businessLine).then((state) => {
      if (current && state.kind === 'view') setLookup(state);
    });
    return () => {
      current = false;
    };
  }, [viewedId, values.businessLine]);

  // The registration's own answer (priority, deadlines), a moment after the agent stops typing.
  useEffect(() => {
    const timer = setTimeout(() => {
      callWorkstation('cases.previewIntake', {
        channel: values.channel,
        type: values.type,
        description: values.description.slice(0, LIMITS.description),
        customerExpectation: values.customerExpectation.slice(0, LIMITS.customerExpectation),
      })
        .then(setPreview)
        .catch(() => setPreview(null));
    }, 250);
    return () => clearTimeout(timer);
  }, [values.channel, values.type, values.description, values.customerExpectation]);

  /** The same assessment as the registration, with what the 360 knows about the customer. */
  const segments = useMemo(() => (lookup.kind === 'view' ? lookup.view.segments : []), [lookup]);
  const recentComplaints =
    lookup.kind === 'view'
      ? lookup.view.complaintsLast30Days
      : lookup.kind === 'cached'
        ? (lookup.view?.complaintsLast30Days ?? 0)
        : 0;
  const suggestion = useMemo(
    () =>
      assessPriority({
        type: values.type,
        description: values.description,
        notes: [values.customerExpectation],
        segments: {
          vip: segments.some((s) => s.segment === 'vip'),
          elderly: segments.some((s) => s.segment === 'elderly'),
        },
        recentComplaintsIn30Days: recentComplaints,
      }),
    [values.type, values.description, values.customerExpectation, segments, recentComplaints],
  );
  const keywords = suggestion.reasons.flatMap((r) =>
    r.code === 'RISK_KEYWORD' ? [r.keyword] : [],
  );

  const change = <F extends Field>(field: F, value: Values[F]) => {
    setValues((v) => ({ ...v, [field]: value }));
    // A different name or number is another person: the chosen customer no longer applies.
    if ((field === 'customerName' || field === 'customerPhone') && customerId)
      setCustomerId(undefined);
    if (touched.current.has(field) || errors[field]) {
      setErrors((e) => ({ ...e, [field]: fieldCode(field, value) ?? undefined }));
    }
  };

  const blur = (field: Field) => {
    touched.current.add(field);
    setErrors((e) => ({ ...e, [field]: fieldCode(field, values[field]) ?? undefined }));
  };

  const focusField = (field: Field | WalkInField) => {
    document.getElementById(`intake-field-${field}`)?.focus();
  };

  const showFieldErrors = (byField: Partial<Record<Field | WalkInField, string>>) => {
    setErrors(byField);
    for (const field of FIELDS) touched.current.add(field);
    const first = [...FIELDS, 'idType' as const, 'checkedBy' as const].find((f) => byField[f]);
    if (first) focusField(first);
  };

  const submit = async () => {
    if (submitting) return;
    setFormError(null);
    const problemLine = problemAt
      ? `${t('intakeDesk.problemAt')}：${problemAt.format('YYYY-MM-DD HH:mm')}\n`
      : '';
    const parsed = CaseIntake.safeParse({
      ...values,
      description: values.description.trim() ? problemLine + values.description : '',
      ...(customerId ? { customerId } : {}),
    });
    const walkInErrors: Partial<Record<WalkInField, string>> = walkIn
      ? {
          ...(idType ? {} : { idType: 'REQUIRED' }),
          ...(checkedBy.trim() ? {} : { checkedBy: 'REQUIRED' }),
        }
      : {};
    if (!parsed.success || Object.keys(walkInErrors).length > 0) {
      const byField = parsed.success
        ? {}
        : mapFieldErrors(FIELDS, validationError(parsed.error)).byField;
      // An empty select is "required", not a type error.
      if (!values.businessLine) byField.businessLine = 'REQUIRED';
      showFieldErrors({ ...byField, ...walkInErrors });
      return;
    }
    setSubmitting(true);
    try {
      const record = await callWorkstation('cases.create', parsed.data);
      if (walkIn && idType) {
        // The identity check is part of the record: a note, synced like any other.
        await callWorkstation('cases.addNote', {
          caseId: record.id,
          text: t('intakeDesk.identityNote', {
            idType: t(`intakeDesk.idTypes.${idType}`),
            checkedBy: checkedBy.trim(),
          }),
        }).catch(reportError);
      }
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

  const errorHelp = (field: Field | WalkInField) =>
    errors[field] ? (
      <span data-testid={`intake-error-${field}`} data-code={errors[field]}>
        {translateFieldCode(t, errors[field])}
      </span>
    ) : undefined;

  const item = (field: Field) => ({
    label: t(`intake.${field}`),
    required: true,
    htmlFor: `intake-field-${field}`,
    validateStatus: errors[field] ? ('error' as const) : undefined,
    help: errorHelp(field),
  });

  const selectOptions = <T extends string>(codes: readonly T[], group: string) =>
    codes.map((code) => ({ value: code, label: t(`${group}.${code}`) }));

  const liveDeadlines = (preview?.deadlines ?? []).filter((d) => d.dueAt && !d.met);

  return (
    <div className="cw-intake-desk">
      <Card className="cw-intake-desk-form">
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
              <Form.Item {...item('customerPhone')}>
                <Space.Compact style={{ width: '100%' }}>
                  <Input
                    id="intake-field-customerPhone"
                    data-testid="intake-customerPhone"
                    autoFocus
                    autoComplete="off"
                    inputMode="tel"
                    placeholder={t('intake.customerPhonePlaceholder')}
                    value={values.customerPhone}
                    onChange={(e) => change('customerPhone', e.target.value)}
                    onBlur={() => blur('customerPhone')}
                    onPressEnter={(e) => {
                      // The caller's number first: Enter here looks them up, it does not save.
                      e.preventDefault();
                      lookupByPhone();
                    }}
                  />
                  <Button
                    icon={<SearchOutlined />}
                    onClick={lookupByPhone}
                    data-testid="intake-lookup"
                    loading={lookup.kind === 'searching'}
                  >
                    {t('intakeDesk.lookup')}
                  </Button>
                </Space.Compact>
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                {...item('customerName')}
                extra={
                  customerId ? (
                    <span data-testid="intake-customer-linked">
                      <CheckCircleOutlined /> {t('intakeDesk.customerLinked')}
                    </span>
                  ) : undefined
                }
              >
                <Input
                  id="intake-field-customerName"
                  data-testid="intake-customerName"
                  autoComplete="off"
                  placeholder={t('intake.customerNamePlaceholder')}
                  value={values.customerName}
                  onChange={(e) => change('customerName', e.target.value)}
                  onBlur={() => blur('customerName')}
                />
              </Form.Item>
            </Col>
          </Row>
          {walkIn ? (
            <Row gutter={16} data-testid="intake-identity-check">
              <Col xs={24} md={12}>
                <Form.Item
                  label={t('intakeDesk.idType')}
                  required
                  htmlFor="intake-field-idType"
                  validateStatus={errors.idType ? 'error' : undefined}
                  help={errorHelp('idType')}
                >
                  <Select<IdType>
                    id="intake-field-idType"
                    data-testid="intake-idType"
                    placeholder={t('intakeDesk.idTypePlaceholder')}
                    options={ID_TYPES.map((code) => ({
                      value: code,
                      label: t(`intakeDesk.idTypes.${code}`),
                    }))}
                    value={idType}
                    onChange={(v) => {
                      setIdType(v);
                      setErrors((e) => ({ ...e, idType: undefined }));
                    }}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item
                  label={t('intakeDesk.checkedBy')}
                  required
                  htmlFor="intake-field-checkedBy"
                  validateStatus={errors.checkedBy ? 'error' : undefined}
                  help={errorHelp('checkedBy')}
                >
                  <Input
                    id="intake-field-checkedBy"
                    data-testid="intake-checkedBy"
                    autoComplete="off"
                    maxLength={50}
                    value={checkedBy}
                    onChange={(e) => {
                      setCheckedBy(e.target.value);
                      setErrors((er) => ({
                        ...er,
                        checkedBy: e.target.value.trim() ? undefined : 'REQUIRED',
                      }));
                    }}
                  />
                </Form.Item>
              </Col>
            </Row>
          ) : null}
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
          <Form.Item label={t('intakeDesk.problemAt')} htmlFor="intake-field-problemAt">
            <DatePicker
              id="intake-field-problemAt"
              data-testid="intake-problemAt"
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              placeholder={t('intakeDesk.problemAtPlaceholder')}
              value={problemAt}
              onChange={setProblemAt}
              disabledDate={(d) => d.isAfter(new Date())}
              style={{ width: 260 }}
            />
          </Form.Item>
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
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('intake.shortcut')}
            </Typography.Text>
          </div>
        </Form>
      </Card>
      <div className="cw-intake-desk-side">
        <KnowledgeLauncher block />
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
          <div
            className="cw-intake-deadlines-box"
            data-testid="intake-deadlines"
            data-count={liveDeadlines.length}
          >
            <div className="cw-sla-title">
              <FieldTimeOutlined /> {t('intakeDesk.deadlinesTitle')}
            </div>
            {liveDeadlines.length === 0 ? (
              <Typography.Text type="secondary">{t('intakeDesk.deadlinesPending')}</Typography.Text>
            ) : (
              <ul className="cw-intake-deadlines">
                {liveDeadlines.map((d) => (
                  <li key={d.kind} data-kind={d.kind}>
                    <span>{t(`deadlines.kinds.${d.kind}`)}</span>
                    <strong>{formatDueTime(d.dueAt)}</strong>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Card>
        <CustomerPanel
          state={lookup}
          failure={lookupFailure}
          onChoose={(customer) => {
            choose(customer);
            void open360(customer.id, values.businessLine).then(setLookup);
          }}
          onLookup={(query) => void runLookup(query)}
        />
      </div>
    </div>
  );
}

function CreatedCase({
  record,
  walkIn,
  onOpenCase,
  onLogAnother,
}: {
  record: CaseRecord;
  walkIn: boolean;
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
        <Space size="middle" style={{ marginTop: 24 }} wrap>
          {walkIn ? (
            <Button
              type="primary"
              size="large"
              icon={<PrinterOutlined />}
              href={receiptHash(record.id)}
              data-testid="intake-open-receipt"
              autoFocus
            >
              {t('intakeDesk.receipt')}
            </Button>
          ) : null}
          <Button
            type={walkIn ? 'default' : 'primary'}
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
            autoFocus={!walkIn}
          >
            {t('intake.logAnother')}
          </Button>
        </Space>
      </div>
    </Card>
  );
}
