// The intake desk as the complaint desk lives it: a phone complaint about a stolen card raised
// to urgent with the reason and the deadlines before saving, a walk-in complaint with a
// receipt kept as a PDF, and a softphone's screen pop opening the caller's 360.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCREENSHOTS, signIn } from '../support/e2e-desk';
import { startPostgres } from '../support/postgres';
import {
  freePort,
  startCentralApiProcess,
  startWebHostProcess,
  type Service,
} from '../support/processes';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let api: Service | null = null;
let apiPort: number;
let agentHost: Service | null = null;
let branchHost: Service | null = null;
let dataDir: string;
/** The stolen-card caller of (a), popped again in (e). */
const CALLER = { phone: '13900004455', name: '郑晓东' };
let stolenCardNumber = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  postgres = await startPostgres();
  apiPort = await freePort();
  api = await startCentralApiProcess(postgres.url, apiPort);
  dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-intake-'));
  // One workstation each: the call-center agent's and the branch clerk's.
  agentHost = await startWebHostProcess(api.ready, join(dataDir, 'agent'));
  branchHost = await startWebHostProcess(api.ready, join(dataDir, 'branch'));
});

test.afterAll(async () => {
  await branchHost?.stop();
  await agentHost?.stop();
  await api?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function chooseOption(page: Page, testId: string, label: string) {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible').getByText(label, { exact: true }).click();
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
}

test('(a) a stolen-card call is urgent with its reason and deadlines before saving, and gets its number at once', async ({
  page,
}) => {
  await signIn(page, agentHost!.ready, 'agent01');
  // F2 from anywhere: the phone field has the focus, the Tab order follows the call.
  await page.keyboard.press('F2');
  await expect(page.getByTestId('intake-screen')).toHaveAttribute('data-mode', 'phone');
  await expect(page.getByTestId('intake-customerPhone')).toBeFocused();
  await page.keyboard.type(CALLER.phone);
  // Enter in the phone field looks the caller up; Tab then goes through the lookup button.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('customer-none')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('intake-lookup')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('intake-customerName')).toBeFocused();
  await page.keyboard.type(CALLER.name);

  // Channel and type keep their defaults (电话热线, 投诉); the business line by arrow keys.
  await page.keyboard.press('Tab');
  await expect(page.locator('#intake-field-channel')).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.locator('#intake-field-businessLine')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('intake-businessLine')).toContainText('借记卡/信用卡');
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
  // The choice is made and the list closed, with the focus still on the select (a slow
  // machine is still closing the list's animation otherwise).
  await expect(page.locator('#intake-field-businessLine')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('#intake-field-problemAt')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('intake-description')).toBeFocused();
  await page.keyboard.type('客户来电称信用卡被盗刷，凌晨在境外网站产生两笔消费');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('intake-customerExpectation')).toBeFocused();
  await page.keyboard.type('立即冻结卡片，退回被盗刷的款项');

  const risk = page.getByTestId('intake-risk-keywords');
  await expect(risk).toHaveAttribute('data-keywords', /盗刷/);
  await expect(risk).toContainText('盗刷');
  await expect(page.getByTestId('intake-suggested-priority')).toHaveAttribute(
    'data-priority',
    'urgent',
  );
  const deadlines = page.getByTestId('intake-deadlines');
  // The call itself is the first contact: what is left is the urgent case's interim measure
  // (止付) and the regulator's answer.
  await expect(deadlines.locator('li[data-kind="interim_measure"]')).toContainText('临时措施');
  await expect(deadlines.locator('li[data-kind="regulatory_decision"]')).toBeVisible();

  const axe = await new AxeBuilder({ page }).include('[data-testid="intake-screen"]').analyze();
  const blocking = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    blocking.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-phone-urgent.png'), fullPage: true });

  // Ctrl+Enter in the multi-line field saves.
  await page.getByTestId('intake-customerExpectation').press('Control+Enter');
  const number = page.getByTestId('created-case-number');
  await expect(number).toHaveText(/^[A-Z0-9]{2,8}-\d{6}-\d{4}$/);
  stolenCardNumber = (await number.textContent())!.trim();
  await expect(page.getByTestId('intake-created').getByTestId('priority-tag')).toHaveAttribute(
    'data-priority',
    'urgent',
  );
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-phone-created.png'), fullPage: true });
  // Synced before the screen pop looks the caller up on the central API.
  await expect(page.getByTestId('sync-pending')).toHaveAttribute('data-count', '0');
});

test('(e) a screen pop by phone number opens the caller’s 360 and a prefilled intake', async ({
  page,
}) => {
  await signIn(page, agentHost!.ready, 'agent01');
  await page.goto(`${agentHost!.ready}#/call?number=${CALLER.phone}`);
  await expect(page.getByTestId('intake-customerPhone')).toHaveValue(CALLER.phone);
  await expect(page.getByTestId('customer-360-name')).toHaveText(CALLER.name);
  await expect(page.getByTestId('intake-customerName')).toHaveValue(CALLER.name);
  await expect(page.getByTestId('intake-customer-linked')).toBeVisible();
  await expect(page.getByTestId('customer-open-cases')).toContainText(stolenCardNumber);
  // The same business line: the open case is offered to merge into.
  await chooseOption(page, 'intake-businessLine', '借记卡/信用卡');
  await expect(page.getByTestId('customer-merge-suggestion')).toContainText(stolenCardNumber);
  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-screen-pop.png'), fullPage: true });
  // The same desk in English: every label translated.
  await page.getByTestId('header-user').locator('..').getByText('English', { exact: true }).click();
  await expect(page.getByTestId('customer-panel')).toContainText('Customer 360');
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-screen-pop-en.png'), fullPage: true });
  await page.getByTestId('header-user').locator('..').getByText('中文', { exact: true }).click();
  await expect(page.getByTestId('customer-panel')).toContainText('客户视图');

  // A malformed number opens an empty intake, never a lookup of it.
  await page.goto(`${agentHost!.ready}#/call?number=${encodeURIComponent('1390000<script>')}`);
  await expect(page.getByTestId('intake-screen')).toBeVisible();
  await expect(page.getByTestId('intake-customerPhone')).toHaveValue('');
  await expect(page.getByTestId('customer-idle')).toBeVisible();
});

test('(b) a walk-in complaint with the identity check and a receipt kept as a PDF', async ({
  page,
}) => {
  await signIn(page, branchHost!.ready, 'branch01');
  await page.keyboard.press('F2');
  await expect(page.getByTestId('intake-screen')).toHaveAttribute('data-mode', 'walkIn');
  await page.getByTestId('intake-customerPhone').fill('13811112222');
  await page.getByTestId('intake-customerName').fill('王秀兰');
  await page.getByTestId('intake-submit').click();
  // Nothing is saved without the identity check; the errors are at the fields.
  await expect(page.getByTestId('intake-error-idType')).toHaveText('此项为必填');
  await expect(page.getByTestId('intake-created')).toHaveCount(0);

  await chooseOption(page, 'intake-idType', '居民身份证');
  await expect(page.getByTestId('intake-checkedBy')).not.toHaveValue('');
  await chooseOption(page, 'intake-businessLine', '账户');
  await page.getByTestId('intake-description').fill('在网点办理销户时被要求购买理财产品后才能办理');
  await page.getByTestId('intake-customerExpectation').fill('立即办理销户并书面说明原因');
  // Each error leaves as its field is filled.
  await expect(page.locator('[data-testid^="intake-error-"]')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-walk-in.png'), fullPage: true });
  await page.getByTestId('intake-submit').click();
  const number = (await page.getByTestId('created-case-number').textContent())!.trim();

  await page.getByTestId('intake-open-receipt').click();
  await expect(page.getByTestId('receipt-case-number')).toHaveText(number);
  await expect(page.getByTestId('receipt')).toContainText('居民身份证');
  await expect(page.getByTestId('receipt-answer-by')).toHaveText(/\d{4}-\d{2}-\d{2}/);
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-receipt.png'), fullPage: true });

  // The receipt's own address gives the same page again: the PDF copy is made from it.
  const receiptUrl = page.url();
  expect(receiptUrl).toMatch(/#\/receipt\/[0-9a-f-]{36}$/);
  await page.goto(receiptUrl);
  await expect(page.getByTestId('receipt-case-number')).toHaveText(number);
  const pdfPath = join(SCREENSHOTS, 'intake-receipt.pdf');
  await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  expect(text).toContain(number);
  expect(text).toContain('投诉受理回执');
  expect(text).toContain('王秀兰');
  expect(text).toContain('预计答复期限');
  // The print view is the receipt alone: no navigation, no buttons.
  expect(text).not.toContain('打印回执');
  expect(text).not.toContain('我的工单');
});

test('(d) with the central API down, a screen pop answers from the cache and the number is read out at once', async ({
  page,
}) => {
  await signIn(page, agentHost!.ready, 'agent01');
  await api!.stop();
  api = null;
  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'offline', {
    timeout: 30_000,
  });
  await page.goto(`${agentHost!.ready}#/call?number=${CALLER.phone}`);
  const cached = page.getByTestId('customer-cached');
  await expect(cached).toContainText(CALLER.name);
  await expect(page.getByTestId('customer-open-cases')).toContainText(stolenCardNumber);
  await expect(page.getByTestId('intake-customerName')).toHaveValue(CALLER.name);

  // An ID number needs the central API: said plainly, and the intake goes on.
  await page.getByTestId('intake-identifier-lookup').fill('11010519491231002X');
  await page.getByTestId('intake-identifier-lookup').press('Enter');
  await expect(page.getByTestId('customer-lookup-failed')).toHaveAttribute(
    'data-code',
    'CUSTOMER_LOOKUP_OFFLINE',
  );
  await expect(page.getByTestId('customer-lookup-failed')).toContainText('总行系统暂不可用');
  await expect(cached).toContainText(CALLER.name);

  await chooseOption(page, 'intake-businessLine', '借记卡/信用卡');
  await page.getByTestId('intake-description').fill('客户再次来电，询问盗刷款项退回进度');
  await page.getByTestId('intake-customerExpectation').fill('尽快退回款项');
  await expect(page.getByTestId('intake-deadlines').locator('li').first()).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'intake-offline-pop.png'), fullPage: true });
  await page.getByTestId('intake-customerExpectation').press('Control+Enter');
  await expect(page.getByTestId('created-case-number')).toHaveText(/^[A-Z0-9]{2,8}-\d{6}-\d{4}$/);
  await expect(page.getByTestId('intake-created-pending')).toBeVisible();

  api = await startCentralApiProcess(postgres.url, apiPort);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-pending')).toHaveAttribute('data-count', '0', {
    timeout: 30_000,
  });
});
