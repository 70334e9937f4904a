import { describe, expect, it } from 'vitest';
import {
  isTrustedSender,
  workstationWindowOptions,
  WORKSTATION_CSP,
} from '../../main/electron/window-options';

describe('the workstation window', () => {
  const options = workstationWindowOptions('/app/out/preload/index.cjs');

  it('isolates the page from Node and Electron', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.webPreferences?.preload).toBe('/app/out/preload/index.cjs');
  });

  it('allows no remote script, frame, object or form target', () => {
    expect(WORKSTATION_CSP).toContain("default-src 'self'");
    expect(WORKSTATION_CSP).toContain("script-src 'self'");
    expect(WORKSTATION_CSP).not.toMatch(/unsafe-eval|https?:/);
    expect(WORKSTATION_CSP).toContain("object-src 'none'");
    expect(WORKSTATION_CSP).toContain("frame-ancestors 'none'");
  });

  it('accepts calls only from the app page in its top frame', () => {
    const page = 'file:///app/out/renderer/index.html';
    expect(isTrustedSender(page, true, page)).toBe(true);
    expect(isTrustedSender(`${page}#/cases`, true, page)).toBe(true);
    expect(isTrustedSender(page, false, page)).toBe(false);
    expect(isTrustedSender('https://evil.example/index.html', true, page)).toBe(false);
    expect(isTrustedSender('file:///tmp/other.html', true, page)).toBe(false);
    expect(isTrustedSender('not a url', true, page)).toBe(false);
  });
});
