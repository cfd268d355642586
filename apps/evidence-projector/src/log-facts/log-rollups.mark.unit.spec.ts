import {
  backfillAfter,
  LogRollupsMark,
  markOf,
  ROLLUP_VERSION,
  rollupsCurrent,
} from './log-rollups.mark';

/** When rollups may be read, and where a backfill starts. */
const mark = (o: Partial<LogRollupsMark>): LogRollupsMark => ({
  ...markOf('org-1', { complete: true }),
  ...o,
});

describe('the rollup mark', () => {
  it('lets rollups be read only when complete under the current recipe', () => {
    expect(rollupsCurrent(null)).toBe(false);
    expect(rollupsCurrent(markOf('org-1', { complete: true }))).toBe(true);
    expect(rollupsCurrent(markOf('org-1', { complete: false, rebuiltThrough: '2025-01-03' }))).toBe(
      false,
    );
    expect(rollupsCurrent(mark({ version: ROLLUP_VERSION - 1 }))).toBe(false);
    // a newer recipe's rollups (a rolled-back deployment) are not this code's either
    expect(rollupsCurrent(mark({ version: ROLLUP_VERSION + 1 }))).toBe(false);
  });

  it('starts a backfill from the first day, resumes one of the same recipe, skips a complete org', () => {
    expect(backfillAfter(null)).toBe('');
    expect(backfillAfter(markOf('org-1', { complete: true }))).toBeNull();
    expect(backfillAfter(markOf('org-1', { complete: false, rebuiltThrough: '2025-01-03' }))).toBe(
      '2025-01-03',
    );
    expect(backfillAfter(mark({ version: ROLLUP_VERSION - 1 }))).toBe('');
    expect(
      backfillAfter(
        mark({ version: ROLLUP_VERSION - 1, complete: false, rebuiltThrough: '2025-01-03' }),
      ),
    ).toBe('');
  });
});
