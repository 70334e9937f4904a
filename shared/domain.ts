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
});
export type CaseIntake = z.infer<typeof CaseIntake>;

export const NoteText = z
  .string()
  .trim()
  .min(1, { message: 'REQUIRED' })
  .max(4000, { message: 'TOO_LONG' });

export const CaseStatus = z.enum(['new', 'in_progress', 'resolved', 'closed']);
export type CaseStatus = z.infer<typeof CaseStatus>;

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
  status: CaseStatus,
  priority: Priority,
  ownerId: z.string(),
  ownerName: z.string(),
  teamId: z.string().nullable(),
  branchId: z.string().nullable(),
  resolution: z.string().nullable(),
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

/** Urgent-raising words of the default risk policy; the lifecycle issue makes this a policy. */
export const DEFAULT_RISK_KEYWORDS = ['被骗', '盗刷', '冻结', '诈骗', '挂失', '报警'] as const;

export function suggestPriority(
  intake: Pick<CaseIntake, 'type' | 'description'>,
  riskKeywords: readonly string[] = DEFAULT_RISK_KEYWORDS,
): { priority: Priority; matchedKeywords: string[] } {
  const text = intake.description.normalize('NFKC');
  const matchedKeywords = riskKeywords.filter((k) => text.includes(k));
  if (matchedKeywords.length > 0) return { priority: 'urgent', matchedKeywords };
  if (intake.type === 'suggestion') return { priority: 'suggestion', matchedKeywords };
  return { priority: 'normal', matchedKeywords };
}
