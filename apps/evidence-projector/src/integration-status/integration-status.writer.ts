import { Injectable } from '@nestjs/common';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import {
  OutcomeOverride,
  overriddenStatusUpdate,
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
    topic: 'identity' | 'systemLog',
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
}
