// How the knowledge panel reaches the text box a script should go to: the case's note form
// (or any box that takes scripts, such as a notice) registers itself while it is on screen,
// and the panel's "插入到备注" hands the text over. With no box on screen (the intake) the
// panel offers to copy instead. A tiny external store rather than a context: the pages need
// no provider around them, and a dialog's box opened over the page takes over until it closes.
import {
  useEffect,
  useRef,
  useSyncExternalStore,
  type Dispatch,
  type RefObject,
  type SetStateAction,
} from 'react';
import type { GetRef, Input } from 'antd';

type Insert = (text: string) => void;

/** Registered boxes, newest last: a box that opens over another (a dialog) takes over. */
let targets: Insert[] = [];
const listeners = new Set<() => void>();
const currentTarget = () => targets.at(-1) ?? null;

function setTargets(next: Insert[]): void {
  targets = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
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
  const latest = useRef(setText);
  useEffect(() => {
    latest.current = setText;
  });
  useEffect(() => {
    const registered: Insert = (text) => {
      latest.current((current) => appendToNote(current, text));
      window.setTimeout(() => noteBox.current?.focus({ cursor: 'end' }), 0);
    };
    setTargets([...targets, registered]);
    return () => setTargets(targets.filter((insert) => insert !== registered));
  }, []);
  return noteBox;
}

/** Inserts into the note box on screen; null when there is none. */
export function useNoteInsert(): Insert | null {
  return useSyncExternalStore(subscribe, currentTarget);
}

/** The note's text with an inserted passage appended as its own paragraph. */
export function appendToNote(current: string, inserted: string): string {
  const trimmed = current.replace(/\s+$/u, '');
  return trimmed ? `${trimmed}\n${inserted}` : inserted;
}
