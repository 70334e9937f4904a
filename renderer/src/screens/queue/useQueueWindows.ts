// The rows of one queue, fetched a window at a time as the table scrolls: the table asks for
// the rows it is about to show, this keeps the windows it has (a bounded number) and reads
// them again when the backend says cases changed. 100,000 cases never travel at once.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { QueueRow, QueueSelection } from '../../../../shared/queue';
import { errorCode } from '../../errors';
import { callWorkstation } from '../../workstation';

export const QUEUE_WINDOW = 100;
/** Windows kept around the ones on screen; the farthest go first. */
const KEPT_WINDOWS = 30;

export interface QueueWindows {
  /** Rows of the whole queue; null until the first window answers. */
  total: number | null;
  rowAt: (index: number) => QueueRow | undefined;
  /** Asks for the windows covering rows first..last (inclusive) that are not here yet. */
  request: (first: number, last: number) => void;
  /** Reads every window held again (after a change), keeping the old rows until then. */
  refresh: () => void;
  error: string | null;
  loading: boolean;
}

export function useQueueWindows(selection: QueueSelection): QueueWindows {
  const key = JSON.stringify(selection);
  const windows = useRef(new Map<number, QueueRow[]>());
  const inFlight = useRef(new Set<number>());
  const readAgain = useRef(new Set<number>());
  // Answers to an older selection are dropped: the agent changed the filter meanwhile.
  const generation = useRef(0);
  const selectionRef = useRef(selection);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const fetchWindow = useCallback((index: number, replace: boolean) => {
    if (inFlight.current.has(index)) {
      // The answer on its way may predate the change: read the window once more after it.
      if (replace) readAgain.current.add(index);
      return;
    }
    if (!replace && windows.current.has(index)) return;
    const asked = generation.current;
    inFlight.current.add(index);
    callWorkstation('cases.queue', {
      ...selectionRef.current,
      offset: index * QUEUE_WINDOW,
      limit: QUEUE_WINDOW,
    })
      .then((page) => {
        if (asked !== generation.current) return;
        windows.current.set(index, page.rows);
        forgetFarWindows(windows.current, index);
        setTotal(page.total);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (asked === generation.current) setError(errorCode(failure));
      })
      .finally(() => {
        if (asked !== generation.current) return;
        inFlight.current.delete(index);
        setLoading(inFlight.current.size > 0);
        rerender();
        if (readAgain.current.delete(index)) fetchWindow(index, true);
      });
  }, []);

  useEffect(() => {
    selectionRef.current = JSON.parse(key) as QueueSelection;
    generation.current += 1;
    windows.current = new Map();
    inFlight.current = new Set();
    readAgain.current = new Set();
    setTotal(null);
    setLoading(true);
    fetchWindow(0, true);
  }, [key, fetchWindow]);

  const request = useCallback(
    (first: number, last: number) => {
      if (last < first) return;
      for (let index = Math.floor(first / QUEUE_WINDOW); index <= last / QUEUE_WINDOW; index++)
        fetchWindow(index, false);
    },
    [fetchWindow],
  );

  const refresh = useCallback(() => {
    const held = [...windows.current.keys()];
    for (const index of held.length > 0 ? held : [0]) fetchWindow(index, true);
  }, [fetchWindow]);

  const rowAt = useCallback(
    (index: number) =>
      windows.current.get(Math.floor(index / QUEUE_WINDOW))?.[index % QUEUE_WINDOW],
    [],
  );

  return { total, rowAt, request, refresh, error, loading };
}

function forgetFarWindows(held: Map<number, QueueRow[]>, near: number): void {
  if (held.size <= KEPT_WINDOWS) return;
  const farthest = [...held.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
  for (const index of farthest.slice(0, held.size - KEPT_WINDOWS)) held.delete(index);
}
