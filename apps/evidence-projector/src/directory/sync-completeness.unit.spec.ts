import { incompleteReason, missingRanges } from './sync-completeness';

/** Which seqs of a completed sync never arrived, and how the verdict names them. */
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('missingRanges', () => {
  it('finds nothing missing when every seq from 0 to lastSeq was staged, in any order', () => {
    expect(missingRanges([3, 0, 2, 1, 4], 4)).toEqual([]);
    expect(missingRanges([0], 0)).toEqual([]);
  });

  it('names a gap in the middle as one range', () => {
    expect(missingRanges([...range(0, 16), ...range(20, 240)], 240)).toEqual([
      { from: 17, to: 19 },
    ]);
  });

  it('finds a missing start, a missing tail and single seqs', () => {
    expect(missingRanges([1, 2, 4, 6, 7], 10)).toEqual([
      { from: 0, to: 0 },
      { from: 3, to: 3 },
      { from: 5, to: 5 },
      { from: 8, to: 10 },
    ]);
  });

  it('treats nothing staged as everything missing', () => {
    expect(missingRanges([], 5)).toEqual([{ from: 0, to: 5 }]);
  });

  it('counts a redelivered seq once and ignores seqs past lastSeq', () => {
    expect(missingRanges([0, 1, 1, 2, 9, 12], 3)).toEqual([{ from: 3, to: 3 }]);
  });
});

describe('incompleteReason', () => {
  it('is null for a complete sync', () => {
    expect(incompleteReason([], 240)).toBeNull();
  });

  it('names every missing range and the span checked', () => {
    expect(incompleteReason(missingRanges([...range(0, 16), ...range(20, 240)], 240), 240)).toBe(
      'incomplete: missing seq 17-19 of 0-240',
    );
    expect(incompleteReason(missingRanges([0, 1, 2, 4, 6, 7, 8], 10), 10)).toBe(
      'incomplete: missing seq 3, 5, 9-10 of 0-10',
    );
  });

  it('stays one short line when there are many gaps', () => {
    const everyOther = range(0, 100).filter((s) => s % 2 === 0);
    const reason = incompleteReason(missingRanges(everyOther, 100), 100) ?? '';
    expect(reason).toBe(
      'incomplete: missing seq 1, 3, 5, 7, 9, 11, 13, 15, 17, 19 (and 40 more ranges) of 0-100',
    );
  });
});
