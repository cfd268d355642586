import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { AbortedError, realSleep, systemClock, type Clock, type Sleep } from './clock';
import { guardedLookup, isInsecureHostAllowed, OktaDomainError } from './okta-domain';
import {
  errorForStatus,
  OktaApiError,
  OktaBadResponseError,
  OktaCrossOriginLinkError,
  OktaRateLimitedError,
  OktaTransientError,
} from './okta-errors';
import { findNextLink } from './link-header';
import {
  classifyBucket,
  OktaRateLimiter,
  parseRateHeaders,
  type BucketSnapshot,
  type OktaBucket,
  type RateTicket,
  type RateVerdict,
} from './rate-limiter';
import { Secret } from './secret';
import { Semaphore } from './semaphore';

export const USER_AGENT = 'regentra-okta-collector/0.1';

/** pino-compatible. The client never hands it the token. */
export interface OktaClientLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** One per HTTP attempt (and per attempt that got no HTTP answer: `status` 0, `error` set). */
export interface OktaResponseEvent {
  bucket: OktaBucket;
  /** HTTP status, or 0 when no answer arrived. */
  status: number;
  durationMs: number;
  oktaRequestId?: string | undefined;
  /** `METHOD /path/template`. */
  endpoint: string;
  /** 0 for the first try of a request, then 1, 2 … */
  attempt: number;
  /** Error code when no answer arrived (UND_ERR_HEADERS_TIMEOUT, ECONNRESET …) or the body was not JSON. */
  error?: string | undefined;
}

export interface OktaTimeouts {
  /** TCP+TLS connect. Default 10 s. */
  connectMs?: number;
  /** Request sent → response headers. Default 30 s. */
  headersMs?: number;
  /** Max idle time between body chunks. Default 30 s. */
  bodyMs?: number;
}

export interface OktaRetryOptions {
  /** Retries of transient failures (5xx, resets, timeouts, malformed JSON). Default 4. */
  retries?: number;
  /** Backoff base. Default 250 ms. */
  baseMs?: number;
  /** Backoff cap. Default 8 s. */
  capMs?: number;
  /** 429 retries per request before OktaRateLimitedError. Default 6. */
  max429Retries?: number;
  /** First back-off after a concurrency 429 (doubles, capped by capMs). Default 1 s. */
  concurrencyBackoffMs?: number;
}

export interface OktaHttpOptions {
  /** Validated base URL (validateOktaDomain); only its origin is used. */
  baseUrl: URL;
  token: Secret;
  /** Requests in flight per client, and pool connections. Default 8. */
  concurrency?: number;
  /** See RateLimiterOptions.maxShare. Default 0.45. */
  maxShare?: number;
  /** Requests in flight per bucket before its first answer. Default 2. */
  probeConcurrency?: number;
  timeouts?: OktaTimeouts;
  retry?: OktaRetryOptions;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  logger?: OktaClientLogger;
  onResponse?: (event: OktaResponseEvent) => void;
  /** Test-only `host:port` opt-in list (see validateOktaDomain). */
  allowInsecureHosts?: readonly string[];
}

export interface OktaGetRequest {
  /** `GET /api/v1/users/{id}/factors` — names the call in errors, logs and metrics. */
  endpoint: string;
  /** Path under the base URL (already encoded), when not following a link. */
  path?: string;
  query?: Record<string, string | number | undefined>;
  /** An absolute (or origin-relative) link to follow exactly as given; must share the base origin. */
  url?: string;
  /** Send the Authorization header. Default true. */
  auth?: boolean;
}

export interface OktaJsonResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** `rel="next"` from the Link header(s), origin-checked, as given. */
  nextUrl: string | null;
  oktaRequestId?: string | undefined;
}

export interface OktaHttpStats {
  requests: number;
  retries: number;
  rateLimited429: number;
  concurrency429: number;
  transientFailures: number;
  buckets: BucketSnapshot[];
}

const RETRYABLE_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

function headerString(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
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
  private readonly headersMs: number;
  private readonly bodyMs: number;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly max429: number;
  private readonly concurrencyBackoffMs: number;
  private readonly abort = new AbortController();
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
      const bare = base.hostname.replace(/^\[|\]$/g, '');
      if (
        /^[\d.]+$/.test(bare) ||
        bare.includes(':') ||
        bare === 'localhost' ||
        bare.endsWith('.localhost')
      ) {
        throw new OktaDomainError(
          'ip-literal',
          'The Okta domain must be a domain name, not an address.',
          base.hostname,
        );
      }
    }
    this.origin = base.origin;
    this.token = opts.token;
    const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 8));
    const connectMs = opts.timeouts?.connectMs ?? 10_000;
    this.headersMs = opts.timeouts?.headersMs ?? 30_000;
    this.bodyMs = opts.timeouts?.bodyMs ?? 30_000;
    this.retries = Math.max(0, opts.retry?.retries ?? 4);
    this.baseMs = opts.retry?.baseMs ?? 250;
    this.capMs = opts.retry?.capMs ?? 8_000;
    this.max429 = Math.max(0, opts.retry?.max429Retries ?? 6);
    this.concurrencyBackoffMs = opts.retry?.concurrencyBackoffMs ?? 1_000;
    this.clock = opts.clock ?? systemClock;
    this.sleepFn = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger;
    this.onResponseHook = opts.onResponse;
    // every in-flight request and pending sleep listens on the close signal
    setMaxListeners(0, this.abort.signal);
    this.sem = new Semaphore(concurrency);
    this.limiter = new OktaRateLimiter({
      maxShare: opts.maxShare,
      probeConcurrency: opts.probeConcurrency,
      clock: this.clock,
      sleep: this.sleepFn,
      random: this.random,
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
    const bucket = classifyBucket('GET', path);
    const endpoint = req.endpoint;
    let transientTries = 0;
    let rateTries = 0;
    // Only the Management API is metered; `/.well-known/*` (no auth, no rate headers) is not.
    const metered = path.startsWith('/api/');
    for (let attempt = 0; ; attempt++) {
      const ticket = metered ? await this.limiter.acquire(bucket) : undefined;
      let semHeld = false;
      const started = this.clock.now();
      let status = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      let text = '';
      try {
        await this.sem.acquire();
        semHeld = true;
        if (this.closed) throw new AbortedError();
        this.counters.requests++;
        const res = await this.pool.request({
          method: 'GET',
          path,
          headers: this.buildHeaders(req.auth !== false),
          headersTimeout: this.headersMs,
          bodyTimeout: this.bodyMs,
          signal: this.abort.signal,
        });
        status = res.statusCode;
        headers = res.headers as Record<string, string | string[] | undefined>;
        text = await res.body.text();
      } catch (err) {
        if (semHeld) this.sem.release();
        this.releaseTicket(ticket, status, headers);
        if (this.closed || err instanceof AbortedError) throw new AbortedError();
        if (
          err instanceof OktaDomainError ||
          (err as { code?: unknown })?.code === 'ERR_OKTA_PRIVATE_ADDRESS'
        ) {
          throw err instanceof OktaDomainError
            ? err
            : new OktaDomainError(
                'private-address',
                'The Okta domain resolved to a private or reserved address; connection refused.',
              );
        }
        const code = errorCode(err);
        const durationMs = this.clock.now() - started;
        this.emit({
          bucket,
          status,
          durationMs,
          endpoint,
          attempt,
          error: code,
          oktaRequestId: headerString(headers, 'x-okta-request-id'),
        });
        const retryable = RETRYABLE_CODES.has(code);
        const failure = new OktaTransientError({
          status,
          endpoint,
          oktaRequestId: headerString(headers, 'x-okta-request-id'),
          detail: this.scrub(describeTransport(code, err)),
        });
        if (retryable && transientTries < this.retries) {
          transientTries++;
          await this.backoff(transientTries, endpoint, attempt, code);
          continue;
        }
        this.counters.transientFailures++;
        throw failure;
      }
      this.sem.release();
      const durationMs = this.clock.now() - started;
      const oktaRequestId = headerString(headers, 'x-okta-request-id');
      const verdict: RateVerdict = ticket
        ? this.limiter.onResponse(ticket, status, parseRateHeaders(headers))
        : status === 429
          ? { kind: 'concurrency-limited' }
          : { kind: 'ok' };

      if (status >= 200 && status < 300) {
        let body: unknown;
        try {
          body = text.length === 0 ? null : JSON.parse(text);
        } catch {
          this.emit({
            bucket,
            status,
            durationMs,
            endpoint,
            attempt,
            oktaRequestId,
            error: 'MALFORMED_JSON',
          });
          if (transientTries < this.retries) {
            transientTries++;
            await this.backoff(transientTries, endpoint, attempt, 'MALFORMED_JSON');
            continue;
          }
          this.counters.transientFailures++;
          throw new OktaTransientError({
            status,
            endpoint,
            oktaRequestId,
            detail: 'the response body is not valid JSON',
          });
        }
        this.emit({ bucket, status, durationMs, endpoint, attempt, oktaRequestId });
        const link = headers['link'];
        const rawNext = findNextLink(link);
        const nextUrl = rawNext === null ? null : this.sameOriginLink(rawNext, endpoint, status);
        return { status, body, headers, nextUrl, oktaRequestId };
      }

      this.emit({ bucket, status, durationMs, endpoint, attempt, oktaRequestId });
      const { errorCode: oktaErrorCode, errorSummary } = this.parseErrorBody(text);
      const init = {
        status,
        endpoint,
        oktaErrorCode,
        oktaErrorSummary: errorSummary,
        oktaRequestId,
      };

      if (status === 429) {
        if (verdict.kind === 'rate-limited') this.counters.rateLimited429++;
        else this.counters.concurrency429++;
        if (rateTries >= this.max429) throw new OktaRateLimitedError(init);
        rateTries++;
        const waitMs =
          verdict.kind === 'rate-limited'
            ? verdict.waitMs
            : this.jittered(Math.min(this.capMs, this.concurrencyBackoffMs * 2 ** (rateTries - 1)));
        this.logger?.info(
          {
            endpoint,
            bucket,
            attempt,
            waitMs: Math.round(waitMs),
            kind: verdict.kind,
            oktaRequestId,
          },
          'okta rate limited (429); waiting before retry',
        );
        this.counters.retries++;
        await this.sleepFn(waitMs, this.abort.signal);
        continue;
      }
      if (status >= 500 && status <= 599 && transientTries < this.retries) {
        transientTries++;
        await this.backoff(transientTries, endpoint, attempt, `HTTP ${status}`, oktaRequestId);
        continue;
      }
      const error: OktaApiError = errorForStatus(init);
      if (error instanceof OktaTransientError) this.counters.transientFailures++;
      throw error;
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

  private jittered(ms: number): number {
    return ms / 2 + this.random() * (ms / 2);
  }

  private async backoff(
    n: number,
    endpoint: string,
    attempt: number,
    reason: string,
    oktaRequestId?: string,
  ): Promise<void> {
    const waitMs = this.jittered(Math.min(this.capMs, this.baseMs * 2 ** (n - 1)));
    this.counters.retries++;
    this.logger?.warn(
      { endpoint, attempt, retry: n, waitMs: Math.round(waitMs), reason, oktaRequestId },
      'okta transient failure; retrying',
    );
    await this.sleepFn(waitMs, this.abort.signal);
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

  private parseErrorBody(text: string): {
    errorCode?: string | undefined;
    errorSummary?: string | undefined;
  } {
    try {
      const b = JSON.parse(text) as { errorCode?: unknown; errorSummary?: unknown };
      const errorCode =
        typeof b?.errorCode === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(b.errorCode)
          ? b.errorCode
          : undefined;
      const errorSummary =
        typeof b?.errorSummary === 'string' ? this.scrub(b.errorSummary).slice(0, 300) : undefined;
      return { errorCode, errorSummary };
    } catch {
      return {};
    }
  }

  /** Removes the token from any text that came from elsewhere (defence in depth). */
  private scrub(s: string): string {
    const t = this.token.reveal();
    return t && s.includes(t) ? s.split(t).join('[redacted]') : s;
  }
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (e && typeof e.code === 'string') return e.code;
  if (e && typeof e.name === 'string') return e.name;
  return 'UNKNOWN';
}

function describeTransport(code: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : '';
  const detail = msg && msg !== code ? `${code}: ${msg}` : code;
  return detail.slice(0, 200);
}

function safeOrigin(u: URL): string {
  return `${u.protocol}//${u.host}`;
}
