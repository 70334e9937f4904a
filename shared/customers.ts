// Customers (360) as they travel between the workstation and the central API: identifiers
// as the agent types them (validated here, on both sides), and the masked views the server
// returns. Plain ID and account numbers go to the server only to be hashed; none come back.
import { z } from 'zod';
import { maskPhone } from './case-views';
import { BusinessLine, CaseType, PhoneNumber, Priority } from './domain';
import { CaseState } from './lifecycle/case-machine';

export { maskPhone };

/** GB 11643: weights of the first 17 digits, and the check character for each sum mod 11. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

/** The check character an 18-digit resident ID number must end with, from its first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11]!;
}

/** The birth date (YYYY-MM-DD) an 18-digit ID number carries, or null when it is no real date. */
export function birthDateOfIdNumber(idNumber: string): string | null {
  const year = Number(idNumber.slice(6, 10));
  const month = Number(idNumber.slice(10, 12));
  const day = Number(idNumber.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * A mainland resident ID number (居民身份证号), 18 characters. The 15-digit numbers expired
 * in 2013 and are refused. Normalized to upper-case X.
 */
export const IdNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/\s/g, '').toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[1-9]\d{16}[\dX]$/, { message: 'ID_NUMBER_INVALID' })
      .refine((id) => birthDateOfIdNumber(id) !== null, { message: 'ID_NUMBER_INVALID' })
      .refine((id) => idCheckChar(id.slice(0, 17)) === id[17], {
        message: 'ID_NUMBER_CHECK_DIGIT',
      }),
  );

/** An account or card number as printed (spaces and dashes allowed); stored digits only. */
export const AccountReference = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{8,30}$/, { message: 'ACCOUNT_INVALID' }));

/** 110***********1234: region prefix and the last four, never the birth date. */
export function maskIdNumber(idNumber: string): string {
  return idNumber.slice(0, 3) + '*'.repeat(idNumber.length - 7) + idNumber.slice(-4);
}

/** 6222 **** **** 1234: the bank prefix and the last four, as on a card. */
export function maskAccount(account: string): string {
  return `${account.slice(0, 4)} **** **** ${account.slice(-4)}`;
}

export const IDENTIFIER_KINDS = ['phone', 'idNumber', 'account'] as const;
export const IdentifierKind = z.enum(IDENTIFIER_KINDS);
export type IdentifierKind = z.infer<typeof IdentifierKind>;

/** `GET /customers/lookup`: exactly one identifier. */
export const CustomerLookupQuery = z
  .object({
    phone: PhoneNumber.optional(),
    idNumber: IdNumber.optional(),
    account: AccountReference.optional(),
  })
  .refine((query) => IDENTIFIER_KINDS.filter((kind) => query[kind] !== undefined).length === 1, {
    message: 'LOOKUP_NEEDS_ONE_IDENTIFIER',
  });
export type CustomerLookupQuery = z.infer<typeof CustomerLookupQuery>;

/** A customer as any list shows one: identifiers masked. */
export const CustomerProfile = z.object({
  id: z.uuid(),
  name: z.string(),
  maskedPhones: z.array(z.string()),
  maskedIdNumber: z.string().nullable(),
  maskedAccounts: z.array(z.string()),
  /** From the ID number; the full date stays on the server. */
  birthYear: z.number().int().nullable(),
  vip: z.boolean(),
});
export type CustomerProfile = z.infer<typeof CustomerProfile>;

export const CustomerLookupResponse = z.object({ customers: z.array(CustomerProfile) });
export type CustomerLookupResponse = z.infer<typeof CustomerLookupResponse>;

/** Segments with why: the UI translates the code and shows the figure. */
export const CustomerSegment = z.discriminatedUnion('segment', [
  z.object({ segment: z.literal('vip'), reason: z.literal('VIP_FLAG') }),
  z.object({
    segment: z.literal('elderly'),
    reason: z.literal('AGE_AT_LEAST_60'),
    age: z.number().int(),
  }),
  z.object({
    segment: z.literal('repeatComplainant'),
    reason: z.literal('COMPLAINTS_IN_12_MONTHS'),
    complaints: z.number().int(),
  }),
]);
export type CustomerSegment = z.infer<typeof CustomerSegment>;

/** Age from which a customer counts as elderly (老年客户). */
export const ELDERLY_AGE = 60;
/** Complaints within 12 months from which a customer is a repeat complainant (重复投诉). */
export const REPEAT_COMPLAINTS_IN_12_MONTHS = 2;

/**
 * One of the customer's cases as the 360 lists it. Cases outside the caller's own scope
 * come with these fields only; their details stay behind the case scope rules.
 */
export const CustomerCase = z.object({
  id: z.uuid(),
  number: z.string(),
  status: CaseState,
  type: CaseType,
  businessLine: BusinessLine,
  priority: Priority,
  createdAt: z.string(),
  inMyScope: z.boolean(),
});
export type CustomerCase = z.infer<typeof CustomerCase>;

export const Customer360 = z.object({
  customer: CustomerProfile,
  segments: z.array(CustomerSegment),
  /** Cases not yet closed, merged or withdrawn, whenever they came in. */
  openCases: z.array(CustomerCase),
  /** Every case received in the last 12 months, open or not. */
  recentCases: z.array(CustomerCase),
  complaintsLast12Months: z.number().int(),
  /** What intake's priority assessment takes (`recentComplaintsIn30Days`). */
  complaintsLast30Days: z.number().int(),
  /** Present when the customer is a repeat complainant: a senior agent should take it. */
  repeatComplainantWarning: z
    .object({ code: z.literal('REPEAT_COMPLAINANT'), complaints: z.number().int() })
    .nullable(),
  /**
   * Open cases a new contact may belong to (merge instead of a new case): with
   * `?businessLine=` the open cases of that line; without, lines with two or more open cases.
   */
  mergeSuggestions: z.array(
    z.object({ businessLine: BusinessLine, caseIds: z.array(z.uuid()).min(1) }),
  ),
});
export type Customer360 = z.infer<typeof Customer360>;

export const Customer360Query = z.object({ businessLine: BusinessLine.optional() });

/** `POST /customers`: registration from intake data, idempotent by the client's `id`. */
export const RegisterCustomerRequest = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1, { message: 'REQUIRED' }).max(50, { message: 'TOO_LONG' }),
  phone: PhoneNumber,
  idNumber: IdNumber.optional(),
  account: AccountReference.optional(),
});
export type RegisterCustomerRequest = z.infer<typeof RegisterCustomerRequest>;

/** `POST /customers/:id/identifiers`: at least one of them. */
export const AddIdentifiersRequest = z
  .object({ idNumber: IdNumber.optional(), account: AccountReference.optional() })
  .refine((body) => body.idNumber !== undefined || body.account !== undefined, {
    message: 'IDENTIFIER_REQUIRED',
  });
export type AddIdentifiersRequest = z.infer<typeof AddIdentifiersRequest>;
