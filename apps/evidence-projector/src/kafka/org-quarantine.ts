import { Logger } from '@nestjs/common';
import type { IntegrationStatusWriter } from '../integration-status/integration-status.writer';
import type { ProjectedTopicName } from '../integration-status/integration-status.projection';
import type { Clock } from '../platform/clock';
import type { ProjectorMetrics } from '../platform/metrics';
import { classifyWriteFailure } from '../platform/write-failures';
import type { Positioned } from './projection.router';

type OrgRecord = Positioned<{ orgId: string; type: string }>;

/** Pure: the records of each org, in the order each org first appears, each in log order. */
export function recordsByOrg<R extends OrgRecord>(records: readonly R[]): Map<string, R[]> {
  const byOrg = new Map<string, R[]>();
  for (const record of records) {
    const list = byOrg.get(record.message.orgId);
    if (list) list.push(record);
    else byOrg.set(record.message.orgId, [record]);
  }
  return byOrg;
}

/**
 * One org's poison never stops the others on its partition
 * (docs/read-models.md, "Poison is quarantined"). A batch is projected
 * whole; when that fails deterministically (classifyWriteFailure: bson or
 * the database refuses a document) it is projected again org by org, which
 * the idempotent writes allow (the same as a redelivery). An org whose
 * records still fail deterministically has them dead-lettered with the
 * reason and is marked `projection_failed`; the other orgs' records are
 * projected, and the batch is committed. A transient failure at any point
 * throws, and kafkajs delivers the batch again, as before.
 */
export class OrgQuarantine {
  private readonly logger = new Logger(OrgQuarantine.name);

  constructor(
    private readonly status: IntegrationStatusWriter,
    private readonly metrics: ProjectorMetrics,
    private readonly clock: Clock,
  ) {}

  async project<R extends OrgRecord>(
    topic: ProjectedTopicName,
    records: R[],
    apply: (records: R[]) => Promise<void>,
    deadLetter: (record: R, reason: string) => Promise<void>,
  ): Promise<void> {
    try {
      await apply(records);
      return;
    } catch (error) {
      const failure = classifyWriteFailure(error);
      if (failure.kind === 'transient') throw error;
      this.logger.warn({
        topic,
        reason: failure.reason,
        msg: 'batch refused; projecting org by org',
      });
    }
    for (const [orgId, own] of recordsByOrg(records)) {
      try {
        await apply(own);
      } catch (error) {
        const failure = classifyWriteFailure(error);
        if (failure.kind === 'transient') throw error;
        await this.quarantine(topic, orgId, own, failure.reason, deadLetter);
      }
    }
  }

  private async quarantine<R extends OrgRecord>(
    topic: ProjectedTopicName,
    orgId: string,
    records: R[],
    reason: string,
    deadLetter: (record: R, reason: string) => Promise<void>,
  ): Promise<void> {
    this.logger.error({ topic, orgId, records: records.length, reason, msg: 'projection_failed' });
    // Dead letters first: marked failed only once its records are kept with the reason.
    for (const record of records) await deadLetter(record, reason);
    this.metrics.projectionFailures.inc({ topic });
    await this.status.projectionFailed(orgId, topic, {
      reason,
      at: this.clock.now().toISOString(),
      records: records.map((r) => ({ offset: r.offset, type: r.message.type })),
    });
  }
}
