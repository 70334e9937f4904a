// People administration as it travels between an administrator's screen and the central
// API: users, teams, branches, shifts and workstations. Codes as messages (USERNAME_INVALID)
// so that the UI translates each field's refusal.
import { z } from 'zod';
import { Role } from './domain';

const Id = z.string().min(1).max(100);
const Timestamp = z.iso.datetime({ offset: true });

/** Lower-case letters, digits, dot, dash, underscore: what agents type on any keyboard. */
export const Username = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, { message: 'USERNAME_INVALID' });
/** Names are shown and printed: no control characters (and PostgreSQL refuses NUL). */
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
export const DisplayName = z
  .string()
  .trim()
  .min(1, { message: 'REQUIRED' })
  .max(50, { message: 'TOO_LONG' })
  .regex(NO_CONTROL_CHARACTERS, { message: 'CONTROL_CHARACTERS' });
/** At least 10 characters; scrypt takes any text, so no composition rules beyond length. */
export const NewPassword = z
  .string()
  .min(10, { message: 'PASSWORD_TOO_SHORT' })
  .max(256, { message: 'TOO_LONG' });
/** Team and branch codes start case numbers: upper-case letters and digits, 2 to 4. */
export const SiteCode = z.string().regex(/^[A-Z0-9]{2,4}$/, { message: 'CODE_INVALID' });
const PlaceName = z
  .string()
  .trim()
  .min(1, { message: 'REQUIRED' })
  .max(100, { message: 'TOO_LONG' })
  .regex(NO_CONTROL_CHARACTERS, { message: 'CONTROL_CHARACTERS' });

export const PersonRecord = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  teamId: z.string().nullable(),
  branchId: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
});
export type PersonRecord = z.infer<typeof PersonRecord>;

export const CreatePersonRequest = z.object({
  username: Username,
  displayName: DisplayName,
  role: Role,
  teamId: Id.nullable().default(null),
  branchId: Id.nullable().default(null),
  password: NewPassword,
});
export type CreatePersonRequest = z.infer<typeof CreatePersonRequest>;

/** Only the fields given change; a password given is a reset, which ends their sessions. */
export const UpdatePersonRequest = z
  .object({
    displayName: DisplayName,
    role: Role,
    teamId: Id.nullable(),
    branchId: Id.nullable(),
    active: z.boolean(),
    password: NewPassword,
  })
  .partial()
  .refine((update) => Object.keys(update).length > 0, { message: 'NOTHING_TO_CHANGE' });
export type UpdatePersonRequest = z.infer<typeof UpdatePersonRequest>;

export const PeopleList = z.object({ people: z.array(PersonRecord) });

export const PlaceRecord = z.object({ id: z.string(), code: z.string(), name: z.string() });
export type PlaceRecord = z.infer<typeof PlaceRecord>;
export const CreatePlaceRequest = z.object({ code: SiteCode, name: PlaceName });
/** A code is part of case numbers already minted: only the name changes. */
export const UpdatePlaceRequest = z.object({ name: PlaceName });
export const TeamList = z.object({ teams: z.array(PlaceRecord) });
export const BranchList = z.object({ branches: z.array(PlaceRecord) });

/** A shift as a concrete interval (see migration 003 for why not a weekly pattern). */
export const ShiftRecord = z.object({
  id: z.uuid(),
  userId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
});
export type ShiftRecord = z.infer<typeof ShiftRecord>;
export const MAX_SHIFT_HOURS = 24;
export const CreateShiftRequest = z
  .object({ userId: Id, startsAt: Timestamp, endsAt: Timestamp })
  .refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), {
    message: 'SHIFT_ENDS_BEFORE_START',
    path: ['endsAt'],
  })
  .refine((s) => Date.parse(s.endsAt) - Date.parse(s.startsAt) <= MAX_SHIFT_HOURS * 3_600_000, {
    message: 'SHIFT_TOO_LONG',
    path: ['endsAt'],
  });
export type CreateShiftRequest = z.infer<typeof CreateShiftRequest>;
/** Shifts overlapping [from, to), of one user or of everyone. */
export const ShiftQuery = z.object({
  userId: Id.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
});
export const ShiftList = z.object({ shifts: z.array(ShiftRecord) });

export const WorkstationRecord = z.object({
  clientId: z.uuid(),
  /** Site code + workstation code, the prefix of the case numbers it mints. */
  code: z.string(),
  lastUserId: z.string(),
  lastUsername: z.string(),
  registeredAt: z.string(),
  lastSignInAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type WorkstationRecord = z.infer<typeof WorkstationRecord>;
export const WorkstationList = z.object({ workstations: z.array(WorkstationRecord) });
