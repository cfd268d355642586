import type { Sleep } from './clock';
import {
  OktaApiError,
  type OktaApiErrorInit,
  OktaRateLimitedError,
  OktaRateLimitWaitTooLongError,
} from './okta-errors';
import type { OktaClientLogger, OktaHttpStats, OktaRetryOptions } from './okta-http.types';
import type { OktaBucket, RateVerdict } from './rate-limiter';

/** Returned by an attempt that should be repeated (after its wait). */
export const RETRY = Symbol('retry');
export type Attempted<T> = T | typeof RETRY;

/** One GET in flight: what every attempt of it shares, with the tries used so far. */
export interface GetCall {
  path: string;
  bucket: OktaBucket;
  endpoint: string;
  auth: boolean;
  metered: boolean;
  transientTries: number;
  rateTries: number;
}

/** What OktaHttp counts of its calls (its stats without the buckets). */
export type OktaHttpCounters = Omit<OktaHttpStats, 'buckets'>;

/**
 * How OktaHttp waits and retries: transient failures back off exponentially
 * with jitter while tries last; a 429 waits for the bucket's reset (rate
 * limit) or a growing jittered wait (concurrency limit), at most
 * `max429Retries` times and never longer than `maxRateLimitWaitMs`.
 */
export class OktaRetries {
  readonly retries: number;
  readonly maxRateLimitWaitMs: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly max429: number;
  private readonly concurrencyBackoffMs: number;

  constructor(
    options: OktaRetryOptions | undefined,
    private readonly deps: {
      random: () => number;
      sleep: Sleep;
      signal: AbortSignal;
      logger?: OktaClientLogger | undefined;
      counters: OktaHttpCounters;
    },
  ) {
    this.maxRateLimitWaitMs = options?.maxRateLimitWaitMs ?? 5 * 60_000;
    this.retries = Math.max(0, options?.retries ?? 4);
    this.baseMs = options?.baseMs ?? 250;
    this.capMs = options?.capMs ?? 8_000;
    this.max429 = Math.max(0, options?.max429Retries ?? 6);
    this.concurrencyBackoffMs = options?.concurrencyBackoffMs ?? 1_000;
  }

  /** A 5xx: backs off and asks for another attempt while transient tries last (else false). */
  async retryServerError(
    call: GetCall,
    attempt: number,
    status: number,
    oktaRequestId: string | undefined,
  ): Promise<boolean> {
    if (call.transientTries >= this.retries) return false;
    call.transientTries++;
    await this.backoff(
      call.transientTries,
      call.endpoint,
      attempt,
      `HTTP ${status}`,
      oktaRequestId,
    );
    return true;
  }

  waitTooLong(
    endpoint: string,
    waitMs: number,
    init: Partial<OktaApiErrorInit>,
  ): OktaRateLimitWaitTooLongError {
    return new OktaRateLimitWaitTooLongError({
      status: 0,
      ...init,
      endpoint,
      detail: `the ${init.status ? '429' : 'rate-limit window'} resets in ${Math.round(waitMs / 1000)} s, beyond the ${Math.round(this.maxRateLimitWaitMs / 1000)} s a sync may wait (X-Rate-Limit-Reset)`,
    });
  }

  /** A 429: the bucket's reset (rate limit) or a growing jittered wait (concurrency limit). */
  async waitOutRateLimit(
    call: GetCall,
    attempt: number,
    verdict: RateVerdict,
    init: OktaApiErrorInit,
  ): Promise<typeof RETRY> {
    if (verdict.kind === 'rate-limited') this.deps.counters.rateLimited429++;
    else this.deps.counters.concurrency429++;
    if (verdict.kind === 'rate-limited' && verdict.waitMs > this.maxRateLimitWaitMs)
      throw this.waitTooLong(call.endpoint, verdict.waitMs, init);
    if (call.rateTries >= this.max429) throw new OktaRateLimitedError(init);
    call.rateTries++;
    const waitMs =
      verdict.kind === 'rate-limited'
        ? verdict.waitMs
        : this.jittered(
            Math.min(this.capMs, this.concurrencyBackoffMs * 2 ** (call.rateTries - 1)),
          );
    this.deps.logger?.info(
      {
        endpoint: call.endpoint,
        bucket: call.bucket,
        attempt,
        waitMs: Math.round(waitMs),
        kind: verdict.kind,
        oktaRequestId: init.oktaRequestId,
      },
      'okta rate limited (429); waiting before retry',
    );
    this.deps.counters.retries++;
    await this.deps.sleep(waitMs, this.deps.signal);
    return RETRY;
  }

  /** Backs off and asks for another attempt while transient tries last; else throws `failure`. */
  async retryTransient(
    call: GetCall,
    attempt: number,
    reason: string,
    failure: OktaApiError,
  ): Promise<typeof RETRY> {
    if (call.transientTries >= this.retries) {
      this.deps.counters.transientFailures++;
      throw failure;
    }
    call.transientTries++;
    await this.backoff(call.transientTries, call.endpoint, attempt, reason);
    return RETRY;
  }

  jittered(ms: number): number {
    return ms / 2 + this.deps.random() * (ms / 2);
  }

  async backoff(
    n: number,
    endpoint: string,
    attempt: number,
    reason: string,
    oktaRequestId?: string,
  ): Promise<void> {
    const waitMs = this.jittered(Math.min(this.capMs, this.baseMs * 2 ** (n - 1)));
    this.deps.counters.retries++;
    this.deps.logger?.warn(
      { endpoint, attempt, retry: n, waitMs: Math.round(waitMs), reason, oktaRequestId },
      'okta transient failure; retrying',
    );
    await this.deps.sleep(waitMs, this.deps.signal);
  }
}
