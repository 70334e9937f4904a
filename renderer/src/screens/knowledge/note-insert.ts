// How the knowledge panel reaches the text box a script should go to: the case's note form
// (or a customer notice being written) registers itself while it is on screen, and the
// panel's "插入到备注" / "插入到通知内容" hands the text over. With no box on screen (the
// intake) the panel offers to copy instead. A tiny external store rather than a context:
// the pages need no provider around them, and a dialog's box opened over the page takes
// over until it closes.
import {
  useEffect,
  useRef,
  useSyncExternalStore,
  type Dispatch,
  type RefObject,
  type SetStateAction,
} from 'react';
import type { GetRef, Input } from 'antd';

/** Where inserted text goes: the case's note, or a notice to the customer. */
export type InsertTargetKind = 'note' | 'notice';

export interface InsertTarget {
  kind: InsertTargetKind;
  insert: (text: string) => void;
}

/** Registered boxes, newest last: a box that opens over another (a dialog) takes over. */
let targets: InsertTarget[] = [];
const listeners = new Set<() => void>();
const currentTarget = () => targets.at(-1) ?? null;

function setTargets(next: InsertTarget[]): void {
  targets = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Registers `insert` (its latest version) as a target while the caller is mounted. */
export function useInsertTarget(kind: InsertTargetKind, insert: (text: string) => void): void {
  const latest = useRef(insert);
  useEffect(() => {
    latest.current = insert;
  });
  useEffect(() => {
    const registered: InsertTarget = { kind, insert: (text) => latest.current(text) };
    setTargets([...targets, registered]);
    return () => setTargets(targets.filter((target) => target !== registered));
  }, [kind]);
}

type NoteBox = GetRef<typeof Input.TextArea>;

/**
 * Makes the calling note form the place inserted texts go: each is appended to its text
 * (`setText`) and the box takes the focus, cursor at the end. Answers the ref for the box.
 */
export function useNoteInsertTarget(
  setText: Dispatch<SetStateAction<string>>,
): RefObject<NoteBox | null> {
  const noteBox = useRef<NoteBox | null>(null);
  useInsertTarget('note', (text) => {
    setText((current) => appendToNote(current, text));
    window.setTimeout(() => noteBox.current?.focus({ cursor: 'end' }), 0);
  });
  return noteBox;
}

/** The box inserted text goes to now; null when there is none on screen. */
export function useInsertTargetNow(): InsertTarget | null {
  return useSyncExternalStore(subscribe, currentTarget);
}

/** The note's text with an inserted passage appended as its own paragraph. */
export function appendToNote(current: string, inserted: string): string {
  const trimmed = current.replace(/\s+$/u, '');
  return trimmed ? `${trimmed}\n${inserted}` : inserted;
}

// Asking the panel to open from elsewhere (a notice dialog's button).
const openRequests = new Set<() => void>();

export function onKnowledgePanelRequested(listener: () => void): () => void {
  openRequests.add(listener);
  return () => openRequests.delete(listener);
}

export function requestKnowledgePanel(): void {
  for (const listener of openRequests) listener();
}
