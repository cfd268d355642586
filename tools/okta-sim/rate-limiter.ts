export type BucketName = 'users-list' | 'user-get' | 'groups' | 'apps' | 'logs' | 'other';

export const BUCKETS: readonly BucketName[] = [
  'users-list',
  'user-get',
  'groups',
  'apps',
  'logs',
  'other',
];

/** Okta's published per-minute org limits, Workforce column (docs/okta.md). */
export const WORKFORCE_LIMITS: Readonly<Record<BucketName, number>> = {
  'users-list': 600,
  'user-get': 2000,
  groups: 500,
  apps: 100,
  logs: 120,
  other: 1200,
};

export interface RateState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window ends, rounded up. */
  resetEpochSeconds: number;
}

interface Window {
  startMs: number;
  count: number;
}

/**
 * Fixed windows per bucket that start with the bucket's first request (not on
 * the minute), like Okta's. Counts every request, including refused ones.
 */
export class RateLimiter {
  private readonly windows = new Map<BucketName, Window>();
  /** The most requests any one window of each bucket saw. */
  private readonly peaks = new Map<BucketName, number>();

  constructor(
    private readonly limits: Record<BucketName, number>,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  private current(bucket: BucketName, open: boolean): Window | undefined {
    const now = this.clock();
    const existing = this.windows.get(bucket);
    if (existing && now < existing.startMs + this.windowMs) return existing;
    if (!open) return undefined;
    const fresh = { startMs: now, count: 0 };
    this.windows.set(bucket, fresh);
    return fresh;
  }

  private state(bucket: BucketName, window: Window | undefined): RateState {
    const limit = this.limits[bucket];
    const count = window?.count ?? 0;
    const end = window ? window.startMs + this.windowMs : this.clock() + this.windowMs;
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetEpochSeconds: Math.ceil(end / 1000),
    };
  }

  consume(bucket: BucketName): RateState {
    const window = this.current(bucket, true) as Window;
    window.count++;
    if (window.count > (this.peaks.get(bucket) ?? 0)) this.peaks.set(bucket, window.count);
    return this.state(bucket, window);
  }

  /** The bucket's state without counting a request (for answers that cost nothing). */
  peek(bucket: BucketName): RateState {
    return { ...this.state(bucket, this.current(bucket, false)), allowed: true };
  }

  setLimit(bucket: BucketName, limit: number): void {
    this.limits[bucket] = limit;
  }

  /** Per bucket, the most requests one window counted (refused ones included). */
  windowPeaks(): Partial<Record<BucketName, number>> {
    return Object.fromEntries(this.peaks);
  }

  limitsSnapshot(): Record<BucketName, number> {
    return { ...this.limits };
  }

  reset(): void {
    this.windows.clear();
    this.peaks.clear();
  }
}
