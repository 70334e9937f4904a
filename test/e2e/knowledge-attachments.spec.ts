// The knowledge base and attachments on the case page, as an agent uses them on a call:
// F3, type 盗刷, open the script, put it into the note and save it (it reaches PostgreSQL);
// attach a photo of the receipt (chosen, and dropped), see it listed, uploaded and
// previewed; a file of a refused type gets a clear message and nothing is stored. The case
// page with the panel open passes an axe check.
import AxeBuilder from '@axe-core/playwright';
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

/**
 * The browser's globals used inside page.evaluate, as far as this test needs them: the file
 * is typed with Node's libraries (a DOM reference would leak into every Node file).
 */
interface InBrowser {
  document: {
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        fillStyle: string;
        font: string;
        fillRect(x: number, y: number, w: number, h: number): void;
        fillText(text: string, x: number, y: number): void;
      } | null;
      toDataURL(type: string): string;
    };
  };
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
  getComputedStyle(element: unknown): { opacity: string };
}

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let database: pg.Client;
let api: Service | null = null;
let apiPort: number;
let host: Service | null = null;
let dataDir: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  postgres = await startPostgres();
  database = new pg.Client({ connectionString: postgres.url });
  await database.connect();
  apiPort = await freePort();
  api = await startCentralApiProcess(postgres.url, apiPort);
  dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-knowledge-'));
  host = await startWebHostProcess(api.ready, dataDir);
});

test.afterAll(async () => {
  await host?.stop();
  await api?.stop();
  await database?.end();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function logComplaint(page: Page) {
  await page.getByTestId('nav-new-complaint').click();
  await page.getByTestId('intake-customerName').fill('周丽华');
  await page.getByTestId('intake-customerPhone').fill('13900006611');
  await page.getByTestId('intake-businessLine').click();
  await page.getByText('借记卡/信用卡', { exact: true }).last().click();
  await page.getByTestId('intake-description').fill('客户反映信用卡昨晚被盗刷三笔，共计5,600元');
  await page.getByTestId('intake-customerExpectation').fill('冻结卡片，退回被盗刷金额');
  await page.getByTestId('intake-submit').click();
  return (await page.getByTestId('created-case-number').textContent())!.trim();
}

/** A receipt-like PNG drawn by the browser itself (Chinese text included). */
async function receiptPng(page: Page, label: string): Promise<Buffer> {
  const dataUrl = await page.evaluate((text) => {
    const canvas = (globalThis as unknown as InBrowser).document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 300;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#fdfaf2';
    g.fillRect(0, 0, 480, 300);
    g.fillStyle = '#c0392b';
    g.fillRect(0, 0, 480, 48);
    g.fillStyle = '#fff';
    g.font = 'bold 22px sans-serif';
    g.fillText('交易凭证', 20, 32);
    g.fillStyle = '#1d2330';
    g.font = '18px sans-serif';
    ['商户：境外网购平台', '金额：¥1,880.00', '时间：2026-11-22 23:41', text].forEach((line, i) =>
      g.fillText(line, 20, 96 + i * 40),
    );
    return canvas.toDataURL('image/png');
  }, label);
  return Buffer.from(dataUrl.split(',')[1]!, 'base64');
}

/** Drops files on an element the way a file manager does: a drop event with a DataTransfer. */
async function dropFiles(
  page: Page,
  testId: string,
  files: { name: string; type: string; base64: string }[],
) {
  const transfer = await page.evaluateHandle((list) => {
    const browser = globalThis as unknown as InBrowser;
    const data = new browser.DataTransfer();
    for (const file of list) {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      data.items.add(new browser.File([bytes], file.name, { type: file.type }));
    }
    return data;
  }, files);
  const target = page.getByTestId(testId);
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await target.dispatchEvent('drop', { dataTransfer: transfer });
}

test('an agent finds the 盗刷 script, puts it into a note, and attaches the receipt', async ({
  page,
}) => {
  await signIn(page, host!.ready);

  // On the intake, the panel is there too (no note box yet: copy instead of insert).
  await page.getByTestId('nav-new-complaint').click();
  await page.getByTestId('knowledge-open').click();
  await page.getByRole('searchbox', { name: '搜索知识库' }).fill('冻结');
  await page.getByTestId('knowledge-hit').first().click();
  await expect(page.getByTestId('knowledge-body')).toBeVisible();
  await expect(page.getByTestId('knowledge-insert')).toHaveCount(0);
  await expect(page.getByTestId('knowledge-copy')).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'knowledge-intake.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('knowledge-panel')).toBeHidden();

  const number = await logComplaint(page);
  await page.getByTestId('nav-my-cases').click();
  await page.locator(`[data-case-number="${number}"]`).click();
  await expect(page.getByTestId('case-detail-number')).toContainText(number);
  await expect(page.getByTestId('knowledge-open')).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'case-page-tools.png') });

  // F3 opens the knowledge panel with the cursor in the search box.
  await page.keyboard.press('F3');
  const panel = page.getByTestId('knowledge-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByRole('searchbox', { name: '搜索知识库' })).toBeFocused();
  await page.keyboard.type('盗刷');
  const hits = page.getByTestId('knowledge-hit');
  await expect(hits.first()).toContainText('盗刷');
  await expect(
    page.locator('[data-testid="knowledge-hit"][data-kind="script"]').first(),
  ).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'knowledge-search.png') });

  // Accessibility of the whole case page with the panel open: nothing serious or critical.
  const axe = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const severe = axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(severe).toEqual([]);

  // The category filter narrows the list; the arrow keys walk it, Enter opens a script.
  await page.getByRole('combobox', { name: '分类' }).click();
  await page.getByTitle('盗刷与欺诈').click();
  await expect(hits.first()).toBeVisible();
  const scriptIndex = await hits.evaluateAll((elements) =>
    elements.findIndex((element) => element.getAttribute('data-kind') === 'script'),
  );
  expect(scriptIndex).toBeGreaterThanOrEqual(0);
  await page.getByRole('searchbox', { name: '搜索知识库' }).focus();
  for (let i = 0; i <= scriptIndex; i += 1) await page.keyboard.press('ArrowDown');
  await expect(hits.nth(scriptIndex)).toBeFocused();
  await page.keyboard.press('Enter');
  const body = page.getByTestId('knowledge-body');
  await expect(body).toBeVisible();
  const script = (await body.textContent())!;
  expect(script.length).toBeGreaterThan(10);
  await page.screenshot({ path: join(SCREENSHOTS, 'knowledge-script.png') });

  // 插入到备注: the text lands in the note box, which takes the focus; Ctrl+Enter saves.
  await page.getByTestId('knowledge-insert').click();
  await expect(panel).toBeHidden();
  const noteBox = page.getByTestId('note-input');
  await expect(noteBox).toHaveValue(script);
  await expect(noteBox).toBeFocused();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('note-item').last()).toContainText(script.slice(0, 20));
  await expect
    .poll(
      async () =>
        (
          await database.query<{ text: string }>(
            `SELECT n.text FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.number = $1`,
            [number],
          )
        ).rows.map((row) => row.text),
      { timeout: 20_000 },
    )
    .toEqual([script]);

  // A progress update to the customer takes a script too: from the dialog, into its text.
  await page.getByTestId('action-RECORD_PROGRESS_UPDATE').click();
  await expect(page.getByTestId('event-form')).toBeVisible();
  await page.getByTestId('notice-knowledge-open').click();
  await expect(panel).toBeVisible();
  await page.getByRole('searchbox', { name: '搜索知识库' }).fill('安抚');
  await page.locator('[data-testid="knowledge-hit"][data-kind="script"]').first().click();
  const noticeScript = (await body.textContent())!;
  await expect(page.getByTestId('knowledge-insert')).toHaveText('插入到通知内容');
  await page.screenshot({ path: join(SCREENSHOTS, 'knowledge-over-notice.png') });
  await page.getByTestId('knowledge-insert').click();
  await expect(panel).toBeHidden();
  await expect(page.getByTestId('event-field-summary')).toHaveValue(noticeScript);
  await page.screenshot({ path: join(SCREENSHOTS, 'notice-with-script.png') });
  await page.getByTestId('event-cancel').click();
  await expect(page.getByTestId('event-form')).toBeHidden();

  // A photo of the receipt, chosen with the file picker: listed, uploaded, previewed.
  const photo = await receiptPng(page, '卡号：6222 **** **** 0431');
  await page.getByTestId('attachments-input').setInputFiles({
    name: '交易凭证.png',
    mimeType: 'image/png',
    buffer: photo,
  });
  const items = page.getByTestId('attachment-item');
  await expect(items.first()).toContainText('交易凭证.png');
  await expect(items.first()).toHaveAttribute('data-state', 'uploaded', { timeout: 20_000 });
  await expect(page.getByTestId('attachment-thumbnail').first().locator('img')).toBeVisible();

  // Another one, dropped on the card; and a program, which is refused with a clear message.
  const second = await receiptPng(page, '银行卡挂失回执');
  await dropFiles(page, 'attachments-panel', [
    { name: '挂失回执.png', type: 'image/png', base64: second.toString('base64') },
    { name: '查看明细.exe', type: 'application/x-msdownload', base64: 'TVqQAAMAAAAEAAAA' },
  ]);
  await expect(items).toHaveCount(2);
  await expect(items.nth(1)).toContainText('挂失回执.png');
  await expect(page.getByTestId('attachments-error')).toContainText('查看明细.exe');
  await expect(page.getByTestId('attachments-error')).toContainText('不支持此文件类型');
  await expect(items.nth(1)).toHaveAttribute('data-state', 'uploaded', { timeout: 20_000 });
  await page.getByTestId('attachments-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'case-attachments.png'), fullPage: true });

  // The server holds exactly the two images, byte for byte; the program never left.
  const stored = await database.query<{ file_name: string; content: Buffer }>(
    `SELECT a.file_name, b.content FROM case_attachments a
       JOIN cases c ON c.id = a.case_id JOIN attachment_blobs b ON b.sha256 = a.sha256
      WHERE c.number = $1 ORDER BY a.created_at`,
    [number],
  );
  expect(stored.rows.map((row) => row.file_name)).toEqual(['交易凭证.png', '挂失回执.png']);
  expect(stored.rows[0]!.content.equals(photo)).toBe(true);
  expect(stored.rows[1]!.content.equals(second)).toBe(true);

  // The preview opens from the keyboard and closes with Escape.
  await page.getByTestId('attachment-thumbnail').first().focus();
  await page.keyboard.press('Enter');
  const preview = page.getByTestId('attachment-preview-image');
  await expect(preview).toBeVisible();
  await expect
    .poll(() =>
      preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    )
    .toBe(480);
  // The dialog's zoom-in animation ends at full opacity.
  await expect
    .poll(() =>
      page
        .locator('.ant-modal')
        .evaluate((modal) => (globalThis as unknown as InBrowser).getComputedStyle(modal).opacity),
    )
    .toBe('1');
  await page.screenshot({ path: join(SCREENSHOTS, 'attachment-preview.png') });
  await page.keyboard.press('Escape');
  await expect(preview).toBeHidden();

  // With the central API down, a file is kept here as 待上传 and goes up once it is back.
  await api!.stop();
  api = null;
  await page.getByTestId('attachments-input').setInputFiles({
    name: '报案回执.png',
    mimeType: 'image/png',
    buffer: await receiptPng(page, '报案回执编号 2026-1123-0088'),
  });
  await expect(items).toHaveCount(3);
  await expect(items.nth(2)).toHaveAttribute('data-state', 'pending');
  await expect(items.nth(2).getByTestId('attachment-pending')).toHaveText('待上传');
  // The status bar counts it as waiting.
  await expect(page.getByTestId('sync-pending')).toHaveAttribute('data-count', '1');
  await page.getByTestId('attachments-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'attachment-pending-offline.png') });
  api = await startCentralApiProcess(postgres.url, apiPort);
  await expect(items.nth(2)).toHaveAttribute('data-state', 'uploaded', { timeout: 45_000 });
  await expect(page.getByTestId('sync-pending')).toHaveAttribute('data-count', '0');
  const afterOutage = await database.query<{ file_name: string }>(
    `SELECT a.file_name FROM case_attachments a JOIN cases c ON c.id = a.case_id
      WHERE c.number = $1 ORDER BY a.created_at`,
    [number],
  );
  expect(afterOutage.rows.map((row) => row.file_name)).toEqual([
    '交易凭证.png',
    '挂失回执.png',
    '报案回执.png',
  ]);
});
