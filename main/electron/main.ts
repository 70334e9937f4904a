// The Electron main process: one hardened window, the backend in a utility process, and one
// IPC handler per contract method that checks the sender and the input before forwarding.
import {
  app,
  BrowserWindow,
  ipcMain,
  session,
  shell,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  contract,
  METHOD_NAMES,
  validationError,
  type ContractResult,
} from '../../shared/contract';
import { isTrustedSender, workstationWindowOptions, WORKSTATION_CSP } from './window-options';
import { callLinkInArgs, callRouteOf } from './call-link';

const PROTOCOL = 'caseworkstation';
const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const appPageUrl = pathToFileURL(rendererIndex).toString();

let window: BrowserWindow | null = null;
let backend: UtilityProcess | null = null;
let nextCallId = 1;
const waiting = new Map<number, (result: ContractResult<unknown>) => void>();

function startBackend(): UtilityProcess {
  const child = utilityProcess.fork(join(import.meta.dirname, 'backend-process.js'), [], {
    serviceName: 'case-workstation-backend',
    env: {
      ...process.env,
      WORKSTATION_DATA_DIR: join(app.getPath('userData'), 'workstation'),
      // Packaged, the embedded API's .sql migrations ship as a resource (electron-builder.yml).
      WORKSTATION_MIGRATIONS_DIR: app.isPackaged ? join(process.resourcesPath, 'migrations') : '',
    },
  });
  child.on(
    'message',
    (message: {
      kind: string;
      id?: number;
      result?: ContractResult<unknown>;
      event?: string;
      payload?: unknown;
    }) => {
      if (message.kind === 'result' && message.id !== undefined) {
        waiting.get(message.id)?.(message.result!);
        waiting.delete(message.id);
      } else if (message.kind === 'event' && message.event) {
        window?.webContents.send(`workstation:event:${message.event}`, message.payload);
      }
    },
  );
  child.on('exit', () => {
    for (const [id, settle] of waiting) {
      waiting.delete(id);
      settle({
        ok: false,
        error: { code: 'HOST_UNAVAILABLE', message: 'The workstation backend stopped' },
      });
    }
  });
  return child;
}

function registerContractHandlers(): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(
      `workstation:${method}`,
      async (event, input: unknown): Promise<ContractResult<unknown>> => {
        const frame = event.senderFrame;
        if (!frame || !isTrustedSender(frame.url, frame === event.sender.mainFrame, appPageUrl)) {
          return {
            ok: false,
            error: {
              code: 'FORBIDDEN_SENDER',
              message: 'Calls are accepted from the app page only',
            },
          };
        }
        // Validated here too, so that malformed payloads never reach the backend process.
        const parsed = contract[method].input.safeParse(input ?? {});
        if (!parsed.success) return { ok: false, error: validationError(parsed.error) };
        if (!backend)
          return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: 'Backend not running' } };
        const id = nextCallId++;
        return new Promise((resolve) => {
          waiting.set(id, resolve);
          backend!.postMessage({ kind: 'call', id, method, input: parsed.data });
        });
      },
    );
  }
}

function createWindow(): BrowserWindow {
  const created = new BrowserWindow(
    workstationWindowOptions(join(import.meta.dirname, '../preload/index.cjs')),
  );
  created.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the outside open in the system browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  created.webContents.on('will-navigate', (event, url) => {
    if (url !== appPageUrl) event.preventDefault();
  });
  created.once('ready-to-show', () => created.show());
  created.webContents.once('did-finish-load', () => {
    if (pendingCallRoute) showCallRoute(created, pendingCallRoute);
    pendingCallRoute = null;
  });
  void created.loadFile(rendererIndex);
  return created;
}

/** A call link arrived before the window could take it (the app was started by it). */
let pendingCallRoute: string | null = null;

/** A screen pop: the renderer follows the same route as in the browser host. */
function openCallLink(link: string | null): void {
  const route = link ? callRouteOf(link) : null;
  if (!route) return;
  if (!window || window.webContents.isLoading()) {
    pendingCallRoute = route;
    return;
  }
  showCallRoute(window, route);
}

function showCallRoute(target: BrowserWindow, route: string): void {
  if (target.isMinimized()) target.restore();
  target.focus();
  // The route is built from a validated phone number only (call-link.ts).
  void target.webContents.executeJavaScript(`window.location.hash = ${JSON.stringify(route)};`);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.setAsDefaultProtocolClient(PROTOCOL);
  app.on('second-instance', (_event, argv) => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
    openCallLink(callLinkInArgs(argv));
  });
  // macOS hands the link over by event, also when it started the app.
  app.on('open-url', (event, link) => {
    event.preventDefault();
    openCallLink(link);
  });
  // Windows and Linux start the app with the link on its command line.
  openCallLink(callLinkInArgs(process.argv));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: {
          ...details.responseHeaders,
          'Content-Security-Policy': [WORKSTATION_CSP],
        },
      });
    });
    // The workstation needs no camera, microphone, location or notifications permission yet.
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
      callback(false),
    );
    backend = startBackend();
    registerContractHandlers();
    window = createWindow();
  });
  app.on('window-all-closed', () => {
    backend?.kill();
    app.quit();
  });
}
