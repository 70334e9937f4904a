// The contract's method and event names alone, for the sandboxed preload (which must not
// bundle zod). contract.ts checks at compile time that these match its schemas.
export const METHOD_NAMES = [
  'session.signIn',
  'session.signOut',
  'session.current',
  'cases.create',
  'cases.listMine',
  'cases.get',
  'cases.addNote',
  'cases.transition',
  'customers.lookup',
  'customers.get',
  'cases.previewIntake',
  'knowledge.search',
  'knowledge.get',
  'attachments.add',
  'attachments.list',
  'attachments.content',
  'cases.queue',
  'queue.views.list',
  'queue.views.save',
  'queue.views.delete',
  'sync.status',
  'sync.now',
  'sync.conflicts',
  'sync.settleConflict',
] as const;
export const EVENT_NAMES = ['case.changed', 'sync.status'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];
