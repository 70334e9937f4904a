// Case search on the server: `GET /cases/search?q=` over the cases the caller may read,
// matching the case number, the customer's name and the description. Chinese queries are
// one or two characters as often as not (a surname, 盗刷), which no word or trigram index
// serves, so this is a substring match inside the caller's scope: an agent's or a team's
// cases are found through their scope indexes, and a whole year (admin) is one scan.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CaseState } from '../shared/lifecycle/case-machine';
import { BusinessLine, CaseType, Channel, Priority } from '../shared/domain';
import { ApiError } from '../shared/sync-protocol';
import { requireSignIn, signedInUser } from './auth';
import { caseScope } from './cases';
import type { Db } from './db';

export const CaseSearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, { message: 'REQUIRED' })
    .max(100, { message: 'TOO_LONG' })
    // NUL cannot reach PostgreSQL text; control characters are never part of a case.
    .refine((q) => ![...q].some((ch) => ch.charCodeAt(0) < 0x20), { message: 'QUERY_INVALID' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** A hit as a list shows it: the phone masked (138****1234), never the whole number. */
export const CaseSearchHit = z.object({
  id: z.uuid(),
  number: z.string(),
  customerName: z.string(),
  customerPhoneMasked: z.string(),
  channel: Channel,
  type: CaseType,
  businessLine: BusinessLine,
  status: CaseState,
  priority: Priority,
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Where the query matched first: number, name or description. */
  matchedIn: z.enum(['number', 'customerName', 'description']),
});
export type CaseSearchHit = z.infer<typeof CaseSearchHit>;

export const CaseSearchResponse = z.object({
  hits: z.array(CaseSearchHit),
  /** More cases matched than `limit`. */
  more: z.boolean(),
});

export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** A LIKE pattern that matches `text` literally anywhere. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface HitRow {
  id: string;
  number: string;
  customer_name: string;
  customer_phone: string;
  channel: CaseSearchHit['channel'];
  type: CaseSearchHit['type'];
  business_line: CaseSearchHit['businessLine'];
  status: CaseSearchHit['status'];
  priority: CaseSearchHit['priority'];
  owner_id: string | null;
  owner_name: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  matched_in: CaseSearchHit['matchedIn'];
}

export async function searchCases(
  db: Db,
  user: Parameters<typeof caseScope>[0],
  query: z.infer<typeof CaseSearchQuery>,
): Promise<z.infer<typeof CaseSearchResponse>> {
  // Bare, not wrapped in coalesce(): a WHERE drops null rows anyway, and the planner can
  // only use the owner and team indexes on the condition as it is.
  const scope = caseScope(user, 3);
  // Newest first: the case a customer calls about is nearly always a recent one.
  const found = await db.query<HitRow>(
    `select c.id, c.number, c.customer_name, c.customer_phone, c.channel, c.type,
            c.business_line, c.status, c.priority, c.owner_id, o.display_name as owner_name,
            c.created_at, c.updated_at,
            case when c.number ilike $1 then 'number'
                 when c.customer_name like $1 then 'customerName'
                 else 'description' end as matched_in
       from cases c left join users o on o.id = c.owner_id
      where (${scope.sql})
        and (c.number ilike $1 or c.customer_name like $1 or c.description like $1)
      order by c.created_at desc, c.id
      limit $2`,
    [containing(query.q), query.limit + 1, ...scope.params],
  );
  const rows = found.rows.slice(0, query.limit);
  return {
    hits: rows.map((row) => ({
      id: row.id,
      number: row.number,
      customerName: row.customer_name,
      customerPhoneMasked: maskPhone(row.customer_phone),
      channel: row.channel,
      type: row.type,
      businessLine: row.business_line,
      status: row.status,
      priority: row.priority,
      ownerId: row.owner_id,
      ownerName: row.owner_name,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      matchedIn: row.matched_in,
    })),
    more: found.rows.length > query.limit,
  };
}

export async function caseSearchRoutes(
  app: FastifyInstance,
  opts: { db: Db; jwtSecret: Uint8Array },
): Promise<void> {
  const { db, jwtSecret } = opts;
  app.withTypeProvider<ZodTypeProvider>().get(
    '/cases/search',
    {
      onRequest: requireSignIn(db, jwtSecret),
      schema: {
        summary: 'Find cases in your scope by case number, customer name or description',
        tags: ['cases'],
        security: [{ bearerAuth: [] }],
        querystring: CaseSearchQuery,
        response: { 200: CaseSearchResponse, 400: ApiError, 401: ApiError, 503: ApiError },
      },
    },
    async (request) => searchCases(db, signedInUser(request), request.query),
  );
}
