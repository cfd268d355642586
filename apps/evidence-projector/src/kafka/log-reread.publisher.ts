import { Inject, Injectable } from '@nestjs/common';
import { CURRENT_COMMAND_VERSIONS, encodeMessage, TOPICS, TopicNames } from '@regentra/contracts';
import type { LogGap } from '../log-facts/log-coverage';
import { CLOCK, Clock } from '../platform/clock';
import { TOPIC_NAMES } from './kafka.providers';
import { ProjectorProducer } from './projector-producer';

/**
 * Asks the collector to read a System Log gap again: a
 * `SystemLogRereadRequested` on `okta.commands.v1` (docs/topics.md, "System
 * Log gaps"). The request id is the poll's, so a redelivered outcome asks once.
 */
@Injectable()
export class LogRereadPublisher {
  constructor(
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly producer: ProjectorProducer,
  ) {}

  async request(orgId: string, gap: LogGap): Promise<void> {
    // An empty window (a failed poll that said nothing of its window) has nothing to read.
    if (!(Date.parse(gap.since) < Date.parse(gap.until))) return;
    const record = encodeMessage(TOPICS.commands, {
      type: 'SystemLogRereadRequested',
      schemaVersion: CURRENT_COMMAND_VERSIONS.SystemLogRereadRequested,
      orgId,
      payload: {
        requestId: `reread:${orgId}:${gap.pollId}`.slice(0, 200),
        requestedAt: this.clock.now().toISOString(),
        pollId: gap.pollId.slice(0, 200),
        window: { since: gap.since, until: gap.until },
      },
    });
    await this.producer.send(this.topics.commands, [record]);
  }
}
