/**
 * How the identity projection applies several completed syncs of one org
 * (see OrgFold): `fold` computes each one's state and evidence in memory, in
 * sync order, writes each one's snapshots and only the last one's read models
 * (off: each sync is a run of one, written as it completes). `replay` keeps
 * a partition's run open across batches until the partition is caught up or
 * another org's sync completes on it, and stages pages in memory only: a
 * replay that stops is started again into a fresh database, so it needs none
 * of the crash safety the live projector's staging gives.
 */
export interface FoldMode {
  fold: boolean;
  replay: boolean;
}

export const FOLD_MODE = Symbol('FOLD_MODE');

/** Syncs held in one run at most: a longer run writes the read models and starts again. */
export const MAX_FOLDED_SYNCS = 500;
