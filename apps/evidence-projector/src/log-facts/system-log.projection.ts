import { Injectable } from '@nestjs/common';
import { SystemLogEvent } from '@regentra/contracts';
import { LogDaysWriter } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';

/** A System Log poll whose events are all written. */
export interface CompletedPoll {
  orgId: string;
  completedAt: string;
}

/**
 * System Log events → `okta_log_events` (dedup by uuid), then the per-day
 * rollups they touch → `okta_log_days`. A completed poll is handed to
 * `afterPoll` in log order, after the rollups of the batches before it, so
 * what it triggers sees the facts published before it and none after.
 */
@Injectable()
export class SystemLogProjection {
  constructor(
    private readonly events: LogEventsRepository,
    private readonly days: LogDaysWriter,
  ) {}

  async apply(
    batch: SystemLogEvent[],
    afterPoll: (poll: CompletedPoll) => Promise<void>,
  ): Promise<void> {
    for (const message of batch) {
      if (message.type === 'SystemLogBatch') {
        const written = await this.events.add(message.orgId, message.payload.events);
        // Only noted here; rolled up once the poll completes (or evidence reads first).
        await this.days.noteWritten(message.orgId, written);
      }
      if (message.type === 'SystemLogPollCompleted') {
        await this.days.rollUpDirty(message.orgId);
        await afterPoll({ orgId: message.orgId, completedAt: message.payload.completedAt });
      }
    }
  }
}
