import { Injectable } from '@nestjs/common';
import { CURRENT_COMMAND_VERSIONS, SystemLogRereadRequested } from '@regentra/contracts';
import type { LogRereadCommandHandler } from '../kafka/sync-commands.consumer';
import { SyncRequestHandler } from '../sync-requests/sync-request.handler';
import { LogCursorRepository } from './log-cursor.repository';

/**
 * A gap the projector reported (docs/topics.md, "System Log gaps"): recorded
 * with the org's log cursor first, then a System Log poll is queued under the
 * command's request id, so a repeated command is one poll and the poll that
 * runs finds the gap to read.
 */
@Injectable()
export class LogRereadHandler implements LogRereadCommandHandler {
  constructor(
    private readonly cursors: LogCursorRepository,
    private readonly requests: SyncRequestHandler,
  ) {}

  async handle(command: SystemLogRereadRequested, origin: { partition: number }): Promise<void> {
    const { pollId, window, requestId, requestedAt } = command.payload;
    await this.cursors.addGap(command.orgId, { pollId, ...window });
    await this.requests.handle(
      {
        ...command,
        type: 'SyncRequested',
        schemaVersion: CURRENT_COMMAND_VERSIONS.SyncRequested,
        payload: {
          scope: 'system-log',
          requestId,
          requestedAt,
          requestedBy: 'evidence-projector:log-gap',
          mode: 'auto',
        },
      },
      origin,
    );
  }
}
