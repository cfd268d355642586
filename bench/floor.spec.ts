import { floorMs, percentile } from './floor';

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
});
