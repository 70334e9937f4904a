// Small pieces the case detail's panels share: durations in words, who someone is.
import { createContext, useContext } from 'react';
import type { TFunction } from 'i18next';
import type { CaseSummary } from '../../../../shared/case-views';
import { durationParts } from '../../format';

/** "3 天 4 小时", "2 小时 5 分钟", "12 分钟": the two largest units. */
export function formatDuration(t: TFunction, ms: number): string {
  if (Math.abs(ms) < 60_000) return t('time.lessThanMinute');
  const { days, hours, minutes } = durationParts(ms);
  const parts: string[] = [];
  if (days > 0) parts.push(t('time.days', { count: days }));
  if (hours > 0) parts.push(t('time.hours', { count: hours }));
  if (days === 0 && minutes > 0) parts.push(t('time.minutes', { count: minutes }));
  return parts.slice(0, 2).join(' ');
}

/** What the detail knows about people and other cases, to show names rather than ids. */
export interface CaseDirectory {
  /** A person's display name from their user id ('system' is the distributor). */
  nameOf: (userId: string | null | undefined) => string;
  /** People seen on this case, for the user pickers. */
  people: { id: string; name: string }[];
  /** The agent's other cases (null while loading). */
  cases: CaseSummary[] | null;
  /** A case's number from its id, when it is one of the agent's. */
  caseRef: (caseId: string) => string;
}

export const CaseDirectoryContext = createContext<CaseDirectory>({
  nameOf: (id) => id ?? '',
  people: [],
  cases: null,
  caseRef: (id) => id,
});

export function useCaseDirectory(): CaseDirectory {
  return useContext(CaseDirectoryContext);
}
