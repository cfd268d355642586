import { Injectable } from '@nestjs/common';
import { SystemLogEvent } from '@regentra/contracts';
import { LogEventsRepository } from './log-events.repository';

/** A System Log poll whose events are all written. */
export interface CompletedPoll {
  orgId: string;
  completedAt: string;
}

/**
 * System Log events → `okta_log_events` (dedup by uuid). A completed poll is
 * handed to `afterPoll` in log order, so what it triggers sees the facts
 * published before it and none after.
 */
@Injectable()
export class SystemLogProjection {
  constructor(private readonly events: LogEventsRepository) {}

  async apply(
    batch: SystemLogEvent[],
    afterPoll: (poll: CompletedPoll) => Promise<void>,
  ): Promise<void> {
    for (const message of batch) {
      if (message.type === 'SystemLogBatch')
        await this.events.add(message.orgId, message.payload.events);
      if (message.type === 'SystemLogPollCompleted')
        await afterPoll({ orgId: message.orgId, completedAt: message.payload.completedAt });
    }
  }
}
