// 客户视图 (customer 360) beside the intake form: who is calling, how they are treated
// (VIP, 老年客户, 重复投诉), what is still open and whether this call belongs to an open case.
import { Alert, Button, Card, Empty, Input, List, Space, Spin, Tag, Typography } from 'antd';
import {
  CrownOutlined,
  HistoryOutlined,
  MergeCellsOutlined,
  UserOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  CachedCustomerView,
  Customer360,
  CustomerCase,
  CustomerProfile,
} from '../../../../shared/customer-desk';
import { formatDateTime } from '../../format';
import { PriorityTag, StatusBadge } from '../../components/tags';
import { errorCode, translateFieldCode } from '../../errors';
import { callWorkstation } from '../../workstation';

/** What the panel shows: nothing yet, a search in flight, its answer, or a refusal. */
export type CustomerLookupState =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'found'; customers: CustomerProfile[] }
  | { kind: 'view'; view: Customer360 }
  | { kind: 'cached'; view: CachedCustomerView | null }
  | { kind: 'failed'; code: string };

interface Props {
  state: CustomerLookupState;
  /** The code of the last lookup the workstation refused, shown above what was found before. */
  failure: string | null;
  onChoose: (customer: CustomerProfile) => void;
  /** A lookup by ID number or account number (the phone one is in the form). */
  onLookup: (query: { idNumber: string } | { account: string }) => void;
}

export function CustomerPanel({ state, failure, onChoose, onLookup }: Props) {
  const { t } = useTranslation();
  const [identifier, setIdentifier] = useState('');
  const [identifierError, setIdentifierError] = useState<string | null>(null);

  const lookupByIdentifier = () => {
    const value = identifier.replace(/[\s-]/g, '');
    if (!value) {
      setIdentifierError('REQUIRED');
      return;
    }
    setIdentifierError(null);
    // 18 characters ending in a digit or X is an ID number; digits alone, an account.
    if (/^\d{17}[\dXx]$/.test(value)) onLookup({ idNumber: value });
    else if (/^\d{8,30}$/.test(value)) onLookup({ account: value });
    else setIdentifierError('IDENTIFIER_UNRECOGNIZED');
  };

  return (
    <Card
      className="cw-customer-panel"
      data-testid="customer-panel"
      title={
        <Space>
          <UserOutlined />
          {t('intakeDesk.customer360')}
        </Space>
      }
    >
      {failure ? (
        <Alert
          type="warning"
          showIcon
          data-testid="customer-lookup-failed"
          data-code={failure}
          title={lookupErrorText(t, failure)}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      <CustomerBody state={state} onChoose={onChoose} />
      <div className="cw-customer-other-lookup">
        <label htmlFor="intake-identifier-lookup" className="cw-sla-title">
          {t('intakeDesk.otherIdentifier')}
        </label>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            id="intake-identifier-lookup"
            data-testid="intake-identifier-lookup"
            autoComplete="off"
            placeholder={t('intakeDesk.otherIdentifierPlaceholder')}
            value={identifier}
            status={identifierError ? 'error' : undefined}
            aria-invalid={identifierError ? true : undefined}
            aria-describedby={identifierError ? 'intake-identifier-error' : undefined}
            onChange={(e) => setIdentifier(e.target.value)}
            onPressEnter={(e) => {
              e.preventDefault();
              lookupByIdentifier();
            }}
          />
          <Button onClick={lookupByIdentifier} data-testid="intake-identifier-lookup-button">
            {t('intakeDesk.lookup')}
          </Button>
        </Space.Compact>
        {identifierError ? (
          <Typography.Text type="danger" id="intake-identifier-error" style={{ fontSize: 12 }}>
            {identifierError === 'IDENTIFIER_UNRECOGNIZED'
              ? t('intakeDesk.identifierUnrecognized')
              : translateFieldCode(t, identifierError)}
          </Typography.Text>
        ) : null}
      </div>
    </Card>
  );
}

function CustomerBody({
  state,
  onChoose,
}: {
  state: CustomerLookupState;
  onChoose: (customer: CustomerProfile) => void;
}) {
  const { t } = useTranslation();
  switch (state.kind) {
    case 'idle':
      return (
        <Typography.Paragraph type="secondary" data-testid="customer-idle">
          {t('intakeDesk.lookupHint')}
        </Typography.Paragraph>
      );
    case 'searching':
      return <Spin description={t('intakeDesk.searching')} />;
    case 'failed':
      return (
        <Alert
          type="warning"
          showIcon
          data-testid="customer-lookup-failed"
          data-code={state.code}
          title={lookupErrorText(t, state.code)}
        />
      );
    case 'found':
      if (state.customers.length === 0)
        return (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={<span data-testid="customer-none">{t('intakeDesk.noCustomer')}</span>}
          />
        );
      return (
        <List
          data-testid="customer-results"
          dataSource={state.customers}
          renderItem={(customer) => (
            <List.Item
              actions={[
                <Button
                  key="choose"
                  size="small"
                  type="primary"
                  ghost
                  onClick={() => onChoose(customer)}
                  data-testid="customer-choose"
                >
                  {t('intakeDesk.choose')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                title={customer.name}
                description={[customer.maskedPhones[0], customer.maskedIdNumber]
                  .filter(Boolean)
                  .join(' · ')}
              />
            </List.Item>
          )}
        />
      );
    case 'cached':
      return <CachedView view={state.view} />;
    case 'view':
      return <FullView view={state.view} />;
  }
}

export function lookupErrorText(t: (key: string) => string, code: string): string {
  const known = ['CUSTOMER_LOOKUP_OFFLINE', 'CUSTOMER_NOT_FOUND', 'VALIDATION'];
  return known.includes(code) ? t(`intakeDesk.errors.${code}`) : t('intakeDesk.errors.OTHER');
}

function FullView({ view }: { view: Customer360 }) {
  const { t } = useTranslation();
  const { customer } = view;
  const caseNumber = (id: string) =>
    view.openCases.find((c) => c.id === id)?.number ?? id.slice(0, 8);
  return (
    <div data-testid="customer-360" data-customer-id={customer.id}>
      <div className="cw-customer-name">
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="customer-360-name">
          {customer.name}
        </Typography.Title>
        <Typography.Text type="secondary">
          {[
            customer.maskedPhones.join(' / '),
            customer.birthYear ? t('intakeDesk.born', { year: customer.birthYear }) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </Typography.Text>
      </div>
      <Space size={4} wrap data-testid="customer-segments" style={{ margin: '8px 0' }}>
        {view.segments.length === 0 ? (
          <Typography.Text type="secondary">{t('intakeDesk.noSegments')}</Typography.Text>
        ) : (
          view.segments.map((segment) => (
            <Tag
              key={segment.segment}
              color={
                segment.segment === 'vip'
                  ? 'gold'
                  : segment.segment === 'elderly'
                    ? 'purple'
                    : 'volcano'
              }
              icon={segment.segment === 'vip' ? <CrownOutlined /> : undefined}
              data-segment={segment.segment}
            >
              {segment.segment === 'elderly'
                ? t('intakeDesk.segments.elderly', { age: segment.age })
                : segment.segment === 'repeatComplainant'
                  ? t('intakeDesk.segments.repeatComplainant', { count: segment.complaints })
                  : t('intakeDesk.segments.vip')}
            </Tag>
          ))
        )}
      </Space>
      {view.repeatComplainantWarning ? (
        <Alert
          type="warning"
          showIcon
          icon={<WarningOutlined />}
          data-testid="customer-repeat-warning"
          title={t('intakeDesk.repeatWarning', {
            count: view.repeatComplainantWarning.complaints,
          })}
          style={{ marginBottom: 8 }}
        />
      ) : null}
      {view.mergeSuggestions.map((suggestion) => (
        <Alert
          key={suggestion.businessLine}
          type="info"
          showIcon
          icon={<MergeCellsOutlined />}
          data-testid="customer-merge-suggestion"
          title={t('intakeDesk.mergeSuggestion', {
            cases: suggestion.caseIds.map(caseNumber).join(t('app.listSeparator')),
            businessLine: t(`businessLines.${suggestion.businessLine}`),
          })}
          style={{ marginBottom: 8 }}
        />
      ))}
      <CaseList
        title={t('intakeDesk.openCases', { count: view.openCases.length })}
        cases={view.openCases}
        testId="customer-open-cases"
      />
      <CaseList
        title={t('intakeDesk.last12Months', { count: view.complaintsLast12Months })}
        cases={view.recentCases}
        testId="customer-recent-cases"
      />
    </div>
  );
}

function CachedView({ view }: { view: CachedCustomerView | null }) {
  const { t } = useTranslation();
  return (
    <div data-testid="customer-cached">
      <Alert
        type="warning"
        showIcon
        title={t('intakeDesk.offlineView')}
        style={{ marginBottom: 8 }}
      />
      {view ? (
        <>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="customer-360-name">
            {view.name}
          </Typography.Title>
          <Typography.Text type="secondary">{view.maskedPhone}</Typography.Text>
          <CaseList
            title={t('intakeDesk.openCases', { count: view.openCases.length })}
            cases={view.openCases}
            testId="customer-open-cases"
          />
          <CaseList
            title={t('intakeDesk.last12Months', { count: view.complaintsLast12Months })}
            cases={view.recentCases}
            testId="customer-recent-cases"
          />
        </>
      ) : (
        <Typography.Text type="secondary" data-testid="customer-none">
          {t('intakeDesk.noCachedCases')}
        </Typography.Text>
      )}
    </div>
  );
}

function CaseList({
  title,
  cases,
  testId,
}: {
  title: string;
  cases: CustomerCase[];
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="cw-customer-cases" data-testid={testId} data-count={cases.length}>
      <div className="cw-sla-title">
        <HistoryOutlined /> {title}
      </div>
      {cases.length === 0 ? (
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>
          {t('intakeDesk.noCases')}
        </Typography.Text>
      ) : (
        <ul className="cw-customer-case-list">
          {cases.slice(0, 6).map((c) => (
            <li key={c.id}>
              <span className="cw-customer-case-number">{c.number}</span>
              <StatusBadge status={c.status} />
              <PriorityTag priority={c.priority} />
              <span>{t(`businessLines.${c.businessLine}`)}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(c.createdAt)}
              </Typography.Text>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Looks up by one identifier; with exactly one match, opens that customer's 360 at once. */
export async function lookupCustomer(
  query: { phone: string } | { idNumber: string } | { account: string },
  businessLine: string | undefined,
): Promise<{ state: CustomerLookupState; chosen: CustomerProfile | null }> {
  try {
    const answer = await callWorkstation('customers.lookup', query);
    if (answer.offline) return { state: { kind: 'cached', view: answer.cached }, chosen: null };
    if (answer.customers.length !== 1)
      return { state: { kind: 'found', customers: answer.customers }, chosen: null };
    const customer = answer.customers[0]!;
    return { state: await open360(customer.id, businessLine), chosen: customer };
  } catch (error) {
    return { state: { kind: 'failed', code: errorCode(error) }, chosen: null };
  }
}

export async function open360(
  customerId: string,
  businessLine: string | undefined,
): Promise<CustomerLookupState> {
  try {
    const view = await callWorkstation('customers.get', {
      customerId,
      ...(businessLine
        ? { businessLine: businessLine as Customer360['openCases'][0]['businessLine'] }
        : {}),
    });
    return { kind: 'view', view };
  } catch (error) {
    return { kind: 'failed', code: errorCode(error) };
  }
}
