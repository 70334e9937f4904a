// How a case travels and shows: the full record (with its lifecycle context), list rows with
// masked identifiers, and notes. Kept apart from domain.ts, which the lifecycle imports.
import { z } from 'zod';
import { CaseIntake, Priority } from './domain';
import { CaseContext, CaseState } from './lifecycle/case-machine';

export { CaseState };

export const Note = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  authorId: z.string(),
  authorName: z.string(),
  text: z.string(),
  /** Server commit time; null while the note waits in the outbox. */
  createdAt: z.string().nullable(),
  /** The workstation's own clock when the agent wrote it (audit only). */
  recordedAt: z.string(),
  pending: z.boolean(),
});
export type Note = z.infer<typeof Note>;

export const CaseRecord = CaseIntake.extend({
  id: z.uuid(),
  number: z.string(),
  /** The lifecycle machine's state; `lifecycle` is its context, so any snapshot can be rebuilt. */
  status: CaseState,
  lifecycle: CaseContext,
  priority: Priority,
  /** null while the case waits for distribution (e.g. after a recusal). */
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  teamId: z.string().nullable(),
  branchId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Server version of the row; 0 for a case not yet on the server. */
  version: z.number().int().nonnegative(),
});
export type CaseRecord = z.infer<typeof CaseRecord>;

/** A list row: identifiers masked, long texts cut. */
export const CaseSummary = CaseRecord.pick({
  id: true,
  number: true,
  customerName: true,
  channel: true,
  type: true,
  businessLine: true,
  status: true,
  priority: true,
  createdAt: true,
  updatedAt: true,
}).extend({
  maskedPhone: z.string(),
  descriptionPreview: z.string(),
  pending: z.boolean(),
});
export type CaseSummary = z.infer<typeof CaseSummary>;

export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}
