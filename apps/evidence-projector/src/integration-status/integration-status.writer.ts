import { Injectable } from '@nestjs/common';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import {
  OutcomeOverride,
  overriddenStatusUpdate,
  PROJECTION_FAILED,
  ProjectedTopicName,
  ProjectionState,
  statusUpdateFor,
} from './integration-status.projection';
import { IntegrationStatusRepository } from './integration-status.repository';

/**
 * Applies status updates (or, for an outcome event the identity projection
 * overrode, what its verdict implies) conditionally on the Kafka position the document
 * already reflects (per topic), so a redelivered event is a no-op.
 */
@Injectable()
export class IntegrationStatusWriter {
  constructor(private readonly status: IntegrationStatusRepository) {}

  async apply(
    topic: ProjectedTopicName,
    events: Array<{ message: IdentityEvent | SystemLogEvent; offset: string }>,
    overrides: ReadonlyMap<string, OutcomeOverride> = new Map(),
  ): Promise<void> {
    for (const { message, offset } of events) {
      const override = overrides.get(message.eventId);
      const update =
        override && topic === 'identity'
          ? overriddenStatusUpdate(message as IdentityEvent, override)
          : statusUpdateFor(message);
      if (!update) continue;
      await this.status.applyIfNewer(
        message.orgId,
        topic,
        Number(offset),
        message.occurredAt,
        update,
      );
    }
  }

  /**
   * Marks the org's `topic` `projection_failed` (its records were
   * dead-lettered), at the last of them: a status event after them still
   * wins, and a redelivery of them changes nothing.
   */
  async projectionFailed(
    orgId: string,
    topic: ProjectedTopicName,
    failed: { reason: string; at: string; records: Array<{ offset: string; type: string }> },
  ): Promise<void> {
    const last = failed.records[failed.records.length - 1];
    if (!last) return;
    const state: ProjectionState = {
      state: PROJECTION_FAILED,
      at: failed.at,
      reason: failed.reason,
      offset: last.offset,
      eventType: last.type,
      records: failed.records.length,
    };
    await this.status.applyIfNewer(orgId, topic, Number(last.offset), failed.at, {
      [`projection.${topic}`]: state,
    });
  }
}
