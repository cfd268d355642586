import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  ConnectionEvents,
  ConnectionListener,
  ConnectionReplaced,
} from '../connections/connection-events';
import { LogCursorRepository } from './log-cursor.repository';

/**
 * A deleted connection, or one saved with another domain, leaves no System
 * Log checkpoint behind: the next poll of the org starts with a backfill
 * instead of failing on the old origin. (The poller also drops a checkpoint of
 * another origin when it loads one, for a cursor saved by a run that was still
 * stopping on another instance.)
 */
@Injectable()
export class LogCursorReset implements ConnectionListener, OnModuleInit {
  constructor(
    private readonly cursors: LogCursorRepository,
    private readonly events: ConnectionEvents,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(this);
  }

  async connectionRemoved(orgId: string): Promise<void> {
    await this.cursors.remove(orgId);
  }

  async connectionReplaced(orgId: string, change: ConnectionReplaced): Promise<void> {
    if (change.domainChanged) await this.cursors.remove(orgId);
  }
}
