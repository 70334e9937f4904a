// The queue as an agent uses it all day: the demo cases sorted by the next deadline with live
// countdowns, a filter and a two-character Chinese search narrowing it (counts checked in
// PostgreSQL), a saved view that comes back, the keyboard alone opening a case, and no
// serious accessibility violation.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { CaseRecord } from '../../shared/case-views';
import { BUSINESS_LINES, CHANNELS, type CaseIntake } from '../../shared/domain';
import { registerCase } from '../../shared/intake';
import { openCacheDb } from '../../main/backend/cache-db';
import { catchUpCaseQueue, deferCaseQueueIndex } from '../../main/backend/case-queue';
import { SCREENSHOTS, signIn } from '../support/e2e-desk';
import { startPostgres } from '../support/postgres';
import {
  freePort,
  startCentralApiProcess,
  startWebHostProcess,
  type Service,
} from '../support/processes';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let database: pg.Client;
let api: Service | null = null;
let host: Service | null = null;
let dataDir: string;

test.describe.configure({ mode: 'serial' });

/** The few browser globals the page functions use (this file compiles without the DOM lib). */
interface BrowserGlobals {
  sessionStorage: { getItem(key: string): string | null };
  location: { host: string };
  document: { activeElement: { getAttribute(name: string): string | null } | null };
}

test.beforeAll(async () => {
  postgres = await startPostgres();
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  api = await startCentralApiProcess(postgres.url, await freePort());
  dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-queue-'));
  host = await startWebHostProcess(api.ready, dataDir);
});

test.afterAll(async () => {
  await host?.stop();
  await api?.stop();
  await database?.end();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A contract call over the browser host's own socket, as the renderer makes it. */
async function callHost(page: Page, method: string, input: unknown): Promise<unknown> {
  return page.evaluate(
    ({ method, input }) =>
      new Promise((resolve, reject) => {
        const browser = globalThis as unknown as BrowserGlobals;
        const token = browser.sessionStorage.getItem('workstation.token') ?? '';
        const socket = new WebSocket(
          `ws://${browser.location.host}/ws?token=${encodeURIComponent(token)}`,
        );
        socket.onopen = () => socket.send(JSON.stringify({ kind: 'call', id: 1, method, input }));
        socket.onerror = () => reject(new Error('socket failed'));
        socket.onmessage = (message) => {
          const data = JSON.parse(String(message.data)) as {
            kind: string;
            result?: { ok: boolean; value?: unknown; error?: unknown };
          };
          if (data.kind !== 'result') return;
          socket.close();
          if (data.result!.ok) resolve(data.result!.value);
          else reject(new Error(JSON.stringify(data.result!.error)));
        };
      }),
    { method, input },
  );
}

const shownTotal = async (page: Page) =>
  Number(await page.getByTestId('queue-total').getAttribute('data-count'));

/** agent01's cases on the server whose searchable texts contain `term`. */
async function serverCount(where: string, params: unknown[] = []): Promise<number> {
  const result = await database.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM cases c WHERE c.owner_id = 'u-agent01' AND ${where}`,
    params,
  );
  return Number(result.rows[0]!.n);
}

async function pick(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  await page
    .locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`)
    .click();
  await page.keyboard.press('Escape');
}

test('the queue: next deadline first, filters, 2-character search, saved views, keyboard', async ({
  page,
}) => {
  await signIn(page, host!.ready);
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  // A new urgent case (risk keyword 冻结) with a 15-minute first-contact clock ticking.
  const created = (await callHost(page, 'cases.create', {
    customerName: '钱文静',
    customerPhone: '13800138000',
    channel: 'phone',
    type: 'complaint',
    businessLine: 'account',
    description: '客户称工资卡突然被冻结，无法取现，急需用钱',
    customerExpectation: '尽快解除冻结并说明原因',
  })) as { id: string; number: string };
  await expect.poll(() => serverCount('c.id = $1', [created.id]), { timeout: 30_000 }).toBe(1);

  // Every case of mine, in next-deadline order.
  const mine = await serverCount('true');
  await expect.poll(() => shownTotal(page)).toBe(mine);
  const rows = page.getByTestId('case-row');
  await expect(rows).toHaveCount(mine);
  const dues = await rows.evaluateAll((elements) =>
    elements
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((element) => element.getAttribute('data-next-due') || '9999'),
  );
  expect(dues).toEqual([...dues].sort());
  await expect(page.getByTestId('queue-tab-mine')).toHaveAttribute('data-count', String(mine));

  // Its countdown ticks every second.
  const countdown = page
    .locator(`[data-case-number="${created.number}"]`)
    .getByTestId('sla-countdown');
  await expect(countdown).toHaveAttribute('data-sla', /ok|warning/);
  await expect(countdown).toContainText(/剩余 \d+分 \d{2}秒/);
  const before = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 3_000 }).not.toBe(before);
  await expect(page.locator('[data-sla="breached"]').first()).toContainText(/已超时/);
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-mine.png'), fullPage: true });

  // A two-character search: exactly the server's matches, the new case among them.
  await page.getByTestId('queue-search').fill('冻结');
  const frozen = await serverCount(
    `(c.description LIKE $1 OR c.customer_expectation LIKE $1 OR c.customer_name LIKE $1
      OR EXISTS (SELECT 1 FROM case_notes n WHERE n.case_id = c.id AND n.text LIKE $1))`,
    ['%冻结%'],
  );
  expect(frozen).toBeLessThan(mine);
  await expect.poll(() => shownTotal(page)).toBe(frozen);
  await expect(page.locator(`[data-case-number="${created.number}"]`)).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-search.png'), fullPage: true });
  await page.getByTestId('queue-search').fill('');
  await expect.poll(() => shownTotal(page)).toBe(mine);

  // A filter: urgent only.
  await pick(page, 'queue-filter-priority', '紧急');
  const urgent = await serverCount(`c.priority = 'urgent'`);
  expect(urgent).toBeLessThan(mine);
  await expect.poll(() => shownTotal(page)).toBe(urgent);
  const priorities = await rows.evaluateAll((elements) =>
    elements.map((e) => e.querySelector('[data-priority]')?.getAttribute('data-priority')),
  );
  expect(new Set(priorities)).toEqual(new Set(['urgent']));

  // Saved views: an empty name is refused at the field and nothing is stored.
  await page.getByTestId('queue-view-save').click();
  await page.getByTestId('queue-view-name').press('Enter');
  await expect(page.getByTestId('queue-view-name-error')).toHaveText('此项为必填');
  expect(await callHost(page, 'queue.views.list', {})).toEqual([]);
  await page.getByTestId('queue-view-name').fill('紧急工单');
  await page.getByTestId('queue-view-name').press('Enter');
  await expect(page.getByTestId('queue-view-name')).toBeHidden();
  await page.getByTestId('queue-reset').click();
  await expect.poll(() => shownTotal(page)).toBe(mine);
  // …it comes back after a reload, from the workstation's cache.
  await page.reload();
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await pick(page, 'queue-views', '紧急工单');
  await expect.poll(() => shownTotal(page)).toBe(urgent);
  await expect(page.getByTestId('queue-filter-priority')).toContainText('紧急');
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-saved-view.png'), fullPage: true });
  await page.getByTestId('queue-view-delete').click();
  await page.getByTestId('queue-view-delete-confirm').click();
  await expect.poll(() => callHost(page, 'queue.views.list', {})).toEqual([]);
  await page.getByTestId('queue-reset').click();
  await expect.poll(() => shownTotal(page)).toBe(mine);

  // The team's queue.
  await page.getByTestId('queue-tab-team').click();
  const team = await database.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM cases WHERE team_id = 'team-t1'`,
  );
  await expect.poll(() => shownTotal(page)).toBeLessThanOrEqual(Number(team.rows[0]!.n));
  await expect(page.getByRole('columnheader', { name: '负责人' })).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-team.png'), fullPage: true });
  await page.getByTestId('queue-tab-mine').click();
  await expect.poll(() => shownTotal(page)).toBe(mine);
});

test('the queue reads in English too', async ({ page }) => {
  await signIn(page, host!.ready);
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await page.getByTestId('language-en').click();
  await expect(page.getByTestId('queue-tab-team')).toContainText("My team's queue");
  await expect(page.getByTestId('case-table')).toContainText('SLA countdown');
  await expect(page.locator('[data-sla="breached"]').first()).toContainText(/Overdue by/);
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-en.png'), fullPage: true });
  await page.getByTestId('language-zh-CN').click();
  await expect(page.getByTestId('queue-tab-team')).toContainText('团队队列');
});

test('the queue has no serious accessibility violation', async ({ page }) => {
  await signIn(page, host!.ready);
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await expect(page.getByTestId('case-row').first()).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      nodes: violation.nodes
        .map((node) => `${node.target.join(' ')} ${node.any[0]?.message ?? ''}`)
        .slice(0, 20),
    }));
  expect(serious).toEqual([]);
});

test('the keyboard alone reaches the table and opens a case', async ({ page }) => {
  await signIn(page, host!.ready);
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await expect(page.getByTestId('case-row').first()).toBeVisible();
  await page.getByTestId('queue-search').focus();
  let focused: { testId: string | null; number: string | null } = { testId: null, number: null };
  for (let presses = 0; presses < 30 && focused.testId !== 'case-row'; presses++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => {
      const active = (globalThis as unknown as BrowserGlobals).document.activeElement;
      return {
        testId: active?.getAttribute('data-testid') ?? null,
        number: active?.getAttribute('data-case-number') ?? null,
      };
    });
  }
  expect(focused.testId).toBe('case-row');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() =>
    (globalThis as unknown as BrowserGlobals).document.activeElement?.getAttribute(
      'data-case-number',
    ),
  );
  const thirdRow = page.locator('[data-testid="case-row"][data-index="2"]');
  expect(second).toBe(await thirdRow.getAttribute('data-case-number'));
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-keyboard.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-detail-number')).toContainText(second!);
});

/**
 * A workstation cache already holding `count` of agent01's cases, as a long bootstrap would
 * leave it: a few lifecycles registered through the shared rules, copied with new ids,
 * numbers, customers, channels and business lines, then indexed.
 */
function seedCache(file: string, count: number): void {
  const db = openCacheDb(file);
  const complaints = ['银行卡被冻结，工资无法取出', '转账显示失败但已扣款', '年费未经同意扣除'];
  const templates = [10 * 60_000, 5 * 3_600_000, 3 * 86_400_000, 20 * 86_400_000].flatMap((ageMs) =>
    complaints.map((description) => {
      const receivedAt = new Date(Date.now() - ageMs).toISOString();
      const intake: CaseIntake = {
        customerName: '客户',
        customerPhone: '13900001111',
        channel: 'phone',
        type: 'complaint',
        businessLine: 'payment',
        description,
        customerExpectation: '尽快处理',
      };
      const { state, context } = registerCase({
        caseId: crypto.randomUUID(),
        intake,
        actor: { userId: 'u-agent01', role: 'agent' },
        receivedAt,
      });
      return { intake, state, context, receivedAt };
    }),
  );
  const surnames = [...'王李张刘陈杨黄赵吴周'];
  const given = [...'伟芳敏静丽强磊军洋勇'];
  const insert = db.prepare(
    `INSERT INTO cases (id, number, owner_id, updated_at, server_json, view_json, pending)
     VALUES (?, ?, ?, ?, ?, ?, 0)`,
  );
  deferCaseQueueIndex(db, true);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const template = templates[i % templates.length]!;
      const id = crypto.randomUUID();
      const record: CaseRecord = {
        ...template.intake,
        id,
        number: `BJZ9-261101-${String(i).padStart(6, '0')}`,
        customerName: surnames[i % 10]! + given[(i * 7) % 10]! + given[(i * 3) % 10]!,
        customerPhone: `139${String(i).padStart(8, '0')}`,
        channel: CHANNELS[i % CHANNELS.length]!,
        businessLine: BUSINESS_LINES[i % BUSINESS_LINES.length]!,
        status: template.state,
        lifecycle: { ...template.context, caseId: id },
        priority: template.context.priority,
        ownerId: 'u-agent01',
        ownerName: '王晓梅',
        teamId: 'team-t1',
        branchId: 'branch-bj',
        createdAt: template.receivedAt,
        updatedAt: template.receivedAt,
        version: 1,
      };
      const json = JSON.stringify(record);
      insert.run(id, record.number, 'u-agent01', record.updatedAt, json, json);
    }
  })();
  deferCaseQueueIndex(db, false);
  while (catchUpCaseQueue(db, 10_000) > 0);
  // agent01 was here last: signing in keeps the cache and pulls the server's cases on top.
  db.prepare(`INSERT INTO meta (key, value) VALUES ('userId', 'u-agent01')`).run();
  db.close();
}

test('with 100,000 cached cases the table keeps a small DOM and any window shows at once', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'cw-e2e-queue-100k-'));
  seedCache(join(dir, 'cache.sqlite'), 100_000);
  const scaleHost = await startWebHostProcess(api!.ready, dir);
  try {
    await signIn(page, scaleHost.ready);
    await expect(page.getByTestId('queue-screen')).toBeVisible();
    // The cached cases, and the server's pulled on top once the first pull is done.
    const total = 100_000 + (await serverCount('true'));
    await expect.poll(() => shownTotal(page), { timeout: 60_000 }).toBe(total);
    await expect(page.getByTestId('sync-pending')).toHaveAttribute('data-count', '0');
    await expect(page.getByTestId('case-row').first()).toBeVisible();
    // Only the rows in view (and a few around them) are in the page.
    expect(await page.locator('[role="row"][data-index]').count()).toBeLessThan(60);

    // The keyboard's End goes to the last case: its window is read and shown at once.
    await page.getByTestId('case-row').first().focus();
    const started = Date.now();
    await page.keyboard.press('End');
    const lastRow = page.locator(`[data-testid="case-row"][data-index="${total - 1}"]`);
    await expect(lastRow).toBeVisible();
    await expect(lastRow).toBeFocused();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await page.locator('[role="row"][data-index]').count()).toBeLessThan(60);

    // Dragged to the middle: the rows there arrive.
    await page.getByTestId('queue-scroller').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight / 2;
    });
    await expect(
      page.locator(`[data-testid="case-row"][data-index="${Math.floor(total / 2)}"]`),
    ).toBeVisible();
    await page.screenshot({ path: join(SCREENSHOTS, 'queue-100k.png'), fullPage: true });

    // A two-character search over all of them.
    await page.getByTestId('queue-search').fill('冻结');
    await expect.poll(() => shownTotal(page)).toBeLessThan(total);
    expect(await shownTotal(page)).toBeGreaterThanOrEqual(Math.floor(100_000 / 3));
  } finally {
    await scaleHost.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
