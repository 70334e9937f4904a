// 我的工单: the agent's queue, refreshed whenever the backend says cases changed.
import {
  useCallback,
  useEffect,
  useMemo,
  useState,
  type HTMLAttributes,
  type KeyboardEvent,
} from 'react';
import { Alert, Button, Card, Empty, Input, Segmented, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CaseSummary } from '../../../shared/case-views';
import { PRIORITIES } from '../../../shared/domain';
import {
  matchesStatusFilter,
  statusGroupOf,
  STATUS_FILTERS,
  type StatusFilter,
} from '../case-lifecycle';
import { useReportError } from '../components/feedback';
import { PendingTag, PriorityTag, StatusBadge } from '../components/tags';
import { errorCode, translateErrorCode } from '../errors';
import { formatDateTime } from '../format';
import { useWorkstationEvent } from '../hooks';
import { callWorkstation } from '../workstation';

interface Props {
  onOpenCase: (caseId: string) => void;
  onNewComplaint: () => void;
}

export function MyCasesScreen({ onOpenCase, onNewComplaint }: Props) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [cases, setCases] = useState<CaseSummary[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [statusFilter, setStatusFilter] = useState<StatusFilter>('all');

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setCases(await callWorkstation('cases.listMine', {}));
      setLoadError(null);
    } catch (error) {
      setLoadError(errorCode(error));
      reportError(error);
    } finally {
      setLoading(false);
    }
  }, [reportError]);

  useEffect(() => {
    void load();
  }, [load]);

  useWorkstationEvent('case.changed', () => void load());

  const counts = useMemo(() => {
    const result: Record<StatusFilter, number> = {
      all: 0,
      working: 0,
      waiting: 0,
      resolved: 0,
      ended: 0,
    };
    for (const c of cases ?? []) {
      result.all += 1;
      result[statusGroupOf(c.status)] += 1;
    }
    return result;
  }, [cases]);

  const rows = useMemo(() => {
    const query = search.trim().toLowerCase();
    return (cases ?? [])
      .filter((c) => matchesStatusFilter(c.status, statusFilter))
      .filter(
        (c) =>
          !query ||
          c.number.toLowerCase().includes(query) ||
          c.customerName.toLowerCase().includes(query) ||
          c.maskedPhone.includes(query),
      );
  }, [cases, search, statusFilter]);

  const columns: TableColumnsType<CaseSummary> = [
    {
      key: 'number',
      title: t('cases.number'),
      dataIndex: 'number',
      width: 270,
      render: (_, c) => (
        <Space size={6} style={{ whiteSpace: 'nowrap' }}>
          <span className="cw-mono" data-testid="case-row-number" style={{ fontWeight: 500 }}>
            {c.number}
          </span>
          {c.pending ? <PendingTag /> : null}
        </Space>
      ),
    },
    {
      key: 'customer',
      title: t('cases.customer'),
      render: (_, c) => (
        <div className="cw-customer-cell">
          <div>{c.customerName}</div>
          <div className="cw-customer-phone cw-mono">{c.maskedPhone}</div>
        </div>
      ),
    },
    {
      key: 'type',
      title: t('cases.type'),
      width: 110,
      render: (_, c) => t(`caseTypes.${c.type}`),
    },
    {
      key: 'businessLine',
      title: t('cases.businessLine'),
      width: 170,
      render: (_, c) => t(`businessLines.${c.businessLine}`),
    },
    {
      key: 'priority',
      title: t('cases.priority'),
      width: 100,
      sorter: (a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority),
      render: (_, c) => <PriorityTag priority={c.priority} />,
    },
    {
      key: 'status',
      title: t('cases.status'),
      width: 150,
      render: (_, c) => <StatusBadge status={c.status} />,
    },
    {
      key: 'createdAt',
      title: t('cases.createdAt'),
      width: 170,
      defaultSortOrder: 'descend',
      sorter: (a, b) => a.createdAt.localeCompare(b.createdAt),
      render: (_, c) => <span style={{ color: '#4a5663' }}>{formatDateTime(c.createdAt)}</span>,
    },
  ];

  const emptyText =
    cases && cases.length > 0 ? (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cases.noMatch')} />
    ) : (
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        data-testid="cases-empty"
        description={
          <>
            <div>{t('cases.empty')}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('cases.emptyHint')}
            </Typography.Text>
          </>
        }
      >
        <Button type="primary" icon={<PlusOutlined />} onClick={onNewComplaint}>
          {t('cases.newComplaint')}
        </Button>
      </Empty>
    );

  return (
    <div data-testid="my-cases-screen">
      <div className="cw-page-header">
        <div>
          <Typography.Title level={3} className="cw-page-title">
            {t('cases.title')}
          </Typography.Title>
          <div className="cw-page-subtitle">{t('cases.subtitle')}</div>
        </div>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={onNewComplaint}
          data-testid="cases-new"
        >
          {t('cases.newComplaint')}
        </Button>
      </div>
      {loadError && !loading ? (
        <Alert
          type="error"
          showIcon
          data-testid="cases-error"
          title={translateErrorCode(t, loadError)}
          action={
            <Button size="small" onClick={() => void load()}>
              {t('app.retry')}
            </Button>
          }
          style={{ marginBottom: 16 }}
        />
      ) : null}
      <Card styles={{ body: { padding: 0 } }}>
        <div
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 12,
            padding: '12px 16px',
            borderBottom: '1px solid #f0f2f5',
            flexWrap: 'wrap',
          }}
        >
          <Segmented<StatusFilter>
            value={statusFilter}
            onChange={setStatusFilter}
            data-testid="cases-status-filter"
            options={STATUS_FILTERS.map((s) => ({
              value: s,
              label: (
                <span data-testid={`cases-filter-${s}`} data-count={counts[s]}>
                  {t(`cases.filters.${s}`)} {counts[s]}
                </span>
              ),
            }))}
          />
          <span style={{ flex: 1 }} />
          <Input
            allowClear
            prefix={<SearchOutlined style={{ color: '#8591a0' }} />}
            placeholder={t('cases.searchPlaceholder')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 260 }}
            data-testid="cases-search"
          />
          <Button icon={<ReloadOutlined />} onClick={() => void load()} data-testid="cases-refresh">
            {t('app.refresh')}
          </Button>
        </div>
        <div data-testid="case-table">
          <Table<CaseSummary>
            rowKey="id"
            columns={columns}
            dataSource={rows}
            loading={loading && cases === null}
            locale={{ emptyText }}
            pagination={{
              pageSize: 20,
              hideOnSinglePage: true,
              showSizeChanger: false,
              showTotal: (total) => t('cases.total', { count: total }),
            }}
            onRow={(c) =>
              ({
                className: 'cw-clickable-row',
                tabIndex: 0,
                'data-testid': 'case-row',
                'data-case-id': c.id,
                'data-case-number': c.number,
                'data-pending': c.pending ? 'true' : 'false',
                onClick: () => onOpenCase(c.id),
                onKeyDown: (e: KeyboardEvent) => {
                  if (e.key === 'Enter') onOpenCase(c.id);
                },
              }) as HTMLAttributes<HTMLElement>
            }
            style={{ padding: '0 0 8px' }}
          />
        </div>
      </Card>
    </div>
  );
}
