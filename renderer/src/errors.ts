// Turning whatever a call throws into a translated message, and validation fields into form errors.
import i18next, { type TFunction } from 'i18next';
import type { z } from 'zod';
import { validationError, type ContractError } from '../../shared/contract';
import { WorkstationError } from './workstation';

/** Codes after which the agent has to sign in again. */
export const SESSION_LOST_CODES = new Set(['UNAUTHENTICATED', 'NOT_SIGNED_IN']);

/** The contract error behind anything a call may throw (a bug becomes INTERNAL). */
export function toContractError(error: unknown): ContractError {
  if (error instanceof WorkstationError) return error.error;
  if (error instanceof Error && error.message === 'HOST_UNAVAILABLE') {
    return { code: 'HOST_UNAVAILABLE', message: error.message };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function errorCode(error: unknown): string {
  return toContractError(error).code;
}

/** The translated message for an error code, or a generic one naming the raw code. */
export function translateErrorCode(t: TFunction, code: string): string {
  const key = `errors.${code}`;
  return /^[A-Z][A-Z0-9_]*$/.test(code) && i18next.exists(key)
    ? t(key)
    : t('errors.unknown', { code });
}

export function translateError(t: TFunction, error: unknown): string {
  return translateErrorCode(t, errorCode(error));
}

/** The translated rule a field broke (REQUIRED, PHONE_INVALID, …). */
export function translateFieldCode(t: TFunction, code: string): string {
  const key = `fieldErrors.${code}`;
  return /^[A-Z][A-Z0-9_]*$/.test(code) && i18next.exists(key)
    ? t(key)
    : t('fieldErrors.unknown', { code });
}

/**
 * Spreads a contract error's fields over a form's own fields: `path` may be the field itself
 * or end with it (`intake.customerName`). Unmatched paths come back separately.
 */
export function mapFieldErrors<F extends string>(
  fields: readonly F[],
  error: ContractError,
): { byField: Partial<Record<F, string>>; unmatched: { path: string; code: string }[] } {
  const byField: Partial<Record<F, string>> = {};
  const unmatched: { path: string; code: string }[] = [];
  for (const issue of error.fields ?? []) {
    const segments = issue.path.split(/[.[\]]/).filter(Boolean);
    const field = [...segments]
      .reverse()
      .find((s): s is F => (fields as readonly string[]).includes(s));
    if (field && !byField[field]) byField[field] = issue.code;
    else if (!field) unmatched.push(issue);
  }
  return { byField, unmatched };
}

/** The first broken rule of a value against a shared schema, as the backend would name it. */
export function schemaFieldCode(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  return validationError(result.error).fields?.[0]?.code ?? 'INVALID_VALUE';
}
