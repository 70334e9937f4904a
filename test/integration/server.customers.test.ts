// Customers (360) on the central API against a real PostgreSQL 15: registration and lookup
// by phone, ID number and account, masking everywhere (responses and tables), segments,
// case scope inside the 360, the append-only access log, bad input, admin refused, linking
// new cases to customers, the demo customers; and a smoke run on embedded PGlite.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdNumber,
  idCheckChar,
  maskAccount,
  maskIdNumber,
  type Customer360,
  type CustomerProfile,
} from '../../shared/customers';
import type { CaseIntake } from '../../shared/domain';
import type { Mutation, PushResponse } from '../../shared/sync-protocol';
import { buildServer } from '../../server/app';
import { ageOn, identifierHash, seedCustomers } from '../../server/customers';
import { openDb, openPglite, type Db } from '../../server/db';
import { runMigrations } from '../../server/migrations';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';
import { startPostgres, type TestPostgres } from '../support/postgres';

const jwtSecret = new TextEncoder().encode('customers-secret-customers-secret');
let postgres: TestPostgres;
let db: Db;
let app: FastifyInstance;
let seeded: Awaited<ReturnType<typeof seedCustomers>>;

beforeAll(async () => {
  postgres = await startPostgres('case_customers');
  db = await openDb({ databaseUrl: postgres.url });
  await runMigrations(db);
  await seedDemo(db, { cases: 12 });
  seeded = await seedCustomers(db);
  app = buildServer({ db, jwtSecret });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
});

// --- small factories -------------------------------------------------------------------

interface Session {
  clientId: string;
  userId: string;
  headers: { authorization: string };
  workstationCode: string;
  seq: number;
}

const sessions = new Map<string, Session>();
async function signIn(username: string): Promise<Session> {
  const known = sessions.get(username);
  if (known) return known;
  const clientId = randomUUID();
  const response = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { username, password: DEMO_PASSWORD, clientId },
  });
  expect(response.statusCode).toBe(200);
  const body = response.json();
  const session = {
    clientId,
    userId: body.user.id,
    headers: { authorization: `Bearer ${body.token}` },
    workstationCode: body.workstationCode,
    seq: 0,
  };
  sessions.set(username, session);
  return session;
}

/** Every body the API answered in this file: none may carry a plain identifier. */
const answered: string[] = [];

async function call(
  session: Session | null,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
) {
  const response = await app.inject({
    method,
    url,
    headers: session?.headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  answered.push(response.body);
  return response;
}

const lookup = (session: Session, query: Record<string, string>) =>
  call(session, 'GET', `/customers/lookup?${new URLSearchParams(query)}`);

async function view(session: Session, customerId: string, query = ''): Promise<Customer360> {
  const response = await call(session, 'GET', `/customers/${customerId}${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** A valid, invented ID number: region 1199xx is allocated to no one. */
function idNumberBornOn(birthDate: string, sequence = '123'): string {
  const first17 = `119901${birthDate.replaceAll('-', '')}${sequence}`;
  return first17 + idCheckChar(first17);
}

let phoneSeq = 0;
/** Phones in a range the demo seed does not use (1390000xxxx). */
const freshPhone = () => `1381111${String(++phoneSeq).padStart(4, '0')}`;

async function register(
  session: Session,
  fields: { name?: string; phone?: string; idNumber?: string; account?: string } = {},
): Promise<CustomerProfile & { phone: string }> {
  const phone = fields.phone ?? freshPhone();
  const response = await call(session, 'POST', '/customers', {
    id: randomUUID(),
    name: fields.name ?? '赵淑珍',
    ...fields,
    phone,
  });
  expect(response.statusCode, response.body).toBe(201);
  return { ...response.json(), phone };
}

let numberSeq = 0;
async function pushCase(session: Session, intake: Partial<CaseIntake>): Promise<string> {
  const caseId = randomUUID();
  const mutation: Mutation = {
    id: randomUUID(),
    seq: ++session.seq,
    recordedAt: new Date().toISOString(),
    name: 'case.create@1',
    args: {
      caseId,
      number: `${session.workstationCode}-261123-${String(++numberSeq).padStart(4, '0')}`,
      intake: {
        customerName: '赵淑珍',
        customerPhone: freshPhone(),
        channel: 'phone',
        type: 'complaint',
        businessLine: 'card',
        description: '客户反映信用卡年费被重复扣收。',
        customerExpectation: '退还重复扣收的年费。',
        ...intake,
      },
    },
  };
  const response = await call(session, 'POST', '/sync/push', {
    protocolVersion: 1,
    clientId: session.clientId,
    mutations: [mutation],
  });
  expect(response.statusCode, response.body).toBe(200);
  expect((response.json() as PushResponse).results[0]?.status, response.body).toBe('applied');
  return caseId;
}

async function customerOfCase(caseId: string): Promise<string | null> {
  const found = await db.query<{ customer_id: string | null }>(
    'select customer_id from cases where id = $1',
    [caseId],
  );
  return found.rows[0]!.customer_id;
}

/** Every row of every table of the schema, as text: what a stolen dump would show. */
async function everyStoredRow(): Promise<string> {
  const tables = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await db.query<{ row: string }>(
      `select to_jsonb(t)::text as row from "${table_name}" t`,
    );
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join('\n');
}

const countOf = async (table: string) =>
  Number((await db.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);

// --- tests -----------------------------------------------------------------------------

describe('identifier rules', () => {
  it('accepts every ID number with a valid check digit and refuses any other last character', () => {
    const birthDates = fc
      .date({ min: new Date('1900-01-01'), max: new Date('2025-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        birthDates,
        fc.stringMatching(/^[1-9]\d{5}$/),
        fc.stringMatching(/^\d{3}$/),
        fc.constantFrom(...'0123456789X'),
        (birthDate, region, sequence, last) => {
          const first17 = `${region}${birthDate.replaceAll('-', '')}${sequence}`;
          const parsed = IdNumber.safeParse(first17 + last);
          expect(parsed.success).toBe(last === idCheckChar(first17));
          if (!parsed.success) {
            expect(parsed.error.issues[0]?.message).toBe('ID_NUMBER_CHECK_DIGIT');
          }
        },
      ),
    );
  });

  it('counts a birthday by the Beijing date: 60 from the first minute of the day there', () => {
    // 2026-11-23T16:00Z is 2026-11-24 00:00 in Beijing.
    expect(ageOn('1966-11-24', new Date('2026-11-23T15:59:59Z'))).toBe(59);
    expect(ageOn('1966-11-24', new Date('2026-11-23T16:00:00Z'))).toBe(60);
    expect(ageOn('1966-02-28', new Date('2026-02-28T00:00:00Z'))).toBe(60);
  });

  it('masks an ID number and an account down to their ends', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{17}[\dX]$/),
        fc.stringMatching(/^\d{8,30}$/),
        (id, acc) => {
          expect(maskIdNumber(id)).toBe(`${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`);
          expect(maskAccount(acc)).toBe(`${acc.slice(0, 4)} **** **** ${acc.slice(-4)}`);
        },
      ),
    );
  });
});

describe('registration and lookup', () => {
  it('finds a registered customer by phone, ID number and account, masked every time', async () => {
    const agent = await signIn('agent01');
    const idNumber = idNumberBornOn('1985-06-15', '451');
    const account = '6222020200112345678';
    const customer = await register(agent, { name: '孙文博', idNumber, account });
    expect(customer).toMatchObject({
      name: '孙文博',
      maskedIdNumber: maskIdNumber(idNumber),
      maskedAccounts: ['6222 **** **** 5678'],
      birthYear: 1985,
      vip: false,
    });
    expect(customer.maskedPhones).toEqual([
      `${customer.phone.slice(0, 3)}****${customer.phone.slice(-4)}`,
    ]);

    const typedLikeAgents = {
      phone: `+86 ${customer.phone.slice(0, 3)}-${customer.phone.slice(3, 7)}-${customer.phone.slice(7)}`,
      idNumber: ` ${idNumber.toLowerCase().slice(0, 6)} ${idNumber.slice(6)} `,
      account: '6222 0202 0011 2345 678',
    };
    for (const [kind, value] of Object.entries(typedLikeAgents)) {
      const response = await lookup(agent, { [kind]: value });
      expect(response.statusCode, `${kind}: ${response.body}`).toBe(200);
      expect(response.json().customers.map((c: CustomerProfile) => c.id)).toEqual([customer.id]);
      expect(response.body).not.toContain(customer.phone);
    }
    const nobody = await lookup(agent, { idNumber: idNumberBornOn('1985-06-15', '452') });
    expect(nobody.json()).toEqual({ customers: [] });
  });

  it('answers a retried registration with the same customer, and refuses the id for other data', async () => {
    const branch = await signIn('branch01');
    const body = { id: randomUUID(), name: '马春生', phone: freshPhone() };
    const first = await call(branch, 'POST', '/customers', body);
    expect(first.statusCode, first.body).toBe(201);
    const retry = await call(branch, 'POST', '/customers', body);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    const reused = await call(branch, 'POST', '/customers', { ...body, name: '马冬梅' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().code).toBe('CUSTOMER_ID_CONFLICT');
    expect(await countOf(`customers where id = '${body.id}' and name = '马春生'`)).toBe(1);
  });

  it('refuses an ID number or account that already names another customer, storing nothing', async () => {
    const lead = await signIn('lead01');
    const idNumber = idNumberBornOn('1979-02-28', '777');
    const owner = await register(lead, { idNumber, account: '6217000011112222' });
    const before = await countOf('customers');
    for (const taken of [{ idNumber }, { account: '6217 0000 1111 2222' }]) {
      const response = await call(lead, 'POST', '/customers', {
        id: randomUUID(),
        name: '冒名者',
        phone: freshPhone(),
        ...taken,
      });
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json()).toMatchObject({
        code: 'idNumber' in taken ? 'ID_NUMBER_REGISTERED' : 'ACCOUNT_REGISTERED',
        customerId: owner.id,
      });
    }
    expect(await countOf('customers')).toBe(before);
  });
});

describe('adding identifiers to a customer', () => {
  it('adds an ID number and an account to a customer made from a call, once, and refuses another’s', async () => {
    const agent = await signIn('agent01');
    const phone = freshPhone();
    const caseId = await pushCase(agent, { customerName: '高玉兰', customerPhone: phone });
    const customerId = (await customerOfCase(caseId))!;
    const url = `/customers/${customerId}/identifiers`;
    const idNumber = idNumberBornOn('1949-10-01', '318');
    const added = await call(agent, 'POST', url, { idNumber, account: '6217 8888 0000 1111' });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toMatchObject({
      id: customerId,
      maskedIdNumber: maskIdNumber(idNumber),
      maskedAccounts: ['6217 **** **** 1111'],
      birthYear: 1949,
    });
    // Retried: the same answer, nothing doubled.
    const again = await call(agent, 'POST', url, { idNumber });
    expect(again.json()).toEqual(added.json());
    expect((await view(agent, customerId)).segments).toContainEqual(
      expect.objectContaining({ segment: 'elderly' }),
    );
    const found = await lookup(agent, { idNumber });
    expect(found.json().customers.map((c: CustomerProfile) => c.id)).toEqual([customerId]);

    const other = await register(agent, { idNumber: idNumberBornOn('1991-05-05', '404') });
    const taken = await call(agent, 'POST', `/customers/${other.id}/identifiers`, { idNumber });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'ID_NUMBER_REGISTERED', customerId });
    const second = await call(agent, 'POST', url, {
      idNumber: idNumberBornOn('1949-10-01', '319'),
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('CUSTOMER_HAS_ID_NUMBER');
    expect(await countOf(`customer_identifiers where customer_id = '${customerId}'`)).toBe(2);

    const none = await call(agent, 'POST', url, {});
    expect(none.statusCode).toBe(400);
    expect(none.json().fields).toEqual([{ path: 'body', code: 'IDENTIFIER_REQUIRED' }]);
    const unknown = await call(agent, 'POST', `/customers/${randomUUID()}/identifiers`, {
      account: '6217888800001112',
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('bad input', () => {
  it('answers 400 with codes and changes nothing stored', async () => {
    const agent = await signIn('agent01');
    const valid = idNumberBornOn('1990-01-01', '001');
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const customersBefore = await countOf('customers');
    const logBefore = await countOf('customer_access_log');
    const cases: [string, () => ReturnType<typeof call>, string][] = [
      ['check digit', () => lookup(agent, { idNumber: wrongCheck }), 'ID_NUMBER_CHECK_DIGIT'],
      [
        'no such date',
        () => lookup(agent, { idNumber: idNumberBornOn('1990-02-30') }),
        'ID_NUMBER_INVALID',
      ],
      ['15 digits', () => lookup(agent, { idNumber: '110101900101123' }), 'ID_NUMBER_INVALID'],
      ['phone', () => lookup(agent, { phone: '12345' }), 'PHONE_INVALID'],
      ['account', () => lookup(agent, { account: '6222-abc' }), 'ACCOUNT_INVALID'],
      [
        'two identifiers',
        () => lookup(agent, { phone: freshPhone(), account: '62220202001' }),
        'LOOKUP_NEEDS_ONE_IDENTIFIER',
      ],
      ['no identifier', () => lookup(agent, {}), 'LOOKUP_NEEDS_ONE_IDENTIFIER'],
      [
        'register: check digit',
        () =>
          call(agent, 'POST', '/customers', {
            id: randomUUID(),
            name: '钱',
            phone: freshPhone(),
            idNumber: wrongCheck,
          }),
        'ID_NUMBER_CHECK_DIGIT',
      ],
      [
        'register: phone',
        () => call(agent, 'POST', '/customers', { id: randomUUID(), name: '钱', phone: '021-1' }),
        'PHONE_INVALID',
      ],
      [
        'register: no id',
        () => call(agent, 'POST', '/customers', { name: '钱', phone: freshPhone() }),
        'invalid_type',
      ],
      ['360: not a uuid', () => call(agent, 'GET', '/customers/42'), 'invalid_format'],
    ];
    for (const [what, request, code] of cases) {
      const response = await request();
      expect(response.statusCode, `${what}: ${response.body}`).toBe(400);
      const body = response.json();
      expect(body.code, what).toBe('VALIDATION');
      expect(
        body.fields.map((f: { code: string }) => f.code),
        what,
      ).toContain(code);
    }
    const unknown = await call(agent, 'GET', `/customers/${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CUSTOMER_NOT_FOUND');
    expect(await countOf('customers')).toBe(customersBefore);
    expect(await countOf('customer_access_log')).toBe(logBefore);
  });

  it('refuses administrators and strangers on every customer route', async () => {
    const admin = await signIn('admin01');
    const someone = (await db.query<{ id: string }>('select id from customers limit 1')).rows[0]!;
    const identifiersBefore = await countOf(
      `customer_identifiers where customer_id = '${someone.id}'`,
    );
    const requests = [
      ['GET', `/customers/lookup?phone=13900001234`],
      ['GET', `/customers/${someone.id}`],
      ['POST', '/customers'],
      ['POST', `/customers/${someone.id}/identifiers`],
    ] as const;
    const body = {
      id: randomUUID(),
      name: '管理员',
      phone: freshPhone(),
      account: '6217999900001234',
    };
    for (const [method, url] of requests) {
      const asAdmin = await call(admin, method, url, method === 'POST' ? body : undefined);
      expect(asAdmin.statusCode, `${method} ${url}`).toBe(403);
      expect(asAdmin.json().code).toBe('FORBIDDEN');
      const asStranger = await call(null, method, url, method === 'POST' ? body : undefined);
      expect(asStranger.statusCode).toBe(401);
    }
    expect(await countOf(`customers where id = '${body.id}'`)).toBe(0);
    expect(await countOf(`customer_identifiers where customer_id = '${someone.id}'`)).toBe(
      identifiersBefore,
    );
    expect(await countOf(`customer_access_log where user_id = 'u-admin01'`)).toBe(0);
  });
});

describe('segments', () => {
  it('calls a customer born 60 or more years ago elderly, from the ID number, and a younger one not', async () => {
    const agent = await signIn('agent02');
    const elder = await register(agent, { idNumber: idNumberBornOn('1950-03-08', '238') });
    const younger = await register(agent, { idNumber: idNumberBornOn('2000-03-08', '238') });
    const elderView = await view(agent, elder.id);
    expect(elderView.segments).toEqual([
      { segment: 'elderly', reason: 'AGE_AT_LEAST_60', age: expect.any(Number) },
    ]);
    const [elderly] = elderView.segments;
    expect(elderly?.segment === 'elderly' && elderly.age >= 75).toBe(true);
    expect((await view(agent, younger.id)).segments).toEqual([]);
  });

  it('shows VIP from its flag', async () => {
    const agent = await signIn('agent01');
    const customer = await register(agent);
    await db.query('update customers set vip = true where id = $1', [customer.id]);
    expect((await view(agent, customer.id)).segments).toEqual([
      { segment: 'vip', reason: 'VIP_FLAG' },
    ]);
  });

  it('warns of a repeat complainant from the second complaint and suggests merging on the same line', async () => {
    const agent = await signIn('agent01');
    const customer = await register(agent);
    await pushCase(agent, {
      customerId: customer.id,
      customerPhone: customer.phone,
      type: 'inquiry',
      businessLine: 'account',
    });
    const first = await pushCase(agent, { customerId: customer.id, customerPhone: customer.phone });
    let seen = await view(agent, customer.id);
    expect(seen.complaintsLast12Months).toBe(1);
    expect(seen.repeatComplainantWarning).toBeNull();
    expect(seen.mergeSuggestions).toEqual([]);
    expect((await view(agent, customer.id, '?businessLine=card')).mergeSuggestions).toEqual([
      { businessLine: 'card', caseIds: [first] },
    ]);

    const second = await pushCase(agent, {
      customerId: customer.id,
      customerPhone: customer.phone,
    });
    seen = await view(agent, customer.id);
    expect(seen.complaintsLast12Months).toBe(2);
    expect(seen.complaintsLast30Days).toBe(2);
    expect(seen.segments).toContainEqual({
      segment: 'repeatComplainant',
      reason: 'COMPLAINTS_IN_12_MONTHS',
      complaints: 2,
    });
    expect(seen.repeatComplainantWarning).toEqual({ code: 'REPEAT_COMPLAINANT', complaints: 2 });
    expect(seen.mergeSuggestions).toEqual([
      { businessLine: 'card', caseIds: expect.arrayContaining([first, second]) },
    ]);
    expect(seen.openCases).toHaveLength(3);

    // Complaints older than 12 months no longer count; the segment follows the cases.
    await db.query(
      `update cases set created_at = now() - interval '13 months' where id = any($1::uuid[])`,
      [[first, second]],
    );
    seen = await view(agent, customer.id);
    expect(seen.complaintsLast12Months).toBe(0);
    expect(seen.segments).toEqual([]);
    expect(seen.recentCases).toHaveLength(1);
    expect(seen.openCases).toHaveLength(3);
  });
});

describe('the 360 and case scope', () => {
  it('lists every case of the customer but says which are the caller’s, with summary fields only', async () => {
    const owner = await signIn('agent01');
    const other = await signIn('agent02');
    const branch = await signIn('branch01');
    const customer = await register(owner);
    const caseId = await pushCase(owner, {
      customerId: customer.id,
      customerPhone: customer.phone,
      description: '只有本人可见的案情细节。',
    });
    const summaryKeys = [
      'businessLine',
      'createdAt',
      'id',
      'inMyScope',
      'number',
      'priority',
      'status',
      'type',
    ];
    for (const [session, inScope] of [
      [owner, true],
      [other, false],
      [branch, true], // agent01 works at branch-bj, so the case is the branch's too
    ] as const) {
      const response = await call(session, 'GET', `/customers/${customer.id}`);
      expect(response.statusCode).toBe(200);
      const seen: Customer360 = response.json();
      expect(seen.openCases.map((c) => c.id)).toEqual([caseId]);
      expect(Object.keys(seen.openCases[0]!).sort()).toEqual(summaryKeys);
      expect(seen.openCases[0]!.inMyScope).toBe(inScope);
      expect(response.body).not.toContain('只有本人可见');
    }
  });
});

describe('access log', () => {
  it('records every lookup and view with the identifier kind only, and refuses rewrites', async () => {
    const agent = await signIn('agent02');
    const idNumber = idNumberBornOn('1968-11-30', '615');
    const customer = await register(agent, { idNumber });
    const since = (
      await db.query<{ id: string }>('select coalesce(max(id), 0) as id from customer_access_log')
    ).rows[0]!.id;
    await lookup(agent, { idNumber });
    await lookup(agent, { phone: customer.phone });
    await lookup(agent, { account: '6222333344445555' }); // nobody
    await view(agent, customer.id);
    const rows = await db.query<Record<string, unknown>>(
      `select user_id, client_id, customer_id, action, identifier_kind
         from customer_access_log where id > $1 order by id`,
      [since],
    );
    const { clientId } = agent;
    expect(rows.rows).toEqual([
      {
        user_id: 'u-agent02',
        client_id: clientId,
        customer_id: customer.id,
        action: 'lookup',
        identifier_kind: 'idNumber',
      },
      {
        user_id: 'u-agent02',
        client_id: clientId,
        customer_id: customer.id,
        action: 'lookup',
        identifier_kind: 'phone',
      },
      {
        user_id: 'u-agent02',
        client_id: clientId,
        customer_id: null,
        action: 'lookup',
        identifier_kind: 'account',
      },
      {
        user_id: 'u-agent02',
        client_id: clientId,
        customer_id: customer.id,
        action: 'view',
        identifier_kind: null,
      },
    ]);
    for (const rewrite of [
      'update customer_access_log set user_id = user_id',
      'delete from customer_access_log',
      'truncate customer_access_log',
    ]) {
      await expect(db.query(rewrite), rewrite).rejects.toThrow(/append-only/);
    }
    expect(await countOf('customer_access_log')).toBeGreaterThanOrEqual(4);
  });
});

describe('linking new cases to customers', () => {
  it('links to the chosen customer, else by phone, else registers the caller from the intake', async () => {
    const agent = await signIn('agent01');
    const chosen = await register(agent, { name: '林佳怡' });
    const byChoice = await pushCase(agent, { customerId: chosen.id, customerPhone: freshPhone() });
    expect(await customerOfCase(byChoice)).toBe(chosen.id);
    // The intake's phone becomes one of the customer's phones, for the next lookup.
    expect((await view(agent, chosen.id)).customer.maskedPhones).toHaveLength(2);

    const byPhone = await pushCase(agent, { customerName: '林佳怡', customerPhone: chosen.phone });
    expect(await customerOfCase(byPhone)).toBe(chosen.id);
    const unknownChoice = await pushCase(agent, {
      customerId: randomUUID(),
      customerPhone: chosen.phone,
    });
    expect(await customerOfCase(unknownChoice)).toBe(chosen.id);

    const newcomerPhone = freshPhone();
    const fresh = await pushCase(agent, { customerName: '郭明辉', customerPhone: newcomerPhone });
    const created = await customerOfCase(fresh);
    expect(created).not.toBeNull();
    expect(created).not.toBe(chosen.id);
    const found = await lookup(agent, { phone: newcomerPhone });
    expect(found.json().customers).toMatchObject([{ id: created, name: '郭明辉' }]);

    // A case refused as a duplicate makes no customer.
    const customersBefore = await countOf('customers');
    const duplicate: Mutation = {
      id: randomUUID(),
      seq: ++agent.seq,
      recordedAt: new Date().toISOString(),
      name: 'case.create@1',
      args: {
        caseId: fresh,
        number: `${agent.workstationCode}-261123-9999`,
        intake: {
          customerName: '吴子涵',
          customerPhone: freshPhone(),
          channel: 'phone',
          type: 'complaint',
          businessLine: 'loan',
          description: '重复提交。',
          customerExpectation: '无。',
        },
      },
    };
    const pushed = await call(agent, 'POST', '/sync/push', {
      protocolVersion: 1,
      clientId: agent.clientId,
      mutations: [duplicate],
    });
    expect(pushed.json().results[0]).toMatchObject({ status: 'rejected', code: 'CASE_EXISTS' });
    expect(await countOf('customers')).toBe(customersBefore);
  });
});

describe('demo customers', () => {
  it('gives every seeded case a customer, with VIPs, elderly and repeat complainants, once', async () => {
    expect(seeded).toMatchObject({ seeded: true, extraCases: 2 });
    expect(seeded.customers).toBeGreaterThanOrEqual(6);
    expect(await seedCustomers(db)).toMatchObject({ seeded: false });
    const seededCases = await db.query<{ customer_id: string | null }>(
      `select customer_id from cases where number like 'SD%'`,
    );
    expect(seededCases.rows).toHaveLength(14);
    expect(seededCases.rows.every((row) => row.customer_id !== null)).toBe(true);

    const agent = await signIn('lead01');
    const ids = (
      await db.query<{ id: string }>(
        `select distinct customer_id as id from cases where number like 'SD%' order by 1`,
      )
    ).rows.map((row) => row.id);
    const segments = new Map<string, number>();
    for (const id of ids) {
      const seen = await view(agent, id);
      for (const s of seen.segments) segments.set(s.segment, (segments.get(s.segment) ?? 0) + 1);
      if (seen.repeatComplainantWarning) expect(seen.mergeSuggestions).not.toEqual([]);
    }
    expect(segments.get('vip')).toBeGreaterThanOrEqual(2);
    expect(segments.get('elderly')).toBeGreaterThanOrEqual(2);
    expect(segments.get('repeatComplainant')).toBeGreaterThanOrEqual(2);
  });
});

describe('privacy', () => {
  it('keeps plain ID and account numbers out of every answer and every table', async () => {
    // Runs last in this file: everything registered above is in the tables by now.
    const agent = await signIn('agent01');
    const idNumber = idNumberBornOn('1958-09-09', '909');
    const account = '6225880137706868';
    const customer = await register(agent, { idNumber, account });
    await lookup(agent, { idNumber });
    await lookup(agent, { account });
    await view(agent, customer.id);

    const plainIdentifiers = [idNumber, account, idNumber.slice(6, 14)];
    const stored = await everyStoredRow();
    for (const plain of plainIdentifiers) {
      expect(stored).not.toContain(plain);
      for (const body of answered) expect(body).not.toContain(plain);
    }
    // What is stored instead: the keyed hash, not a plain hash anyone could recompute.
    expect(stored).toContain(identifierHash('idNumber', idNumber));
    expect(stored).toContain(maskIdNumber(idNumber));
  });

  it('appears in the OpenAPI document', async () => {
    const paths = (await app.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/customers/lookup',
        '/customers/{id}',
        '/customers',
        '/customers/{id}/identifiers',
      ]),
    );
    expect(paths['/customers/lookup'].get.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('embedded PGlite', () => {
  it('migrates, seeds customers, looks one up and shows the 360', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'case-customers-pglite-'));
    const lite = await openPglite(dataDir);
    const liteClientId = randomUUID();
    try {
      await runMigrations(lite);
      await seedDemo(lite, { cases: 4 });
      expect(await seedCustomers(lite)).toMatchObject({ seeded: true });
      const liteApp = buildServer({ db: lite, jwtSecret });
      const signedIn = await liteApp.inject({
        method: 'POST',
        url: '/auth/sign-in',
        payload: { username: 'agent01', password: DEMO_PASSWORD, clientId: liteClientId },
      });
      const headers = { authorization: `Bearer ${signedIn.json().token}` };
      const phone = (
        await lite.query<{ customer_phone: string }>('select customer_phone from cases limit 1')
      ).rows[0]!.customer_phone;
      const found = await liteApp.inject({
        method: 'GET',
        url: `/customers/lookup?phone=${phone}`,
        headers,
      });
      expect(found.statusCode, found.body).toBe(200);
      const [customer] = found.json().customers;
      const seen = await liteApp.inject({
        method: 'GET',
        url: `/customers/${customer.id}`,
        headers,
      });
      expect(seen.statusCode, seen.body).toBe(200);
      expect(seen.json().openCases.length + seen.json().recentCases.length).toBeGreaterThan(0);
      const caseId = randomUUID();
      const pushed = await liteApp.inject({
        method: 'POST',
        url: '/sync/push',
        headers,
        payload: {
          protocolVersion: 1,
          clientId: liteClientId,
          mutations: [
            {
              id: randomUUID(),
              seq: 1,
              recordedAt: new Date().toISOString(),
              name: 'case.create@1',
              args: {
                caseId,
                number: `${signedIn.json().workstationCode}-261123-0001`,
                intake: {
                  customerName: customer.name,
                  customerPhone: phone,
                  channel: 'phone',
                  type: 'complaint',
                  businessLine: 'fees',
                  description: '年费重复扣收。',
                  customerExpectation: '退还年费。',
                },
              },
            },
          ],
        },
      });
      expect(pushed.json().results[0]?.status, pushed.body).toBe('applied');
      const linked = await lite.query<{ customer_id: string }>(
        'select customer_id from cases where id = $1',
        [caseId],
      );
      expect(linked.rows[0]?.customer_id).toBe(customer.id);
      await liteApp.close();
    } finally {
      await lite.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
