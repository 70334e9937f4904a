// 工单队列: the landing screen. My cases, my team's queue and my follow-up calls, filtered,
// searched and sorted over the local cache (offline too), in a virtualized table whose SLA
// countdowns tick every second; saved views bring back a set of filters in one step.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Empty, Input, Select, Space, Tabs, Tooltip, Typography } from 'antd';
import type { SelectProps } from 'antd';
import { ClearOutlined, PlusOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../../shared/contract';
import { BUSINESS_LINES, CHANNELS, PRIORITIES } from '../../../shared/domain';
import {
  QUEUE_SCOPES,
  QUEUE_SEARCH_MAX,
  QUEUE_SORTS,
  SLA_STATE_NAMES,
  type QueueFilters,
  type QueueScope,
  type QueueSelection,
  type SavedQueueView,
} from '../../../shared/queue';
import { STATUS_GROUPS } from '../case-lifecycle';
import { useWorkstationEvent } from '../hooks';
import { callWorkstation } from '../workstation';
import { QueueTable } from './queue/QueueTable';
import { queueErrorText, SavedViews } from './queue/SavedViews';
import { useQueueWindows } from './queue/useQueueWindows';
import './queue/queue.css';

interface Props {
  session: Session;
  onOpenCase: (caseId: string) => void;
  onNewComplaint: () => void;
}

const FIRST_SELECTION: QueueSelection = { scope: 'mine', filters: {}, sort: 'nextDue', search: '' };
/** Search waits for a pause in typing: one query per word, not per keystroke. */
const SEARCH_DELAY_MS = 250;
/** SLA states move with time: the queue is read again this often even when nothing changed. */
const SLA_RECOUNT_MS = 60_000;

// What the agent last looked at, per user: coming back from a case keeps the queue as it was.
let remembered: { userId: string; selection: QueueSelection; viewId: string | null } | null = null;

export function QueueScreen({ session, onOpenCase, onNewComplaint }: Props) {
  const { t } = useTranslation();
  const userId = session.user.id;
  const hasTeam = session.user.teamId !== null;
  const initial = remembered?.userId === userId ? remembered : null;
  const [selection, setSelection] = useState<QueueSelection>(initial?.selection ?? FIRST_SELECTION);
  const [activeViewId, setActiveViewId] = useState<string | null>(initial?.viewId ?? null);
  const [searchText, setSearchText] = useState(selection.search);
  const [counts, setCounts] = useState<Partial<Record<QueueScope, number>>>({});
  const windows = useQueueWindows(selection);

  useEffect(() => {
    remembered = { userId, selection, viewId: activeViewId };
  }, [userId, selection, activeViewId]);

  const change = useCallback((next: Partial<QueueSelection>) => {
    setSelection((current) => ({ ...current, ...next }));
    setActiveViewId(null);
  }, []);

  const setFilter = <K extends keyof QueueFilters>(key: K, values: QueueFilters[K]) =>
    change({ filters: { ...selection.filters, [key]: values } });

  // The typed search reaches the query after a pause.
  useEffect(() => {
    if (searchText === selection.search) return;
    const timer = window.setTimeout(() => change({ search: searchText }), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [searchText, selection.search, change]);

  // Each tab's count with the same filters and search (a count only: no rows travel).
  const countKey = JSON.stringify({ ...selection, scope: null });
  const [countsVersion, setCountsVersion] = useState(0);
  useEffect(() => {
    let current = true;
    const scopes = QUEUE_SCOPES.filter((scope) => scope !== 'team' || hasTeam);
    const asked = JSON.parse(countKey) as Omit<QueueSelection, 'scope'>;
    void Promise.all(
      scopes.map((scope) =>
        callWorkstation('cases.queue', { ...asked, scope, offset: 0, limit: 0 })
          .then((page) => [scope, page.total] as const)
          .catch(() => [scope, undefined] as const),
      ),
    ).then((answers) => {
      if (current) setCounts(Object.fromEntries(answers));
    });
    return () => {
      current = false;
    };
  }, [countKey, hasTeam, countsVersion]);

  const { refresh } = windows;
  const refreshAll = useCallback(() => {
    refresh();
    setCountsVersion((n) => n + 1);
  }, [refresh]);

  // Cases change in bursts (a pull brings many): one refresh per burst.
  const pendingRefresh = useRef<number | null>(null);
  useWorkstationEvent('case.changed', () => {
    if (pendingRefresh.current !== null) window.clearTimeout(pendingRefresh.current);
    pendingRefresh.current = window.setTimeout(() => {
      pendingRefresh.current = null;
      refreshAll();
    }, 200);
  });
  useEffect(() => () => window.clearTimeout(pendingRefresh.current ?? undefined), []);
  useEffect(() => {
    const timer = window.setInterval(refreshAll, SLA_RECOUNT_MS);
    return () => window.clearInterval(timer);
  }, [refreshAll]);

  const applyView = (view: SavedQueueView) => {
    setSelection(view.query);
    setSearchText(view.query.search);
    setActiveViewId(view.id);
  };

  const filtered =
    selection.search.trim() !== '' ||
    Object.values(selection.filters).some((values) => values && values.length > 0);

  const statusOptions = useMemo(
    () =>
      (Object.keys(STATUS_GROUPS) as (keyof typeof STATUS_GROUPS)[]).map((group) => ({
        label: t(`cases.filters.${group}`),
        title: t(`cases.filters.${group}`),
        options: STATUS_GROUPS[group].map((state) => ({
          value: state,
          label: t(`statuses.${state}`),
        })),
      })),
    [t],
  );

  const filterSelect = <K extends keyof QueueFilters>(
    key: K,
    options: SelectProps['options'],
    width: number,
  ) => (
    <Select
      mode="multiple"
      allowClear
      maxTagCount="responsive"
      aria-label={t(`queue.filters.${key}`)}
      placeholder={t(`queue.filters.${key}`)}
      value={(selection.filters[key] ?? []) as string[]}
      onChange={(values: string[]) => setFilter(key, values as QueueFilters[K])}
      options={options}
      style={{ width }}
      data-testid={`queue-filter-${key}`}
      popupMatchSelectWidth={false}
    />
  );

  const scopeLabel = t(`queue.tabs.${selection.scope}`);
  const total = windows.total;
  const empty = (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      data-testid="cases-empty"
      description={
        filtered ? (
          t('queue.noMatch')
        ) : selection.scope === 'followUps' ? (
          t('queue.noFollowUps')
        ) : (
          <>
            <div>{t('queue.empty')}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('queue.emptyHint')}
            </Typography.Text>
          </>
        )
      }
    >
      {filtered ? (
        <Button icon={<ClearOutlined />} onClick={() => resetFilters()}>
          {t('queue.reset')}
        </Button>
      ) : null}
    </Empty>
  );

  function resetFilters() {
    setSearchText('');
    change({ filters: {}, search: '' });
  }

  return (
    <div data-testid="queue-screen" className="cw-queue-page">
      <div className="cw-page-header">
        <div>
          <Typography.Title level={3} className="cw-page-title">
            {t('queue.title')}
          </Typography.Title>
          <div className="cw-page-subtitle">{t('queue.subtitle')}</div>
        </div>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={onNewComplaint}
          data-testid="cases-new"
        >
          {t('queue.newComplaint')}
        </Button>
      </div>
      {windows.error && !windows.loading ? (
        <Alert
          type="error"
          showIcon
          data-testid="queue-error"
          title={t('queue.loadFailed')}
          description={queueErrorText(t, windows.error, 'error')}
          action={
            <Button size="small" onClick={refreshAll}>
              {t('app.retry')}
            </Button>
          }
          style={{ marginBottom: 16 }}
        />
      ) : null}
      <Card styles={{ body: { padding: 0 } }} className="cw-queue-card">
        <div className="cw-queue-toolbar cw-queue-toolbar-top">
          <Tabs
            activeKey={selection.scope}
            onChange={(scope) => change({ scope: scope as QueueScope })}
            aria-label={t('queue.tabsLabel')}
            className="cw-queue-tabs"
            items={QUEUE_SCOPES.map((scope) => ({
              key: scope,
              disabled: scope === 'team' && !hasTeam,
              label: (
                <span data-testid={`queue-tab-${scope}`} data-count={counts[scope] ?? ''}>
                  {t(`queue.tabs.${scope}`)}
                  {counts[scope] === undefined ? null : (
                    <span
                      className={`cw-queue-tab-count${scope === selection.scope ? ' cw-queue-tab-count-active' : ''}`}
                    >
                      {counts[scope].toLocaleString()}
                    </span>
                  )}
                </span>
              ),
            }))}
          />
          <Space size={8}>
            <SavedViews
              selection={selection}
              activeViewId={activeViewId}
              onApply={applyView}
              onActiveViewGone={() => setActiveViewId(null)}
            />
            <Tooltip title={t('queue.refresh')}>
              <Button
                icon={<ReloadOutlined />}
                onClick={refreshAll}
                aria-label={t('queue.refresh')}
                data-testid="cases-refresh"
              />
            </Tooltip>
          </Space>
        </div>
        <div
          className="cw-queue-toolbar"
          role="search"
          aria-label={t('queue.filtersLabel')}
          data-testid="queue-filters"
        >
          <Input
            allowClear
            prefix={<SearchOutlined aria-hidden style={{ color: '#6b7785' }} />}
            aria-label={t('queue.searchLabel')}
            placeholder={t('queue.searchPlaceholder')}
            value={searchText}
            maxLength={QUEUE_SEARCH_MAX}
            onChange={(event) => setSearchText(event.target.value)}
            onPressEnter={() => change({ search: searchText })}
            style={{ width: 230 }}
            data-testid="queue-search"
          />
          {filterSelect('status', statusOptions, 112)}
          {filterSelect(
            'priority',
            PRIORITIES.map((value) => ({ value, label: t(`priorities.${value}`) })),
            100,
          )}
          {filterSelect(
            'channel',
            CHANNELS.map((value) => ({ value, label: t(`channels.${value}`) })),
            100,
          )}
          {filterSelect(
            'businessLine',
            BUSINESS_LINES.map((value) => ({ value, label: t(`businessLines.${value}`) })),
            120,
          )}
          {filterSelect(
            'sla',
            SLA_STATE_NAMES.map((value) => ({ value, label: t(`queue.sla.${value}`) })),
            100,
          )}
          <span className="cw-queue-spacer" />
          <Select
            aria-label={t('queue.sortLabel')}
            value={selection.sort}
            onChange={(sort) => change({ sort })}
            options={QUEUE_SORTS.map((value) => ({ value, label: t(`queue.sorts.${value}`) }))}
            style={{ width: 132 }}
            data-testid="queue-sort"
          />
          <Button
            icon={<ClearOutlined />}
            onClick={resetFilters}
            disabled={!filtered}
            data-testid="queue-reset"
          >
            {t('queue.reset')}
          </Button>
        </div>
        <QueueTable
          windows={windows}
          scope={selection.scope}
          sort={selection.sort}
          label={t('queue.tableLabel', {
            queue: scopeLabel,
            formatted: (total ?? 0).toLocaleString(),
          })}
          empty={empty}
          onOpenCase={onOpenCase}
        />
        <div className="cw-queue-footer">
          <span data-testid="queue-total" data-count={total ?? ''} aria-live="polite">
            {total === null ? '' : t('queue.total', { formatted: total.toLocaleString() })}
          </span>
        </div>
      </Card>
    </div>
  );
}
