// HTTP client of the central case API, as the sync engine and sign-in use it.
import {
  ApiError,
  PullResponse,
  PushResponse,
  SignInResponse,
  SERVER_TIME_HEADER,
  SYNC_EVENTS_PATH,
  type PushRequest,
} from '../../shared/sync-protocol';
import { KnowledgeChanges } from '../../shared/knowledge';
import { DeadlineRules } from '../../shared/reference-data';
import {
  Customer360,
  CustomerLookupResponse,
  type CustomerLookupQuery,
} from '../../shared/customers';
import { z } from 'zod';

/** The API could not be reached or answered 5xx: retry later, the outbox keeps everything. */
export class ApiUnreachableError extends Error {
  readonly code = 'API_UNREACHABLE';
}

/** The API answered with a definite refusal (4xx): not worth retrying as is. */
export class ApiRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** undici's answer when the server end of a pooled connection had closed. */
function isStaleConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === 'UND_ERR_SOCKET';
}

export class CentralApiClient {
  /** How far the server's clock is ahead of this workstation's (0 when within 2 s). */
  private skewMs = 0;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
    /** The workstation's own, uncorrected clock. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The server's clock minus ours, from each answer: its millisecond time header taken at the
   * middle of the round trip, or the whole-second Date header of a server that lacks it.
   * Only a clearly wrong clock is corrected, so that jitter does not move deadlines about.
   */
  private learnSkew(headers: Headers, sentAt: number): void {
    const receivedAt = this.now().getTime();
    const precise = Date.parse(headers.get(SERVER_TIME_HEADER) ?? '');
    const measured = Number.isFinite(precise)
      ? precise - (sentAt + receivedAt) / 2
      : Date.parse(headers.get('date') ?? '') + 500 - receivedAt;
    if (Number.isFinite(measured)) this.skewMs = Math.abs(measured) > 2_000 ? measured : 0;
  }

  /** The server's clock minus ours, learned from each answer. */
  serverSkewMs(): number {
    return this.skewMs;
  }

  signIn(body: { username: string; password: string; clientId: string }) {
    return this.request('POST', '/auth/sign-in', SignInResponse, { body });
  }

  /** A new access token and refresh token for this one; the one given is used up. */
  refresh(body: { refreshToken: string; clientId: string }) {
    return this.request('POST', '/auth/refresh', SignInResponse, { body });
  }

  /** Ends the session on the server: its access token and its refresh tokens. */
  async signOut(token: string): Promise<void> {
    await this.request('POST', '/auth/sign-out', z.null(), { token });
  }

  /** The deadline policy and work calendar in force, to count deadlines offline. */
  deadlineRules(token: string, signal?: AbortSignal) {
    return this.request('GET', '/reference/deadline-rules', DeadlineRules, { token, signal });
  }

  /** Published knowledge articles changed after a version, and tombstones. */
  knowledgeChanges(token: string, query: { after: string; limit: number }, signal?: AbortSignal) {
    const params = new URLSearchParams({ after: query.after, limit: String(query.limit) });
    return this.request('GET', `/knowledge/changes?${params.toString()}`, KnowledgeChanges, {
      token,
      signal,
    });
  }

  /** Customers by exactly one identifier (the server audits every lookup). */
  lookupCustomers(token: string, query: CustomerLookupQuery) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    return this.request('GET', `/customers/lookup?${params.toString()}`, CustomerLookupResponse, {
      token,
    });
  }

  /** The customer 360; with a business line, the open cases of that line to merge into. */
  customer360(token: string, customerId: string, businessLine?: string) {
    const query = businessLine ? `?${new URLSearchParams({ businessLine }).toString()}` : '';
    return this.request(
      'GET',
      `/customers/${encodeURIComponent(customerId)}${query}`,
      Customer360,
      { token },
    );
  }

  push(token: string, body: PushRequest, signal?: AbortSignal) {
    return this.request('POST', '/sync/push', PushResponse, { body, token, signal });
  }

  pull(
    token: string,
    query: { clientId: string; cursor: string; limit: number },
    signal?: AbortSignal,
  ) {
    const params = new URLSearchParams({ ...query, limit: String(query.limit) });
    return this.request('GET', `/sync/pull?${params.toString()}`, PullResponse, {
      token,
      signal,
    });
  }

  /**
   * Opens the poke stream (Server-Sent Events). Answers the response as is, body unread:
   * the caller reads the stream, and aborts `signal` to end it. No timeout of its own.
   */
  async openEvents(token: string, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(new URL(SYNC_EVENTS_PATH, this.baseUrl), {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
        signal,
      });
    } catch (error) {
      throw new ApiUnreachableError(`Central API unreachable: ${(error as Error).message}`);
    }
  }

  private async request<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    options: { body?: unknown; token?: string; signal?: AbortSignal },
  ): Promise<z.infer<T>> {
    let response: Response;
    const sentAt = this.now().getTime();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const send = () =>
      fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
    try {
      response = await send().catch((error: unknown) => {
        // A kept-alive connection the network dropped while idle fails the first request
        // after an outage. Reads and sign-ins are safe to send again; a refresh is not (its
        // token may have been used up by the lost request) and a push is re-sent by the
        // engine with its seqs anyway.
        const retriable = method === 'GET' || path === '/auth/sign-in';
        if (retriable && isStaleConnection(error)) return send();
        throw error;
      });
    } catch (error) {
      throw new ApiUnreachableError(`Central API unreachable: ${(error as Error).message}`);
    }
    this.learnSkew(response.headers, sentAt);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection dropped mid-answer: the request may or may not have been applied.
      throw new ApiUnreachableError(`Central API answer lost: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (response.status >= 500)
      throw new ApiUnreachableError(`Central API answered ${response.status}`);
    if (!response.ok) {
      const error = ApiError.safeParse(json);
      throw new ApiRefusedError(
        response.status,
        error.success ? error.data.code : `HTTP_${response.status}`,
        error.success ? error.data.message : text.slice(0, 200),
        json,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ApiUnreachableError(`Central API sent an unexpected ${path} answer`);
    return parsed.data;
  }
}
