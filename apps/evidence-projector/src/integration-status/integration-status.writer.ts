import { Injectable } from '@nestjs/common';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import { statusUpdateFor } from './integration-status.projection';
import { IntegrationStatusRepository } from './integration-status.repository';

/**
 * Applies status updates conditionally on the Kafka position the document
 * already reflects (per topic), so a redelivered event is a no-op.
 */
@Injectable()
export class IntegrationStatusWriter {
  constructor(private readonly status: IntegrationStatusRepository) {}

  async apply(
    topic: 'identity' | 'systemLog',
    events: Array<{ message: IdentityEvent | SystemLogEvent; offset: string }>,
  ): Promise<void> {
    for (const { message, offset } of events) {
      const update = statusUpdateFor(message);
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
