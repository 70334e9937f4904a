// The intake desk's addresses and shortcut: F2 opens a new intake; `#/call?number=…` is a
// screen pop (a softphone or CTI system opens it, Electron forwards caseworkstation://call);
// `#/receipt/<case id>` is a walk-in receipt, printable and kept as a PDF from its own URL.
import { useEffect, useRef } from 'react';
import { z } from 'zod';
import { PhoneNumber } from '../../../../shared/domain';

export const NEW_INTAKE_KEY = 'F2';

export type DeskRoute =
  { kind: 'call'; number: string | undefined } | { kind: 'receipt'; caseId: string };

/** The desk route a location hash names, or null. A malformed number opens an empty intake. */
export function parseDeskHash(hash: string): DeskRoute | null {
  const call = /^#\/call(?:\?(.*))?$/.exec(hash);
  if (call) {
    const raw = new URLSearchParams(call[1] ?? '').get('number') ?? '';
    const number = PhoneNumber.safeParse(raw);
    return { kind: 'call', number: number.success ? number.data : undefined };
  }
  const receipt = /^#\/receipt\/([^/?#]+)$/.exec(hash);
  if (receipt && z.uuid().safeParse(receipt[1]).success)
    return { kind: 'receipt', caseId: receipt[1]! };
  return null;
}

/** Leaves the desk address so that the same pop, opened again, is seen as new. */
export function clearDeskHash(): void {
  if (window.location.hash) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
}

export function useIntakeDeskRoutes(handlers: {
  onNewIntake: () => void;
  onCall: (number: string | undefined) => void;
  onReceipt: (caseId: string) => void;
}): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const follow = () => {
      const route = parseDeskHash(window.location.hash);
      if (route?.kind === 'call') {
        clearDeskHash();
        latest.current.onCall(route.number);
      } else if (route?.kind === 'receipt') latest.current.onReceipt(route.caseId);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== NEW_INTAKE_KEY || event.ctrlKey || event.altKey || event.metaKey) return;
      event.preventDefault();
      latest.current.onNewIntake();
    };
    follow();
    window.addEventListener('hashchange', follow);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('hashchange', follow);
      window.removeEventListener('keydown', onKey);
    };
  }, []);
}
