// The desktop app itself, driven through Electron. Needs Electron's binary, which machines
// without network access to its download host (such as CI here) do not have.
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Electron's binary, found without `require('electron')`, which would try to download it. */
function electronBinary(): string | null {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const mainEntry = join(process.cwd(), 'out/main/index.js');

test.describe('the desktop app', () => {
  test.skip(
    !binary,
    'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): the Electron suite is skipped',
  );
  test.skip(!existsSync(mainEntry), 'Electron build missing: run `npm run build` first');

  test('opens a hardened window that signs an agent in and logs a complaint', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [mainEntry, `--user-data-dir=${mkdtempSync(join(tmpdir(), 'cw-electron-'))}`],
    });
    const window = await app.firstWindow();
    // The page sees neither Node nor Electron: only the contract's functions.
    expect(
      await window.evaluate(() => typeof (window as unknown as { process?: unknown }).process),
    ).toBe('undefined');
    expect(
      await window.evaluate(() =>
        Object.keys((window as unknown as { workstation: object }).workstation).sort(),
      ),
    ).toContain('cases.create');
    expect(
      await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
    ).toBe('undefined');
    await window.getByTestId('signin-username').fill('agent01');
    await window.getByTestId('signin-password').fill('demo1234');
    await window.getByTestId('signin-password').press('Enter');
    await expect(window.getByTestId('sync-state')).toBeVisible();
    await app.close();
  });
});
