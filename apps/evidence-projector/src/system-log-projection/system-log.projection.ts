import { Injectable } from '@nestjs/common';
import { SystemLogEvent } from '@regentra/contracts';
import { Positioned } from '../consumption/projection-handler';
import { EvidenceService } from '../evidence-store/evidence.service';
import { LogEventsRepository } from './log-events.repository';

/** System Log events → `okta_log_events` (dedup by uuid); a completed poll refreshes the evidence. */
@Injectable()
export class SystemLogProjection {
  constructor(
    private readonly events: LogEventsRepository,
    private readonly evidence: EvidenceService,
  ) {}

  async apply(batch: Array<Positioned<SystemLogEvent>>): Promise<void> {
    for (const { message } of batch) {
      if (message.type === 'SystemLogBatch')
        await this.events.add(message.orgId, message.payload.events);
      if (message.type === 'SystemLogPollCompleted')
        await this.evidence.refreshAfterLogPoll(message.orgId, message.payload.completedAt);
    }
  }
}
