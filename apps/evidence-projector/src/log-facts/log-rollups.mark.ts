/**
 * The rollup recipe's version: raise it whenever `rollupOf` (or what feeds
 * it) changes what a day's rollup holds. Rollups written under another
 * version are not read, and the start-up backfill rebuilds them. (How a
 * rollup is stored is not the recipe: paging the lists of large days did not
 * raise it, since heads written before paging are read as they are.)
 */
export const ROLLUP_VERSION = 2; // 2: days hold their user deletions

/**
 * ★ An `okta_log_rollup_marks` document: how far one org's `okta_log_days`
 * are known to be complete. Without it (an org whose facts were written
 * before rollups existed) a missing rollup cannot be told from a day without
 * facts, so evidence folds the org's raw facts instead.
 */
export interface LogRollupsMark {
  /** The org id. */
  _id: string;
  orgId: string;
  /** The recipe the org's rollups were built with. */
  version: number;
  /**
   * Every stored fact of the org is rolled up under `version` (the live
   * writer keeps it so from then on).
   */
  complete: boolean;
  /**
   * While a backfill runs (`complete` false): its days up to and including
   * this one are rebuilt, so a restarted backfill resumes after it.
   */
  rebuiltThrough: string | null;
}

/** Whether the org's rollups may be read in place of its facts (pure). */
export const rollupsCurrent = (mark: LogRollupsMark | null, version = ROLLUP_VERSION): boolean =>
  mark !== null && mark.version === version && mark.complete;

/**
 * Where a backfill of the org starts (pure): null when nothing is to be done,
 * else the day after which to rebuild ('' from the first day). Only progress
 * recorded under the same recipe is kept.
 */
export function backfillAfter(
  mark: LogRollupsMark | null,
  version = ROLLUP_VERSION,
): string | null {
  if (rollupsCurrent(mark, version)) return null;
  if (mark === null || mark.version !== version) return '';
  return mark.rebuiltThrough ?? '';
}

export const markOf = (
  orgId: string,
  progress: { complete: true } | { complete: false; rebuiltThrough: string },
): LogRollupsMark => ({
  _id: orgId,
  orgId,
  version: ROLLUP_VERSION,
  complete: progress.complete,
  rebuiltThrough: progress.complete ? null : progress.rebuiltThrough,
});
