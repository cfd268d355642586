import { CURRENT_COMMAND_VERSIONS, type RunPart } from '@regentra/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ConnectionsService } from '../connections/connections.service';
import { EventPublisher } from '../kafka/event-publisher';
import { CLOCK, Clock } from '../platform/clock';
import {
  IDENTITY_CRON,
  identitySlot,
  scheduledRequestId,
  SYSTEM_LOG_CRON,
  systemLogSlot,
} from './schedule-slots';

/**
 * Fires the schedules in every collector instance; each tick publishes one
 * SyncRequested per connected org with a deterministic request id, so any
 * number of instances yield one run per org and slot (the inbox dedupes).
 * Orgs whose token Okta rejected are skipped, and the skip is recorded.
 */
@Injectable()
export class ScheduleService {
  private readonly logger = new Logger(ScheduleService.name);

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly connections: ConnectionsService,
    private readonly publisher: EventPublisher,
  ) {}

  @Cron(IDENTITY_CRON, { name: 'identity-sync', timeZone: 'UTC' })
  identityTick(): Promise<number> {
    return this.fire('identity', this.clock.now());
  }

  @Cron(SYSTEM_LOG_CRON, { name: 'system-log-poll', timeZone: 'UTC' })
  systemLogTick(): Promise<number> {
    return this.fire('system-log', this.clock.now());
  }

  /** @returns how many orgs were requested. */
  async fire(scope: RunPart, now: Date): Promise<number> {
    const slot = scope === 'identity' ? identitySlot(now) : systemLogSlot(now);
    let requested = 0;
    for (const connection of await this.connections.listAll()) {
      if (connection.state !== 'connected') {
        await this.connections.recordScheduleSkip(
          connection.orgId,
          `scheduled ${scope} run of ${slot.toISOString()} skipped: ${connection.state}`,
          now,
        );
        this.logger.warn({
          orgId: connection.orgId,
          scope,
          slot,
          msg: 'scheduled run skipped: credentials invalid',
        });
        continue;
      }
      await this.publisher.publish('commands', [
        {
          type: 'SyncRequested',
          schemaVersion: CURRENT_COMMAND_VERSIONS.SyncRequested,
          orgId: connection.orgId,
          payload: {
            scope,
            requestId: scheduledRequestId(connection.orgId, scope, slot),
            requestedAt: slot.toISOString(),
            requestedBy: 'schedule',
            mode: 'auto',
          },
        },
      ]);
      requested += 1;
    }
    return requested;
  }
}
