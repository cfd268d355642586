import { judgeLogCoverage, LogCoverageInput, PollOutcome } from './log-coverage';

const poll = (pollId: string, outcomeAt: string, o: Partial<PollOutcome> = {}): PollOutcome => ({
  pollId,
  outcome: 'completed',
  outcomeAt,
  missingBatches: 0,
  window: null,
  oldestPublished: null,
  rereads: [],
  ...o,
});
const input = (o: Partial<LogCoverageInput> = {}): LogCoverageInput => ({
  incomplete: [],
  rereading: [],
  completedPolls: 1,
  lastCompletedAt: '2026-03-01T10:00:00.000Z',
  earliestSince: '2026-02-22T10:00:00.000Z',
  ...o,
});
const window = { since: '2026-03-01T08:00:00.000Z', until: '2026-03-01T09:00:00.000Z' };

describe('judgeLogCoverage', () => {
  it('given a recent successful poll and no gap, then the log is complete', () => {
    const coverage = judgeLogCoverage(input(), '2026-03-01T12:59:00.000Z', 3);
    expect(coverage.problems).toEqual([]);
    expect(coverage).toMatchObject({ since: '2026-02-22T10:00:00.000Z', polls: 1, gaps: [] });
  });

  it('given no successful poll for LOG_STALE_HOURS, then it is stale, with the last poll named', () => {
    const coverage = judgeLogCoverage(input(), '2026-03-01T13:00:01.000Z', 3);
    expect(coverage.problems).toEqual([
      'stale: no successful System Log poll since 2026-03-01T10:00:00.000Z (over 3 h)',
    ]);
  });

  it('given no poll at all, then it says so', () => {
    const coverage = judgeLogCoverage(
      input({ lastCompletedAt: null, completedPolls: 0 }),
      '2026-03-01T10:00:00.000Z',
      3,
    );
    expect(coverage.problems).toEqual(['no successful System Log poll']);
  });

  it('given a poll with a missing batch, then its window (widened to its oldest event) is a gap until a later poll re-reads it', () => {
    const lossy = poll('p1', '2026-03-01T09:00:00.000Z', {
      missingBatches: 2,
      window,
      oldestPublished: '2026-03-01T07:59:00.000Z',
    });
    const gap = {
      since: '2026-03-01T07:59:00.000Z',
      until: window.until,
      pollId: 'p1',
      missingBatches: 2,
    };
    const open = judgeLogCoverage(input({ incomplete: [lossy] }), '2026-03-01T10:00:00.000Z', 3);
    expect(open.gaps).toEqual([gap]);
    expect(open.problems).toEqual([
      `gap ${gap.since}..${gap.until}: 2 batch(es) of poll p1 did not arrive`,
    ]);
    // a re-read of the narrower window alone does not cover it
    const narrow = poll('p2', '2026-03-01T10:00:00.000Z', { rereads: [window] });
    expect(
      judgeLogCoverage(
        input({ incomplete: [lossy], rereading: [narrow] }),
        '2026-03-01T10:00:00.000Z',
        3,
      ).gaps,
    ).toEqual([gap]);
    const reread = poll('p2', '2026-03-01T10:00:00.000Z', {
      rereads: [{ since: gap.since, until: gap.until }],
    });
    expect(
      judgeLogCoverage(
        input({ incomplete: [lossy], rereading: [reread] }),
        '2026-03-01T10:00:00.000Z',
        3,
      ),
    ).toMatchObject({ gaps: [], problems: [] });
  });

  it('given an outcome without a seq to check, then the poll is an unknown gap (fail closed)', () => {
    const unchecked = poll('p1', '2026-03-01T09:00:00.000Z', { missingBatches: null, window });
    const coverage = judgeLogCoverage(
      input({ incomplete: [unchecked] }),
      '2026-03-01T10:00:00.000Z',
      3,
    );
    expect(coverage.problems).toEqual([
      `gap ${window.since}..${window.until}: an unknown number of batch(es) of poll p1 did not arrive`,
    ]);
  });
});
