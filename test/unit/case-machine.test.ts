import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseStatus } from '../../shared/domain';
import {
  allowedCaseEvents,
  decideCaseEvent,
  type CaseActor,
  type CaseEvent,
  type CaseMachineContext,
} from '../../shared/machines/case';

const owner: CaseActor = { userId: 'agent-1', role: 'agent' };
const stranger: CaseActor = { userId: 'agent-2', role: 'agent' };
const lead: CaseActor = { userId: 'lead-1', role: 'lead' };
const at = '2026-11-23T08:00:00.000Z';
const fresh: CaseMachineContext = { ownerId: owner.userId, resolution: null };

describe('the first case machine', () => {
  it('walks a complaint from new to closed for its owner', () => {
    let status: CaseStatus = 'new';
    let context = fresh;
    for (const event of [
      { type: 'START', actor: owner, at },
      { type: 'RESOLVE', actor: owner, at, resolution: '已退还年费' },
      { type: 'CLOSE', actor: owner, at },
    ] satisfies CaseEvent[]) {
      const verdict = decideCaseEvent(status, context, event);
      expect(verdict.ok).toBe(true);
      if (verdict.ok) ({ status, context } = verdict);
    }
    expect(status).toBe('closed');
    expect(context.resolution).toBe('已退还年费');
  });

  it('refuses another agent with a reason the UI can translate', () => {
    expect(decideCaseEvent('new', fresh, { type: 'START', actor: stranger, at })).toEqual({
      ok: false,
      code: 'NOT_OWNER_OR_LEAD',
    });
  });

  it('lets a team lead act on an agent’s case', () => {
    expect(decideCaseEvent('new', fresh, { type: 'START', actor: lead, at }).ok).toBe(true);
  });

  it('needs a resolution before resolving', () => {
    expect(
      decideCaseEvent('in_progress', fresh, {
        type: 'RESOLVE',
        actor: owner,
        at,
        resolution: '  ',
      }),
    ).toEqual({
      ok: false,
      code: 'RESOLUTION_REQUIRED',
    });
  });

  it('refuses closing a case that was never resolved', () => {
    expect(decideCaseEvent('in_progress', fresh, { type: 'CLOSE', actor: owner, at })).toEqual({
      ok: false,
      code: 'NOT_ALLOWED_IN_STATE',
    });
  });

  it('offers only the actions the machine allows now', () => {
    expect(allowedCaseEvents('new', fresh, owner)).toEqual(['START', 'RESOLVE']);
    expect(allowedCaseEvents('resolved', { ...fresh, resolution: 'x' }, owner)).toEqual([
      'START',
      'CLOSE',
    ]);
    expect(allowedCaseEvents('closed', { ...fresh, resolution: 'x' }, owner)).toEqual([]);
    expect(allowedCaseEvents('new', fresh, stranger)).toEqual([]);
  });

  const arbitraryEvent: fc.Arbitrary<CaseEvent> = fc
    .tuple(
      fc.constantFrom('START', 'RESOLVE', 'CLOSE'),
      fc.constantFrom(owner, stranger, lead),
      fc.constantFrom('', '  ', '已核实并退款'),
    )
    .map(([type, actor, resolution]) =>
      type === 'RESOLVE' ? { type, actor, at, resolution } : ({ type, actor, at } as CaseEvent),
    );

  it('never closes a case without a recorded resolution, whatever the events', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 30 }), (events) => {
        let status: CaseStatus = 'new';
        let context = fresh;
        for (const event of events) {
          const verdict = decideCaseEvent(status, context, event);
          if (verdict.ok) ({ status, context } = verdict);
          if (status === 'closed') expect(context.resolution?.trim()).toBeTruthy();
        }
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('agrees with allowedCaseEvents: an offered action is accepted, a refused one is not offered', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 20 }), (events) => {
        let status: CaseStatus = 'new';
        let context = fresh;
        for (const event of events) {
          const offered = allowedCaseEvents(status, context, event.actor).includes(event.type);
          const verdict = decideCaseEvent(status, context, event);
          const formValid = event.type !== 'RESOLVE' || event.resolution.trim().length > 0;
          if (formValid) expect(verdict.ok).toBe(offered);
          if (verdict.ok) ({ status, context } = verdict);
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
