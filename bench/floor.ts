/**
 * The rate-limit floor of a sync: each Okta bucket allows `limit × share`
 * calls per window and buckets run in parallel, so the least time a set of
 * calls can take is the slowest bucket's (calls / per-window allowance) windows.
 */
export function floorMs(
  callsByBucket: Record<string, number>,
  limits: Record<string, number>,
  windowMs: number,
  share: number,
): { floorMs: number; bottleneck: string | null } {
  let worst = 0;
  let bottleneck: string | null = null;
  for (const [bucket, calls] of Object.entries(callsByBucket)) {
    const perWindow = Math.max(1, Math.floor((limits[bucket] ?? Infinity) * share));
    const ms = (calls / perWindow) * windowMs;
    if (ms > worst) {
      worst = ms;
      bottleneck = bucket;
    }
  }
  return { floorMs: worst, bottleneck };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/**
 * Where a sync's time above the floor goes when it is a fixed cost per window
 * (Okta's Reset and Date headers have whole-second resolution): the overshoot
 * per window, and the ratio the same overshoot would give at other windows.
 * An extrapolation, not a measurement.
 */
export function windowOvershoot(
  wallMs: number,
  floor: number,
  windowMs: number,
  targetWindowMs: number,
): { windows: number; overshootPerWindowMs: number; ratioAtTarget: number } {
  const windows = floor / windowMs;
  const overshootPerWindowMs = (wallMs - floor) / windows;
  const targetFloor = windows * targetWindowMs;
  return {
    windows,
    overshootPerWindowMs,
    ratioAtTarget: (targetFloor + windows * overshootPerWindowMs) / targetFloor,
  };
}
