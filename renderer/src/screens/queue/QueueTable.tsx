// The queue as a virtualized grid: only the rows in view (and a few around them) are in the
// DOM, whatever the queue's length. Keyboard: Tab enters at the current row, arrows, Page
// Up/Down, Home and End move, Enter opens the case (the WAI-ARIA grid pattern, row focus).
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Skeleton } from 'antd';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import type { QueueRow, QueueScope, QueueSort } from '../../../../shared/queue';
import { PendingTag, PriorityTag, StatusBadge } from '../../components/tags';
import { formatShortTime } from '../../format';
import { useNow } from '../../hooks';
import { SlaCountdown } from './SlaCountdown';
import type { QueueWindows } from './useQueueWindows';

const ROW_HEIGHT = 60;
/** Rows rendered beyond the visible ones on each side: smooth scrolling, a small DOM. */
const OVERSCAN = 12;

type ColumnKey =
  'number' | 'customer' | 'priority' | 'status' | 'channel' | 'sla' | 'owner' | 'updated';

interface Column {
  key: ColumnKey;
  width: string;
  render: (row: QueueRow, nowMs: number) => ReactNode;
}

interface Props {
  windows: QueueWindows;
  scope: QueueScope;
  sort: QueueSort;
  label: string;
  empty: ReactNode;
  onOpenCase: (caseId: string) => void;
}

export function QueueTable({ windows, scope, sort, label, empty, onOpenCase }: Props) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  /** When a key asked for the current row to take focus (ms), until it has. */
  const focusActive = useRef<number | null>(null);
  const count = windows.total ?? 0;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  const { request } = windows;
  useEffect(() => request(first, last), [request, first, last, windows.total]);

  // The current row never points past the end after the queue shrank.
  const current = Math.min(active, Math.max(count - 1, 0));
  // After a key moved the current row, focus follows it once it is rendered: a jump far
  // away (End) renders it only after the scroll, a moment later.
  useEffect(() => {
    if (focusActive.current === null) return;
    if (Date.now() - focusActive.current > 2_000) {
      focusActive.current = null;
      return;
    }
    const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${current}"]`);
    if (!row) return;
    focusActive.current = null;
    row.focus();
  });

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(count - 1, index));
    setActive(next);
    focusActive.current = Date.now();
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: count - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]!);
    } else if (event.key === 'Enter') {
      const row = windows.rowAt(current);
      if (row) {
        event.preventDefault();
        onOpenCase(row.id);
      }
    }
  };

  const columns: Column[] = [
    {
      key: 'number',
      width: 'minmax(190px, 1fr)',
      render: (row) => (
        <span className="cw-queue-number">
          <span className="cw-mono" data-testid="case-row-number">
            {row.number}
          </span>
          {row.pending ? <PendingTag /> : null}
        </span>
      ),
    },
    {
      key: 'customer',
      width: 'minmax(120px, 1fr)',
      render: (row) => (
        <span className="cw-queue-two-lines">
          <span className="cw-queue-ellipsis">{row.customerName}</span>
          <span className="cw-customer-phone cw-mono">{row.maskedPhone}</span>
        </span>
      ),
    },
    { key: 'priority', width: '76px', render: (row) => <PriorityTag priority={row.priority} /> },
    { key: 'status', width: '150px', render: (row) => <StatusBadge status={row.status} /> },
    {
      key: 'channel',
      width: '132px',
      render: (row) => (
        <span className="cw-queue-two-lines">
          <span className="cw-queue-ellipsis">{t(`channels.${row.channel}`)}</span>
          <span className="cw-queue-secondary cw-queue-ellipsis">
            {t(`businessLines.${row.businessLine}`)}
          </span>
        </span>
      ),
    },
    {
      key: 'sla',
      width: 'minmax(188px, 1fr)',
      render: (row, nowMs) => <SlaCountdown row={row} nowMs={nowMs} />,
    },
    ...(scope === 'team'
      ? [
          {
            key: 'owner' as const,
            width: '96px',
            render: (row: QueueRow) =>
              row.ownerName ?? <span className="cw-queue-secondary">{t('queue.unassigned')}</span>,
          },
        ]
      : []),
    {
      key: 'updated',
      width: '104px',
      render: (row) => <span className="cw-queue-secondary">{formatShortTime(row.updatedAt)}</span>,
    },
  ];
  const template = columns.map((column) => column.width).join(' ');
  const sortedColumn: ColumnKey =
    sort === 'nextDue' ? 'sla' : sort === 'priority' ? 'priority' : 'updated';

  // The tab's own clock, so only the rows re-render each second, not the filters.
  const nowMs = useNow(1000);
  // The row Tab lands on: the current one, or the first on screen when it scrolled away.
  const tabStop = current >= first && current <= last ? current : first;

  return (
    <div className="cw-queue-table" data-testid="case-table" data-total={count}>
      <div
        role="grid"
        aria-label={label}
        aria-rowcount={count + 1}
        aria-colcount={columns.length}
        className="cw-queue-grid"
      >
        <div role="rowgroup" className="cw-queue-head">
          <div
            role="row"
            aria-rowindex={1}
            className="cw-queue-row"
            style={{ gridTemplateColumns: template }}
          >
            {columns.map((column) => (
              <div
                key={column.key}
                role="columnheader"
                aria-sort={
                  column.key === sortedColumn
                    ? sort === 'updated'
                      ? 'descending'
                      : 'ascending'
                    : undefined
                }
                className="cw-queue-cell"
              >
                {t(`queue.columns.${column.key}`)}
              </div>
            ))}
          </div>
        </div>
        <div
          ref={scroller}
          className="cw-queue-body"
          onKeyDown={onKeyDown}
          data-testid="queue-scroller"
          // As tall as its rows, up to the screen's height: a short queue keeps its total in view.
          style={{ height: Math.max(count, 1) * ROW_HEIGHT }}
          hidden={count === 0 && windows.total !== null}
        >
          {
            <div
              role="rowgroup"
              style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
            >
              {items.map((item) => {
                const row = windows.rowAt(item.index);
                return (
                  <div
                    // By position: a row stays the same element (and keeps focus) when its
                    // window arrives after a jump.
                    key={item.index}
                    role="row"
                    aria-rowindex={item.index + 2}
                    data-index={item.index}
                    tabIndex={item.index === tabStop ? 0 : -1}
                    className={`cw-queue-row cw-queue-body-row${item.index === current ? ' cw-queue-row-current' : ''}`}
                    style={{
                      gridTemplateColumns: template,
                      height: ROW_HEIGHT,
                      transform: `translateY(${item.start}px)`,
                    }}
                    onFocus={() => setActive(item.index)}
                    onClick={() => {
                      setActive(item.index);
                      if (row) onOpenCase(row.id);
                    }}
                    {...(row
                      ? {
                          'data-testid': 'case-row',
                          'data-case-id': row.id,
                          'data-case-number': row.number,
                          'data-next-due': row.nextDueAt ?? '',
                          'data-pending': row.pending ? 'true' : 'false',
                        }
                      : { 'data-testid': 'case-row-loading', 'aria-busy': true })}
                  >
                    {row ? (
                      columns.map((column) => (
                        <div key={column.key} role="gridcell" className="cw-queue-cell">
                          {column.render(row, nowMs)}
                        </div>
                      ))
                    ) : (
                      <div role="gridcell" className="cw-queue-cell cw-queue-loading">
                        <span className="cw-visually-hidden">{t('queue.loadingRow')}</span>
                        <Skeleton.Input active size="small" block />
                      </div>
                    )}
                  </div>
                );
              })}
            </div>
          }
        </div>
      </div>
      {count === 0 && windows.total !== null ? <div className="cw-queue-empty">{empty}</div> : null}
    </div>
  );
}
