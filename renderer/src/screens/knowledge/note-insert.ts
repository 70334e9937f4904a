// How the knowledge panel reaches the note box of the page it was opened on: the note form
// registers itself as the target while it is on screen, and the panel's "插入到备注" hands
// the text over. With no note box on screen (the intake) the panel offers to copy instead.
// A tiny external store rather than a context: there is one note box at a time, and the
// pages need no provider around them.
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

let target: Insert | null = null;
const listeners = new Set<() => void>();

function setTarget(next: Insert | null): void {
  target = next;
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
    setTarget(registered);
    return () => {
      if (target === registered) setTarget(null);
    };
  }, []);
  return noteBox;
}

/** Inserts into the note box on screen; null when there is none. */
export function useNoteInsert(): Insert | null {
  const current = useSyncExternalStore(subscribe, () => target);
  return current;
}

/** The note's text with an inserted passage appended as its own paragraph. */
export function appendToNote(current: string, inserted: string): string {
  const trimmed = current.replace(/\s+$/u, '');
  return trimmed ? `${trimmed}\n${inserted}` : inserted;
}
