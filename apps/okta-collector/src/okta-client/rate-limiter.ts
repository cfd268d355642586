import { setMaxListeners } from 'node:events';
import { AbortedError, realSleep, systemClock, type Clock, type Sleep } from './clock';

/**
 * Okta rate-limit buckets (docs/okta.md, "Rate limits"). Each has its own per-minute
 * org limit, reported on every response by X-Rate-Limit-Limit/-Remaining/-Reset.
 */
export type OktaBucket = 'users-list' | 'user-get' | 'groups' | 'apps' | 'logs' | 'other';
export const OKTA_BUCKETS: readonly OktaBucket[] = [
  'users-list',
  'user-get',
  'groups',
  'apps',
  'logs',
  'other',
];

/** Classifies a request by method and path (query, scheme and host ignored). */
export function classifyBucket(method: string, pathOrUrl: string): OktaBucket {
  let path = pathOrUrl;
  const schemeAt = path.indexOf('://');
  if (schemeAt >= 0) {
    const slash = path.indexOf('/', schemeAt + 3);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  path = path.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const seg = path.split('/').filter((s) => s.length > 0);
  if (seg[0] !== 'api' || seg[1] !== 'v1') return 'other';
  const [, , resource, id, sub] = seg;
  const isGet = method.toUpperCase() === 'GET';
  switch (resource) {
    case 'users':
      if (!isGet) return 'other';
      if (id === undefined) return 'users-list';
      if (sub === undefined) return 'user-get';
      return 'other'; // factors, roles … ("everything else")
    case 'groups':
      if (id !== undefined && sub === undefined) return 'other'; // /groups/{id} is not the groups bucket
      return 'groups';
    case 'apps':
      return 'apps';
    case 'logs':
      return 'logs';
    default:
      return 'other';
  }
}

export interface RateHeaders {
  limit?: number | undefined;
  remaining?: number | undefined;
  /** X-Rate-Limit-Reset: UTC epoch seconds. */
  reset?: number | undefined;
  /** The response `Date` header, epoch ms (1 s resolution). */
  dateMs?: number | undefined;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0];
  return v;
}

function intHeader(headers: HeaderBag, name: string): number | undefined {
  const v = headerValue(headers, name);
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/** Reads the rate-limit headers and `Date` (lower-case header names, as undici gives them). */
export function parseRateHeaders(headers: HeaderBag): RateHeaders {
  const date = headerValue(headers, 'date');
  const dateMs = date === undefined ? undefined : Date.parse(date);
  return {
    limit: intHeader(headers, 'x-rate-limit-limit'),
    remaining: intHeader(headers, 'x-rate-limit-remaining'),
    reset: intHeader(headers, 'x-rate-limit-reset'),
    dateMs: dateMs === undefined || Number.isNaN(dateMs) ? undefined : dateMs,
  };
}

export interface RateLimiterOptions {
  /**
   * Share of each bucket's per-window Limit this client may use before it waits
   * for the window to reset. Okta's default per-token cap is 50 %; using all of
   * it counts as a violation, so the default stops a little short.
   */
  maxShare?: number;
  /** Requests allowed in flight in a bucket before its first response told us its state. */
  probeConcurrency?: number;
  clock?: Clock;
  sleep?: Sleep;
  /** [0,1) random source for jitter. */
  random?: () => number;
  /**
   * Longest a request may be held for a window reset; past it every waiting
   * `acquire` of the bucket rejects with RateWaitTooLongError. Default: no cap.
   */
  maxWaitMs?: number;
}

/** The bucket's window resets further ahead than `maxWaitMs`. */
export class RateWaitTooLongError extends Error {
  constructor(
    readonly bucket: OktaBucket,
    readonly waitMs: number,
  ) {
    super(`the ${bucket} rate-limit window resets in ${Math.round(waitMs / 1000)} s`);
  }
}

export const DEFAULT_MAX_SHARE = 0.45;

/** Handed out by `acquire`; give it back with `onResponse` or `release`. */
export interface RateTicket {
  readonly bucket: OktaBucket;
  readonly seq: number;
  settled: boolean;
  /** Sent while the bucket's window state was unknown, in window generation `gen`. */
  readonly probe?: boolean;
  readonly gen?: number;
}

export type RateVerdict =
  | { kind: 'ok' }
  /** A window 429: wait `waitMs` (until the reset, plus jitter), then retry. */
  | { kind: 'rate-limited'; waitMs: number }
  /** A 429 without window information (concurrency 429: Limit and Remaining 0): back off briefly. */
  | { kind: 'concurrency-limited' };

export interface BucketSnapshot {
  bucket: OktaBucket;
  limit?: number | undefined;
  allowedPerWindow?: number | undefined;
  estimatedRemaining?: number | undefined;
  resetInMs?: number | undefined;
  inFlight: number;
  queued: number;
  sent: number;
  rateLimited429: number;
  concurrency429: number;
}

interface BucketState {
  name: OktaBucket;
  limit?: number | undefined;
  /** Estimated remaining calls in the current window, after everything we sent. undefined = unknown. */
  est?: number | undefined;
  /** X-Rate-Limit-Reset (epoch s) identifying the current window. */
  windowReset?: number | undefined;
  /** Monotonic ms at which the current window ends. */
  resetAt?: number | undefined;
  /** Set after we passed resetAt without a response from the new window yet. */
  rolled: boolean;
  /** Consecutive times the server said "same window" after we believed it rolled. */
  staleRechecks: number;
  /** The bucket answered without rate-limit headers: do not throttle it. */
  noHeaders: boolean;
  inFlight: number;
  /** Probes of the current generation still unanswered. */
  probesInFlight: number;
  /** Bumped each time we believe the window rolled over. */
  gen: number;
  seq: number;
  queue: Array<{ resolve: (t: RateTicket) => void; reject: (e: unknown) => void }>;
  wakeAt?: number | undefined;
  sent: number;
  r429: number;
  c429: number;
}

/**
 * Client-side pacing for one Okta org (one token). Per bucket it tracks the
 * window from the response headers and lets requests flow at full speed until
 * `maxShare` of the window's Limit is used, then holds them until the window
 * resets (computed against the server's `Date`, applied to the local monotonic
 * clock). Requests in a bucket whose state is unknown (first use, or just after
 * a reset) go out `probeConcurrency` at a time until an answer arrives.
 */
export class OktaRateLimiter {
  readonly maxShare: number;
  private readonly probeConcurrency: number;
  private readonly clock: Clock;
  private readonly sleepFn: Sleep;
  private readonly random: () => number;
  private readonly maxWaitMs: number;
  private readonly abort = new AbortController();
  private readonly buckets = new Map<OktaBucket, BucketState>();
  /** Estimated (server epoch ms − local monotonic ms), from `Date` headers. */
  private serverOffset?: number | undefined;
  private closed = false;

  constructor(opts: RateLimiterOptions = {}) {
    const share = opts.maxShare ?? DEFAULT_MAX_SHARE;
    if (!(share > 0 && share <= 1)) throw new RangeError('maxShare must be in (0, 1]');
    this.maxShare = share;
    this.probeConcurrency = Math.max(1, Math.floor(opts.probeConcurrency ?? 2));
    this.clock = opts.clock ?? systemClock;
    this.sleepFn = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.maxWaitMs = opts.maxWaitMs ?? Number.POSITIVE_INFINITY;
    setMaxListeners(0, this.abort.signal);
  }

  /** Calls allowed per window for a bucket of this Limit. */
  allowedPerWindow(limit: number): number {
    return Math.max(1, Math.floor(limit * this.maxShare));
  }

  /** Waits until the bucket may send one more request. */
  acquire(bucket: OktaBucket): Promise<RateTicket> {
    if (this.closed) return Promise.reject(new AbortedError());
    const b = this.state(bucket);
    return new Promise<RateTicket>((resolve, reject) => {
      b.queue.push({ resolve, reject });
      this.pump(b);
    });
  }

  /** Records a response (any status) for a ticket and says what to do about a 429. */
  onResponse(ticket: RateTicket, status: number, h: RateHeaders): RateVerdict {
    const b = this.state(ticket.bucket);
    this.settle(b, ticket);
    const now = this.clock.now();
    this.observeServerClock(now, h.dateMs);
    let verdict: RateVerdict = { kind: 'ok' };

    const hasWindow = h.limit !== undefined && h.limit > 0 && h.remaining !== undefined;
    if (!hasWindow) {
      if (status === 429) {
        b.c429++;
        verdict = { kind: 'concurrency-limited' };
      } else if (status >= 200 && status < 300 && h.limit === undefined && b.limit === undefined) {
        // A successful answer without any rate-limit header (not Okta's behaviour under
        // /api/v1, but a proxy may strip them): nothing to pace on.
        b.noHeaders = true;
      }
    } else {
      const limit = h.limit as number;
      const remaining = h.remaining as number;
      b.noHeaders = false;
      b.limit = limit;
      const candidate = remaining - (b.seq - ticket.seq);
      const reset = h.reset;
      const resetAtFromHeader =
        reset === undefined ? undefined : this.monoAt(reset * 1000, now, h.dateMs);
      if (reset === undefined) {
        // No Reset: trust Remaining, re-check in a second.
        b.est = b.est === undefined ? candidate : Math.min(b.est, candidate);
        b.resetAt = b.resetAt ?? now + 1000;
        b.rolled = false;
      } else if (b.windowReset === undefined || reset > b.windowReset) {
        b.windowReset = reset;
        b.est = candidate;
        b.resetAt = Math.max(now, resetAtFromHeader as number);
        b.rolled = false;
        b.staleRechecks = 0;
      } else if (reset === b.windowReset) {
        b.est = b.est === undefined ? candidate : Math.min(b.est, candidate);
        if (b.rolled || b.resetAt === undefined) {
          // We thought the window had ended; the server says it has not.
          const recheck = Math.min(2000, 250 * 2 ** b.staleRechecks);
          b.staleRechecks++;
          b.resetAt = Math.max(resetAtFromHeader as number, now + recheck);
          b.rolled = false;
        }
      }
      // reset < windowReset: a late answer from an earlier window; nothing to learn.
      if (status === 429) {
        b.r429++;
        b.est = Math.min(b.est ?? 0, 0);
        const until = b.resetAt ?? now + 1000;
        verdict = {
          kind: 'rate-limited',
          waitMs: Math.max(0, until - now) + Math.floor(this.random() * 1000),
        };
      }
    }
    this.pump(b);
    return verdict;
  }

  /** Gives a ticket back without a response (network error, timeout). It still counts as sent. */
  release(ticket: RateTicket): void {
    const b = this.state(ticket.bucket);
    this.settle(b, ticket);
    this.pump(b);
  }

  snapshot(): BucketSnapshot[] {
    const now = this.clock.now();
    return [...this.buckets.values()].map((b) => ({
      bucket: b.name,
      limit: b.limit,
      allowedPerWindow: b.limit === undefined ? undefined : this.allowedPerWindow(b.limit),
      estimatedRemaining: b.est,
      resetInMs: b.resetAt === undefined ? undefined : Math.max(0, b.resetAt - now),
      inFlight: b.inFlight,
      queued: b.queue.length,
      sent: b.sent,
      rateLimited429: b.r429,
      concurrency429: b.c429,
    }));
  }

  /** Rejects every waiting `acquire` and stops timers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    for (const b of this.buckets.values()) {
      const waiting = b.queue.splice(0);
      for (const w of waiting) w.reject(new AbortedError());
    }
  }

  private state(bucket: OktaBucket): BucketState {
    let b = this.buckets.get(bucket);
    if (!b) {
      b = {
        name: bucket,
        rolled: false,
        staleRechecks: 0,
        noHeaders: false,
        inFlight: 0,
        probesInFlight: 0,
        gen: 0,
        seq: 0,
        queue: [],
        sent: 0,
        r429: 0,
        c429: 0,
      };
      this.buckets.set(bucket, b);
    }
    return b;
  }

  private settle(b: BucketState, t: RateTicket): void {
    if (t.settled) return;
    t.settled = true;
    b.inFlight = Math.max(0, b.inFlight - 1);
    if (t.probe && t.gen === b.gen) b.probesInFlight = Math.max(0, b.probesInFlight - 1);
  }

  /**
   * Server clock: the `Date` header is the server's time floored to the second,
   * so `date − receivedAt` never exceeds the true offset; the maximum over
   * answers converges on it within a second of traffic. A drop of more than
   * 2 s means the server clock moved: start again from the latest answer.
   */
  private observeServerClock(now: number, dateMs: number | undefined): void {
    const obs = (dateMs ?? this.clock.wallNow()) - now;
    if (
      this.serverOffset === undefined ||
      obs > this.serverOffset ||
      obs < this.serverOffset - 2000
    ) {
      this.serverOffset = obs;
    }
  }

  /** Local monotonic ms at which the server clock reads `serverMs`. */
  private monoAt(serverMs: number, now: number, dateMs: number | undefined): number {
    const offset = this.serverOffset ?? (dateMs ?? this.clock.wallNow()) - now;
    return serverMs - offset;
  }

  /** Can the bucket send now? `true`, or the ms to wait (undefined = until an answer or release). */
  private decide(b: BucketState, now: number): true | { waitMs?: number } {
    if (b.resetAt !== undefined && now >= b.resetAt) {
      b.resetAt = undefined;
      b.est = undefined;
      b.rolled = true;
      b.gen++;
      b.probesInFlight = 0; // requests from the old window no longer gate probing
    }
    if (b.est === undefined) {
      if (b.noHeaders) return true;
      const probes = b.rolled ? 1 : this.probeConcurrency;
      return b.probesInFlight < probes ? true : {};
    }
    const limit = b.limit ?? 0;
    const reserve = limit - this.allowedPerWindow(limit);
    if (b.est > reserve) return true;
    return b.resetAt === undefined ? { waitMs: 1000 } : { waitMs: Math.max(1, b.resetAt - now) };
  }

  private pump(b: BucketState): void {
    if (this.closed) return;
    while (b.queue.length > 0) {
      const now = this.clock.now();
      const d = this.decide(b, now);
      if (d !== true) {
        if (d.waitMs !== undefined && d.waitMs > this.maxWaitMs) {
          const error = new RateWaitTooLongError(b.name, d.waitMs);
          for (const w of b.queue.splice(0)) w.reject(error);
          return;
        }
        if (d.waitMs !== undefined) this.wakeIn(b, d.waitMs, now);
        return;
      }
      const w = b.queue.shift();
      if (!w) return;
      b.seq++;
      b.sent++;
      b.inFlight++;
      const probe = b.est === undefined && !b.noHeaders;
      if (probe) b.probesInFlight++;
      if (b.est !== undefined) b.est--;
      w.resolve({ bucket: b.name, seq: b.seq, settled: false, probe, gen: b.gen });
    }
  }

  private wakeIn(b: BucketState, waitMs: number, now: number): void {
    const at = now + waitMs;
    if (b.wakeAt !== undefined && b.wakeAt <= at + 1 && b.wakeAt > now) return; // an earlier wake is pending
    b.wakeAt = at;
    this.sleepFn(waitMs, this.abort.signal).then(
      () => {
        if (b.wakeAt === at) b.wakeAt = undefined;
        this.pump(b);
      },
      () => undefined,
    );
  }
}
