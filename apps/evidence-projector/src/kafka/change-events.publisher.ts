import { Inject, Injectable } from '@nestjs/common';
import { ChangeEvent, encodeMessage, TOPICS, TopicNames } from '@regentra/contracts';
import { PROJECTOR_METRICS, ProjectorMetrics } from '../platform/metrics';
import { TOPIC_NAMES } from './kafka.providers';
import { ProjectorProducer } from './projector-producer';

/**
 * Publishes an applied sync's change events to `okta.changes.v1` (key =
 * orgId), validated against their contract, in order, acks=all: the sync is
 * recorded applied only after this resolves.
 */
@Injectable()
export class ChangeEventsPublisher {
  constructor(
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    private readonly producer: ProjectorProducer,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {}

  async publish(events: ChangeEvent[]): Promise<void> {
    if (events.length === 0) return;
    const records = events.map((event) => encodeMessage(TOPICS.changes, event));
    await this.producer.send(this.topics.changes, records);
    for (const event of events) this.metrics.changesPublished.inc({ type: event.type });
  }
}
