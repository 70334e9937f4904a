// What the intake desk asks the workstation about customers, and the preview of a case before
// it is saved. The full 360 comes from the central API; offline, a lookup by phone answers a
// reduced view built from the cases cached on this workstation.
import { z } from 'zod';
import type { Deadline } from './clock';
import { BusinessLine, CaseType, Channel, Priority } from './domain';
import { CaseState } from './lifecycle/case-machine';
import { PriorityReason } from './lifecycle/priority-rules';
import { Customer360, CustomerCase, CustomerLookupQuery, CustomerProfile } from './customers';

export { Customer360, CustomerCase, CustomerLookupQuery, CustomerProfile };

/** What the workstation knows about a caller while the central API is down. */
export const CachedCustomerView = z.object({
  offline: z.literal(true),
  name: z.string(),
  maskedPhone: z.string(),
  openCases: z.array(CustomerCase),
  recentCases: z.array(CustomerCase),
  complaintsLast12Months: z.number().int(),
  complaintsLast30Days: z.number().int(),
});
export type CachedCustomerView = z.infer<typeof CachedCustomerView>;

/** Online: the customers the server found. Offline (phone only): what the cache knows. */
export const CustomerLookupAnswer = z.discriminatedUnion('offline', [
  z.object({ offline: z.literal(false), customers: z.array(CustomerProfile) }),
  z.object({ offline: z.literal(true), cached: CachedCustomerView.nullable() }),
]);
export type CustomerLookupAnswer = z.infer<typeof CustomerLookupAnswer>;

export const CustomerGetInput = z.object({
  customerId: z.uuid(),
  /** The business line of the call: the server suggests merging into its open cases. */
  businessLine: BusinessLine.optional(),
});

/** The fields of an intake the registration depends on; the rest may still be empty. */
export const IntakePreviewInput = z.object({
  channel: Channel,
  type: CaseType,
  description: z.string().max(4000, { message: 'TOO_LONG' }),
  customerExpectation: z.string().max(1000, { message: 'TOO_LONG' }),
});
export type IntakePreviewInput = z.infer<typeof IntakePreviewInput>;

/** What saving the intake now would give: the same registration, nothing stored. */
export const IntakePreview = z.object({
  priority: Priority,
  reasons: z.array(PriorityReason),
  requiresHuman: z.boolean(),
  status: CaseState,
  receivedAt: z.string(),
  deadlines: z.array(z.custom<Deadline>()),
});
export type IntakePreview = z.infer<typeof IntakePreview>;
