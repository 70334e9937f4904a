// Small hooks over the workstation contract.
import { useEffect, useRef } from 'react';
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
