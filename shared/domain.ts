// The business vocabulary of a case, shared by the workstation, its UI and the central API.
// Labels live in the renderer's i18n resources; here only the codes.
import { z } from 'zod';

export const CHANNELS = [
  'phone',
  'branch',
  'chat',
  'app',
  'email',
  'social',
  'letter',
  'regulator',
] as const;
export const CASE_TYPES = ['complaint', 'inquiry', 'suggestion', 'praise'] as const;
export const BUSINESS_LINES = [
  'account',
  'card',
  'loan',
  'wealth',
  'payment',
  'digital',
  'fees',
  'conduct',
  'other',
] as const;
export const PRIORITIES = ['urgent', 'high', 'normal', 'suggestion'] as const;
export const ROLES = ['agent', 'branch', 'lead', 'admin'] as const;

export const Channel = z.enum(CHANNELS);
export const CaseType = z.enum(CASE_TYPES);
export const BusinessLine = z.enum(BUSINESS_LINES);
export const Priority = z.enum(PRIORITIES);
export const Role = z.enum(ROLES);
export type Channel = z.infer<typeof Channel>;
export type CaseType = z.infer<typeof CaseType>;
export type BusinessLine = z.infer<typeof BusinessLine>;
export type Priority = z.infer<typeof Priority>;
export type Role = z.infer<typeof Role>;

/** Mainland mobile or landline, digits with optional +86 / dashes; stored digits only. */
export const PhoneNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, ''))
  .pipe(z.string().regex(/^(1\d{10}|0\d{9,11})$/, { message: 'PHONE_INVALID' }));

/** What an agent records while the customer is on the line (投诉登记). */
export const CaseIntake = z.object({
  customerName: z.string().trim().min(1, { message: 'REQUIRED' }).max(50, { message: 'TOO_LONG' }),
  customerPhone: PhoneNumber,
  channel: Channel,
  type: CaseType,
  businessLine: BusinessLine,
  description: z.string().trim().min(1, { message: 'REQUIRED' }).max(4000, { message: 'TOO_LONG' }),
  customerExpectation: z
    .string()
    .trim()
    .min(1, { message: 'REQUIRED' })
    .max(1000, { message: 'TOO_LONG' }),
  /** The customer the agent chose after a lookup; else the server links by phone. */
  customerId: z.uuid().optional(),
});
export type CaseIntake = z.infer<typeof CaseIntake>;

export const NoteText = z
  .string()
  .trim()
  .min(1, { message: 'REQUIRED' })
  .max(4000, { message: 'TOO_LONG' });
