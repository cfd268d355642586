import { Inject, Injectable, Logger } from '@nestjs/common';
import { IdentityEvent, IdentityEventOf } from '@regentra/contracts';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { FoldedRuns } from './folded-runs';
import { oktaOrgIdOf } from './evidence-history';
import { IdentitySyncDoc, IdentitySyncsRepository } from './identity-syncs.repository';
import { decidedByAnother, judgeCompletion, startsNewHistory } from './judge-completion';
import { MaterializerService } from './materializer.service';
import type { AfterMaterialized } from './materialized-sync';
import { stagedRecordsOf } from './datasets';
import { pageOfEvent, StagedPage, StagingRepository } from './staging.repository';

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

/** The verdict on a completion failed with `reason` (from the missing pages or the base). */
function incompleteVerdict(reason: string, at: string): OutcomeVerdict {
  const message = reason.startsWith('incomplete: missing seq')
    ? 'the projector did not receive every page of this sync: nothing of it was applied'
    : 'this incremental sync does not build on the state the read models hold: nothing of it was applied';
  return { kind: 'incomplete', reason, at, message };
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
        const verdict = await this.applyBracket(
          message,
          heartbeat,
          afterMaterialized,
          position.partition,
        );
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
    partition: number,
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
          ...(event.payload.provenance ? { provenance: event.payload.provenance } : {}),
        });
        return null;
      case 'IdentitySyncFailed':
        return this.fail(event);
      case 'IdentitySyncCompleted':
        return this.complete(event, heartbeat, afterMaterialized, partition);
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
    partition: number,
  ): Promise<OutcomeVerdict | null> {
    const { orgId } = event;
    const syncId = event.syncId as string;
    const { completedAt } = event.payload;
    // Another org's sync completes on this partition: the open run is written first.
    const open = this.runs.orgOf(partition);
    if (open !== null && open !== orgId)
      await this.runs.close(partition, heartbeat, afterMaterialized);
    const known = await this.syncs.get(orgId, syncId);
    const oktaOrgId = event.payload.provenance?.oktaOrgId ?? oktaOrgIdOf(known);
    // A sync of another Okta org: the open run (the old history's) is written first.
    if (startsNewHistory(this.runs.latestOf(partition, orgId)?.oktaOrgId, oktaOrgId))
      await this.runs.close(partition, heartbeat, afterMaterialized);
    // The last applied sync: the open run's last one, else the collections'.
    const held = this.runs.latestOf(partition, orgId);
    const applied = held === undefined ? await this.syncs.latestApplied(orgId) : null;
    const latest =
      held !== undefined
        ? held
        : applied && {
            syncId: applied.syncId,
            startedAt: applied.startedAt ?? null,
            oktaOrgId: oktaOrgIdOf(applied),
          };
    const newHistory = startsNewHistory(latest?.oktaOrgId, oktaOrgId);
    const loaded = await this.materializer.loadStaged(orgId, syncId);
    await heartbeat();
    const verdict = judgeCompletion({
      eventId: event.eventId,
      mode: event.payload.mode,
      basis: event.payload.basis ?? null,
      lastSeq: event.payload.lastSeq,
      known,
      latest,
      inRun: this.runs.holds(partition, syncId),
      stagedSeqs: loaded.seqs,
      newHistory,
    });
    switch (verdict.kind) {
      case 'ignored':
        this.logger.warn({ orgId, syncId, msg: 'completion of a sync already decided; ignored' });
        await this.staging.drop(orgId, syncId);
        return IGNORED;
      case 'incomplete':
        if (!verdict.again) return this.failIncomplete(event, verdict.reason);
        await this.staging.drop(orgId, syncId);
        return incompleteVerdict(verdict.reason, completedAt);
      case 'already-applied':
        return null;
      case 'superseded':
        this.logger.warn({
          orgId,
          syncId,
          newer: verdict.newer,
          msg: 'completed sync is older than the applied one; not rolling back',
        });
        await this.recordCompleted(event);
        await this.syncs.upsert(orgId, syncId, { materialized: 'superseded' });
        await this.staging.drop(orgId, syncId);
        return null;
      case 'apply':
        await this.recordCompleted(event);
        await this.runs.fold(
          partition,
          {
            orgId,
            syncId,
            startedAt: known?.startedAt ?? null,
            completedAt,
            coverage: event.payload.coverage,
            incremental: event.payload.mode === 'incremental',
            roleHoldersComplete: (event.payload.coverage.roleAssignees?.failed ?? 0) === 0,
            staged: loaded.staged,
            // A new evidence history begins on empty read models, with no sync before it.
            latest: newHistory ? null : latest,
            newHistory,
            oktaOrgId: oktaOrgId ?? latest?.oktaOrgId ?? null,
            provenance: event.payload.provenance ?? known?.provenance ?? null,
          },
          this.measureChanges,
          heartbeat,
          afterMaterialized,
        );
        return null;
    }
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
      ...(event.payload.provenance ? { provenance: event.payload.provenance } : {}),
    });
  }

  private modeOf(event: IdentityEventOf<'IdentitySyncCompleted'>): Partial<IdentitySyncDoc> {
    return { mode: event.payload.mode, baseSyncId: event.payload.basis?.baseSyncId ?? null };
  }
}
