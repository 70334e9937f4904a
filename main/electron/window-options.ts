// The one place the workstation window's web preferences are decided, so a test can hold them.
import type { BrowserWindowConstructorOptions } from 'electron';

export function workstationWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 680,
    show: false,
    title: '工单工作台 Case Workstation',
    backgroundColor: '#f3f5f9',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  };
}

/** The page's CSP, also sent as a header for every response the window receives. */
export const WORKSTATION_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Only the app's own page, in its top frame, may call the backend. */
export function isTrustedSender(
  frameUrl: string,
  isTopFrame: boolean,
  appPageUrl: string,
): boolean {
  if (!isTopFrame) return false;
  try {
    const frame = new URL(frameUrl);
    const app = new URL(appPageUrl);
    return (
      frame.protocol === app.protocol && frame.host === app.host && frame.pathname === app.pathname
    );
  } catch {
    return false;
  }
}
