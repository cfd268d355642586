import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConnectionEvents, ConnectionListener } from '../connections/connection-events';
import { SyncRequestsRepository } from './sync-requests.repository';

/**
 * What the inbox does when a connection changes. Everything else other
 * slices do with the inbox is one of SyncRequestsRepository's named
 * operations, called directly.
 */
@Injectable()
export class SyncRequestsService implements ConnectionListener, OnModuleInit {
  constructor(
    private readonly inbox: SyncRequestsRepository,
    private readonly connectionEvents: ConnectionEvents,
  ) {}

  onModuleInit(): void {
    this.connectionEvents.subscribe(this);
  }

  /** A deleted connection leaves nothing queued for its org. */
  connectionRemoved(orgId: string, at: Date): Promise<void> {
    return this.inbox.skipQueued(orgId, 'connection deleted', at);
  }
}
