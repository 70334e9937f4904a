// How the UI reaches the backend: the Electron preload's `window.workstation`, or, in the
// browser host, the same contract over a WebSocket with the per-launch token.
import {
  EVENT_NAMES,
  METHOD_NAMES,
  type ContractError,
  type ContractResult,
  type EventName,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type WorkstationApi,
} from '../../shared/contract';

declare global {
  interface Window {
    workstation?: WorkstationApi;
  }
}

type ServerMessage =
  | { kind: 'result'; id: number; result: ContractResult<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown };

const TOKEN_KEY = 'workstation.token';

function takeLaunchToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** The WebSocket transport: generic over the contract, reconnects when the host restarts. */
function createWebSocketWorkstation(): WorkstationApi {
  const token = takeLaunchToken();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const waiting = new Map<number, (result: ContractResult<unknown>) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(
        `${protocol}//${window.location.host}/ws?token=${encodeURIComponent(token)}`,
      );
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error('HOST_UNAVAILABLE'));
      ws.onclose = () => {
        socket = null;
        ready = null;
        for (const [id, settle] of waiting) {
          waiting.delete(id);
          settle({
            ok: false,
            error: { code: 'HOST_UNAVAILABLE', message: 'Workstation host closed the connection' },
          });
        }
        // The host may be restarting: reconnect so events keep flowing.
        setTimeout(() => void connect().catch(() => undefined), 1000);
      };
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as ServerMessage;
        if (data.kind === 'result') {
          waiting.get(data.id)?.(data.result);
          waiting.delete(data.id);
        } else {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
        }
      };
    });
    return ready;
  };

  const call = async (method: MethodName, input: unknown): Promise<ContractResult<unknown>> => {
    let ws: WebSocket;
    try {
      ws = socket ?? (await connect());
    } catch {
      return {
        ok: false,
        error: { code: 'HOST_UNAVAILABLE', message: 'Workstation host unreachable' },
      };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ kind: 'call', id, method, input }));
    });
  };

  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) api[method] = (input: unknown) => call(method, input);
  const on: Record<string, unknown> = {};
  for (const event of EVENT_NAMES) {
    on[event] = (listener: (payload: unknown) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      void connect().catch(() => undefined);
      return () => listeners.get(event)?.delete(listener);
    };
  }
  api.on = on;
  void connect().catch(() => undefined);
  return api as WorkstationApi;
}

export const workstation: WorkstationApi = window.workstation ?? createWebSocketWorkstation();

/** Thrown by `callWorkstation` so that screens can show `error.code` translated. */
export class WorkstationError extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
  }
}

/** Calls a contract method and unwraps its result; the error keeps its code and fields. */
export async function callWorkstation<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  const fn = workstation[method] as (
    input: MethodInput<M>,
  ) => Promise<ContractResult<MethodOutput<M>>>;
  const result = await fn(input);
  if (!result.ok) throw new WorkstationError(result.error);
  return result.value;
}
