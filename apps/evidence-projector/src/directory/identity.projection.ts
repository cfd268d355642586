import { Inject, Injectable, Logger } from '@nestjs/common';
import { IdentityEvent, IdentityEventOf } from '@regentra/contracts';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { diffDirectory } from './directory-changes';
import { FoldedRuns } from './folded-runs';
import { IdentitySyncDoc, IdentitySyncsRepository } from './identity-syncs.repository';
import { overlayIncremental } from './incremental-overlay';
import { MaterializerService, stagedChangesOf } from './materializer.service';
import type { AfterMaterialized, SyncChanges } from './materialized-sync';
import { assembleDirectory, DirectoryDocuments, StagedSync } from './org-assembly';
import { stagedRecordsOf } from './staged-records';
import { pageOfEvent, StagedPage, StagingRepository } from './staging.repository';
import { incompleteReason, missingRanges } from './sync-completeness';

/**
 * Whether the projection measures each applied sync's changes (for
 * `okta.changes.v1`): on in the projector, off by default in a replay.
 */
export const MEASURE_CHANGES = Symbol('MEASURE_CHANGES');

export type { AfterMaterialized, MaterializedSync, SyncChanges } from './materialized-sync';

/**
 * Where a batch came from: its partition (one open run of folded syncs per
 * partition) and whether it reached the partition's end (a replay writes its
 * open run then).
 */
export interface BatchPosition {
  partition: number;
  caughtUp: boolean;
}

/**
 * What the projection made of an outcome event (Completed or Failed) other
 * than take it as published: `ignored` (the sync's outcome was decided by
 * another event), or `incomplete` (a completion that cannot be applied: its
 * pages did not all arrive, or it is incremental and its base is not the
 * last applied sync; the sync is failed with `reason`, at the completion's
 * time; `message` says it for people).
 */
export type OutcomeVerdict =
  { kind: 'ignored' } | { kind: 'incomplete'; reason: string; at: string; message: string };

/** Verdicts of one batch, by event id; an outcome event absent from it was taken as published. */
export type OutcomeVerdicts = Map<string, OutcomeVerdict>;

const IGNORED: OutcomeVerdict = { kind: 'ignored' };

/** The reason an incremental completion cannot be applied on the org's state, or null. */
export function baseMismatchReason(
  basis: { baseSyncId: string } | null,
  latestApplied: string | null,
): string | null {
  if (!basis) return 'incomplete: incremental sync without a base sync';
  if (basis.baseSyncId === latestApplied) return null;
  return `incomplete: base sync ${basis.baseSyncId} is not the last applied sync (${latestApplied ?? 'none'})`;
}

/** The verdict on a completion failed with `reason` (from the missing pages or the base). */
function incompleteVerdict(reason: string, at: string): OutcomeVerdict {
  const message = reason.startsWith('incomplete: missing seq')
    ? 'the projector did not receive every page of this sync: nothing of it was applied'
    : 'this incremental sync does not build on the state the read models hold: nothing of it was applied';
  return { kind: 'incomplete', reason, at, message };
}

/**
 * Whether a previous attempt at this completion staged what it writes (base,
 * changes, removed versions): it crashed in its writes, and is repeated alone
 * from what it staged, never folded on the half-written collections.
 */
function isRepeat(staged: StagedSync): boolean {
  return staged.base.counts !== null || staged.changes.count !== null || staged.sweep.size > 0;
}

/** The sync's outcome is decided, and not by `eventId` (that one, redelivered, is repeated). */
function decidedByAnother(sync: IdentitySyncDoc | null, eventId: string): boolean {
  if (!sync || (sync.state !== 'failed' && !sync.materialized)) return false;
  return (sync.decidedBy ?? null) !== eventId;
}

/**
 * Identity events → read models. Pages are staged per sync; only a completed
 * sync whose every page arrived is materialized (and may sweep); a failed,
 * unfinished or incomplete one changes nothing. The first outcome event of a
 * sync decides it: a Completed after a Failed, or a Failed after a Completed,
 * is ignored. A sync that started before the last applied one is recorded but
 * never rolls state back. Every step is idempotent under redelivery.
 */
@Injectable()
export class IdentityProjection {
  private readonly logger = new Logger(IdentityProjection.name);

  constructor(
    private readonly staging: StagingRepository,
    private readonly syncs: IdentitySyncsRepository,
    private readonly materializer: MaterializerService,
    private readonly runs: FoldedRuns,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
    @Inject(MEASURE_CHANGES) private readonly measureChanges: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.materializer.ensureIndexes();
  }

  /** The consumer's partitions may have moved: staged pages cached in memory may be incomplete. */
  onAssignmentChanged(): void {
    this.staging.clearCache();
  }

  /**
   * Applies a batch of one partition in log order. Several completed syncs of
   * one org in a row are folded (FoldedRuns): each one's snapshots are
   * written, the read models only for the last. The run is written at the
   * end of the batch, or, in a replay, once the partition is caught up or
   * another org's sync completes on it.
   */
  async apply(
    batch: IdentityEvent[],
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
    position: BatchPosition = { partition: -1, caughtUp: true },
  ): Promise<OutcomeVerdicts> {
    try {
      const verdicts = await this.applyInOrder(batch, heartbeat, afterMaterialized, position);
      if (!this.runs.replay || position.caughtUp)
        await this.runs.close(position.partition, heartbeat, afterMaterialized);
      return verdicts;
    } catch (error) {
      // Live: the batch comes again and folds again from what was written. A replay keeps its
      // run: the batch retried is the one after everything the run holds (see FoldedRuns.holds).
      if (!this.runs.replay) this.runs.discard(position.partition);
      throw error;
    }
  }

  private async applyInOrder(
    batch: IdentityEvent[],
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
    position: BatchPosition,
  ): Promise<OutcomeVerdicts> {
    // Live, a lone completion of an org in the batch is written the way it always was (no
    // run: nothing to read back first); two or more are folded. A replay folds every one.
    const completions = new Map<string, number>();
    for (const m of batch)
      if (m.type === 'IdentitySyncCompleted')
        completions.set(m.orgId, (completions.get(m.orgId) ?? 0) + 1);
    const foldable = (orgId: string) => this.runs.replay || (completions.get(orgId) ?? 0) > 1;
    const verdicts: OutcomeVerdicts = new Map();
    let pending: { orgId: string; syncId: string; pages: StagedPage[]; records: number } | null =
      null;
    const finished = new Map<string, boolean>();
    // A page redelivered after its sync was applied or failed must not re-stage (nothing would drop it).
    const isFinished = async (orgId: string, syncId: string) => {
      const key = `${orgId}|${syncId}`;
      if (!finished.has(key)) {
        const sync = await this.syncs.get(orgId, syncId);
        finished.set(key, !!sync && (sync.state === 'failed' || !!sync.materialized));
      }
      return finished.get(key) === true;
    };
    const flush = async () => {
      const page = pending;
      if (page)
        await timePhase(this.metrics, 'stage', () =>
          this.staging.stage(page.orgId, page.syncId, page.pages),
        );
      pending = null;
    };
    for (const message of batch) {
      const { orgId, syncId } = message;
      const outcome =
        message.type === 'IdentitySyncCompleted' || message.type === 'IdentitySyncFailed';
      if (!syncId || outcome || message.type === 'IdentitySyncStarted') {
        await flush();
        const verdict = await this.applyBracket(message, heartbeat, afterMaterialized, {
          partition: position.partition,
          foldable: foldable(orgId),
        });
        if (verdict) verdicts.set(message.eventId, verdict);
        if (syncId) finished.delete(`${orgId}|${syncId}`);
        if (!syncId || outcome) continue;
      }
      // Every other event of the sync leaves a page, records or not: the completion checks its seq.
      if (await isFinished(orgId, syncId)) continue;
      if (pending && (pending.orgId !== orgId || pending.syncId !== syncId)) await flush();
      pending ??= { orgId, syncId, pages: [], records: 0 };
      const page = pageOfEvent(message, stagedRecordsOf(message));
      pending.pages.push(page);
      pending.records += page.records.length;
      if (pending.records >= 1000 || pending.pages.length >= 200) await flush();
    }
    await flush();
    return verdicts;
  }

  private async applyBracket(
    event: IdentityEvent,
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
    position: { partition: number; foldable: boolean },
  ): Promise<OutcomeVerdict | null> {
    const { orgId, syncId } = event;
    if (!syncId) return null;
    switch (event.type) {
      case 'IdentitySyncStarted':
        // A start seen before is a redelivery (a batch repeated after a failure): a fresh cache
        // would lack what the materializer staged (base, changes, sweep) and be read as the
        // whole sync. Keep the cache this process has for it, if any; else read the collection.
        if (!(await this.syncs.get(orgId, syncId))) this.staging.beginCache(orgId, syncId);
        await this.syncs.upsert(orgId, syncId, {
          requestId: event.payload.requestId,
          startedAt: event.payload.startedAt,
          mode: event.payload.mode,
          baseSyncId: event.payload.basis?.baseSyncId ?? null,
        });
        return null;
      case 'IdentitySyncFailed':
        return this.fail(event);
      case 'IdentitySyncCompleted':
        return this.complete(event, heartbeat, afterMaterialized, position);
      default:
        return null;
    }
  }

  private async fail(event: IdentityEventOf<'IdentitySyncFailed'>): Promise<OutcomeVerdict | null> {
    const { orgId, eventId } = event;
    const syncId = event.syncId as string;
    const ignored = decidedByAnother(await this.syncs.get(orgId, syncId), eventId);
    if (!ignored)
      await this.syncs.upsert(orgId, syncId, {
        state: 'failed',
        failedAt: event.payload.failedAt,
        failureReason: event.payload.reason,
        decidedBy: eventId,
      });
    await this.staging.drop(orgId, syncId); // idempotent; nothing may stay staged for a decided sync
    return ignored ? IGNORED : null;
  }

  private async complete(
    event: IdentityEventOf<'IdentitySyncCompleted'>,
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
    { partition, foldable }: { partition: number; foldable: boolean },
  ): Promise<OutcomeVerdict | null> {
    const { orgId, eventId } = event;
    const syncId = event.syncId as string;
    const { completedAt, lastSeq } = event.payload;
    const known = await this.syncs.get(orgId, syncId);
    if (decidedByAnother(known, eventId)) {
      this.logger.warn({ orgId, syncId, msg: 'completion of a sync already decided; ignored' });
      await this.staging.drop(orgId, syncId);
      return IGNORED;
    }
    if (known?.state === 'failed') {
      // This completion, judged incomplete before (redelivered): the same verdict again.
      await this.staging.drop(orgId, syncId);
      return incompleteVerdict(known.failureReason ?? '', completedAt);
    }
    if (known?.materialized) return null; // redelivered: already reflected
    // Another org's sync completes on this partition: the open run is written first.
    const open = this.runs.orgOf(partition);
    if (open !== null && open !== orgId)
      await this.runs.close(partition, heartbeat, afterMaterialized);
    if (this.runs.holds(partition, syncId)) return null; // a replay's batch retried: folded already
    // The last applied sync: the open run's last one, else the collections'.
    const held = this.runs.latestOf(partition, orgId);
    const latest = held === undefined ? await this.syncs.latestApplied(orgId) : held;
    const incremental = event.payload.mode === 'incremental';
    if (incremental) {
      // Applied on top of the read models: only when they hold its base sync's state.
      const reason = baseMismatchReason(event.payload.basis, latest?.syncId ?? null);
      if (reason) return this.failIncomplete(event, reason);
    }
    if (latest && latest.startedAt && known?.startedAt && latest.startedAt > known.startedAt) {
      this.logger.warn({
        orgId,
        syncId,
        newer: latest.syncId,
        msg: 'completed sync is older than the applied one; not rolling back',
      });
      await this.recordCompleted(event);
      await this.syncs.upsert(orgId, syncId, { materialized: 'superseded' });
      await this.staging.drop(orgId, syncId);
      return null;
    }
    const loaded = await this.materializer.loadStaged(orgId, syncId);
    await heartbeat();
    const reason = incompleteReason(missingRanges(loaded.seqs, lastSeq), lastSeq);
    // A lost page would be swept as removed and sealed in a snapshot: fail the sync instead.
    if (reason) return this.failIncomplete(event, reason);
    const roleHoldersComplete = (event.payload.coverage.roleAssignees?.failed ?? 0) === 0;
    if (this.runs.folds && (foldable || held !== undefined) && !isRepeat(loaded.staged)) {
      await this.recordCompleted(event);
      await this.runs.fold(
        partition,
        {
          orgId,
          syncId,
          startedAt: known?.startedAt ?? null,
          completedAt,
          coverage: event.payload.coverage,
          incremental,
          roleHoldersComplete,
          staged: loaded.staged,
          latest: latest && { syncId: latest.syncId, startedAt: latest.startedAt ?? null },
        },
        this.measureChanges,
        heartbeat,
        afterMaterialized,
      );
      return null;
    }
    // Written alone: a lone completion (live), folding is off, or a completion repeated
    // after a crash in its writes.
    await this.runs.close(partition, heartbeat, afterMaterialized);
    // Staged before anything is written (so before the sync is recorded completed).
    const base = incremental ? await this.materializer.baseOf(orgId, syncId, loaded.staged) : null;
    const staged = base ? overlayIncremental(base, loaded.staged) : loaded.staged;
    await this.recordCompleted(event);
    const documents = assembleDirectory(orgId, syncId, staged, roleHoldersComplete);
    const changes = await this.changesOf(
      orgId,
      syncId,
      latest && { syncId: latest.syncId, startedAt: latest.startedAt ?? null },
      loaded.staged,
      base,
      documents,
    );
    await this.materializer.write(orgId, syncId, staged, documents, completedAt, heartbeat);
    await afterMaterialized({
      orgId,
      syncId,
      completedAt,
      coverage: event.payload.coverage,
      documents,
      changes,
    });
    await this.syncs.upsert(orgId, syncId, { materialized: 'applied' });
    await timePhase(this.metrics, 'drop_staging', () => this.staging.drop(orgId, syncId));
    return null;
  }

  /**
   * The sync's changes since `previous` (the last applied sync), measured
   * before its first write: against the staged base of an incremental sync,
   * else the org's current documents, then staged. A completion repeated
   * after a crash takes the staged changes, so it publishes the same ones.
   */
  private async changesOf(
    orgId: string,
    syncId: string,
    previous: { syncId: string; startedAt: string | null } | null,
    loaded: StagedSync,
    base: DirectoryDocuments | null,
    documents: DirectoryDocuments,
  ): Promise<SyncChanges | null> {
    // The org's first applied sync is the baseline: nothing changed, nothing to publish.
    if (!this.measureChanges || !previous) return null;
    const items = await timePhase(this.metrics, 'changes', async () => {
      const staged = stagedChangesOf(loaded);
      if (staged) return staged;
      const measured = diffDirectory(base ?? (await this.materializer.currentOf(orgId)), documents);
      await this.materializer.stageChanges(orgId, syncId, measured);
      return measured;
    });
    return {
      previousSyncId: previous.syncId,
      previousStartedAt: previous.startedAt ?? null,
      items,
    };
  }

  /** Fails a completion that cannot be applied: nothing changes, nothing stays staged. */
  private async failIncomplete(
    event: IdentityEventOf<'IdentitySyncCompleted'>,
    reason: string,
  ): Promise<OutcomeVerdict> {
    const { orgId, eventId } = event;
    const syncId = event.syncId as string;
    const { completedAt } = event.payload;
    this.logger.warn({ orgId, syncId, reason, msg: 'completed sync cannot be applied; failed' });
    await this.syncs.upsert(orgId, syncId, {
      state: 'failed',
      failedAt: completedAt,
      failureReason: reason,
      ...this.modeOf(event),
      decidedBy: eventId,
    });
    await this.staging.drop(orgId, syncId);
    return incompleteVerdict(reason, completedAt);
  }

  private recordCompleted(event: IdentityEventOf<'IdentitySyncCompleted'>): Promise<void> {
    return this.syncs.upsert(event.orgId, event.syncId as string, {
      state: 'completed',
      completedAt: event.payload.completedAt,
      counts: event.payload.counts,
      coverage: event.payload.coverage,
      ...this.modeOf(event),
      reads: event.payload.reads,
      decidedBy: event.eventId,
    });
  }

  private modeOf(event: IdentityEventOf<'IdentitySyncCompleted'>): Partial<IdentitySyncDoc> {
    return { mode: event.payload.mode, baseSyncId: event.payload.basis?.baseSyncId ?? null };
  }
}
