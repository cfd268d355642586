import { CompletionGiven, decidedByAnother, judgeCompletion } from './judge-completion';

const running = {
  state: 'running' as const,
  startedAt: '2026-11-02T00:00:00.000Z',
  failureReason: null,
  materialized: null,
  decidedBy: null,
};

/** A full sync of four events (seq 0..3) whose every page was staged, on top of s1. */
const given = (over: Partial<CompletionGiven> = {}): CompletionGiven => ({
  eventId: 'evt-completed',
  mode: 'full',
  basis: null,
  lastSeq: 3,
  known: running,
  latest: { syncId: 's1', startedAt: '2026-11-01T00:00:00.000Z' },
  inRun: false,
  stagedSeqs: [0, 1, 2, 3],
  ...over,
});

describe('what the projection does with a completed identity sync', () => {
  it('given every page staged and nothing decided, when judged, then it is applied', () => {
    expect(judgeCompletion(given())).toEqual({ kind: 'apply' });
  });

  it('given the org has no applied sync yet, when a full sync is judged, then it is applied', () => {
    expect(judgeCompletion(given({ latest: null }))).toEqual({ kind: 'apply' });
  });

  it('given the sync was failed by its Failed event, when its Completed comes, then it is ignored', () => {
    const known = { ...running, state: 'failed' as const, decidedBy: 'evt-failed' };
    expect(judgeCompletion(given({ known }))).toEqual({ kind: 'ignored' });
  });

  it('given the sync was applied by another Completed, when this one comes, then it is ignored', () => {
    const known = { ...running, state: 'completed' as const, materialized: 'applied' as const };
    expect(judgeCompletion(given({ known: { ...known, decidedBy: 'evt-other' } }))).toEqual({
      kind: 'ignored',
    });
  });

  it('given a legacy decided sync without decidedBy, when a Completed comes, then it is ignored', () => {
    const known = { ...running, state: 'failed' as const, decidedBy: null };
    expect(judgeCompletion(given({ known }))).toEqual({ kind: 'ignored' });
  });

  it('given this completion was judged incomplete before, when redelivered, then the same verdict again', () => {
    const reason = 'incomplete: missing seq 2 of 0-3';
    const known = {
      ...running,
      state: 'failed' as const,
      failureReason: reason,
      decidedBy: 'evt-completed',
    };
    // Its pages were dropped then: the verdict is the recorded one, not a new count of seqs.
    expect(judgeCompletion(given({ known, stagedSeqs: [] }))).toEqual({
      kind: 'incomplete',
      reason,
      again: true,
    });
  });

  it('given this completion was applied, when redelivered, then it is already applied (staging gone)', () => {
    const known = {
      ...running,
      state: 'completed' as const,
      materialized: 'applied' as const,
      decidedBy: 'evt-completed',
    };
    expect(judgeCompletion(given({ known, stagedSeqs: [] }))).toEqual({
      kind: 'already-applied',
    });
  });

  it('given a replay run that folded the sync already, when its batch comes again, then it is already applied', () => {
    expect(judgeCompletion(given({ inRun: true, stagedSeqs: [] }))).toEqual({
      kind: 'already-applied',
    });
  });

  it('given an incremental sync on the last applied sync, when judged, then it is applied', () => {
    expect(judgeCompletion(given({ mode: 'incremental', basis: { baseSyncId: 's1' } }))).toEqual({
      kind: 'apply',
    });
  });

  it('given an incremental sync on another base, when judged, then it is incomplete with that base named', () => {
    expect(judgeCompletion(given({ mode: 'incremental', basis: { baseSyncId: 's0' } }))).toEqual({
      kind: 'incomplete',
      reason: 'incomplete: base sync s0 is not the last applied sync (s1)',
      again: false,
    });
  });

  it('given an incremental sync of an org with nothing applied, when judged, then it is incomplete', () => {
    expect(
      judgeCompletion(given({ mode: 'incremental', basis: { baseSyncId: 's1' }, latest: null })),
    ).toEqual({
      kind: 'incomplete',
      reason: 'incomplete: base sync s1 is not the last applied sync (none)',
      again: false,
    });
  });

  it('given an incremental sync without a base, when judged, then it is incomplete', () => {
    expect(judgeCompletion(given({ mode: 'incremental', basis: null }))).toMatchObject({
      kind: 'incomplete',
      reason: 'incomplete: incremental sync without a base sync',
    });
  });

  it('given a newer sync was applied since this one started, when judged, then it is superseded', () => {
    const latest = { syncId: 's3', startedAt: '2026-11-03T00:00:00.000Z' };
    expect(judgeCompletion(given({ latest }))).toEqual({ kind: 'superseded', newer: 's3' });
  });

  it('given a newer applied sync but a lost page, when judged, then superseded wins (nothing is applied either way)', () => {
    const latest = { syncId: 's3', startedAt: '2026-11-03T00:00:00.000Z' };
    expect(judgeCompletion(given({ latest, stagedSeqs: [0, 1] })).kind).toBe('superseded');
  });

  it('given a page never staged, when judged, then it is incomplete naming the missing seqs', () => {
    expect(judgeCompletion(given({ stagedSeqs: [0, 1, 3] }))).toEqual({
      kind: 'incomplete',
      reason: 'incomplete: missing seq 2 of 0-3',
      again: false,
    });
  });

  it('given the sync start was never seen (no record), when every page is staged, then it is applied', () => {
    expect(judgeCompletion(given({ known: null }))).toEqual({ kind: 'apply' });
  });
});

describe('which outcome event decides a sync', () => {
  it('given an undecided sync, then no event has decided it', () => {
    expect(decidedByAnother(running, 'evt-x')).toBe(false);
    expect(decidedByAnother(null, 'evt-x')).toBe(false);
  });

  it('given a superseded sync, then only the completion that recorded it repeats', () => {
    const known = { ...running, materialized: 'superseded' as const, decidedBy: 'evt-c' };
    expect(decidedByAnother(known, 'evt-c')).toBe(false);
    expect(decidedByAnother(known, 'evt-d')).toBe(true);
  });
});
