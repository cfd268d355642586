import { Inject, Injectable, Logger } from '@nestjs/common';
import { SyncRequested } from '@regentra/contracts';
import { CLOCK, Clock } from '../platform/clock';
import { SYNC_REQUEST_LISTENER, SyncRequestListener } from './sync-request.listener';
import { SyncRequestsRepository } from './sync-requests.repository';

/**
 * Translates a valid SyncRequested command into an inbox write (deduped by
 * requestId) and wakes the worker. The sync itself never runs here, so a long
 * sync cannot cost the consumer its partitions.
 */
@Injectable()
export class SyncRequestHandler {
  private readonly logger = new Logger(SyncRequestHandler.name);

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SYNC_REQUEST_LISTENER) private readonly listener: SyncRequestListener,
    private readonly inbox: SyncRequestsRepository,
  ) {}

  /** Resolves once the inbox write was acknowledged (the caller commits after it). */
  async handle(command: SyncRequested, origin: { partition: number }): Promise<void> {
    const inserted = await this.inbox.enqueue(command, this.clock.now(), origin.partition);
    if (inserted) this.listener.requestQueued(command.orgId);
    else
      this.logger.log({
        requestId: command.payload.requestId,
        msg: 'duplicate sync request ignored',
      });
  }
}
