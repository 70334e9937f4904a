// The renderer's strings: both languages complete, every domain and error code labelled.
import { describe, expect, it } from 'vitest';
import { BUSINESS_LINES, CASE_TYPES, CHANNELS, PRIORITIES, ROLES } from '../../shared/domain';
import { CASE_EVENT_TYPES } from '../../shared/machines/case';
import { LANGUAGES, resources } from '../../renderer/src/locales';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const BACKEND_ERROR_CODES = [
  'VALIDATION',
  'BAD_CREDENTIALS',
  'UNAUTHENTICATED',
  'NOT_SIGNED_IN',
  'OFFLINE_FIRST_SIGN_IN',
  'HOST_UNAVAILABLE',
  'CASE_NOT_FOUND',
  'NOT_ALLOWED_IN_STATE',
  'NOT_OWNER_OR_LEAD',
  'RESOLUTION_REQUIRED',
  'FORBIDDEN',
  'CASE_EXISTS',
  'CASE_NUMBER_TAKEN',
  'INTERNAL',
];
const FIELD_CODES = ['REQUIRED', 'PHONE_INVALID', 'TOO_LONG', 'INVALID_VALUE'];
const STATUSES = ['new', 'in_progress', 'resolved', 'closed'];
const SYNC_STATES = ['online', 'offline', 'syncing', 'signed_out'];

describe('renderer locales', () => {
  const zh = leaves(resources['zh-CN'].translation as unknown as Tree);

  it.each(LANGUAGES)('%s has exactly the keys of zh-CN, none empty', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    expect([...messages.keys()].sort()).toEqual([...zh.keys()].sort());
    for (const [key, value] of messages) expect(value.trim(), key).not.toBe('');
  });

  it.each(LANGUAGES)('%s keeps the same interpolation variables as zh-CN', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    const vars = (s: string) => [...s.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
    for (const [key, value] of zh) expect(vars(messages.get(key)!), key).toEqual(vars(value));
  });

  it.each(LANGUAGES)('%s labels every domain code, error code and sync state', (language) => {
    const messages = leaves(resources[language].translation as unknown as Tree);
    const expected = [
      ...CHANNELS.map((c) => `channels.${c}`),
      ...CASE_TYPES.map((c) => `caseTypes.${c}`),
      ...BUSINESS_LINES.map((c) => `businessLines.${c}`),
      ...PRIORITIES.map((c) => `priorities.${c}`),
      ...PRIORITIES.map((c) => `intake.sla.${c}`),
      ...ROLES.map((c) => `roles.${c}`),
      ...STATUSES.map((c) => `statuses.${c}`),
      ...CASE_EVENT_TYPES.map((c) => `events.${c}`),
      ...BACKEND_ERROR_CODES.map((c) => `errors.${c}`),
      ...FIELD_CODES.map((c) => `fieldErrors.${c}`),
      ...SYNC_STATES.map((c) => `sync.state.${c}`),
      'errors.unknown',
      'fieldErrors.unknown',
    ];
    for (const key of expected) expect(messages.has(key), key).toBe(true);
    expect(messages.get('errors.unknown')).toContain('{{code}}');
  });
});
