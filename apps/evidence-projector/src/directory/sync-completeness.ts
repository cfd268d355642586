/**
 * Pure: whether a completed sync's pages all arrived. The collector numbers
 * every event of a sync (`IdentitySyncStarted` is seq 0, then pages and
 * progress events, one seq each) and the completion says the highest seq
 * before it (`lastSeq`). A seq the projector never staged is a page it lost
 * (dead-lettered, cut by retention during a replay): applying the sync would
 * sweep what that page held as removed.
 */

/** Inclusive range of seqs. */
export interface SeqRange {
  from: number;
  to: number;
}

/** The seqs in 0..lastSeq not in `staged`, as ascending ranges (seqs past lastSeq are ignored). */
export function missingRanges(staged: Iterable<number>, lastSeq: number): SeqRange[] {
  const seen = new Set<number>();
  for (const seq of staged) if (Number.isInteger(seq) && seq >= 0 && seq <= lastSeq) seen.add(seq);
  const sorted = [...seen].sort((a, b) => a - b);
  const missing: SeqRange[] = [];
  let next = 0;
  for (const seq of [...sorted, lastSeq + 1]) {
    if (seq > next) missing.push({ from: next, to: seq - 1 });
    next = seq + 1;
  }
  return missing;
}

/** Ranges named in a reason at most: a reason stays one readable line. */
const RANGES_IN_REASON = 10;

/** `incomplete: missing seq 3, 17-19 of 0-240`, or null when nothing is missing. */
export function incompleteReason(missing: SeqRange[], lastSeq: number): string | null {
  if (missing.length === 0) return null;
  const named = missing
    .slice(0, RANGES_IN_REASON)
    .map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  const more = missing.length - named.length;
  const rest = more > 0 ? ` (and ${more} more ranges)` : '';
  return `incomplete: missing seq ${named.join(', ')}${rest} of 0-${lastSeq}`;
}
