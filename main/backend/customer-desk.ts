// The backend side of the intake desk's customer lookup: the central API's 360 with the
// session token (renewed once on a 401, as sync does), and, while the API is down, a reduced
// view by phone from the cases cached here. ID and account lookups need the server: their
// hashes never reach a workstation.
import type { CaseRecord } from '../../shared/case-views';
import { maskPhone } from '../../shared/case-views';
import type {
  CachedCustomerView,
  CustomerCase,
  CustomerLookupAnswer,
  CustomerLookupQuery,
} from '../../shared/customer-desk';
import type { BusinessLine } from '../../shared/domain';
import type { CacheDb } from './cache-db';
import { ApiRefusedError, ApiUnreachableError, type CentralApiClient } from './central-api-client';

const DAY_MS = 86_400_000;
/** States after which a case is no longer open (the same as the server's 360). */
const FINISHED = new Set(['closed', 'merged', 'withdrawn']);
/** Enough for any real caller; a phone shared by thousands of cases is test data. */
const CACHED_CASES_LIMIT = 200;

/** A refusal the UI translates: the lookup needs the central API, which is down. */
export class CustomerDeskOffline extends Error {
  readonly code = 'CUSTOMER_LOOKUP_OFFLINE';
}

export interface CustomerDeskDeps {
  api: CentralApiClient;
  db: CacheDb;
  token: () => Promise<string | null>;
  /** A new access token after a 401; null when only a sign-in can help. */
  renew: () => Promise<string | null>;
  now: () => Date;
}

export class CustomerDesk {
  constructor(private readonly deps: CustomerDeskDeps) {}

  async lookup(query: CustomerLookupQuery): Promise<CustomerLookupAnswer> {
    try {
      const answer = await this.withToken((token) => this.deps.api.lookupCustomers(token, query));
      return { offline: false, customers: answer.customers };
    } catch (error) {
      if (!(error instanceof ApiUnreachableError)) throw error;
      if (!query.phone) throw new CustomerDeskOffline('Only a phone lookup works offline');
      return { offline: true, cached: this.cachedView(query.phone) };
    }
  }

  async get(customerId: string, businessLine?: BusinessLine) {
    try {
      return await this.withToken((token) =>
        this.deps.api.customer360(token, customerId, businessLine),
      );
    } catch (error) {
      if (error instanceof ApiUnreachableError)
        throw new CustomerDeskOffline('The customer 360 needs the central API');
      throw error;
    }
  }

  /** The cases cached here for one phone number, as a 360 without segments. */
  cachedView(phone: string): CachedCustomerView | null {
    const rows = this.deps.db
      .prepare(
        `SELECT view_json FROM cases WHERE json_extract(view_json, '$.customerPhone') = ?
          ORDER BY json_extract(view_json, '$.createdAt') DESC LIMIT ?`,
      )
      .all(phone, CACHED_CASES_LIMIT) as { view_json: string }[];
    if (rows.length === 0) return null;
    const records = rows.map((row) => JSON.parse(row.view_json) as CaseRecord);
    const now = this.deps.now().getTime();
    const toCase = (record: CaseRecord): CustomerCase => ({
      id: record.id,
      number: record.number,
      status: record.status,
      type: record.type,
      businessLine: record.businessLine,
      priority: record.priority,
      createdAt: record.createdAt,
      inMyScope: true,
    });
    const within = (record: CaseRecord, days: number) =>
      now - Date.parse(record.createdAt) <= days * DAY_MS;
    const complaintsWithin = (days: number) =>
      records.filter((r) => r.type === 'complaint' && within(r, days)).length;
    return {
      offline: true,
      name: records[0]!.customerName,
      maskedPhone: maskPhone(phone),
      openCases: records.filter((r) => !FINISHED.has(r.status)).map(toCase),
      recentCases: records.filter((r) => within(r, 365)).map(toCase),
      complaintsLast12Months: complaintsWithin(365),
      complaintsLast30Days: complaintsWithin(30),
    };
  }

  private async withToken<T>(send: (token: string) => Promise<T>): Promise<T> {
    const token = await this.deps.token();
    if (!token) throw new ApiUnreachableError('No session token: working offline');
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof ApiRefusedError) || error.status !== 401) throw error;
      const renewed = await this.deps.renew();
      if (!renewed) throw error;
      return send(renewed);
    }
  }
}
