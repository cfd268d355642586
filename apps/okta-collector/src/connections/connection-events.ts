import { Injectable, Logger } from '@nestjs/common';

/** What changed when a connection was saved over an existing one. */
export interface ConnectionReplaced {
  domainChanged: boolean;
  tokenChanged: boolean;
}

/** What other slices hear about a connection's lifecycle. */
export interface ConnectionListener {
  /** The connection was deleted (after the delete, before it is announced). */
  connectionRemoved?(orgId: string, at: Date): Promise<void> | void;
  /** The connection was saved again over an existing one. */
  connectionReplaced?(orgId: string, change: ConnectionReplaced, at: Date): Promise<void> | void;
}

/**
 * The connections slice tells the slices that depend on it (the inbox skips
 * queued requests, the coordinator cancels a running sync, the System Log
 * slice drops its cursor) without depending on them: they subscribe here.
 * Listeners run one after another; a failing one is logged and does not stop
 * the others.
 */
@Injectable()
export class ConnectionEvents {
  private readonly logger = new Logger(ConnectionEvents.name);
  private readonly listeners: ConnectionListener[] = [];

  subscribe(listener: ConnectionListener): void {
    this.listeners.push(listener);
  }

  async removed(orgId: string, at: Date): Promise<void> {
    for (const listener of this.listeners)
      await this.safely(orgId, 'connectionRemoved', () => listener.connectionRemoved?.(orgId, at));
  }

  async replaced(orgId: string, change: ConnectionReplaced, at: Date): Promise<void> {
    for (const listener of this.listeners)
      await this.safely(orgId, 'connectionReplaced', () =>
        listener.connectionReplaced?.(orgId, change, at),
      );
  }

  private async safely(
    orgId: string,
    what: string,
    call: () => Promise<void> | void,
  ): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.logger.error({ orgId, msg: `${what} listener failed: ${(error as Error).message}` });
    }
  }
}
