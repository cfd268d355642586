import type { Clock, Sleep } from './clock';
import type { BucketSnapshot, OktaBucket } from './rate-limiter';
import type { Secret } from './secret';
import type { SharedRateBudget } from './shared-budget';

/** The options, requests, answers and figures of OktaHttp (okta-http.ts). */

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
  /**
   * Overall deadline of one attempt, headers and whole body: a server that
   * drips its answer never goes idle, so only this ends it. A transient
   * failure (retried). Default 60 s.
   */
  callMs?: number;
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
  /**
   * Longest wait for a rate-limit window to reset (after a 429, or when pacing
   * the bucket). A Reset further ahead fails the call with
   * OktaRateLimitWaitTooLongError instead of parking the sync. Default 5 min.
   */
  maxRateLimitWaitMs?: number;
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
  /** Largest response body accepted, aborted while streaming. Default 20 MiB. */
  maxResponseBytes?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  logger?: OktaClientLogger;
  onResponse?: (event: OktaResponseEvent) => void;
  /** Test-only `host:port` opt-in list (see validateOktaDomain). */
  allowInsecureHosts?: readonly string[];
  /**
   * The org's rate budget shared with its other activities and collector
   * instances, asked before each metered call (after this client's own pacing).
   */
  budget?: SharedRateBudget;
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
