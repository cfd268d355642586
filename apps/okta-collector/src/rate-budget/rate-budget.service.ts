import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import {
  AbortedError,
  allowedPerWindow,
  cellCap,
  cellMs,
  cellOf,
  CONSERVATIVE_LIMITS,
  type BudgetPermit,
  type OktaBucket,
  type SharedRateBudget,
} from '../okta-client';
import { RateBudgetRepository } from './rate-budget.repository';

interface BucketState {
  /** X-Rate-Limit-Limit as Okta last reported it; undefined = not yet. */
  limit?: number;
  cell: number;
  /** Slots of `cell` this instance claimed and has not handed out. */
  claimed: number;
  /** The next slot of `cell` worth trying (every lower one is taken). */
  nextSlot: number;
  /** Takers waiting for this bucket (how many slots to claim at once). */
  waiting: number;
  /** Serializes this instance's claims of the bucket. */
  lock: Promise<void>;
}

const RESYNC_CLOCK_MS = 60_000;
const CLEANUP_MS = 10 * 60_000;

/**
 * One rate budget per org and Okta bucket for every collector instance
 * (docs/schedules-and-ordering.md, "One rate budget per org"): before each call the Okta client takes
 * a slot of the current cell of the shared grid (okta-client/shared-budget.ts);
 * slots are claimed in MongoDB, a few at a time, by unique inserts. The grid's
 * clock is the database's, so instances agree on the cell without trusting
 * each other's clocks.
 */
@Injectable()
export class RateBudgetService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RateBudgetService.name);
  private readonly holder = `budget-${randomUUID().slice(0, 8)}`;
  private readonly orgs = new Map<string, Map<OktaBucket, BucketState>>();
  /** Database clock minus local clock, ms. */
  private offsetMs = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly slots: RateBudgetRepository,
  ) {}

  get enabled(): boolean {
    return this.config.OKTA_RATE_BUDGET === 'shared';
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    await this.syncClock();
    const resync = setInterval(() => void this.syncClock().catch(() => undefined), RESYNC_CLOCK_MS);
    const cleanup = setInterval(() => void this.cleanUp(), CLEANUP_MS);
    for (const timer of [resync, cleanup]) timer.unref();
    this.timers = [resync, cleanup];
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /** The org's shared budget for its Okta clients; undefined with OKTA_RATE_BUDGET=local. */
  forOrg(orgId: string): SharedRateBudget | undefined {
    if (!this.enabled) return undefined;
    return {
      take: (bucket, signal) => this.take(orgId, bucket, signal),
      observeLimit: (bucket, limit) => {
        this.state(orgId, bucket).limit = limit;
      },
    };
  }

  private state(orgId: string, bucket: OktaBucket): BucketState {
    let buckets = this.orgs.get(orgId);
    if (!buckets) this.orgs.set(orgId, (buckets = new Map()));
    let state = buckets.get(bucket);
    if (!state) {
      state = { cell: -1, claimed: 0, nextSlot: 0, waiting: 0, lock: Promise.resolve() };
      buckets.set(bucket, state);
    }
    return state;
  }

  private async take(
    orgId: string,
    bucket: OktaBucket,
    signal: AbortSignal,
  ): Promise<BudgetPermit> {
    const state = this.state(orgId, bucket);
    state.waiting += 1;
    try {
      for (;;) {
        if (signal.aborted) throw new AbortedError();
        const result = await this.locked(state, () => this.tryTake(orgId, bucket, state));
        if ('validUntilMs' in result) return result;
        await sleep(result.waitMs, signal);
      }
    } finally {
      state.waiting -= 1;
    }
  }

  /** A permit of the current cell, or how long to wait for the next cell. */
  private async tryTake(
    orgId: string,
    bucket: OktaBucket,
    state: BucketState,
  ): Promise<BudgetPermit | { waitMs: number }> {
    const windowMs = this.config.OKTA_RATE_WINDOW_MS;
    const localNow = Date.now();
    const cell = cellOf(localNow + this.offsetMs, windowMs);
    const cellEnd = (cell + 1) * cellMs(windowMs) - this.offsetMs; // local ms
    if (state.cell !== cell) Object.assign(state, { cell, claimed: 0, nextSlot: 0 });
    if (state.claimed > 0) {
      state.claimed -= 1;
      return { validUntilMs: cellEnd };
    }
    // Until Okta reported the bucket's limit: the lowest published one, one call at a time.
    const known = state.limit !== undefined;
    const allowed = allowedPerWindow(
      state.limit ?? CONSERVATIVE_LIMITS[bucket],
      this.config.OKTA_RATE_LIMIT_SHARE,
    );
    const cap = known ? cellCap(allowed, cell) : Math.min(1, cellCap(allowed, cell));
    while (state.nextSlot < cap) {
      const want = known ? Math.min(cap - state.nextSlot, claimSize(cap, state.waiting)) : 1;
      const got = await this.slots.claim(
        { orgId, bucket, cell, cellStartMs: cell * cellMs(windowMs) },
        state.nextSlot,
        want,
        this.holder,
      );
      state.nextSlot += got.claimed + (got.contended ? 1 : 0);
      if (got.claimed > 0) {
        if (Date.now() >= cellEnd) break; // the claim outlived its cell: those slots are lost
        state.claimed = got.claimed - 1;
        return { validUntilMs: cellEnd };
      }
    }
    return { waitMs: Math.max(1, cellEnd - Date.now()) + 1 };
  }

  private async locked<T>(state: BucketState, work: () => Promise<T>): Promise<T> {
    const before = state.lock;
    let release!: () => void;
    state.lock = new Promise<void>((done) => (release = done));
    await before;
    try {
      return await work();
    } finally {
      release();
    }
  }

  private async syncClock(): Promise<void> {
    const sent = Date.now();
    const databaseNow = await this.slots.databaseNow();
    const received = Date.now();
    this.offsetMs = databaseNow.getTime() - (sent + received) / 2;
  }

  private async cleanUp(): Promise<void> {
    try {
      // Slots older than an hour (and more than two windows) are never claimed again.
      const keepFrom =
        Date.now() + this.offsetMs - Math.max(3_600_000, 2 * this.config.OKTA_RATE_WINDOW_MS);
      await this.slots.dropBefore(keepFrom);
    } catch (error) {
      this.logger.warn({ msg: `rate budget clean-up failed: ${(error as Error).message}` });
    }
  }
}

/**
 * Slots to claim in one insert: every waiting taker's, and at least a quarter
 * of the cell's cap, so a lone sync calling back to back claims once per few
 * calls instead of once per call (a fleet's shared database pays an insert per
 * claim; the fleet bench with 100 orgs made 4,580 claims for 200 runs, one
 * per Okta call, each waiting ~230 ms behind the other writes). Slots claimed
 * and not used lapse with their cell: they can only make this instance
 * slower, never put the org above its share.
 */
export function claimSize(cap: number, waiting: number): number {
  return Math.max(1, waiting, Math.ceil(cap / 4));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
