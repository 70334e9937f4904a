// Small hooks over the workstation contract.
import { useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload } from '../../shared/contract';
import { workstation } from './workstation';

/** Subscribes to a contract event for the component's lifetime; the latest listener is called. */
export function useWorkstationEvent<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    const subscribe = workstation.on[event] as (
      fn: (payload: EventPayload<E>) => void,
    ) => () => void;
    return subscribe((payload) => latest.current(payload));
  }, [event]);
}

/** The current time, refreshed every `intervalMs` (re-renders the component that uses it). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
