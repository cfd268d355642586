import { Injectable } from '@nestjs/common';
import { SystemLogEvent } from '@regentra/contracts';
import { gapOf, LogGap } from './log-coverage';
import { LogDaysWriter } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';
import { LogPollsRepository } from './log-polls.repository';

/** A System Log poll whose outcome arrived, after every batch before it was written. */
export interface PollOutcomeSeen {
  orgId: string;
  outcome: 'completed' | 'failed';
  /** completedAt or failedAt. */
  at: string;
  /** The window the poll left unread (batches that did not arrive), or null. */
  gap: LogGap | null;
}

/**
 * System Log events → `okta_log_events` (dedup by uuid), then the per-day
 * rollups they touch → `okta_log_days`; each poll's batches and outcome →
 * `okta_log_polls`, so a poll whose batches did not all arrive is a gap
 * (docs/read-models.md, "The System Log's coverage"). A poll's outcome is
 * handed to `afterPoll` in log order, after the rollups of the batches before
 * it, so what it triggers sees the facts published before it and none after.
 */
@Injectable()
export class SystemLogProjection {
  constructor(
    private readonly events: LogEventsRepository,
    private readonly days: LogDaysWriter,
    private readonly polls: LogPollsRepository,
  ) {}

  async apply(
    batch: SystemLogEvent[],
    afterPoll: (poll: PollOutcomeSeen) => Promise<void>,
  ): Promise<void> {
    for (const message of batch) {
      const pollId = message.syncId ?? null;
      if (message.type === 'SystemLogBatch') {
        const written = await this.events.add(message.orgId, message.payload.events);
        // Only noted here; rolled up once the poll completes (or evidence reads first).
        await this.days.noteWritten(message.orgId, written);
        if (pollId) await this.polls.noteBatch(message.orgId, pollId, message.seq ?? null);
      }
      if (message.type === 'SystemLogPollCompleted' || message.type === 'SystemLogPollFailed') {
        const completed = message.type === 'SystemLogPollCompleted';
        const at = completed ? message.payload.completedAt : message.payload.failedAt;
        if (completed) await this.days.rollUpDirty(message.orgId);
        const poll = pollId
          ? await this.polls.noteOutcome({
              orgId: message.orgId,
              pollId,
              outcome: completed ? 'completed' : 'failed',
              outcomeAt: at,
              seq: message.seq ?? null,
              window: completed ? message.payload.window : null,
              oldestPublished: completed ? message.payload.oldestPublished : null,
              rereads: completed ? message.payload.rereads : [],
            })
          : null;
        await afterPoll({
          orgId: message.orgId,
          outcome: completed ? 'completed' : 'failed',
          at,
          gap: poll ? gapOf(poll) : null,
        });
      }
    }
  }
}
