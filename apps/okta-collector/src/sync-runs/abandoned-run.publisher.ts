import { CURRENT_IDENTITY_VERSIONS, CURRENT_SYSTEM_LOG_VERSIONS } from '@regentra/contracts';
import { Injectable } from '@nestjs/common';
import { EventPublisher } from '../kafka/event-publisher';
import { SyncRunDoc } from './sync-run.types';

/**
 * Reports a run whose holder died as failed with reason "abandoned", on the
 * topic of its kind, so consumers never wait for a Completed that will not come.
 * The record carries the NEW holder's fence: from it on, records the dead
 * holder may still publish under its older fence are superseded.
 */
@Injectable()
export class AbandonedRunPublisher {
  constructor(private readonly publisher: EventPublisher) {}

  /** Resolves once Kafka acknowledged the failure event; `fence` is the reporting holder's. */
  async publish(orphan: SyncRunDoc, failedAt: Date, message: string, fence: number): Promise<void> {
    const at = failedAt.toISOString();
    const requestId = orphan.requestIds[0] ?? orphan._id;
    const payload = {
      requestId,
      failedAt: at,
      reason: 'abandoned' as const,
      retryable: true,
      message,
    };
    if (orphan.kind === 'identity') {
      await this.publisher.publish(
        'identity',
        [
          {
            type: 'IdentitySyncFailed',
            schemaVersion: CURRENT_IDENTITY_VERSIONS.IdentitySyncFailed,
            orgId: orphan.orgId,
            syncId: orphan._id,
            payload,
          },
        ],
        { fence },
      );
    } else {
      await this.publisher.publish(
        'systemLog',
        [
          {
            type: 'SystemLogPollFailed',
            schemaVersion: CURRENT_SYSTEM_LOG_VERSIONS.SystemLogPollFailed,
            orgId: orphan.orgId,
            syncId: orphan._id,
            payload,
          },
        ],
        { fence },
      );
    }
  }
}
