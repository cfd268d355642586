import { Inject, Injectable, Optional } from '@nestjs/common';
import { DAY_MS } from '../log-facts/log-day.rollup';
import { LOG_LOOKBACK_DAYS } from '../log-facts/log-rules';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { diffDirectory } from './directory-changes';
import { DirectoryStore } from './directory.store';
import { FOLD_MODE, FoldMode, MAX_FOLDED_SYNCS } from './fold-mode';
import { IdentitySyncsRepository } from './identity-syncs.repository';
import { overlayIncremental } from './incremental-overlay';
import type { AfterMaterialized, MaterializedSync } from './materialized-sync';
import { MaterializerService, stagedBaseOf, stagedChangesOf } from './materializer.service';
import { assembleDirectory, DirectoryDocuments, emptyStagedSync, StagedSync } from './org-assembly';
import { FOLDED_COLLECTIONS, FoldedSyncRef, OrgFold } from './org-fold';
import { StagingRepository } from './staging.repository';

/** Users removed longer than the evidence's lookback before a sync's asOf are not read back. */
const REMOVED_LOOKBACK_MS = LOG_LOOKBACK_DAYS * DAY_MS;

/** A completed sync, checked and loaded, to fold into its partition's run. */
export interface FoldInput {
  orgId: string;
  syncId: string;
  startedAt: string | null;
  completedAt: string;
  coverage: MaterializedSync['coverage'];
  incremental: boolean;
  roleHoldersComplete: boolean;
  /** The sync's own staged records (an incremental one is laid over the run's state). */
  staged: StagedSync;
  /** The last applied sync (the run's latest, or the collection's): null for the org's first. */
  latest: FoldedSyncRef | null;
  /**
   * It read another Okta org than the last applied sync: a new evidence
   * history, folded from empty read models, and written over the org's
   * documents of the old one (docs/read-models.md, Evidence histories).
   */
  newHistory?: boolean;
  oktaOrgId: string | null;
  provenance: MaterializedSync['provenance'];
}

/** A folded sync: what it left, before the evidence of it is written. */
type FoldedSync = Omit<MaterializedSync, 'writes' | 'removedUsers' | 'defer'>;

/** The last sync folded into a run: its read models are written when the run closes. */
interface Pending extends FoldedSync {
  /** An incremental sync's base (the state before it), staged before the run's writes. */
  base: DirectoryDocuments | null;
}

interface Run {
  fold: OrgFold;
  last: Pending | null;
  /** The run begins a new evidence history: its write first deletes the org's old documents. */
  newHistory: boolean;
}

/** Writes (a sync's snapshots, its change events) a replay keeps behind the consumer, at most. */
const SETTLING_AT_MOST = 4;

/**
 * The only writer of a completed identity sync. Each partition has at most
 * one open run of completed syncs of one org (so one org's state in memory
 * per partition); a sync that completes alone is a run of one. Each sync
 * folded into a run is computed in memory on the state the previous one
 * left (OrgFold), and its evidence snapshots and change events are written
 * then (`afterMaterialized` with `writes: 'snapshot'`; a replay writes them
 * behind the consumer, in order). When the run closes (end of the batch
 * live, the partition caught up in a replay, another org's completion on the
 * partition, MAX_FOLDED_SYNCS, or after each sync with folding off) its last
 * sync is written: its read models, with the removed versions the run's syncs
 * left, then its current evidence (`writes: 'current'`).
 *
 * Live (not replay), before the first read-model write the last sync gets
 * staged what it needs to be written again after a crash (its base, changes
 * and every removed version), and the earlier syncs of the run are recorded
 * applied: a crash then repeats only the last one, as a run of one that
 * begins from what it staged, never from the half-written collections.
 */
@Injectable()
export class FoldedRuns {
  private readonly runs = new Map<number, Run>();
  private readonly mode: FoldMode;
  /**
   * Replay: the snapshots (and change events) of folded syncs are written
   * one after the other behind the consumer, which meanwhile decodes and
   * folds the next syncs (the database and the process work at once). Every
   * one is done before a run's read models are written.
   */
  private settling: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** A replay's background write failed: the replay is failed (see ReplayOptions). */
  failure: Error | null = null;

  constructor(
    private readonly staging: StagingRepository,
    private readonly syncs: IdentitySyncsRepository,
    private readonly materializer: MaterializerService,
    private readonly store: DirectoryStore,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
    @Optional() @Inject(FOLD_MODE) mode?: FoldMode,
  ) {
    this.mode = mode ?? { fold: true, replay: false };
  }

  get folds(): boolean {
    return this.mode.fold;
  }

  get replay(): boolean {
    return this.mode.replay;
  }

  /** The org of the partition's open run, or null. */
  orgOf(partition: number): string | null {
    return this.runs.get(partition)?.fold.orgId ?? null;
  }

  /** The open run's last sync, when the run is the org's (the next completion builds on it). */
  latestOf(partition: number, orgId: string): FoldedSyncRef | null | undefined {
    const run = this.runs.get(partition);
    return run?.fold.orgId === orgId ? run.fold.latest : undefined;
  }

  /** Whether the sync was folded into the partition's open run (a batch repeated in a replay). */
  holds(partition: number, syncId: string): boolean {
    return this.runs.get(partition)?.fold.has(syncId) ?? false;
  }

  /** Forgets the partition's open run unwritten (live: the batch will be delivered again). */
  discard(partition: number): void {
    this.runs.delete(partition);
  }

  async fold(
    partition: number,
    input: FoldInput,
    measureChanges: boolean,
    heartbeat: () => Promise<void>,
    after: AfterMaterialized,
  ): Promise<void> {
    const { orgId, syncId } = input;
    const run = this.runs.get(partition) ?? (await this.open(partition, input));
    // A completion repeated after a crash in its writes: the removed versions it staged then
    // (the collections may hold some of them no more, deleted and not yet written again).
    run.fold.restoreRemoved(input.staged.sweep);
    const before = run.fold.active;
    const staged = input.incremental ? overlayIncremental(before, input.staged) : input.staged;
    const documents = assembleDirectory(orgId, syncId, staged, input.roleHoldersComplete);
    const previous = input.latest;
    const changes =
      measureChanges && previous
        ? await timePhase(this.metrics, 'changes', async () => ({
            previousSyncId: previous.syncId,
            previousStartedAt: previous.startedAt,
            // Repeated: the changes staged before the first write (the collections changed since).
            items: stagedChangesOf(input.staged) ?? diffDirectory(before, documents),
          }))
        : null;
    run.fold.add({
      syncId,
      startedAt: input.startedAt,
      completedAt: input.completedAt,
      oktaOrgId: input.oktaOrgId,
      documents,
    });
    const sync: FoldedSync = {
      orgId,
      syncId,
      completedAt: input.completedAt,
      coverage: input.coverage,
      provenance: input.provenance,
      oktaOrgId: input.oktaOrgId,
      documents,
      changes,
    };
    // Its snapshots and changes now, on the state it left and the log facts as of its
    // completion; its read models only if it is the run's last.
    await this.snapshot(run, sync, after);
    run.last = { ...sync, base: input.incremental ? before : null };
    // Replay: the pages are in memory only, and nothing needs them again. Live: the database
    // copy stays until the run is written (a crash before that folds the sync again).
    if (this.mode.replay) await this.staging.drop(orgId, syncId);
    else this.staging.uncache(orgId, syncId);
    // Folding off: every sync is written as it completes (a run of one).
    if (!this.mode.fold || run.fold.syncIds.length >= MAX_FOLDED_SYNCS)
      await this.close(partition, heartbeat, after);
  }

  private async open(partition: number, input: FoldInput): Promise<Run> {
    const { orgId } = input;
    // Before the org's first applied sync nothing of it can be in the collections.
    const since = new Date(Date.parse(input.completedAt) - REMOVED_LOOKBACK_MS).toISOString();
    // An incremental completion repeated after a crash in its writes begins from the base it
    // staged before them, never from the half-written collections.
    const stagedBase = input.incremental ? stagedBaseOf(orgId, input.syncId, input.staged) : null;
    const fold = new OrgFold(
      orgId,
      input.latest && !input.newHistory
        ? {
            active: stagedBase ?? (await this.materializer.currentOf(orgId)),
            removedUsers: await this.store.removedUsersSince(orgId, since),
            latest: input.latest,
          }
        : { active: { users: [], groups: [], apps: [] }, removedUsers: [], latest: null },
    );
    const run: Run = { fold, last: null, newHistory: input.newHistory === true };
    this.runs.set(partition, run);
    return run;
  }

  /** A folded sync's snapshots and change events (a replay writes them behind the consumer). */
  private async snapshot(run: Run, sync: FoldedSync, after: AfterMaterialized): Promise<void> {
    // The removed users as they are now: the run moves on before a replay writes this.
    const removed = run.fold.removedUsersSince('');
    const settled: MaterializedSync = {
      ...sync,
      writes: 'snapshot',
      removedUsers: (since) => removed.filter((u) => (u.removedAt as string) >= since),
    };
    if (!this.mode.replay) return after(settled);
    this.throwIfFailed();
    if (this.inFlight >= SETTLING_AT_MOST) await this.settled();
    await after({ ...settled, defer: (write) => this.defer(write) });
  }

  private defer(write: () => Promise<void>): void {
    this.inFlight += 1;
    this.settling = this.settling.then(async () => {
      try {
        if (!this.failure) await write();
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      } finally {
        this.inFlight -= 1;
      }
    });
  }

  /** Every snapshot a replay writes behind the consumer is written (or its failure thrown). */
  private async settled(): Promise<void> {
    while (this.inFlight > 0) await this.settling;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Writes the partition's open run, if any: its last sync's read models and current evidence. */
  async close(
    partition: number,
    heartbeat: () => Promise<void>,
    after: AfterMaterialized,
  ): Promise<void> {
    const run = this.runs.get(partition);
    if (!run?.last) {
      this.runs.delete(partition);
      return;
    }
    await this.settled();
    const { fold, last } = run;
    const { orgId, syncId } = last;
    if (!this.mode.replay) {
      // What a repeat of the last completion needs to write the same documents as a run of one.
      for (const collection of FOLDED_COLLECTIONS)
        await this.staging.stageSweep(
          orgId,
          syncId,
          collection,
          fold.removedOf(collection) as unknown as Array<{ _id: string } & Record<string, unknown>>,
        );
      if (last.base) await this.staging.stageBase(orgId, syncId, last.base);
      if (last.changes) await this.materializer.stageChanges(orgId, syncId, last.changes.items);
    }
    for (const earlier of fold.syncIds.slice(0, -1)) {
      await this.syncs.upsert(orgId, earlier, { materialized: 'applied' });
      await this.staging.drop(orgId, earlier);
    }
    const staged = { ...emptyStagedSync(), sweep: fold.sweep() };
    await this.materializer.write(
      orgId,
      syncId,
      staged,
      last.documents,
      last.completedAt,
      heartbeat,
      { newHistory: run.newHistory },
    );
    const { base: _base, ...sync } = last;
    // Its snapshots and changes went out when it was folded: the current evidence only, with
    // the removed users the fold holds (what the collection now holds: no scan to read them).
    const removed = fold.removedUsersSince('');
    await after({
      ...sync,
      changes: null,
      writes: 'current',
      removedUsers: (since) => removed.filter((u) => (u.removedAt as string) >= since),
    });
    await this.syncs.upsert(orgId, syncId, { materialized: 'applied' });
    await timePhase(this.metrics, 'drop_staging', () => this.staging.drop(orgId, syncId));
    this.runs.delete(partition);
  }
}
