// Customers (360): profiles with masked identifiers, segments computed from their cases,
// lookup by phone, ID number or account, and the link from every new case to its customer.
// ID and account numbers are kept only as keyed hashes (HMAC-SHA256, CUSTOMER_LOOKUP_KEY)
// and masked forms; every lookup and 360 view is written to an append-only access log.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AddIdentifiersRequest,
  birthDateOfIdNumber,
  Customer360,
  Customer360Query,
  CustomerLookupQuery,
  CustomerLookupResponse,
  CustomerProfile,
  ELDERLY_AGE,
  idCheckChar,
  maskAccount,
  maskIdNumber,
  maskPhone,
  RegisterCustomerRequest,
  REPEAT_COMPLAINTS_IN_12_MONTHS,
  type CustomerCase,
  type CustomerSegment,
  type IdentifierKind,
} from '../shared/customers';
import { CaseIntake, type BusinessLine, type Role } from '../shared/domain';
import type { CaseState } from '../shared/lifecycle/case-machine';
import { ApiError } from '../shared/sync-protocol';
import { ApiFailure } from './api-errors';
import { requireRole, requireSignIn, signedInUser, type SignedInUser } from './auth';
import { caseScope, insertCase, type ChangeStamp } from './cases';
import type { Db } from './db';

// --- the lookup key --------------------------------------------------------------------

const DEV_LOOKUP_KEY = 'case-workstation-dev-lookup-key-not-for-production';
let lookupKey: Buffer | undefined;

/**
 * The HMAC key of identifier lookups, from env CUSTOMER_LOOKUP_KEY. Changing it makes every
 * stored hash unfindable, so it must stay the same for the life of the database.
 */
export function customerLookupKey(): Buffer {
  if (!lookupKey) {
    const configured = process.env.CUSTOMER_LOOKUP_KEY;
    if (!configured) {
      // Anyone who knows it can test guessed ID numbers against a stolen table.
      console.warn('Central API: no CUSTOMER_LOOKUP_KEY given, using the development key.');
    }
    lookupKey = Buffer.from(configured || DEV_LOOKUP_KEY, 'utf8');
  }
  return lookupKey;
}

type HashedKind = Exclude<IdentifierKind, 'phone'>;

/** The keyed hash an identifier is stored and found by; the kind keeps the two apart. */
export function identifierHash(kind: HashedKind, normalized: string): string {
  return createHmac('sha256', customerLookupKey()).update(`${kind}:${normalized}`).digest('hex');
}

// --- reading -----------------------------------------------------------------------------

type Timestamp = Date | string;
const iso = (value: Timestamp): string => new Date(value).toISOString();

interface ProfileRow {
  id: string;
  name: string;
  birth_date: string | null;
  vip: boolean;
  phones: string[] | null;
  masked_id_number: string | null;
  masked_accounts: string[] | null;
}

const PROFILE_SELECT = `
  select c.id, c.name, to_char(c.birth_date, 'YYYY-MM-DD') as birth_date, c.vip,
         (select array_agg(p.phone order by p.phone) from customer_phones p
           where p.customer_id = c.id) as phones,
         (select min(i.masked) from customer_identifiers i
           where i.customer_id = c.id and i.kind = 'idNumber') as masked_id_number,
         (select array_agg(i.masked order by i.masked) from customer_identifiers i
           where i.customer_id = c.id and i.kind = 'account') as masked_accounts
    from customers c`;

function customerProfile(row: ProfileRow): CustomerProfile {
  return {
    id: row.id,
    name: row.name,
    maskedPhones: (row.phones ?? []).map(maskPhone),
    maskedIdNumber: row.masked_id_number,
    maskedAccounts: row.masked_accounts ?? [],
    birthYear: row.birth_date ? Number(row.birth_date.slice(0, 4)) : null,
    vip: row.vip,
  };
}

async function profilesOf(db: Db, ids: string[]): Promise<CustomerProfile[]> {
  if (ids.length === 0) return [];
  const found = await db.query<ProfileRow>(
    `${PROFILE_SELECT} where c.id = any($1::uuid[]) order by c.created_at, c.id`,
    [ids],
  );
  return found.rows.map(customerProfile);
}

/** Age in whole years on today's date in Beijing, where the desk works. */
export function ageOn(birthDate: string, now: Date): number {
  const today = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

const CLOSED_STATES: readonly CaseState[] = ['closed', 'merged', 'withdrawn'];
const DAY_MS = 86_400_000;

interface CustomerCaseRow {
  id: string;
  number: string;
  status: CaseState;
  type: CustomerCase['type'];
  business_line: BusinessLine;
  priority: CustomerCase['priority'];
  created_at: Timestamp;
  in_my_scope: boolean;
}

/** Complaints received since `since`; a case merged into another is the same complaint. */
const complaintsSince = (cases: CustomerCase[], since: Date) =>
  cases.filter(
    (c) =>
      c.type === 'complaint' && c.status !== 'merged' && Date.parse(c.createdAt) >= since.getTime(),
  ).length;

/** The 360 of one customer as `user` may see it; null when there is no such customer. */
export async function customer360(
  db: Db,
  user: SignedInUser,
  customerId: string,
  opts: { businessLine?: BusinessLine; now?: Date } = {},
): Promise<Customer360 | null> {
  const now = opts.now ?? new Date();
  const found = await db.query<ProfileRow>(`${PROFILE_SELECT} where c.id = $1`, [customerId]);
  const row = found.rows[0];
  if (!row) return null;
  const yearAgo = new Date(now);
  yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
  const scope = caseScope(user, 4);
  // Only summary columns leave this query, whatever the scope: details stay behind it.
  const cases = await db.query<CustomerCaseRow>(
    `select c.id, c.number, c.status, c.type, c.business_line, c.priority, c.created_at,
            coalesce((${scope.sql}), false) as in_my_scope
       from cases c
      where c.customer_id = $1
        and (c.status <> all ($2::text[]) or c.created_at >= $3)
      order by c.created_at desc, c.id`,
    [customerId, CLOSED_STATES, yearAgo.toISOString(), ...scope.params],
  );
  const all: CustomerCase[] = cases.rows.map((c) => ({
    id: c.id,
    number: c.number,
    status: c.status,
    type: c.type,
    businessLine: c.business_line,
    priority: c.priority,
    createdAt: iso(c.created_at),
    inMyScope: c.in_my_scope,
  }));
  const openCases = all.filter((c) => !CLOSED_STATES.includes(c.status));
  const recentCases = all.filter((c) => Date.parse(c.createdAt) >= yearAgo.getTime());
  const complaintsLast12Months = complaintsSince(recentCases, yearAgo);
  const complaintsLast30Days = complaintsSince(recentCases, new Date(now.getTime() - 30 * DAY_MS));

  const segments: CustomerSegment[] = [];
  if (row.vip) segments.push({ segment: 'vip', reason: 'VIP_FLAG' });
  if (row.birth_date) {
    const age = ageOn(row.birth_date, now);
    if (age >= ELDERLY_AGE) segments.push({ segment: 'elderly', reason: 'AGE_AT_LEAST_60', age });
  }
  const repeat = complaintsLast12Months >= REPEAT_COMPLAINTS_IN_12_MONTHS;
  if (repeat) {
    segments.push({
      segment: 'repeatComplainant',
      reason: 'COMPLAINTS_IN_12_MONTHS',
      complaints: complaintsLast12Months,
    });
  }

  const openByLine = new Map<BusinessLine, string[]>();
  for (const c of openCases)
    openByLine.set(c.businessLine, [...(openByLine.get(c.businessLine) ?? []), c.id]);
  const mergeSuggestions = opts.businessLine
    ? openByLine.has(opts.businessLine)
      ? [{ businessLine: opts.businessLine, caseIds: openByLine.get(opts.businessLine)! }]
      : []
    : [...openByLine]
        .filter(([, ids]) => ids.length >= 2)
        .map(([businessLine, caseIds]) => ({ businessLine, caseIds }));

  return {
    customer: customerProfile(row),
    segments,
    openCases,
    recentCases,
    complaintsLast12Months,
    complaintsLast30Days,
    repeatComplainantWarning: repeat
      ? { code: 'REPEAT_COMPLAINANT', complaints: complaintsLast12Months }
      : null,
    mergeSuggestions,
  };
}

// --- the access log ----------------------------------------------------------------------

/** Appends who saw which customers (none: one row without a customer), and how they asked. */
async function logAccess(
  db: Db,
  user: SignedInUser,
  action: 'lookup' | 'view',
  customerIds: string[],
  identifierKind: IdentifierKind | null,
): Promise<void> {
  await db.query(
    `insert into customer_access_log (user_id, client_id, customer_id, action, identifier_kind)
     select $1, $2, found.id, $4, $5
       from unnest(case when cardinality($3::uuid[]) = 0 then array[null::uuid]
                        else $3::uuid[] end) as found (id)`,
    [user.id, user.clientId, customerIds, action, identifierKind],
  );
}

// --- writing -----------------------------------------------------------------------------

interface NewCustomer {
  id: string;
  name: string;
  phone: string;
  idNumber?: string;
  account?: string;
  vip?: boolean;
  createdBy: string | null;
}

/** Thrown inside the registering transaction: an identifier already names someone else. */
const identifierTaken = (kind: HashedKind, customerId: string) =>
  new ApiFailure(409, {
    code: kind === 'idNumber' ? 'ID_NUMBER_REGISTERED' : 'ACCOUNT_REGISTERED',
    message:
      kind === 'idNumber'
        ? 'This ID number belongs to a registered customer.'
        : 'This account belongs to a registered customer.',
    customerId,
  });

/**
 * Inserts a customer with its phone and hashed identifiers. False, writing nothing, when the
 * id is taken. An identifier of another customer throws 409 (the caller's transaction rolls
 * back).
 */
async function insertCustomer(tx: Db, customer: NewCustomer): Promise<boolean> {
  const birthDate = customer.idNumber ? birthDateOfIdNumber(customer.idNumber) : null;
  const inserted = await tx.query(
    `with inserted as (
       insert into customers (id, name, birth_date, vip, created_by)
       values ($1, $2, $3::date, $4, $5)
       on conflict (id) do nothing
       returning id)
     insert into customer_phones (customer_id, phone) select id, $6 from inserted
     returning customer_id`,
    [
      customer.id,
      customer.name,
      birthDate,
      customer.vip ?? false,
      customer.createdBy,
      customer.phone,
    ],
  );
  if (inserted.rows.length === 0) return false;
  await addIdentifiers(tx, customer.id, customer);
  return true;
}

/**
 * Adds hashed identifiers to a customer; one already on this customer is left as it is.
 * One of another customer throws 409, and so does a second, different ID number (a person
 * has one for life): the caller's transaction rolls back.
 */
async function addIdentifiers(
  tx: Db,
  customerId: string,
  given: { idNumber?: string; account?: string },
): Promise<void> {
  const identifiers: [HashedKind, string, string][] = [];
  if (given.idNumber) identifiers.push(['idNumber', given.idNumber, maskIdNumber(given.idNumber)]);
  if (given.account) identifiers.push(['account', given.account, maskAccount(given.account)]);
  for (const [kind, plain, masked] of identifiers) {
    const hash = identifierHash(kind, plain);
    const added = await tx.query(
      `insert into customer_identifiers (customer_id, kind, lookup_hash, masked)
       values ($1, $2, $3, $4) on conflict do nothing returning customer_id`,
      [customerId, kind, hash, masked],
    );
    if (added.rows.length === 0) {
      const owner = await tx.query<{ customer_id: string }>(
        'select customer_id from customer_identifiers where kind = $1 and lookup_hash = $2',
        [kind, hash],
      );
      const ownerId = owner.rows[0]!.customer_id;
      if (ownerId !== customerId) throw identifierTaken(kind, ownerId);
    }
  }
  if (given.idNumber) {
    const idNumbers = await tx.query<{ n: string | number }>(
      `select count(*) as n from customer_identifiers where customer_id = $1 and kind = 'idNumber'`,
      [customerId],
    );
    if (Number(idNumbers.rows[0]!.n) > 1) {
      throw new ApiFailure(409, {
        code: 'CUSTOMER_HAS_ID_NUMBER',
        message: 'This customer already has another ID number.',
      });
    }
    await tx.query(
      'update customers set birth_date = coalesce(birth_date, $2::date) where id = $1',
      [customerId, birthDateOfIdNumber(given.idNumber)],
    );
  }
}

/** What `customerLinkSql` puts into the statement that inserts a case. */
export interface CustomerLinkSql {
  /** CTEs to put before the case's insert (`with <before>, inserted as (...)`). */
  before: string;
  /** The value of the case's customer_id column. */
  customerId: string;
  /** A CTE to put after the insert, reading its `inserted` rows. */
  after: string;
  /** Their parameters, numbered from `firstParam`. */
  params: unknown[];
}

/**
 * Links a case to its customer within the statement that inserts the case (a push applies
 * hundreds of case creations and each round trip counts; a second write of the case row
 * would cost as much): the customer the agent chose after a lookup (`intake.customerId`)
 * when it exists, else the customer with the same phone (the same name first, then the
 * earliest registered), else a new customer made from the intake's name and phone, unless
 * the case's id or number is taken (the case will not be inserted). The intake's phone is
 * added to the customer's phones. Rows made by one statement meet their foreign keys at its
 * end.
 */
export function customerLinkSql(
  fields: { caseId: string; number: string; intake: CaseIntake; registeredBy: string | null },
  firstParam: number,
): CustomerLinkSql {
  const $ = (offset: number) => `$${firstParam + offset}`;
  const [chosenId, phone, name, newId, registeredBy, caseId, number] = [0, 1, 2, 3, 4, 5, 6].map($);
  return {
    before: `link_chosen as (
       select id from (
         select c.id, 0 as rank, c.created_at from customers c where c.id = ${chosenId}::uuid
         union all
         select c.id, case when c.name = ${name} then 1 else 2 end, c.created_at
           from customer_phones p join customers c on c.id = p.customer_id
          where p.phone = ${phone}) candidates
       order by rank, created_at, id limit 1),
     link_made as (
       insert into customers (id, name, created_by)
       select ${newId}::uuid, ${name}, ${registeredBy}
        where not exists (select 1 from link_chosen)
          and not exists (select 1 from cases where id = ${caseId}::uuid or number = ${number})
       returning id)`,
    customerId: '(select id from link_chosen union all select id from link_made)',
    after: `link_phoned as (
       insert into customer_phones (customer_id, phone)
       select customer_id, ${phone} from inserted where customer_id is not null
       on conflict do nothing)`,
    params: [
      fields.intake.customerId ?? null,
      fields.intake.customerPhone,
      fields.intake.customerName,
      randomUUID(),
      fields.registeredBy,
      fields.caseId,
      fields.number,
    ],
  };
}

// --- routes ------------------------------------------------------------------------------

/** Those who handle customers; administrators manage people and policies, not customers. */
const CUSTOMER_ROLES: Role[] = ['agent', 'branch', 'lead'];

const customerNotFound = (id: string) =>
  new ApiFailure(404, { code: 'CUSTOMER_NOT_FOUND', message: `No customer ${id}.` });

const IdentifierTakenError = ApiError.extend({ customerId: z.uuid() });
const errorResponses = { 400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError };

export async function customersRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db } = opts;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireSignIn(db, opts.jwtSecret);
  customerLookupKey(); // warn at startup, not at the first lookup

  routes.get(
    '/customers/lookup',
    {
      onRequest,
      schema: {
        summary: 'Find customers by exactly one of phone, ID number or account (audited)',
        tags: ['customers'],
        security: [{ bearerAuth: [] }],
        querystring: CustomerLookupQuery,
        response: { 200: CustomerLookupResponse, ...errorResponses },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      requireRole(user, ...CUSTOMER_ROLES);
      const query = request.query;
      const kind: IdentifierKind = query.phone ? 'phone' : query.idNumber ? 'idNumber' : 'account';
      const found =
        kind === 'phone'
          ? await db.query<{ customer_id: string }>(
              'select distinct customer_id from customer_phones where phone = $1',
              [query.phone],
            )
          : await db.query<{ customer_id: string }>(
              'select customer_id from customer_identifiers where kind = $1 and lookup_hash = $2',
              [kind, identifierHash(kind, (kind === 'idNumber' ? query.idNumber : query.account)!)],
            );
      const ids = found.rows.map((row) => row.customer_id);
      // Logged before anything is shown: no unaudited lookup.
      await logAccess(db, user, 'lookup', ids, kind);
      return { customers: await profilesOf(db, ids) };
    },
  );

  routes.get(
    '/customers/:id',
    {
      onRequest,
      schema: {
        summary: 'The customer 360: profile, segments, cases, merge suggestions (audited)',
        tags: ['customers'],
        security: [{ bearerAuth: [] }],
        params: z.object({ id: z.uuid() }),
        querystring: Customer360Query,
        response: { 200: Customer360, 404: ApiError, ...errorResponses },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      requireRole(user, ...CUSTOMER_ROLES);
      const exists = await db.query('select 1 from customers where id = $1', [request.params.id]);
      if (exists.rows.length === 0) {
        throw customerNotFound(request.params.id);
      }
      await logAccess(db, user, 'view', [request.params.id], null);
      const view = await customer360(db, user, request.params.id, {
        businessLine: request.query.businessLine,
      });
      return view!;
    },
  );

  routes.post(
    '/customers',
    {
      onRequest,
      schema: {
        summary: 'Register a customer from intake data; a retry with the same id is answered again',
        tags: ['customers'],
        security: [{ bearerAuth: [] }],
        body: RegisterCustomerRequest,
        response: {
          200: CustomerProfile.describe('Already registered under this id (a retry)'),
          201: CustomerProfile.describe('Registered'),
          409: z.union([IdentifierTakenError, ApiError]),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const user = signedInUser(request);
      requireRole(user, ...CUSTOMER_ROLES);
      const body = request.body;
      const created = await db.transaction(async (tx) => {
        if (await insertCustomer(tx, { ...body, createdBy: user.id })) return true;
        // The id is taken: the same registration retried, or a client reusing an id.
        const same = await tx.query(
          `select 1 from customers c join customer_phones p on p.customer_id = c.id
            where c.id = $1 and c.name = $2 and p.phone = $3`,
          [body.id, body.name, body.phone],
        );
        if (same.rows.length === 0) {
          throw new ApiFailure(409, {
            code: 'CUSTOMER_ID_CONFLICT',
            message: `Customer ${body.id} was registered with other data.`,
          });
        }
        return false;
      });
      const [profile] = await profilesOf(db, [body.id]);
      return reply.code(created ? 201 : 200).send(profile!);
    },
  );

  routes.post(
    '/customers/:id/identifiers',
    {
      onRequest,
      schema: {
        summary: 'Add an ID number or account to a customer (e.g. one registered from a call)',
        tags: ['customers'],
        security: [{ bearerAuth: [] }],
        params: z.object({ id: z.uuid() }),
        body: AddIdentifiersRequest,
        response: {
          200: CustomerProfile,
          404: ApiError,
          409: z.union([IdentifierTakenError, ApiError]),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      requireRole(user, ...CUSTOMER_ROLES);
      const customerId = request.params.id;
      await db.transaction(async (tx) => {
        const found = await tx.query('select 1 from customers where id = $1 for update', [
          customerId,
        ]);
        if (found.rows.length === 0) throw customerNotFound(customerId);
        await addIdentifiers(tx, customerId, request.body);
      });
      const [profile] = await profilesOf(db, [customerId]);
      return profile!;
    },
  );
}

// --- demo data ---------------------------------------------------------------------------

/** A uuid that depends only on `seed`: demo customers keep their ids across databases. */
function seededUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * An invented ID number: region 1199xx is not allocated (Beijing's districts are 1101xx), so
 * it names no one; the birth date and a valid check digit make it pass as a real one.
 */
export function demoIdNumber(index: number, birthDate: string): string {
  const first17 = `1199${String(index % 100).padStart(2, '0')}${birthDate.replaceAll('-', '')}${String(100 + index).slice(-3)}`;
  return first17 + idCheckChar(first17);
}

const SEED_CUSTOMERS_LOCK_KEY = 4_010_004;

export interface SeedCustomersResult {
  seeded: boolean;
  /** Demo customers given a segment or an identifier. */
  customers: number;
  /** Earlier complaints added so that the demo has repeat complainants. */
  extraCases: number;
}

/**
 * Gives the customers of the seeded cases (those made on the server, not pushed; each got
 * its customer when inserted) what a demo needs, once: every fifth a VIP, some an invented
 * ID number (elderly or not) or account, and the first two complainants an earlier
 * complaint on the same business line a week before, so that they are repeat complainants
 * with a merge suggestion. Nothing when any of them has a VIP flag or an identifier already.
 * For demo databases only: call it after seedDemo.
 */
export async function seedCustomers(db: Db): Promise<SeedCustomersResult> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_CUSTOMERS_LOCK_KEY]);
    const firstCases = await tx.query<{
      customer_id: string;
      customer_name: string;
      customer_phone: string;
      channel: CaseIntake['channel'];
      type: CaseIntake['type'];
      business_line: BusinessLine;
      description: string;
      customer_expectation: string;
      owner_id: string | null;
      owner_role: Role | null;
      team_id: string | null;
      branch_id: string | null;
      created_at: Timestamp;
      decorated: boolean;
    }>(
      `select distinct on (k.customer_id)
              k.customer_id, k.customer_name, k.customer_phone, k.channel, k.type,
              k.business_line, k.description, k.customer_expectation, k.owner_id,
              o.role as owner_role, k.team_id, k.branch_id, k.created_at,
              cu.vip or exists (select 1 from customer_identifiers i
                                 where i.customer_id = cu.id) as decorated
         from cases k
         join customers cu on cu.id = k.customer_id
         join case_history h on h.case_id = k.id and h.action = 'case.create'
                            and h.client_id is null
         left join users o on o.id = k.owner_id
        order by k.customer_id, k.created_at, k.id`,
    );
    if (firstCases.rows.some((row) => row.decorated)) {
      return { seeded: false, customers: 0, extraCases: 0 };
    }
    const customers = firstCases.rows.sort(
      (a, b) =>
        Date.parse(iso(a.created_at)) - Date.parse(iso(b.created_at)) ||
        a.customer_phone.localeCompare(b.customer_phone),
    );
    let decorated = 0;
    let repeatComplainants = 0;
    for (const [index, first] of customers.entries()) {
      const elderly = index % 4 === 1;
      const withId = elderly || index % 4 === 3;
      const birthDate = elderly
        ? `${1940 + ((index * 7) % 24)}-0${1 + (index % 9)}-1${index % 10}`
        : `${1975 + ((index * 5) % 25)}-1${index % 3}-2${index % 8}`;
      const vip = index % 5 === 0;
      const account = index % 3 === 2 ? `629999${4_000_000_000 + index * 7919}` : undefined;
      if (vip) await tx.query('update customers set vip = true where id = $1', [first.customer_id]);
      await addIdentifiers(tx, first.customer_id, {
        idNumber: withId ? demoIdNumber(index, birthDate) : undefined,
        account,
      });
      if (vip || withId || account) decorated += 1;

      if (repeatComplainants < 2 && first.type === 'complaint' && first.owner_id) {
        repeatComplainants += 1;
        const at = new Date(new Date(first.created_at).getTime() - 7 * DAY_MS);
        const bumped = await tx.query<{ v: string | number }>(
          'update sync_version set v = v + 1 returning v',
        );
        const stamp: ChangeStamp = {
          actorId: first.owner_id,
          clientId: null,
          at: at.toISOString(),
          version: String(bumped.rows[0]!.v),
        };
        const day = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(2, 10);
        // Linked to the same customer by its phone and name, as a pushed case would be.
        await insertCase(tx, stamp, {
          id: seededUuid(`demo-earlier-case:${first.customer_phone}`),
          number: `SDB0-${day.replaceAll('-', '')}-${String(repeatComplainants).padStart(4, '0')}`,
          intake: CaseIntake.parse({
            customerName: first.customer_name,
            customerPhone: first.customer_phone,
            channel: first.channel,
            type: 'complaint',
            businessLine: first.business_line,
            description: `（首次来电）${first.description}`,
            customerExpectation: first.customer_expectation,
            customerId: first.customer_id,
          }),
          registeredBy: { userId: first.owner_id, role: first.owner_role ?? 'agent' },
          receivedAt: at.toISOString(),
          teamId: first.team_id,
          branchId: first.branch_id,
        });
      }
    }
    return { seeded: true, customers: decorated, extraCases: repeatComplainants };
  });
}
