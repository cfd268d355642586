import { Inject, Injectable, Logger } from '@nestjs/common';
import { IdentityEvent, IdentityEventOf } from '@regentra/contracts';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { IdentitySyncsRepository } from './identity-syncs.repository';
import { MaterializerService } from './materializer.service';
import type { DirectoryDocuments } from './org-assembly';
import { stagedRecordsOf } from './staged-records';
import { StagedPage, StagingRepository } from './staging.repository';

/** A completed sync whose documents were just written, before it is marked applied. */
export interface MaterializedSync {
  orgId: string;
  syncId: string;
  completedAt: string;
  coverage: Record<string, { read: number; failed: number }>;
  documents: DirectoryDocuments;
}

/**
 * Called once a completed sync's documents are written and before the sync is
 * recorded as applied, so a crash in between repeats it on redelivery.
 */
export type AfterMaterialized = (sync: MaterializedSync) => Promise<void>;

/**
 * Identity events → read models. Pages are staged per sync; only a completed
 * sync is materialized (and may sweep); a failed or unfinished one changes
 * nothing. A sync that started before the last applied one is recorded but
 * never rolls state back. Every step is idempotent under redelivery.
 */
@Injectable()
export class IdentityProjection {
  private readonly logger = new Logger(IdentityProjection.name);

  constructor(
    private readonly staging: StagingRepository,
    private readonly syncs: IdentitySyncsRepository,
    private readonly materializer: MaterializerService,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.materializer.ensureIndexes();
  }

  /** The consumer's partitions may have moved: staged pages cached in memory may be incomplete. */
  onAssignmentChanged(): void {
    this.staging.clearCache();
  }

  async apply(
    batch: IdentityEvent[],
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
  ): Promise<void> {
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
      const records = message.syncId ? stagedRecordsOf(message) : [];
      if (records.length && message.syncId) {
        if (await isFinished(message.orgId, message.syncId)) continue;
        if (pending && (pending.orgId !== message.orgId || pending.syncId !== message.syncId))
          await flush();
        pending ??= { orgId: message.orgId, syncId: message.syncId, pages: [], records: 0 };
        // Keyed by position: a redelivered event is the same page.
        pending.pages.push({
          key: `page|${message.seq ?? message.eventId}`,
          seq: message.seq ?? Number.MAX_SAFE_INTEGER - 1,
          records,
        });
        pending.records += records.length;
        if (pending.records >= 1000) await flush();
        continue;
      }
      await flush();
      await this.applyBracket(message, heartbeat, afterMaterialized);
      if (message.syncId) finished.delete(`${message.orgId}|${message.syncId}`);
    }
    await flush();
  }

  private async applyBracket(
    event: IdentityEvent,
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
  ): Promise<void> {
    const { orgId, syncId } = event;
    if (!syncId) return;
    switch (event.type) {
      case 'IdentitySyncStarted':
        this.staging.beginCache(orgId, syncId);
        await this.syncs.upsert(orgId, syncId, {
          requestId: event.payload.requestId,
          startedAt: event.payload.startedAt,
        });
        return;
      case 'IdentitySyncFailed':
        await this.syncs.upsert(orgId, syncId, {
          state: 'failed',
          failedAt: event.payload.failedAt,
          failureReason: event.payload.reason,
        });
        await this.staging.drop(orgId, syncId);
        return;
      case 'IdentitySyncCompleted':
        await this.complete(event, heartbeat, afterMaterialized);
        return;
      default:
        return;
    }
  }

  private async complete(
    event: IdentityEventOf<'IdentitySyncCompleted'>,
    heartbeat: () => Promise<void>,
    afterMaterialized: AfterMaterialized,
  ): Promise<void> {
    const { orgId } = event;
    const syncId = event.syncId as string;
    await this.syncs.upsert(orgId, syncId, {
      state: 'completed',
      completedAt: event.payload.completedAt,
      counts: event.payload.counts,
      coverage: event.payload.coverage,
    });
    const sync = await this.syncs.get(orgId, syncId);
    if (!sync || sync.materialized) return; // redelivered: already reflected
    const latest = await this.syncs.latestApplied(orgId);
    if (latest && latest.startedAt && sync.startedAt && latest.startedAt > sync.startedAt) {
      this.logger.warn({
        orgId,
        syncId,
        newer: latest.syncId,
        msg: 'completed sync is older than the applied one; not rolling back',
      });
      await this.syncs.upsert(orgId, syncId, { materialized: 'superseded' });
      await this.staging.drop(orgId, syncId);
      return;
    }
    const roleHoldersComplete = (event.payload.coverage.roleAssignees?.failed ?? 0) === 0;
    const documents = await this.materializer.materialize(
      orgId,
      syncId,
      event.payload.completedAt,
      roleHoldersComplete,
      heartbeat,
    );
    await afterMaterialized({
      orgId,
      syncId,
      completedAt: event.payload.completedAt,
      coverage: event.payload.coverage,
      documents,
    });
    await this.syncs.upsert(orgId, syncId, { materialized: 'applied' });
    await timePhase(this.metrics, 'drop_staging', () => this.staging.drop(orgId, syncId));
  }
}
