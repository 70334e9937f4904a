// The spine, as an agent lives it: sign in, log a complaint, lose the central API, keep
// working, and find everything on the server (checked in PostgreSQL itself) once it is back.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
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
let apiPort: number;
let api: Service | null = null;
let host: Service | null = null;
let dataDir: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  postgres = await startPostgres();
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  apiPort = await freePort();
  api = await startCentralApiProcess(postgres.url, apiPort);
  dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-'));
  host = await startWebHostProcess(api.ready, dataDir);
});

test.afterAll(async () => {
  await host?.stop();
  await api?.stop();
  await database?.end();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function logComplaint(
  page: Page,
  input: { name: string; phone: string; description: string; expectation: string },
) {
  await page.getByTestId('nav-new-complaint').click();
  await page.getByTestId('intake-customerName').fill(input.name);
  await page.getByTestId('intake-customerPhone').fill(input.phone);
  await page.getByTestId('intake-businessLine').click();
  await page.getByText('借记卡/信用卡', { exact: true }).last().click();
  await page.getByTestId('intake-description').fill(input.description);
  await page.getByTestId('intake-customerExpectation').fill(input.expectation);
  await page.getByTestId('intake-submit').click();
  const number = (await page.getByTestId('created-case-number').textContent())!.trim();
  expect(number).toMatch(/^[A-Z0-9]{2,8}-\d{6}-\d{4}$/);
  return number;
}

async function waitingCount(page: Page) {
  return Number(await page.getByTestId('sync-pending').getAttribute('data-count'));
}

test('an agent keeps working through an outage and nothing is lost', async ({ page }) => {
  await signIn(page, host!.ready);

  // First complaint, online.
  await page.getByTestId('nav-new-complaint').click();
  await expect(page.getByTestId('intake-form')).toBeVisible();
  await page.getByTestId('intake-customerName').fill('周丽华');
  await page
    .getByTestId('intake-description')
    .fill('客户反映信用卡被盗刷两笔，共计3,200元，本人未授权');
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-form.png'), fullPage: true });
  const first = await logComplaint(page, {
    name: '周丽华',
    phone: '13900007788',
    description: '客户反映信用卡被盗刷两笔，共计3,200元，本人未授权',
    expectation: '冻结卡片并退回被盗刷金额',
  });
  await expect.poll(() => waitingCount(page)).toBe(0);
  await page.getByTestId('nav-my-cases').click();
  await expect(page.getByTestId('case-table')).toContainText(first);

  // The central API goes away.
  await api!.stop();
  api = null;
  const second = await logComplaint(page, {
    name: '孙国强',
    phone: '13700002233',
    description: '手机银行转账显示失败但账户已扣款，已过去两天仍未退回',
    expectation: '尽快退回扣款并说明原因',
  });
  expect(second).not.toBe(first);
  await page.getByTestId('nav-my-cases').click();
  await page.locator(`[data-case-number="${first}"]`).click();
  await expect(page.getByTestId('case-detail-number')).toContainText(first);
  await page.getByTestId('note-input').fill('已致电客户，告知已临时冻结卡片，等待风控核实');
  await page.getByTestId('note-submit').click();
  await expect(page.getByTestId('note-item')).toContainText('已致电客户');

  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'offline');
  await expect.poll(() => waitingCount(page)).toBe(2);
  await page.getByTestId('nav-my-cases').click();
  await expect(page.getByTestId('case-table')).toContainText(second);
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-offline.png'), fullPage: true });

  // It comes back: both changes reach PostgreSQL, the waiting count returns to 0.
  api = await startCentralApiProcess(postgres.url, apiPort);
  await expect.poll(() => waitingCount(page), { timeout: 30_000 }).toBe(0);
  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'online');
  const cases = await database.query<{ number: string; description: string }>(
    'SELECT number, description FROM cases WHERE number = ANY($1) ORDER BY number',
    [[first, second]],
  );
  expect(cases.rows.map((row) => row.number).sort()).toEqual([first, second].sort());
  const notes = await database.query<{ text: string }>(
    'SELECT n.text FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.number = $1',
    [first],
  );
  expect(notes.rows.map((row) => row.text)).toEqual([
    '已致电客户，告知已临时冻结卡片，等待风控核实',
  ]);
  await page.screenshot({ path: join(SCREENSHOTS, 'queue-synced.png'), fullPage: true });
});

test('the local data survives a restart of the workstation backend', async ({ page }) => {
  await host!.stop();
  host = await startWebHostProcess(api!.ready, dataDir);
  await signIn(page, host.ready);
  await expect(page.getByTestId('case-table')).toContainText('周丽华');
  await expect(page.getByTestId('case-table')).toContainText('孙国强');
});

test('an empty description is refused at the field and nothing is stored', async ({ page }) => {
  await signIn(page, host!.ready);
  const before = await database.query<{ n: string }>('SELECT count(*)::text AS n FROM cases');
  await page.getByTestId('nav-new-complaint').click();
  await page.getByTestId('intake-customerName').fill('吴敏');
  await page.getByTestId('intake-customerPhone').fill('13600001122');
  await page.getByTestId('intake-customerExpectation').fill('说明收费原因');
  await page.getByTestId('intake-submit').click();
  await expect(page.getByTestId('intake-error-description')).toBeVisible();
  await expect(page.getByTestId('created-case-number')).toHaveCount(0);
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-error.png'), fullPage: true });
  expect(await waitingCount(page)).toBe(0);
  const after = await database.query<{ n: string }>('SELECT count(*)::text AS n FROM cases');
  expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
});
