import type { OktaBucket } from './rate-limiter';

/**
 * One rate budget per Okta org and bucket, shared by every activity on every
 * collector instance (the port; the collector's `rate-budget/` slice keeps it
 * in MongoDB). The client asks it before each call, after its own pacing.
 */
export interface SharedRateBudget {
  /**
   * Resolves when one call of this bucket may go out; the call must start
   * before `validUntilMs` (local `Date.now()` ms), else take another permit.
   */
  take(bucket: OktaBucket, signal: AbortSignal): Promise<BudgetPermit>;
  /** The bucket's X-Rate-Limit-Limit as Okta reported it. */
  observeLimit(bucket: OktaBucket, limit: number): void;
}

export interface BudgetPermit {
  validUntilMs: number;
}

/**
 * The budget's time grid. Okta's windows last `windowMs` but start whenever
 * the bucket's first call of a window arrives, so they cannot be named in
 * advance. The budget cuts time into cells of `windowMs / CELLS_PER_WINDOW`
 * on one clock every instance shares and caps each cell so that any
 * `CELLS_PER_WINDOW + 2` consecutive cells together allow exactly the share:
 * a window of any alignment overlaps at most that many cells (its two ends,
 * plus a call that goes out up to one cell late), so it never sees more than
 * the share. The price: at most `CELLS_PER_WINDOW / (CELLS_PER_WINDOW + 2)`
 * (90 %) of the share is usable, spread evenly through the window.
 */
export const CELLS_PER_WINDOW = 18;

export function cellMs(windowMs: number): number {
  return windowMs / CELLS_PER_WINDOW;
}

/** The cell a shared-clock time falls in. */
export function cellOf(sharedNowMs: number, windowMs: number): number {
  return Math.floor(sharedNowMs / cellMs(windowMs));
}

/**
 * Calls cell `cell` allows for a share of `allowed` calls per window: the
 * share spread over `CELLS_PER_WINDOW + 2` cells with the remainder rotating,
 * so any that many consecutive cells add up to exactly `allowed`.
 */
export function cellCap(allowed: number, cell: number): number {
  const span = CELLS_PER_WINDOW + 2;
  return Math.floor(((cell + 1) * allowed) / span) - Math.floor((cell * allowed) / span);
}

/** Calls per window a token may make at `share` of Okta's `limit` (as the local limiter counts). */
export function allowedPerWindow(limit: number, share: number): number {
  return Math.max(1, Math.floor(limit * share));
}

/**
 * Limits assumed before Okta reported a bucket's: the lowest published
 * per-minute org limits (docs/okta.md, "Rate limits": the lower of the two
 * published figures of each bucket), so a first call never
 * assumes more than the org has. Until then the budget sends one call at a time.
 */
export const CONSERVATIVE_LIMITS: Readonly<Record<OktaBucket, number>> = {
  'users-list': 600,
  'user-get': 1000,
  groups: 500,
  apps: 100,
  logs: 50,
  other: 600,
};
