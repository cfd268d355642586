import { Inject, Injectable } from '@nestjs/common';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import { ChangeEventsService } from '../changes/change-events.service';
import { IdentityFenceFilter } from '../directory/identity-fence.filter';
import {
  BatchPosition,
  IdentityProjection,
  MaterializedSync,
} from '../directory/identity.projection';
import { EvidenceService } from '../evidence/evidence.service';
import { IntegrationStatusWriter } from '../integration-status/integration-status.writer';
import { SystemLogProjection } from '../log-facts/system-log.projection';
import { failpoint } from '../platform/failpoints';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { ChangeEventsPublisher } from './change-events.publisher';
import { LogRereadPublisher } from './log-reread.publisher';

/** A decoded message with the Kafka position it came from. */
export interface Positioned<M> {
  message: M;
  partition: number;
  offset: string;
  /** Identity topic: the record's `regentra-fence` header (null when it has none). */
  fence?: number | null;
}

export type ProjectedTopic = 'identity' | 'systemLog';

/** Which topics this instance consumes (`identity`, `systemLog`). */
export const PROJECTED_TOPICS = Symbol('PROJECTED_TOPICS');

/**
 * Sends each decoded batch to the projection of its topic, in log order, and
 * recomputes the evidence right after a projection applied something that
 * changes it (a materialized identity sync, a completed System Log poll), so
 * the projections know nothing of the evidence. A materialized identity sync's
 * changes go to `okta.changes.v1` then too, before the sync is recorded
 * applied. Messages of one org share a
 * partition, and a partition's batch is applied in order. Resolves only after
 * every write was acknowledged: the consumer commits offsets right after it.
 */
@Injectable()
export class ProjectionRouter {
  constructor(
    private readonly status: IntegrationStatusWriter,
    private readonly fences: IdentityFenceFilter,
    private readonly identity: IdentityProjection,
    private readonly systemLog: SystemLogProjection,
    private readonly evidence: EvidenceService,
    private readonly changeEvents: ChangeEventsService,
    private readonly changePublisher: ChangeEventsPublisher,
    private readonly rereads: LogRereadPublisher,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {}

  /** The consumer (re)joined its group: partitions may have moved to or from this instance. */
  onAssignmentChanged(): void {
    this.identity.onAssignmentChanged();
  }

  async applyIdentity(
    batch: Array<Positioned<IdentityEvent>>,
    heartbeat: () => Promise<void>,
    position?: BatchPosition,
  ): Promise<void> {
    // A superseded lease holder's records (a lower fence) reach neither the read models nor the status.
    const { admitted, record } = await this.fences.admit(batch);
    const verdicts = await this.identity.apply(
      admitted.map((p) => p.message),
      heartbeat,
      // Before the sync is marked applied: a crash in between repeats both on redelivery.
      (sync) => this.afterMaterialized(sync),
      position,
    );
    // A completion the projection rejected (incomplete, or after a failure) must not show as completed.
    await this.status.apply('identity', admitted, verdicts);
    // Only after every write of the batch: a batch redelivered before this is judged the same way.
    await record();
    await heartbeat();
  }

  private async afterMaterialized(sync: MaterializedSync): Promise<void> {
    await failpoint('projector.beforeEvidence');
    const input = {
      syncId: sync.syncId,
      asOf: sync.completedAt,
      coverage: sync.coverage,
      provenance: sync.provenance,
      oktaOrgId: sync.oktaOrgId,
      directory: sync.documents,
      removedUsers: sync.removedUsers,
      ...(sync.defer ? { deferWrite: sync.defer } : {}),
    };
    if (sync.writes === 'current') {
      await timePhase(this.metrics, 'evidence', () =>
        this.evidence.refreshCurrent(sync.orgId, input),
      );
      return;
    }
    await timePhase(this.metrics, 'evidence', () => this.evidence.snapshot(sync.orgId, input));
    if (sync.defer) {
      // Explained from the log facts as they are now; published after the snapshots, in order.
      const events = await this.changeEvents.eventsOf(sync);
      sync.defer(() => this.changePublisher.publish(events));
      return;
    }
    // Same ids on a repeat (deterministic), so consumers that dedupe by eventId see each change once.
    await timePhase(this.metrics, 'publish_changes', async () =>
      this.changePublisher.publish(await this.changeEvents.eventsOf(sync)),
    );
  }

  /**
   * System Log records are NOT filtered by fence (the collector still sends
   * it): a superseded poller's batches hold real Okta events, deduplicated by
   * uuid here, and the collector's log cursor is one per org and moves after
   * whichever holder's batch Kafka acknowledged, so the zombie's batch may be
   * the only copy of those events. Dropping it would lose them for good;
   * applying it costs at most duplicates, which the uuid makes no-ops.
   */
  async applySystemLog(
    batch: Array<Positioned<SystemLogEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    // In log order: a poll's evidence sees the batches before it, not the ones after.
    await this.systemLog.apply(
      batch.map((p) => p.message),
      async (poll) => {
        // A gap is asked to be read again before the evidence says it is there (docs/topics.md).
        if (poll.gap) await this.rereads.request(poll.orgId, poll.gap);
        await this.evidence.refreshAfterLogPoll(poll.orgId, poll);
      },
    );
    await this.status.apply('systemLog', batch);
    await heartbeat();
  }
}
