// Entry of the Electron utility process that owns the SQLite connection (never the main
// thread). It speaks to the main process through parentPort with {id, method, input} calls.
import { startEmbeddedCentralApi } from '../backend/embedded-api';
import { MemorySecretStore } from '../backend/secret-store';
import { WorkstationBackend } from '../backend/workstation-backend';

interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as unknown as { parentPort: ParentPort }).parentPort;

const dataDir = process.env.WORKSTATION_DATA_DIR!;
const embedded = process.env.CASE_API_URL
  ? null
  : await startEmbeddedCentralApi(dataDir, process.env.WORKSTATION_MIGRATIONS_DIR || undefined);
// keytar arrives with the privacy issue; until then the token lives in this process's memory.
const backend = await WorkstationBackend.open({
  dataDir,
  apiUrl: process.env.CASE_API_URL ?? embedded!.url,
  secrets: new MemorySecretStore(),
});
backend.subscribe((event, payload) => parentPort.postMessage({ kind: 'event', event, payload }));

parentPort.on('message', ({ data }) => {
  const call = data as { kind: string; id: number; method: string; input: unknown };
  if (call.kind !== 'call') return;
  void backend.call(call.method, call.input).then((result) => {
    parentPort.postMessage({ kind: 'result', id: call.id, result });
  });
});
parentPort.postMessage({ kind: 'ready' });
