import { floorMs, percentile, windowOvershoot } from './floor';

describe('bench floor arithmetic', () => {
  it('takes the slowest bucket, buckets running in parallel', () => {
    const result = floorMs({ other: 1000, apps: 90 }, { other: 1000, apps: 100 }, 60_000, 0.5);
    // other: 1000 / 500 = 2 windows; apps: 90 / 50 = 1.8 windows
    expect(result).toEqual({ floorMs: 120_000, bottleneck: 'other' });
  });

  it('gives nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 100], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 100], 99)).toBe(100);
  });

  it('spreads the time above the floor over the windows and rescales it', () => {
    // 10 windows of 6 s = 60 s floor, 70 s wall: 1 s over per window
    const result = windowOvershoot(70_000, 60_000, 6_000, 60_000);
    expect(result.windows).toBe(10);
    expect(result.overshootPerWindowMs).toBe(1_000);
    // at 60 s windows: (600 s + 10 s) / 600 s
    expect(result.ratioAtTarget).toBeCloseTo(610 / 600, 10);
  });
});
