// Closing a complaint as the agent does it: resolve with root cause, solution and prevention,
// tell the customer, record the satisfaction score — a 2 reopens the case — first with the
// central API up, then the whole of it with the API stopped, synced once it is back
// (checked in PostgreSQL itself).
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
  dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-closure-'));
  host = await startWebHostProcess(api.ready, dataDir);
});

test.afterAll(async () => {
  await host?.stop();
  await api?.stop();
  await database?.end();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Logs a phone complaint and opens it; answers its number. */
async function logAndOpen(page: Page, description: string): Promise<string> {
  await page.getByTestId('nav-new-complaint').click();
  await page.getByTestId('intake-customerPhone').fill('13900007788');
  await page.getByTestId('intake-customerName').fill('钱佳怡');
  await page.getByTestId('intake-businessLine').click();
  await page.getByText('借记卡/信用卡', { exact: true }).last().click();
  await page.getByTestId('intake-description').fill(description);
  await page.getByTestId('intake-customerExpectation').fill('退还多收的年费');
  await page.getByTestId('intake-submit').click();
  const number = (await page.getByTestId('created-case-number').textContent())!.trim();
  await page.getByTestId('intake-open-case').click();
  await expect(page.getByTestId('case-detail-screen')).toHaveAttribute(
    'data-status',
    'in_progress',
  );
  return number;
}

async function act(page: Page, event: string, fill: (form: Page) => Promise<void>) {
  await page.getByTestId(`action-${event}`).click();
  await expect(page.getByTestId('event-form')).toHaveAttribute('data-event-type', event);
  await fill(page);
  await page.getByTestId('event-submit').click();
  await expect(page.getByTestId('event-form')).toHaveCount(0);
}

/** Resolve, notify, a score of 2: the case is reopened. */
async function resolveNotifyAndRateTwo(page: Page) {
  await act(page, 'RESOLVE', async (form) => {
    await form.getByTestId('event-field-rootCause').fill('年费减免规则未同步到计费系统');
    await form.getByTestId('event-field-solution').fill('退还多收年费 200 元并更新计费参数');
    await form.getByTestId('event-field-prevention').fill('规则变更后增加计费系统核对步骤');
  });
  await expect(page.getByTestId('case-detail-screen')).toHaveAttribute('data-status', 'resolved');

  await act(page, 'NOTIFY_CUSTOMER', async (form) => {
    await form.getByTestId('event-field-channel').click();
    await form.locator('.ant-select-dropdown:visible').getByText('电话', { exact: true }).click();
    await form.getByTestId('event-field-summary').fill('已电话告知处理结果：年费已退回');
  });
  await expect(page.getByTestId('case-detail-screen')).toHaveAttribute(
    'data-status',
    'awaiting_feedback',
  );

  await act(page, 'RECORD_FEEDBACK', async (form) => {
    await form.getByTestId('event-field-score').locator('.ant-rate-star').nth(1).click();
    // Below 3: the form says the case will reopen before it is sent.
    await expect(form.getByTestId('event-low-score')).toBeVisible();
    await form.getByTestId('event-field-comment').fill('退款太慢，不满意');
  });
  await expect(page.getByTestId('case-detail-screen')).toHaveAttribute('data-status', 'reopened');
}

async function serverStatus(number: string): Promise<string | undefined> {
  const rows = await database.query<{ status: string }>(
    'select status from cases where number = $1',
    [number],
  );
  return rows.rows[0]?.status;
}

test('(c) resolve, notify, a satisfaction score of 2 reopens the case', async ({ page }) => {
  await signIn(page, host!.ready);
  const number = await logAndOpen(page, '信用卡年费已申请减免仍被扣收');
  await resolveNotifyAndRateTwo(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'closure-reopened.png') });
  await expect.poll(() => serverStatus(number), { timeout: 15_000 }).toBe('reopened');
});

test('(d) the same with the central API stopped, synced once it is back', async ({ page }) => {
  await signIn(page, host!.ready);
  await api!.stop();
  api = null;
  await expect(page.getByTestId('offline-banner')).toBeVisible({ timeout: 20_000 });
  const number = await logAndOpen(page, '信用卡年费重复扣收两次');
  await resolveNotifyAndRateTwo(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'closure-reopened-offline.png') });
  expect(await serverStatus(number)).toBeUndefined();

  api = await startCentralApiProcess(postgres.url, apiPort);
  await expect.poll(() => serverStatus(number), { timeout: 30_000 }).toBe('reopened');
  await expect(page.getByTestId('offline-banner')).toHaveCount(0, { timeout: 30_000 });
});
