// The workstation's sync machine as a pure function: examples of its paths, and properties
// over random event sequences (fast-check, fixed seeds).
import fc from 'fast-check';
import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  backoffCeiling,
  backoffDelay,
  isSignedIn,
  reportedSyncError,
  reportedSyncState,
  syncMachine,
  syncState,
  type BackoffPolicy,
  type SyncEvent,
  type SyncSnapshot,
} from '../../shared/sync/sync-machine';

const POLICY: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };
const start = (policy: BackoffPolicy = POLICY) => initialTransition(syncMachine, { policy })[0];
const send = (snapshot: SyncSnapshot, event: SyncEvent) =>
  transition(syncMachine, snapshot, event)[0];
const run = (snapshot: SyncSnapshot, ...events: SyncEvent[]) => events.reduce(send, snapshot);

/** Answers for whatever operation is under way now. */
const pushDone = (s: SyncSnapshot, at = 0): SyncEvent => ({
  type: 'PUSH_DONE',
  op: s.context.op,
  at,
});
const pullDone = (s: SyncSnapshot, at = 0): SyncEvent => ({
  type: 'PULL_DONE',
  op: s.context.op,
  at,
});
const failed = (s: SyncSnapshot, at = 0, random = 0.5): SyncEvent => ({
  type: 'NETWORK_FAILED',
  op: s.context.op,
  at,
  random,
  error: 'API_UNREACHABLE',
});

describe('the sync machine, by example', () => {
  it('signs in straight into a push, then pulls, then rests online', () => {
    let s = start();
    expect(syncState(s)).toBe('signed_out');
    expect(reportedSyncState(s)).toBe('signed_out');
    s = send(s, { type: 'SIGNED_IN' });
    expect(syncState(s)).toBe('pushing');
    expect(reportedSyncState(s)).toBe('syncing');
    s = send(s, pushDone(s));
    expect(syncState(s)).toBe('pulling');
    s = send(s, pullDone(s, 1234));
    expect(syncState(s)).toBe('idle');
    expect(reportedSyncState(s)).toBe('online');
    expect(s.context.lastSyncedAt).toBe(1234);
  });

  it('pulls (without pushing) on a poke, and pulls again for a poke during the pull', () => {
    let s = run(start(), { type: 'SIGNED_IN' });
    s = run(s, pushDone(s));
    s = run(s, pullDone(s));
    s = send(s, { type: 'POKED' });
    expect(syncState(s)).toBe('pulling');
    const firstPull = s.context.op;
    s = send(s, { type: 'POKED' }); // lands while the pull's snapshot may already be taken
    s = send(s, pullDone(s));
    expect(syncState(s)).toBe('pulling');
    expect(s.context.op).toBe(firstPull + 1);
    s = send(s, pullDone(s));
    expect(syncState(s)).toBe('idle');
  });

  it('runs again after a run when a sync was asked for during it', () => {
    let s = run(start(), { type: 'SIGNED_IN' });
    s = send(s, { type: 'SYNC_REQUESTED' });
    s = run(s, pushDone(s));
    s = run(s, pullDone(s));
    expect(syncState(s)).toBe('pushing');
    s = run(s, pushDone(s));
    s = run(s, pullDone(s));
    expect(syncState(s)).toBe('idle');
  });

  it('backs off when the API is unreachable, with the retry time as data', () => {
    let s = run(start(), { type: 'SIGNED_IN' });
    s = send(s, failed(s, 10_000, 0.5));
    expect(syncState(s)).toBe('offline');
    expect(reportedSyncState(s)).toBe('offline');
    expect(s.context).toMatchObject({
      failures: 1,
      retryDelayMs: 500,
      nextRetryAt: 10_500,
      lastError: 'API_UNREACHABLE',
    });
    expect(reportedSyncError(s)).toBe('API_UNREACHABLE');
    // The retry timer fires: a retry from offline still reads "offline" until it gets through.
    s = send(s, { type: 'SYNC_REQUESTED' });
    expect(syncState(s)).toBe('pushing');
    expect(reportedSyncState(s)).toBe('offline');
    s = send(s, failed(s, 20_000, 0.5));
    expect(s.context).toMatchObject({ failures: 2, retryDelayMs: 1_000, nextRetryAt: 21_000 });
    s = send(s, { type: 'NETWORK_BACK' });
    expect(syncState(s)).toBe('pushing');
    expect(s.context.nextRetryAt).toBeNull();
    s = send(s, pushDone(s));
    expect(s.context).toMatchObject({ failures: 0, lastError: null, reachable: true });
    expect(reportedSyncState(s)).toBe('syncing');
  });

  it('tries again at once when a sync was asked for while an attempt was failing', () => {
    let s = run(start(), { type: 'SIGNED_IN' });
    s = send(s, { type: 'SYNC_REQUESTED' });
    const op = s.context.op;
    s = send(s, failed(s));
    expect(syncState(s)).toBe('pushing');
    expect(s.context.op).toBe(op + 1);
    expect(s.context.failures).toBe(1);
    s = send(s, failed(s));
    expect(syncState(s)).toBe('offline');
  });

  it('waits for a sign-in after a refused token, keeping its place, and resumes at once', () => {
    let s = run(start(), { type: 'SIGNED_IN' });
    s = run(s, pushDone(s));
    s = send(s, { type: 'UNAUTHORIZED', op: s.context.op });
    expect(syncState(s)).toBe('token_expired');
    expect(isSignedIn(s)).toBe(true);
    expect(reportedSyncState(s)).toBe('signed_out');
    expect(reportedSyncError(s)).toBe('UNAUTHENTICATED');
    // Nothing but a sign-in gets it out: the same token would be refused again.
    for (const event of [
      { type: 'SYNC_REQUESTED' },
      { type: 'POKED' },
      { type: 'NETWORK_BACK' },
    ] as const) {
      expect(syncState(send(s, event))).toBe('token_expired');
    }
    s = send(s, { type: 'REAUTHENTICATED' });
    expect(syncState(s)).toBe('pushing');
    expect(reportedSyncError(s)).toBeNull();
  });

  it('ignores the answer to an operation it has moved past', () => {
    let s = run(start(), { type: 'SIGNED_IN' });
    const stale = s.context.op;
    s = run(s, { type: 'SIGNED_OUT' }, { type: 'SIGNED_IN' });
    const before = s;
    s = send(s, { type: 'PUSH_DONE', op: stale, at: 0 });
    s = send(s, { type: 'NETWORK_FAILED', op: stale, at: 0, random: 0, error: 'X' });
    s = send(s, { type: 'UNAUTHORIZED', op: stale });
    expect(s.value).toBe(before.value);
    expect(s.context).toEqual(before.context);
  });

  it('starts an offline sign-in as offline until the API answers', () => {
    let s = send(start(), { type: 'SIGNED_IN', online: false });
    expect(syncState(s)).toBe('pushing');
    expect(reportedSyncState(s)).toBe('offline');
    s = send(s, pushDone(s));
    expect(reportedSyncState(s)).toBe('syncing');
  });
});

describe('backoff', () => {
  const policies = fc
    .record({
      base: fc.integer({ min: 1, max: 10_000 }),
      extra: fc.integer({ min: 0, max: 600_000 }),
    })
    .map(({ base, extra }) => ({ baseDelayMs: base, maxDelayMs: base + extra }));
  const draws = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('never exceeds the maximum, and grows with failures for any draw', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 80 }), draws, (policy, failures, r) => {
        const delay = backoffDelay(failures, r, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
        expect(backoffDelay(failures + 1, r, policy)).toBeGreaterThanOrEqual(delay);
        const ceiling = backoffCeiling(failures, policy);
        expect(backoffCeiling(failures + 1, policy)).toBe(Math.min(policy.maxDelayMs, ceiling * 2));
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('draws below the ceiling (full jitter) and is zero without failures', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 40 }), draws, (policy, failures, r) => {
        const ceiling = backoffCeiling(failures, policy);
        expect(backoffDelay(failures, r, policy)).toBe(Math.floor(r * ceiling));
        expect(backoffDelay(0, r, policy)).toBe(0);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

// --- properties over event sequences ----------------------------------------------------

/** An event as generated: answers name "the current operation" or a stale one. */
type Step =
  | { type: 'SIGNED_IN'; online: boolean }
  | { type: 'SIGNED_OUT' | 'SYNC_REQUESTED' | 'POKED' | 'REAUTHENTICATED' | 'NETWORK_BACK' }
  | { type: 'PUSH_DONE' | 'PULL_DONE' | 'UNAUTHORIZED'; stale: boolean }
  | { type: 'NETWORK_FAILED'; stale: boolean; random: number }
  | { type: 'TICK'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('SIGNED_IN' as const), online: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom(
        'SIGNED_OUT' as const,
        'SYNC_REQUESTED' as const,
        'POKED' as const,
        'REAUTHENTICATED' as const,
        'NETWORK_BACK' as const,
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constantFrom('PUSH_DONE' as const, 'PULL_DONE' as const, 'UNAUTHORIZED' as const),
      stale: fc.oneof(
        { weight: 1, arbitrary: fc.constant(true) },
        { weight: 5, arbitrary: fc.constant(false) },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('NETWORK_FAILED' as const),
      stale: fc.boolean(),
      random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('TICK' as const), ms: fc.nat(120_000) }) },
);

function toEvent(s: SyncSnapshot, generated: Step, now: number): SyncEvent | null {
  switch (generated.type) {
    case 'TICK':
      return null;
    case 'SIGNED_IN':
      return { type: 'SIGNED_IN', online: generated.online };
    case 'PUSH_DONE':
    case 'PULL_DONE': {
      const op = generated.stale ? s.context.op - 1 : s.context.op;
      return { type: generated.type, op, at: now };
    }
    case 'UNAUTHORIZED':
      return { type: 'UNAUTHORIZED', op: generated.stale ? s.context.op - 1 : s.context.op };
    case 'NETWORK_FAILED':
      return {
        type: 'NETWORK_FAILED',
        op: generated.stale ? s.context.op - 1 : s.context.op,
        at: now,
        random: generated.random,
        error: 'API_UNREACHABLE',
      };
    default:
      return { type: generated.type };
  }
}

const policies = fc
  .record({ base: fc.integer({ min: 1, max: 5_000 }), extra: fc.integer({ min: 0, max: 120_000 }) })
  .map(({ base, extra }) => ({ baseDelayMs: base, maxDelayMs: base + extra }));

/** Walks a sequence, handing each step's before/after to `check`. */
function walk(
  policy: BackoffPolicy,
  steps: Step[],
  check: (before: SyncSnapshot, event: SyncEvent, after: SyncSnapshot, now: number) => void,
) {
  let s = start(policy);
  let now = 1_700_000_000_000;
  for (const generated of steps) {
    if (generated.type === 'TICK') now += generated.ms;
    const event = toEvent(s, generated, now);
    if (!event) continue;
    const after = send(s, event);
    check(s, event, after, now);
    s = after;
  }
}

describe('the sync machine over any event sequence', () => {
  const sequences = fc.array(step, { maxLength: 80 });

  it('never loses track of whether someone is signed in', () => {
    fc.assert(
      fc.property(policies, sequences, (policy, steps) => {
        let signedIn = false; // the model: only SIGNED_IN and SIGNED_OUT change it
        walk(policy, steps, (_before, event, after) => {
          if (event.type === 'SIGNED_IN') signedIn = true;
          if (event.type === 'SIGNED_OUT') signedIn = false;
          expect(isSignedIn(after)).toBe(signedIn);
          expect(reportedSyncState(after) === 'signed_out').toBe(
            !signedIn || syncState(after) === 'token_expired',
          );
        });
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('keeps every retry delay within the maximum, growing with failures, reset by success', () => {
    fc.assert(
      fc.property(policies, sequences, (policy, steps) => {
        walk(policy, steps, (before, event, after, now) => {
          const { context } = after;
          if (syncState(after) === 'offline') {
            expect(context.failures).toBeGreaterThan(0);
            expect(context.retryDelayMs).not.toBeNull();
            expect(context.retryDelayMs!).toBeLessThanOrEqual(policy.maxDelayMs);
            expect(context.retryDelayMs!).toBeLessThanOrEqual(
              backoffCeiling(context.failures, policy),
            );
          }
          if (event.type === 'NETWORK_FAILED' && after.context.failures > before.context.failures) {
            // One more failure in a row: the ceiling it draws under does not shrink.
            expect(after.context.failures).toBe(before.context.failures + 1);
            expect(backoffCeiling(after.context.failures, policy)).toBeGreaterThanOrEqual(
              backoffCeiling(before.context.failures, policy),
            );
            expect(after.context.nextRetryAt === null || after.context.nextRetryAt >= now).toBe(
              true,
            );
            if (syncState(after) === 'offline') {
              expect(after.context.nextRetryAt).toBe(now + after.context.retryDelayMs!);
            }
          }
          const success =
            (event.type === 'PUSH_DONE' || event.type === 'PULL_DONE') &&
            event.op === before.context.op &&
            syncState(before) === (event.type === 'PUSH_DONE' ? 'pushing' : 'pulling');
          if (success) {
            expect(context.failures).toBe(0);
            expect(context.nextRetryAt).toBeNull();
            expect(context.lastError).toBeNull();
          }
          if (syncState(after) !== 'offline') expect(context.nextRetryAt).toBeNull();
        });
      }),
      { seed: 1123, numRuns: 400 },
    );
  });

  it('answers NETWORK_BACK while offline with an immediate attempt', () => {
    fc.assert(
      fc.property(policies, sequences, (policy, steps) => {
        walk(policy, steps, (before) => {
          if (syncState(before) !== 'offline') return;
          const back = send(before, { type: 'NETWORK_BACK' });
          expect(syncState(back)).toBe('pushing');
          expect(back.context.op).toBe(before.context.op + 1);
          expect(back.context.nextRetryAt).toBeNull();
        });
      }),
      { seed: 99, numRuns: 400 },
    );
  });

  it('never lets a stale answer move it, and always has a current operation while working', () => {
    fc.assert(
      fc.property(policies, sequences, (policy, steps) => {
        walk(policy, steps, (before, event, after) => {
          if ('op' in event && event.op !== before.context.op) {
            expect(after.value).toBe(before.value);
            expect(after.context).toEqual(before.context);
          }
          if (
            before.value !== after.value &&
            (after.value === 'pushing' || after.value === 'pulling')
          ) {
            expect(after.context.op).toBeGreaterThan(before.context.op);
          }
        });
      }),
      { seed: 5, numRuns: 400 },
    );
  });
});
