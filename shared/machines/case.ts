// The case lifecycle. Pure: guards and assign only, so that the workstation (offline too)
// and the central API reach the same verdict on every event.
import { assign, setup, transition, type SnapshotFrom } from 'xstate';
import { z } from 'zod';
import { Role, type CaseStatus } from '../domain';

export const CaseActor = z.object({ userId: z.string().min(1), role: Role });
export type CaseActor = z.infer<typeof CaseActor>;

export const CaseEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('START'), actor: CaseActor, at: z.string() }),
  z.object({
    type: z.literal('RESOLVE'),
    actor: CaseActor,
    at: z.string(),
    resolution: z.string().max(4000),
  }),
  z.object({ type: z.literal('CLOSE'), actor: CaseActor, at: z.string() }),
]);
export type CaseEvent = z.infer<typeof CaseEvent>;
export type CaseEventType = CaseEvent['type'];
export const CASE_EVENT_TYPES: readonly CaseEventType[] = ['START', 'RESOLVE', 'CLOSE'];

export interface CaseMachineContext {
  ownerId: string;
  resolution: string | null;
}

/** Why an event was refused: translated by the UI, returned by the API. */
export type CaseRejection = 'NOT_ALLOWED_IN_STATE' | 'NOT_OWNER_OR_LEAD' | 'RESOLUTION_REQUIRED';

const isOwnerOrLead = (context: CaseMachineContext, event: CaseEvent) =>
  event.actor.role === 'lead' || event.actor.userId === context.ownerId;
const hasResolution = (_: CaseMachineContext, event: CaseEvent) =>
  event.type === 'RESOLVE' && event.resolution.trim().length > 0;

/** Guards in the order they are explained; the first that fails names the rejection. */
const GUARD_REASONS: Record<string, CaseRejection> = {
  ownerOrLead: 'NOT_OWNER_OR_LEAD',
  resolutionGiven: 'RESOLUTION_REQUIRED',
};
const GUARDS_BY_EVENT: Record<CaseEventType, (keyof typeof GUARD_REASONS)[]> = {
  START: ['ownerOrLead'],
  RESOLVE: ['ownerOrLead', 'resolutionGiven'],
  CLOSE: ['ownerOrLead'],
};

export const caseMachine = setup({
  types: {
    context: {} as CaseMachineContext,
    events: {} as CaseEvent,
    input: {} as { ownerId: string },
  },
  guards: {
    ownerOrLead: ({ context, event }) => isOwnerOrLead(context, event),
    canResolve: ({ context, event }) =>
      isOwnerOrLead(context, event) && hasResolution(context, event),
  },
}).createMachine({
  id: 'case',
  initial: 'new',
  context: ({ input }) => ({ ownerId: input.ownerId, resolution: null }),
  states: {
    new: {
      on: {
        START: { target: 'in_progress', guard: 'ownerOrLead' },
        RESOLVE: {
          target: 'resolved',
          guard: 'canResolve',
          actions: assign({
            resolution: ({ event }) => (event.type === 'RESOLVE' ? event.resolution.trim() : null),
          }),
        },
      },
    },
    in_progress: {
      on: {
        RESOLVE: {
          target: 'resolved',
          guard: 'canResolve',
          actions: assign({
            resolution: ({ event }) => (event.type === 'RESOLVE' ? event.resolution.trim() : null),
          }),
        },
      },
    },
    resolved: {
      on: {
        CLOSE: { target: 'closed', guard: 'ownerOrLead' },
        START: { target: 'in_progress', guard: 'ownerOrLead' },
      },
    },
    closed: { type: 'final' },
  },
});

export type CaseSnapshot = SnapshotFrom<typeof caseMachine>;

/** Rebuilds a snapshot from the columns a case is stored with. */
export function caseSnapshot(status: CaseStatus, context: CaseMachineContext): CaseSnapshot {
  return caseMachine.resolveState({ value: status, context });
}

export type CaseVerdict =
  | { ok: true; status: CaseStatus; context: CaseMachineContext }
  | { ok: false; code: CaseRejection };

/** Applies one event; the same function decides on the workstation and on the server. */
export function decideCaseEvent(
  status: CaseStatus,
  context: CaseMachineContext,
  event: CaseEvent,
): CaseVerdict {
  const snapshot = caseSnapshot(status, context);
  if (!snapshot.can(event)) return { ok: false, code: explainRejection(snapshot, event) };
  const [next] = transition(caseMachine, snapshot, event);
  return { ok: true, status: next.value as CaseStatus, context: next.context };
}

function explainRejection(snapshot: CaseSnapshot, event: CaseEvent): CaseRejection {
  const handled = caseMachine.getStateNodeById(`case.${String(snapshot.value)}`).on[event.type];
  if (!handled || handled.length === 0) return 'NOT_ALLOWED_IN_STATE';
  const checks = { ownerOrLead: isOwnerOrLead, resolutionGiven: hasResolution };
  for (const guard of GUARDS_BY_EVENT[event.type]) {
    if (!checks[guard as keyof typeof checks](snapshot.context, event))
      return GUARD_REASONS[guard]!;
  }
  return 'NOT_ALLOWED_IN_STATE';
}

/** The events this actor may send now, for the UI to offer only legal actions. */
export function allowedCaseEvents(
  status: CaseStatus,
  context: CaseMachineContext,
  actor: CaseActor,
): CaseEventType[] {
  const snapshot = caseSnapshot(status, context);
  const at = new Date(0).toISOString();
  return CASE_EVENT_TYPES.filter((type) => {
    // RESOLVE is offered when everything but the form's own content allows it.
    const probe: CaseEvent =
      type === 'RESOLVE' ? { type, actor, at, resolution: 'x' } : { type, actor, at };
    return snapshot.can(probe);
  });
}
