// Exposes the workstation contract to the page: one function per method, one subscription per
// event, nothing else (no generic invoke/send/on).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES } from '../shared/contract-names';

const api: Record<string, unknown> = {};
for (const method of METHOD_NAMES) {
  api[method] = (input: unknown) => ipcRenderer.invoke(`workstation:${method}`, input);
}
const on: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
for (const event of EVENT_NAMES) {
  on[event] = (listener) => {
    const channel = `workstation:event:${event}`;
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  };
}
api.on = on;
contextBridge.exposeInMainWorld('workstation', api);
