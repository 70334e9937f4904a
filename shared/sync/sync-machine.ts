// The workstation's sync machine (XState v5). Pure: guards and `assign` only, no I/O and no
// timers. Whatever needs a clock or a die comes in with the events (`at`, `random`), and the
// next retry is data (`nextRetryAt`): the sync engine (main/backend/sync-engine.ts) owns the
// timers, does the network work, and reports back with events. XState `after` timers are
// not used because they do not survive a restored snapshot (xstate #5331), and a machine
// that reads the clock cannot be tested as a function.
//
//   signed_out ──SIGNED_IN──▶ pushing ──PUSH_DONE──▶ pulling ──PULL_DONE──▶ idle
//                               │  ▲                   │                     │
//           NETWORK_FAILED ─────┤  └── SYNC_REQUESTED, NETWORK_BACK, POKED ──┘ (POKED: pull only)
//                               ▼
//                            offline (nextRetryAt = at + full-jitter backoff; straight to
//                               pushing instead if a sync was asked for during the attempt)
//                               └─ SYNC_REQUESTED (the retry timer, or the agent), NETWORK_BACK,
//                                  POKED, REAUTHENTICATED ─▶ pushing, at once
//   UNAUTHORIZED ─▶ token_expired: the outbox stays; only a sign-in (REAUTHENTICATED,
//   SIGNED_IN) resumes. SIGNED_OUT from anywhere ─▶ signed_out.
//
// Each push or pull the machine starts gets a new `op` number; results carry the number of
// the operation they answer, and a stale answer (one from before a sign-out or a sign-in,
// say) is ignored.
// A request that arrives mid-run is remembered (`again`) and served when the run ends, so
// a poke that lands while a pull's snapshot is already taken is never lost.
import { and, assign, setup, type SnapshotFrom } from 'xstate';

export interface BackoffPolicy {
  /** The ceiling after the first failure; it doubles with each further failure. */
  baseDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

/** The upper bound of the delay after `failures` failures in a row (0 when none). */
export function backoffCeiling(failures: number, policy: BackoffPolicy): number {
  if (!(failures > 0)) return 0;
  const max = Math.max(0, policy.maxDelayMs);
  const base = Math.max(0, Math.min(policy.baseDelayMs, max));
  return Math.min(max, base * 2 ** Math.min(failures - 1, 40));
}

/**
 * Exponential backoff with full jitter (a uniform draw below the ceiling), so that a room
 * of workstations losing the API together does not come back in lockstep.
 * `random` is a draw in [0, 1), given by the caller: the machine stays a function.
 */
export function backoffDelay(failures: number, random: number, policy: BackoffPolicy): number {
  const ceiling = backoffCeiling(failures, policy);
  const draw = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  return Math.min(ceiling, Math.floor(draw * ceiling));
}

export type SyncMachineState =
  'signed_out' | 'idle' | 'pushing' | 'pulling' | 'offline' | 'token_expired';

export interface SyncContext {
  policy: BackoffPolicy;
  /** Failed attempts in a row; 0 after any success. */
  failures: number;
  /** The delay drawn at the last failure, and when the engine should retry (epoch ms). */
  retryDelayMs: number | null;
  nextRetryAt: number | null;
  lastError: string | null;
  /** Epoch ms of the last complete push + pull. */
  lastSyncedAt: number | null;
  /** Did the last contact with the API succeed? Retries from offline still show offline. */
  reachable: boolean;
  /** Number of the push or pull under way (or last started). */
  op: number;
  /** Asked for during a run: another full run, or just another pull. */
  again: 'none' | 'pull' | 'sync';
}

export type SyncEvent =
  /** A user signed in (online: the API answered the sign-in; offline sign-in: false). */
  | { type: 'SIGNED_IN'; online?: boolean }
  | { type: 'SIGNED_OUT' }
  /** A local change, the agent's button, the poll timer or the retry timer. */
  | { type: 'SYNC_REQUESTED' }
  /** The server said cases changed: pull. */
  | { type: 'POKED' }
  | { type: 'PUSH_DONE'; op: number; at: number }
  | { type: 'PULL_DONE'; op: number; at: number }
  | { type: 'NETWORK_FAILED'; op: number; at: number; random: number; error: string }
  | { type: 'UNAUTHORIZED'; op: number }
  /** A new token after token_expired, without a sign-out: the outbox is intact. */
  | { type: 'REAUTHENTICATED' }
  /** Evidence the API is reachable again (the poke stream reconnected). */
  | { type: 'NETWORK_BACK' };

export interface SyncMachineInput {
  policy?: Partial<BackoffPolicy>;
}

/** What a push or a pull in flight does with failures and with requests that arrive meanwhile. */
const IN_FLIGHT = {
  NETWORK_FAILED: [
    // Asked for while this attempt was failing (the agent's button, the stream back):
    // that request deserves an attempt of its own, now; the failure still counts.
    {
      guard: and(['currentOp', 'againSync']),
      target: 'pushing',
      reenter: true,
      actions: ['failed', 'startOp'],
    },
    { guard: 'currentOp', target: 'offline', actions: 'failed' },
  ],
  UNAUTHORIZED: { guard: 'currentOp', target: 'token_expired', actions: 'tokenExpired' },
  // A sign-in mid-run (maybe another user): start over, what is in flight is stale.
  SIGNED_IN: { target: 'pushing', reenter: true, actions: ['signedIn', 'startOp'] },
  REAUTHENTICATED: { actions: ['reauthenticated', 'wantSync'] },
  SYNC_REQUESTED: { actions: 'wantSync' },
  NETWORK_BACK: { actions: 'wantSync' },
} as const;

export const syncMachine = setup({
  types: {
    context: {} as SyncContext,
    events: {} as SyncEvent,
    input: {} as SyncMachineInput | undefined,
  },
  guards: {
    currentOp: ({ context, event }) => 'op' in event && event.op === context.op,
    againSync: ({ context }) => context.again === 'sync',
    againPull: ({ context }) => context.again === 'pull',
  },
  actions: {
    // A new push or pull; a request noted during a push still stands for the pull after it.
    startOp: assign({
      op: ({ context }) => context.op + 1,
      nextRetryAt: () => null,
      retryDelayMs: () => null,
    }),
    succeeded: assign({
      failures: () => 0,
      lastError: () => null,
      reachable: () => true,
      nextRetryAt: () => null,
      retryDelayMs: () => null,
    }),
    signedIn: assign(({ event }) => ({
      failures: 0,
      lastError: null,
      nextRetryAt: null,
      retryDelayMs: null,
      again: 'none' as const,
      reachable: event.type === 'SIGNED_IN' ? event.online !== false : true,
    })),
    reauthenticated: assign({ lastError: () => null }),
    signedOut: assign({
      failures: () => 0,
      lastError: () => null,
      nextRetryAt: () => null,
      retryDelayMs: () => null,
      again: () => 'none' as const,
      reachable: () => true,
      op: ({ context }) => context.op + 1, // whatever is in flight is now stale
    }),
    // The end of a run: what was asked for during it is served by what comes next.
    pulled: assign({
      lastSyncedAt: ({ event, context }) =>
        event.type === 'PULL_DONE' ? event.at : context.lastSyncedAt,
      again: () => 'none' as const,
    }),
    failed: assign(({ context, event }) => {
      if (event.type !== 'NETWORK_FAILED') return {};
      const failures = context.failures + 1;
      const delay = backoffDelay(failures, event.random, context.policy);
      return {
        failures,
        reachable: false,
        lastError: event.error,
        retryDelayMs: delay,
        nextRetryAt: event.at + delay,
        again: 'none' as const,
      };
    }),
    tokenExpired: assign({
      lastError: () => 'UNAUTHENTICATED',
      again: () => 'none' as const,
      nextRetryAt: () => null,
      retryDelayMs: () => null,
    }),
    wantSync: assign({ again: () => 'sync' as const }),
    wantPull: assign({
      again: ({ context }) => (context.again === 'sync' ? ('sync' as const) : ('pull' as const)),
    }),
  },
}).createMachine({
  id: 'sync',
  initial: 'signed_out',
  context: ({ input }) => ({
    policy: { ...DEFAULT_BACKOFF, ...input?.policy },
    failures: 0,
    retryDelayMs: null,
    nextRetryAt: null,
    lastError: null,
    lastSyncedAt: null,
    reachable: true,
    op: 0,
    again: 'none',
  }),
  on: {
    // From every state, signed-out included (where it changes nothing but staleness).
    SIGNED_OUT: { target: '.signed_out', actions: 'signedOut' },
  },
  states: {
    signed_out: {
      on: {
        SIGNED_IN: { target: 'pushing', actions: ['signedIn', 'startOp'] },
      },
    },
    idle: {
      on: {
        SIGNED_IN: { target: 'pushing', actions: ['signedIn', 'startOp'] },
        REAUTHENTICATED: { target: 'pushing', actions: ['reauthenticated', 'startOp'] },
        SYNC_REQUESTED: { target: 'pushing', actions: 'startOp' },
        NETWORK_BACK: { target: 'pushing', actions: 'startOp' },
        POKED: { target: 'pulling', actions: 'startOp' },
      },
    },
    pushing: {
      on: {
        PUSH_DONE: { guard: 'currentOp', target: 'pulling', actions: ['succeeded', 'startOp'] },
        ...IN_FLIGHT,
        // A pull follows this push, from a snapshot taken after the poke: nothing to note.
      },
    },
    pulling: {
      on: {
        PULL_DONE: [
          {
            guard: and(['currentOp', 'againSync']),
            target: 'pushing',
            actions: ['succeeded', 'pulled', 'startOp'],
          },
          {
            guard: and(['currentOp', 'againPull']),
            target: 'pulling',
            reenter: true,
            actions: ['succeeded', 'pulled', 'startOp'],
          },
          { guard: 'currentOp', target: 'idle', actions: ['succeeded', 'pulled'] },
        ],
        ...IN_FLIGHT,
        POKED: { actions: 'wantPull' },
      },
    },
    offline: {
      on: {
        SIGNED_IN: { target: 'pushing', actions: ['signedIn', 'startOp'] },
        REAUTHENTICATED: { target: 'pushing', actions: ['reauthenticated', 'startOp'] },
        SYNC_REQUESTED: { target: 'pushing', actions: 'startOp' },
        NETWORK_BACK: { target: 'pushing', actions: 'startOp' },
        POKED: { target: 'pushing', actions: 'startOp' },
      },
    },
    token_expired: {
      // Pushing again with the refused token would only be refused again: wait for a
      // sign-in. The outbox is untouched, and so is the cache.
      on: {
        SIGNED_IN: { target: 'pushing', actions: ['signedIn', 'startOp'] },
        REAUTHENTICATED: { target: 'pushing', actions: ['reauthenticated', 'startOp'] },
      },
    },
  },
});

export type SyncSnapshot = SnapshotFrom<typeof syncMachine>;

export function syncState(snapshot: SyncSnapshot): SyncMachineState {
  return snapshot.value as SyncMachineState;
}

export const isSignedIn = (snapshot: SyncSnapshot): boolean => syncState(snapshot) !== 'signed_out';

/** A push or pull is under way: the engine owes the machine an answer for `op`. */
export const isWorking = (snapshot: SyncSnapshot): boolean =>
  syncState(snapshot) === 'pushing' || syncState(snapshot) === 'pulling';

/** Nothing under way and nothing asked for: what `request()` waits for. */
export const isResting = (snapshot: SyncSnapshot): boolean => !isWorking(snapshot);

/** The machine as the status bar shows it (shared/contract.ts SyncStatus.state). */
export function reportedSyncState(
  snapshot: SyncSnapshot,
): 'signed_out' | 'online' | 'syncing' | 'offline' {
  switch (syncState(snapshot)) {
    case 'signed_out':
    case 'token_expired':
      return 'signed_out';
    case 'idle':
      return 'online';
    case 'offline':
      return 'offline';
    case 'pushing':
    case 'pulling':
      // A retry from offline is still "offline" until it gets through: no flicker.
      return snapshot.context.reachable ? 'syncing' : 'offline';
  }
}

/** The error the status bar shows: token_expired reads as signed out + UNAUTHENTICATED. */
export function reportedSyncError(snapshot: SyncSnapshot): string | null {
  const state = syncState(snapshot);
  if (state === 'token_expired') return 'UNAUTHENTICATED';
  if (state === 'signed_out' || state === 'idle') return null;
  return snapshot.context.lastError;
}
