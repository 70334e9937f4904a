// The live SLA state and countdown text of a queue row, recounted from the instants the row
// carries. Pure (no React), so that a unit test checks them against the backend's rules.
import type { TFunction } from 'i18next';
import type { QueueRow, SlaState } from '../../../../shared/queue';

/**
 * The row's SLA state at `nowMs`, by the backend's rules (case-queue's slaStateAt): past due
 * is breached, past the warning instant is warning, else paused when a clock waits. Whether a
 * clock waits is only known from the state the row was read with, and time alone never
 * ends a pause, so a row read as paused stays paused until it is read again.
 */
export function liveSlaState(row: QueueRow, nowMs: number): SlaState {
  const due = row.nextDueAt === null ? null : Date.parse(row.nextDueAt);
  const warn = row.nextWarnAt === null ? null : Date.parse(row.nextWarnAt);
  if (due !== null && due < nowMs) return 'breached';
  if (warn !== null && warn <= nowMs) return 'warning';
  // Otherwise the state it was read with: paused stays paused, and a row the backend (on the
  // server's time) read as warning or breached does not turn ok on a slow desk clock.
  return row.slaState;
}

/** 2天 3小时 · 2小时 14分 05秒 · 12分 30秒: coarse when far away, to the second when close. */
export function formatSpan(t: TFunction, ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const unit = (key: 'd' | 'h' | 'm' | 's', count: number, pad = false) =>
    t(`queue.units.${key}`, { count: pad ? String(count).padStart(2, '0') : count });
  if (d > 0) return [unit('d', d), unit('h', h)].join(' ');
  if (h > 0) return [unit('h', h), unit('m', m, true), unit('s', s, true)].join(' ');
  return [unit('m', m), unit('s', s, true)].join(' ');
}
