// The intake desk's customer lookup and case preview on the workstation, against a real central
// API on a real PostgreSQL: the 360 online, a reduced view from the cache offline, and a
// preview that is exactly what the registration then gives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkstationBackend } from '../../main/backend/workstation-backend';
import { DEMO_PASSWORD } from '../../server/seed';
import { startCentralApi, type CentralApi } from '../../server/start';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, FaultProxy, intake, openWorkstation, waitFor } from './sync-support';

let postgres: TestPostgres;
let api: CentralApi;
let proxy: FaultProxy;
let dir: string;
let backend: WorkstationBackend;
/** A phone no seeded customer has (the seed's are 1390000xxxx and 139000xxxxx). */
const CALLER_PHONE = '13712345678';

beforeAll(async () => {
  postgres = await startPostgres('workstation_customers');
  api = await startCentralApi({
    port: 0,
    databaseUrl: postgres.url,
    seed: true,
    jwtSecret: 'customers-secret-customers-secret',
  });
  proxy = await FaultProxy.start(Number(new URL(api.url).port));
  dir = mkdtempSync(join(tmpdir(), 'cw-customers-'));
  backend = await openWorkstation(join(dir, 'desk'), proxy.url, { referenceRefreshMs: 0 });
  await call(backend, 'session.signIn', { username: 'agent01', password: DEMO_PASSWORD });
  await call(backend, 'sync.now', {});
}, 60_000);

afterAll(async () => {
  await backend?.close();
  await proxy?.close();
  await api?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const callerIntake = (description: string) => ({
  ...intake(description),
  customerName: '卢晓梅',
  customerPhone: CALLER_PHONE,
});

async function failure(method: string, input: unknown) {
  const result = await backend.call(method, input);
  if (result.ok) throw new Error(`${method} should have failed`);
  return result.error;
}

describe('customer lookup at intake', () => {
  it('finds the caller by phone and opens the 360 with their open case', async () => {
    const created = await call(backend, 'cases.create', callerIntake('手机银行转账重复扣款'));
    await waitFor(async () => (await call(backend, 'sync.status', {})).pending === 0, 10_000);

    const found = await call(backend, 'customers.lookup', { phone: '137-1234-5678' });
    expect(found.offline).toBe(false);
    if (found.offline) return;
    expect(found.customers).toHaveLength(1);
    expect(found.customers[0]!.name).toBe('卢晓梅');
    expect(found.customers[0]!.maskedPhones[0]).not.toContain('12345678');

    const view = await call(backend, 'customers.get', {
      customerId: found.customers[0]!.id,
      businessLine: 'payment',
    });
    expect(view.openCases.map((c) => c.id)).toContain(created.id);
    expect(view.mergeSuggestions).toEqual([{ businessLine: 'payment', caseIds: [created.id] }]);
  });

  it('answers a phone lookup from the cache while the central API is down, and refuses the rest', async () => {
    proxy.offline();
    try {
      const found = await call(backend, 'customers.lookup', { phone: CALLER_PHONE });
      expect(found.offline).toBe(true);
      if (!found.offline) return;
      expect(found.cached?.name).toBe('卢晓梅');
      expect(found.cached?.maskedPhone).toBe('137****5678');
      expect(found.cached?.openCases).toHaveLength(1);
      expect(found.cached?.complaintsLast30Days).toBe(1);

      const unknown = await call(backend, 'customers.lookup', { phone: '13700000001' });
      expect(unknown).toEqual({ offline: true, cached: null });

      expect((await failure('customers.lookup', { account: '6222 0000 1111 2222' })).code).toBe(
        'CUSTOMER_LOOKUP_OFFLINE',
      );
      expect((await failure('customers.get', { customerId: crypto.randomUUID() })).code).toBe(
        'CUSTOMER_LOOKUP_OFFLINE',
      );
    } finally {
      proxy.online();
    }
  });

  it('refuses bad identifiers with the rule they broke, before asking anyone', async () => {
    const none = await failure('customers.lookup', {});
    expect(none.code).toBe('VALIDATION');
    expect(none.fields?.map((f) => f.code)).toContain('LOOKUP_NEEDS_ONE_IDENTIFIER');

    const two = await failure('customers.lookup', { phone: CALLER_PHONE, account: '62220000111' });
    expect(two.fields?.map((f) => f.code)).toContain('LOOKUP_NEEDS_ONE_IDENTIFIER');

    const phone = await failure('customers.lookup', { phone: '12345' });
    expect(phone.fields).toEqual([{ path: 'phone', code: 'PHONE_INVALID' }]);

    const id = await failure('customers.lookup', { idNumber: '110101199003070001' });
    expect(id.fields?.[0]?.code).toBe('ID_NUMBER_CHECK_DIGIT');

    const customer = await failure('customers.get', { customerId: 'not-a-uuid' });
    expect(customer.code).toBe('VALIDATION');

    const preview = await failure('cases.previewIntake', {
      channel: 'phone',
      type: 'complaint',
      description: '盗'.repeat(4001),
      customerExpectation: '',
    });
    expect(preview.fields).toEqual([{ path: 'description', code: 'TOO_LONG' }]);
  });
});

describe('intake preview', () => {
  it('shows the priority, the reason and the deadlines the registration then gives', async () => {
    const before = await call(backend, 'sync.status', {});
    const preview = await call(backend, 'cases.previewIntake', {
      channel: 'phone',
      type: 'complaint',
      description: '客户称信用卡被盗刷两笔',
      customerExpectation: '冻结卡片并退回款项',
    });
    expect(preview.priority).toBe('urgent');
    expect(preview.reasons).toContainEqual({ code: 'RISK_KEYWORD', keyword: '盗刷' });
    expect(preview.deadlines.length).toBeGreaterThan(0);
    // Nothing was stored or queued.
    expect((await call(backend, 'sync.status', {})).pending).toBe(before.pending);

    const created = await call(backend, 'cases.create', {
      ...callerIntake('客户称信用卡被盗刷两笔'),
      customerExpectation: '冻结卡片并退回款项',
    });
    await waitFor(
      async () => !(await call(backend, 'cases.get', { caseId: created.id })).pending,
      10_000,
      'the case to reach the server',
    );
    const onServer = await call(backend, 'cases.get', { caseId: created.id });
    expect(onServer.case.version).toBeGreaterThan(0);
    expect(onServer.case.priority).toBe(preview.priority);
    expect(onServer.case.lifecycle.priorityReasons).toEqual(preview.reasons);
    expect(onServer.case.status).toBe(preview.status);
    // The same clocks, due when the preview said (it ran a moment before the case was saved).
    const due = (deadlines: typeof preview.deadlines) =>
      deadlines.map((d) => ({ kind: d.kind, clock: d.clock, due: Date.parse(d.dueAt ?? '') }));
    const previewed = due(preview.deadlines);
    const registered = due(onServer.deadlines);
    expect(registered.map(({ kind, clock }) => ({ kind, clock }))).toEqual(
      previewed.map(({ kind, clock }) => ({ kind, clock })),
    );
    for (const [index, deadline] of registered.entries()) {
      const previewedDue = previewed[index]!.due;
      if (Number.isNaN(previewedDue)) expect(deadline.due).toBeNaN();
      else expect(Math.abs(deadline.due - previewedDue)).toBeLessThan(60_000);
    }
  });
});
