import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { BodyTooLarge, readBoundedBody } from './bounded-body';
import { AbortedError, realSleep, systemClock, type Clock, type Sleep } from './clock';
import { domainNameOf, guardedLookup, isInsecureHostAllowed, OktaDomainError } from './okta-domain';
import {
  errorForStatus,
  OktaApiError,
  type OktaApiErrorInit,
  OktaBadResponseError,
  OktaCrossOriginLinkError,
  OktaResponseTooLargeError,
  OktaTransientError,
} from './okta-errors';
import { findNextLink } from './link-header';
import {
  classifyBucket,
  OktaRateLimiter,
  parseRateHeaders,
  RateWaitTooLongError,
  type OktaBucket,
  type RateTicket,
  type RateVerdict,
} from './rate-limiter';
import type {
  OktaClientLogger,
  OktaGetRequest,
  OktaHttpOptions,
  OktaHttpStats,
  OktaJsonResponse,
  OktaResponseEvent,
} from './okta-http.types';
import { type Attempted, type GetCall, OktaRetries, RETRY } from './okta-http.retry';
import {
  DEADLINE_CODE,
  describeTransport,
  errorCode,
  headerString,
  parseErrorBody,
  RETRYABLE_CODES,
  safeOrigin,
  throwIfPrivateAddress,
} from './okta-http.support';
import { Secret } from './secret';
import { Semaphore } from './semaphore';
import type { SharedRateBudget } from './shared-budget';

export const USER_AGENT = 'regentra-okta-collector/0.1';

type HttpHeaders = Record<string, string | string[] | undefined>;

/** What came back, as far as it came (status 0: no answer). */
interface RawResponse {
  status: number;
  headers: HttpHeaders;
  text: string;
}

interface SeenResponse extends RawResponse {
  durationMs: number;
  oktaRequestId: string | undefined;
}

/**
 * The HTTP layer of the Okta client: one keep-alive undici Pool for the org's
 * origin, bounded concurrency, rate-limit pacing, retries, JSON parsing,
 * Link-header pagination with an origin check, and typed errors.
 */
export class OktaHttp {
  readonly origin: string;
  private readonly token: Secret;
  private readonly pool: Pool;
  private readonly limiter: OktaRateLimiter;
  private readonly sem: Semaphore;
  private readonly clock: Clock;
  private readonly sleepFn: Sleep;
  private readonly random: () => number;
  private readonly logger?: OktaClientLogger | undefined;
  private readonly onResponseHook?: ((e: OktaResponseEvent) => void) | undefined;
  private readonly budget?: SharedRateBudget | undefined;
  private readonly headersMs: number;
  private readonly bodyMs: number;
  private readonly callMs: number;
  private readonly maxResponseBytes: number;
  private readonly abort = new AbortController();
  private readonly retry: OktaRetries;
  private closed = false;
  private readonly counters = {
    requests: 0,
    retries: 0,
    rateLimited429: 0,
    concurrency429: 0,
    transientFailures: 0,
  };

  constructor(opts: OktaHttpOptions) {
    if (!(opts.token instanceof Secret)) throw new TypeError('token must be a Secret');
    const base = opts.baseUrl;
    const insecureOk = isInsecureHostAllowed(base, opts.allowInsecureHosts ?? []);
    if (!insecureOk) {
      if (base.protocol !== 'https:') {
        throw new OktaDomainError('not-https', 'The Okta domain must use https://.', base.hostname);
      }
      domainNameOf(base.hostname);
    }
    this.origin = base.origin;
    this.token = opts.token;
    const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 8));
    const connectMs = opts.timeouts?.connectMs ?? 10_000;
    this.headersMs = opts.timeouts?.headersMs ?? 30_000;
    this.bodyMs = opts.timeouts?.bodyMs ?? 30_000;
    this.callMs = opts.timeouts?.callMs ?? 60_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? 20 * 1024 * 1024;
    this.clock = opts.clock ?? systemClock;
    this.sleepFn = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger;
    this.onResponseHook = opts.onResponse;
    this.budget = opts.budget;
    this.retry = new OktaRetries(opts.retry, {
      random: this.random,
      sleep: this.sleepFn,
      signal: this.abort.signal,
      logger: this.logger,
      counters: this.counters,
    });
    // every in-flight request and pending sleep listens on the close signal
    setMaxListeners(0, this.abort.signal);
    this.sem = new Semaphore(concurrency);
    this.limiter = new OktaRateLimiter({
      maxShare: opts.maxShare,
      probeConcurrency: opts.probeConcurrency,
      clock: this.clock,
      sleep: this.sleepFn,
      random: this.random,
      maxWaitMs: this.retry.maxRateLimitWaitMs,
    });
    this.pool = new Pool(this.origin, {
      connections: concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: this.headersMs,
      bodyTimeout: this.bodyMs,
      // Re-check resolved addresses at every connect (DNS rebinding), except for the test opt-in.
      connect: insecureOk ? { timeout: connectMs } : { timeout: connectMs, lookup: guardedLookup },
    });
  }

  /**
   * Checks that a link (Link header, `_links.next.href`, a stored System Log
   * checkpoint) stays on the client's origin and returns it as an absolute URL
   * string. Throws OktaCrossOriginLinkError otherwise.
   */
  sameOriginLink(raw: string, endpoint: string, status = 0): string {
    let u: URL;
    try {
      u = new URL(raw, this.origin);
    } catch {
      throw new OktaBadResponseError({
        status,
        endpoint,
        detail: 'a pagination link is not a valid URL',
      });
    }
    if (u.origin !== this.origin) {
      throw new OktaCrossOriginLinkError({
        status,
        endpoint,
        detail: `a pagination link points to another origin (${safeOrigin(u)}, expected ${this.origin}); refusing to follow it`,
      });
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return raw;
    return new URL(raw, this.origin).href;
  }

  /** GET returning parsed JSON; retries transient failures and 429s. */
  async getJson(req: OktaGetRequest): Promise<OktaJsonResponse> {
    if (this.closed) throw new AbortedError();
    const path = this.requestPath(req);
    const call: GetCall = {
      path,
      bucket: classifyBucket('GET', path),
      endpoint: req.endpoint,
      auth: req.auth !== false,
      // Only the Management API is metered; `/.well-known/*` (no auth, no rate headers) is not.
      metered: path.startsWith('/api/'),
      transientTries: 0,
      rateTries: 0,
    };
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(call, attempt);
      if (result !== RETRY) return result;
    }
  }

  stats(): OktaHttpStats {
    return { ...this.counters, buckets: this.limiter.snapshot() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.limiter.close();
    this.sem.close();
    await this.pool.destroy().catch(() => undefined);
  }

  /** One attempt: a rate-limit ticket, the request, then what its answer means. */
  private async attempt(call: GetCall, attempt: number): Promise<Attempted<OktaJsonResponse>> {
    const ticket = call.metered ? await this.ticketFor(call) : undefined;
    const started = this.clock.now();
    const raw = await this.send(call, attempt, ticket, started);
    if (raw === RETRY) return RETRY;
    const seen: SeenResponse = {
      ...raw,
      durationMs: this.clock.now() - started,
      oktaRequestId: headerString(raw.headers, 'x-okta-request-id'),
    };
    const verdict = this.verdictOf(ticket, seen);
    if (seen.status >= 200 && seen.status < 300) return this.accept(call, attempt, seen);
    this.emit(this.responseEvent(call, attempt, seen));
    return this.refuse(call, attempt, seen, verdict);
  }

  /** A rate-limit ticket; a window that resets too far ahead fails the call instead of parking it. */
  private async ticketFor(call: GetCall): Promise<RateTicket> {
    try {
      return await this.limiter.acquire(call.bucket);
    } catch (error) {
      if (!(error instanceof RateWaitTooLongError)) throw error;
      throw this.retry.waitTooLong(call.endpoint, error.waitMs, {});
    }
  }

  /** Sends the GET under the semaphore; a transport failure is retried or thrown. */
  private async send(
    call: GetCall,
    attempt: number,
    ticket: RateTicket | undefined,
    started: number,
  ): Promise<Attempted<RawResponse>> {
    const raw: RawResponse = { status: 0, headers: {}, text: '' };
    let semHeld = false;
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.acquireSlot(call.bucket, ticket !== undefined);
      semHeld = true;
      if (this.closed) throw new AbortedError();
      this.counters.requests++;
      // the deadline starts when the request goes out, not while it queues
      timer = setTimeout(() => deadline.abort(), this.callMs);
      timer.unref();
      const res = await this.pool.request({
        method: 'GET',
        path: call.path,
        headers: this.buildHeaders(call.auth),
        headersTimeout: this.headersMs,
        bodyTimeout: this.bodyMs,
        signal: AbortSignal.any([this.abort.signal, deadline.signal]),
      });
      raw.status = res.statusCode;
      raw.headers = res.headers as HttpHeaders;
      raw.text = await readBoundedBody(
        res.body,
        headerString(raw.headers, 'content-length'),
        this.maxResponseBytes,
      );
    } catch (err) {
      if (semHeld) this.sem.release();
      this.releaseTicket(ticket, raw.status, raw.headers);
      if (err instanceof BodyTooLarge) throw this.tooLarge(call, attempt, raw, err.bytes);
      const cause =
        deadline.signal.aborted && !this.closed
          ? Object.assign(
              new Error(`no complete answer within the ${this.callMs} ms deadline per call`),
              {
                code: DEADLINE_CODE,
              },
            )
          : err;
      return this.transportFailed(call, attempt, cause, raw, started);
    } finally {
      clearTimeout(timer);
    }
    this.sem.release();
    return raw;
  }

  private tooLarge(
    call: GetCall,
    attempt: number,
    raw: RawResponse,
    bytes: number,
  ): OktaResponseTooLargeError {
    const oktaRequestId = headerString(raw.headers, 'x-okta-request-id');
    this.emit({
      ...this.responseEvent(call, attempt, { status: raw.status, durationMs: 0, oktaRequestId }),
      error: 'TOO_LARGE',
    });
    return new OktaResponseTooLargeError({
      status: raw.status,
      endpoint: call.endpoint,
      oktaRequestId,
      detail: `the body passed ${this.maxResponseBytes} bytes (read ${bytes}); aborted`,
    });
  }

  /** No (complete) HTTP answer: abort, refuse a private address, or retry a transient code. */
  private async transportFailed(
    call: GetCall,
    attempt: number,
    err: unknown,
    raw: RawResponse,
    started: number,
  ): Promise<typeof RETRY> {
    if (this.closed || err instanceof AbortedError) throw new AbortedError();
    throwIfPrivateAddress(err);
    const code = errorCode(err);
    const oktaRequestId = headerString(raw.headers, 'x-okta-request-id');
    const durationMs = this.clock.now() - started;
    const event = this.responseEvent(call, attempt, {
      status: raw.status,
      durationMs,
      oktaRequestId,
    });
    this.emit({ ...event, error: code });
    const failure = new OktaTransientError({
      status: raw.status,
      endpoint: call.endpoint,
      oktaRequestId,
      detail: this.scrub(describeTransport(code, err)),
    });
    if (!RETRYABLE_CODES.has(code)) {
      this.counters.transientFailures++;
      throw failure;
    }
    return this.retry.retryTransient(call, attempt, code, failure);
  }

  /** A 2xx: parse the body (malformed JSON is transient) and the origin-checked next link. */
  private async accept(
    call: GetCall,
    attempt: number,
    seen: SeenResponse,
  ): Promise<Attempted<OktaJsonResponse>> {
    const event = this.responseEvent(call, attempt, seen);
    let body: unknown;
    try {
      body = seen.text.length === 0 ? null : JSON.parse(seen.text);
    } catch {
      this.emit({ ...event, error: 'MALFORMED_JSON' });
      const failure = new OktaTransientError({
        status: seen.status,
        endpoint: call.endpoint,
        oktaRequestId: seen.oktaRequestId,
        detail: 'the response body is not valid JSON',
      });
      return this.retry.retryTransient(call, attempt, 'MALFORMED_JSON', failure);
    }
    this.emit(event);
    const rawNext = findNextLink(seen.headers['link']);
    const nextUrl =
      rawNext === null ? null : this.sameOriginLink(rawNext, call.endpoint, seen.status);
    const { status, headers, oktaRequestId } = seen;
    return { status, body, headers, nextUrl, oktaRequestId };
  }

  /** A non-2xx: wait out a 429, retry a 5xx while tries last, else throw the typed error. */
  private async refuse(
    call: GetCall,
    attempt: number,
    seen: SeenResponse,
    verdict: RateVerdict,
  ): Promise<typeof RETRY> {
    const { errorCode: oktaErrorCode, errorSummary } = parseErrorBody(seen.text, (text) =>
      this.scrub(text),
    );
    const init: OktaApiErrorInit = {
      status: seen.status,
      endpoint: call.endpoint,
      oktaErrorCode,
      oktaErrorSummary: errorSummary,
      oktaRequestId: seen.oktaRequestId,
    };
    if (seen.status === 429) return this.retry.waitOutRateLimit(call, attempt, verdict, init);
    if (
      seen.status >= 500 &&
      seen.status <= 599 &&
      (await this.retry.retryServerError(call, attempt, seen.status, seen.oktaRequestId))
    )
      return RETRY;
    const error: OktaApiError = errorForStatus(init);
    if (error instanceof OktaTransientError) this.counters.transientFailures++;
    throw error;
  }

  /**
   * The semaphore and, for a metered call, a permit of the shared budget that
   * is still good once the semaphore is ours (else both are asked again).
   */
  private async acquireSlot(bucket: OktaBucket, metered: boolean): Promise<void> {
    for (;;) {
      const permit =
        metered && this.budget ? await this.budget.take(bucket, this.abort.signal) : undefined;
      await this.sem.acquire();
      if (!permit || Date.now() < permit.validUntilMs) return;
      this.sem.release();
    }
  }

  /** What the limiter makes of the answer (an unmetered 429 is a concurrency limit). */
  private verdictOf(ticket: RateTicket | undefined, seen: RawResponse): RateVerdict {
    const limit = ticket ? parseRateHeaders(seen.headers).limit : undefined;
    if (ticket && limit !== undefined && limit > 0) this.budget?.observeLimit(ticket.bucket, limit);
    if (ticket) return this.limiter.onResponse(ticket, seen.status, parseRateHeaders(seen.headers));
    return seen.status === 429 ? { kind: 'concurrency-limited' } : { kind: 'ok' };
  }

  private responseEvent(
    call: GetCall,
    attempt: number,
    seen: { status: number; durationMs: number; oktaRequestId: string | undefined },
  ): OktaResponseEvent {
    return {
      bucket: call.bucket,
      status: seen.status,
      durationMs: seen.durationMs,
      endpoint: call.endpoint,
      attempt,
      oktaRequestId: seen.oktaRequestId,
    };
  }

  private requestPath(req: OktaGetRequest): string {
    if (req.url !== undefined) {
      const href = this.sameOriginLink(req.url, req.endpoint);
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^#]*)/i.exec(href);
      const p = m?.[1] ?? '';
      return p === '' ? '/' : p.startsWith('/') ? p : `/${p}`;
    }
    const path = req.path ?? '/';
    if (!path.startsWith('/') || path.startsWith('//')) {
      throw new TypeError(`path must be origin-relative: ${req.endpoint}`);
    }
    const q = Object.entries(req.query ?? {})
      .filter((e): e is [string, string | number] => e[1] !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    return q ? `${path}?${q}` : path;
  }

  private buildHeaders(auth: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
    if (auth) h.authorization = `SSWS ${this.token.reveal()}`;
    return h;
  }

  private releaseTicket(
    ticket: RateTicket | undefined,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (!ticket) return;
    if (status > 0) this.limiter.onResponse(ticket, status, parseRateHeaders(headers));
    else this.limiter.release(ticket);
  }

  private emit(e: OktaResponseEvent): void {
    this.logger?.debug({ ...e, durationMs: Math.round(e.durationMs) }, 'okta response');
    if (!this.onResponseHook) return;
    try {
      this.onResponseHook(e);
    } catch {
      // observability must never break a sync
    }
  }

  /** Removes the token from any text that came from elsewhere (defence in depth). */
  private scrub(s: string): string {
    const t = this.token.reveal();
    return t && s.includes(t) ? s.split(t).join('[redacted]') : s;
  }
}
