// What every browser-host journey shares: where screenshots go, and signing in the way an
// agent does (the backend keeps its session across page loads: only when it asks).
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SCREENSHOTS = join(process.cwd(), 'artifacts', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export async function signIn(page: Page, launchUrl: string, username = 'agent01'): Promise<void> {
  await page.goto(launchUrl);
  const signInForm = page.getByTestId('signin-username');
  await expect(signInForm.or(page.getByTestId('nav-my-cases'))).toBeVisible();
  if (await signInForm.isVisible()) {
    await signInForm.fill(username);
    await page.getByTestId('signin-password').fill('demo1234');
    await page.getByTestId('signin-submit').click();
  }
  await expect(page.getByTestId('nav-my-cases')).toBeVisible();
}
