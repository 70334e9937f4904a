// Every route of the central API, found in its own OpenAPI document (so routes added later
// are covered without touching this file), fed property-based garbage with a valid token of
// each role: malformed JSON, oversize bodies, unknown fields, wrong types, SQL- and
// script-like strings, bad path parameters. The rules:
//   - never a 5xx: a 2xx, or a 4xx with `{code, message}`;
//   - stored data changes only by requests answered 2xx (a fingerprint of every table is
//     compared before and after each request) — except the tables that record attempts
//     themselves (names ending in _audit, _log or _guards: a refused sign-in is audited and
//     counted towards a lockout on purpose);
//   - an SQL- or script-like string a 2xx request stored is stored verbatim.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_EVENTS_PATH } from '../../shared/sync-protocol';
import { buildServer } from '../../server/app';
import { openDb, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('fuzz-secret-fuzz-secret-fuzz-secret');
const ROLES = ['agent01', 'lead01', 'branch01', 'admin01'] as const;
type Username = (typeof ROLES)[number];
/** Requests per operation (each with a role of its own choosing): ~60 s for ~50 routes. */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 36);
/** fast-check's seed, printed on failure; fixed in CI through FUZZ_SEED. */
const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;
let tables: string[] = [];
/** The tables a refused request must leave alone. */
let dataTables: string[] = [];
const ATTEMPT_RECORDS = /(_audit|_log|_guards)$/;
let knownCaseIds: string[] = [];
const tokens = new Map<Username, string>();
const operations: Operation[] = [];

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

interface Operation {
  method: string;
  path: string;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; schema: JsonSchema; required: boolean }[];
  body: { contentType: string; schema: JsonSchema } | null;
}

// --- what stored data looks like -----------------------------------------------------------

/** One md5 per table over all its rows: equal fingerprints, equal contents. */
async function fingerprint(): Promise<string> {
  const parts = dataTables.map(
    (table) =>
      `select '${table}' as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${table} x`,
  );
  const rows = await db.query<{ t: string; h: string }>(parts.join(' union all '));
  return rows.rows.map((r) => `${r.t}:${r.h}`).join(',');
}

/** Every string stored anywhere, including inside jsonb columns. */
async function storedStrings(): Promise<string[]> {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const table of tables) {
    const rows = await db.query<{ j: unknown }>(`select row_to_json(x) as j from ${table} x`);
    rows.rows.forEach((row) => walk(row.j));
  }
  return out;
}

// --- garbage ----------------------------------------------------------------------------------

let markerSeq = 0;
/** Strings that try to escape their context; each carries a unique marker to find it by. */
const nasty = fc
  .constantFrom(
    "'; drop table cases; --",
    '" or "1"="1',
    "' or 1=1 --",
    "%' and pg_sleep(1) is null and '%'='",
    '<script>alert(document.cookie)</script>',
    '<img src=x onerror=alert(1)>',
    '{{7*7}}${7*7}',
    '../../../../etc/passwd',
    '\\x27\\u0027\\\\',
    '$1; select version()',
    '王小明\u202e\u200b🙂',
  )
  .map((payload) => `ZQ${(++markerSeq).toString(36).padStart(5, '0')}QZ${payload}`);
/** Strings that no marker check looks at (NUL, lone surrogates, very long). */
const hostile = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', ' ', '', '-1', '0', 'null', 'NaN', '1e309'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant('字'.repeat(20_000)),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });

function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return anyJson;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices?.length) return fc.oneof(...choices.map((s) => fromSchema(s, depth + 1)));
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(props)) shape[key] = fromSchema(value, depth + 1);
      return fc.record(shape, {
        requiredKeys: Object.keys(props).filter((key) => required.has(key)),
      });
    }
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3)),
      });
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1000;
      const max = schema.maximum ?? 1_000_000;
      return fc.oneof(
        fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }),
        fc.constantFrom(min, max, min - 1, max + 1, 0.5),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      if (schema.format === 'uuid') {
        return knownCaseIds.length
          ? fc.oneof(fc.uuid(), fc.constantFrom(...knownCaseIds))
          : fc.uuid();
      }
      if (schema.format === 'date-time') {
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      if (schema.format === 'date') {
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      }
      if (schema.format === 'email') return fc.emailAddress();
      const options: fc.Arbitrary<unknown>[] = [nasty, hostile];
      if (schema.pattern) {
        try {
          options.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length < 200));
        } catch {
          // A pattern JavaScript cannot read: garbage only.
        }
      } else {
        options.push(
          fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 30 }),
        );
      }
      return fc.oneof(...options);
    }
    default:
      return anyJson;
  }
}

/** Near-valid bodies with one thing wrong, and plain garbage. */
interface FuzzBody {
  raw?: string | Buffer;
  json?: unknown;
}

function bodyArbitrary(schema: JsonSchema): fc.Arbitrary<FuzzBody> {
  const valid = fromSchema(schema);
  const withUnknown = fc
    .tuple(valid, fc.string({ minLength: 1, maxLength: 10 }), anyJson)
    .map(([value, key, extra]) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? { ...value, [`x_${key}`]: extra }
        : value,
    );
  const wrongType = fc
    .tuple(valid, fc.nat(), fc.oneof(anyJson, hostile, nasty))
    .map(([value, pick, replacement]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return replacement;
      const keys = Object.keys(value);
      if (keys.length === 0) return replacement;
      return { ...value, [keys[pick % keys.length]!]: replacement };
    });
  const malformed = fc.oneof(
    fc.constantFrom('{', '{"a":', '[1,2', 'nul', '{"__proto__":{"x":1}}', '"\\ud800"', '{}}'),
    fc.string({ maxLength: 50 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((json) => ({ json })) },
    { weight: 2, arbitrary: withUnknown.map((json) => ({ json })) },
    { weight: 2, arbitrary: wrongType.map((json) => ({ json })) },
    { weight: 1, arbitrary: anyJson.map((json) => ({ json })) },
    { weight: 1, arbitrary: malformed.map((raw) => ({ raw })) },
  );
}

const pathParamArbitrary = (schema: JsonSchema) =>
  fc.oneof(
    fromSchema(schema).map(String),
    nasty,
    hostile,
    fc.constantFrom('..', '%2e%2e%2f', '%00', "1' or '1'='1", '-1', '9'.repeat(40)),
  );

function requestArbitrary(op: Operation) {
  const params = fc.record(
    Object.fromEntries(op.pathParams.map((p) => [p.name, pathParamArbitrary(p.schema)])),
  );
  const query = fc.record(
    Object.fromEntries(
      op.queryParams.map((p) => [
        p.name,
        fc.oneof(fromSchema(p.schema), nasty, hostile).map((v) => String(v)),
      ]),
    ),
    { requiredKeys: [] },
  );
  const body: fc.Arbitrary<FuzzBody | null> = op.body
    ? op.body.contentType === 'application/json'
      ? bodyArbitrary(op.body.schema)
      : fc.uint8Array({ maxLength: 2048 }).map((bytes): FuzzBody => ({ raw: Buffer.from(bytes) }))
    : fc.constant(null);
  return fc.record({ role: fc.constantFrom(...ROLES), params, query, body });
}

// --- setup ------------------------------------------------------------------------------------

async function signIn(username: Username): Promise<void> {
  const response = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId: randomUUID() },
  });
  if (response.statusCode === 200) tokens.set(username, response.json().token);
}

/** A 2xx may have revoked a token (sign-out, a revoked workstation): sign in again. */
async function refreshTokens(): Promise<void> {
  for (const username of ROLES) {
    const token = tokens.get(username);
    const me = token
      ? await app.inject({
          method: 'GET',
          url: '/me',
          headers: { authorization: `Bearer ${token}` },
        })
      : null;
    if (!me || me.statusCode !== 200) await signIn(username);
  }
}

beforeAll(async () => {
  postgres = await startPostgres('case_fuzz');
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 6 });
  app = buildServer({ db, jwtSecret });
  for (const username of ROLES) await signIn(username);
  const found = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  tables = found.rows.map((r) => r.table_name);
  dataTables = tables.filter((table) => !ATTEMPT_RECORDS.test(table));
  knownCaseIds = (await db.query<{ id: string }>('select id from cases')).rows.map((r) => r.id);

  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
    for (const [method, spec] of Object.entries(item)) {
      // Streams never end by themselves; /sync/events has its own tests.
      if (path === SYNC_EVENTS_PATH || /Server-Sent Events/i.test(String(spec.summary ?? ''))) {
        continue;
      }
      const parameters = (spec.parameters ?? []) as {
        in: string;
        name: string;
        schema: JsonSchema;
        required?: boolean;
      }[];
      const content = (spec.requestBody as { content?: Record<string, { schema: JsonSchema }> })
        ?.content;
      const contentType = content ? Object.keys(content)[0]! : null;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path'),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: !!p.required })),
        body: contentType ? { contentType, schema: content![contentType]!.schema } : null,
      });
    }
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
});

// --- the properties -----------------------------------------------------------------------------

function collectMarkers(value: unknown, out: Map<string, string>): void {
  if (typeof value === 'string') {
    const match = /ZQ[0-9a-z]{5}QZ/.exec(value);
    if (match) out.set(match[0], value.slice(match.index));
  } else if (Array.isArray(value)) value.forEach((v) => collectMarkers(v, out));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((v) => collectMarkers(v, out));
}

/** A path segment; a lone surrogate becomes the invalid UTF-8 it would be on the wire. */
function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function expectAnswered(op: Operation, status: number, body: string, what: string): void {
  expect(status, `${what} → ${status} ${body.slice(0, 300)}`).toBeLessThan(500);
  if (status >= 400) {
    const parsed = JSON.parse(body);
    expect(parsed, `${what}: error body`).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
    });
  } else {
    expect(status, what).toBeGreaterThanOrEqual(200);
  }
}

describe('hostile text through sync', () => {
  it('stores and serves SQL- and script-like case and note texts exactly as sent', async () => {
    const clientId = randomUUID();
    const signedIn = await app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      payload: { username: 'agent01', password: DEMO_PASSWORD, clientId },
    });
    const { token, workstationCode } = signedIn.json();
    const authorization = `Bearer ${token}`;
    let seq = 0;
    // Names stay within 50 characters; descriptions and notes take the longer payloads.
    const shortText = nasty.filter((text) => text.length <= 50);
    await fc.assert(
      fc.asyncProperty(
        shortText,
        nasty,
        nasty,
        nasty,
        async (name, description, expectation, note) => {
          const caseId = randomUUID();
          seq += 2;
          const at = new Date().toISOString();
          const pushed = await app.inject({
            method: 'POST',
            url: '/sync/push',
            headers: { authorization },
            payload: {
              protocolVersion: 1,
              clientId,
              mutations: [
                {
                  id: randomUUID(),
                  seq: seq - 1,
                  recordedAt: at,
                  name: 'case.create@1',
                  args: {
                    caseId,
                    number: `${workstationCode}-261201-${String(seq).padStart(5, '0')}`,
                    intake: {
                      customerName: name,
                      customerPhone: '13900007777',
                      channel: 'phone',
                      type: 'complaint',
                      businessLine: 'card',
                      description,
                      customerExpectation: expectation,
                    },
                  },
                },
                {
                  id: randomUUID(),
                  seq,
                  recordedAt: at,
                  name: 'case.addNote@1',
                  args: { caseId, noteId: randomUUID(), text: note },
                },
              ],
            },
          });
          expect(pushed.statusCode, pushed.body).toBe(200);
          expect(pushed.json().results.map((r: { status: string }) => r.status)).toEqual([
            'applied',
            'applied',
          ]);
          const stored = await db.query<{
            customer_name: string;
            description: string;
            text: string;
          }>(
            `select c.customer_name, c.description, c.customer_expectation, n.text
             from cases c join case_notes n on n.case_id = c.id where c.id = $1`,
            [caseId],
          );
          expect(stored.rows).toEqual([
            { customer_name: name, description, customer_expectation: expectation, text: note },
          ]);
        },
      ),
      { numRuns: 25, seed: FUZZ_SEED },
    );
    // Cases, tables and the version feed are all still there.
    const pulled = await app.inject({
      method: 'GET',
      url: `/sync/pull?clientId=${clientId}&limit=2000`,
      headers: { authorization },
    });
    expect(pulled.statusCode).toBe(200);
    expect(pulled.json().lastSeq).toBe(seq);
  });
});

describe('fuzzing every route of the OpenAPI document', () => {
  it('finds the routes of every area', () => {
    const paths = new Set(operations.map((op) => op.path));
    for (const path of ['/auth/sign-in', '/sync/push', '/sync/pull', '/cases/search', '/me']) {
      expect(paths).toContain(path);
    }
    expect(tables).toEqual(expect.arrayContaining(['cases', 'case_history', 'users']));
  });

  it('answers every request with a 2xx or a 4xx {code, message}; only a 2xx changes data', async () => {
    const oversize = Buffer.alloc(17 * 1024 * 1024, 'a');
    const started = performance.now();
    let requests = 0;
    let storedHostile = 0;
    const answered = new Map<string, number>();
    for (const op of operations) {
      const name = `${op.method} ${op.path}`;
      // Once per route: a body over the limit, and JSON that is not JSON.
      if (op.body || op.method !== 'GET') {
        for (const payload of [oversize, Buffer.from('{"unterminated": ')]) {
          const before = await fingerprint();
          const url = op.path.replace(/\{[^}]+\}/g, randomUUID());
          const response = await app.inject({
            method: op.method as 'POST',
            url,
            headers: {
              authorization: `Bearer ${tokens.get('agent01')}`,
              'content-type': op.body?.contentType ?? 'application/json',
            },
            payload,
          });
          expectAnswered(
            op,
            response.statusCode,
            response.body,
            `${name} (${payload.length} bytes)`,
          );
          if (response.statusCode >= 300) expect(await fingerprint(), name).toBe(before);
          requests++;
        }
      }

      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (request) => {
          let url = op.path;
          for (const [key, value] of Object.entries(request.params)) {
            url = url.replace(`{${key}}`, pathSegment(String(value)));
          }
          const search = Object.entries(request.query as Record<string, string>)
            .map(([key, value]) => `${pathSegment(key)}=${pathSegment(value)}`)
            .join('&');
          if (search) url += `?${search}`;
          const headers: Record<string, string> = {
            authorization: `Bearer ${tokens.get(request.role)}`,
          };
          let payload: string | Buffer | undefined;
          if (request.body) {
            headers['content-type'] = op.body!.contentType;
            payload = request.body.raw ?? JSON.stringify(request.body.json);
          }
          const before = await fingerprint();
          const response = await app.inject({ method: op.method as 'GET', url, headers, payload });
          requests++;
          const what = `${request.role} ${op.method} ${url.slice(0, 200)}`;
          expectAnswered(op, response.statusCode, response.body, what);
          answered.set(name, Math.max(answered.get(name) ?? 0, response.statusCode < 300 ? 2 : 1));
          if (response.statusCode >= 300) {
            expect(await fingerprint(), `${what} changed data with ${response.statusCode}`).toBe(
              before,
            );
            return;
          }
          if (op.method === 'GET') return;
          // Accepted: whatever was stored of a hostile string is the string as sent.
          const sent = new Map<string, string>();
          collectMarkers(request.body?.json, sent);
          collectMarkers(request.params, sent);
          if (sent.size > 0) {
            const stored = await storedStrings();
            for (const [marker, value] of sent) {
              const holding = stored.filter((s) => s.includes(marker));
              storedHostile += holding.length;
              for (const text of holding) {
                expect(text, `${what}: ${marker} stored altered`).toContain(value);
              }
            }
          }
          await refreshTokens();
        }),
        { numRuns: RUNS_PER_OPERATION, seed: FUZZ_SEED, endOnFailure: true },
      );
    }
    console.log(
      `fuzz: ${operations.length} operations, ${requests} requests in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `operations answering 2xx: ${[...answered].filter(([, v]) => v === 2).length}; ` +
        `hostile strings stored and checked: ${storedHostile}`,
    );
  }, 240_000);
});
