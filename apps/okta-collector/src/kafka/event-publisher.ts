import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import {
  Draft,
  encodeMessage,
  EncodedRecord,
  MAX_MESSAGE_BYTES,
  TopicMessages,
  TOPICS,
  withFence,
} from '@regentra/contracts';
import { batchesUnder } from '@regentra/kafka';
import { KAFKA, TOPIC_NAMES, TopicNames } from '../kafka/kafka.providers';

type EventTopic = 'identity' | 'systemLog' | 'commands';

export interface PublishOptions {
  /**
   * The lease fence of the sync these records belong to: sent as the
   * `regentra-fence` header on every record (never in the envelope). Omitted
   * for events outside a sync (ConnectionStateChanged, commands).
   */
  fence?: number;
}

/**
 * Publishes contract-validated messages keyed by orgId with the idempotent
 * producer and acks=all. `publish` resolves only after the broker acknowledged
 * every record: callers move cursors and mark work done after it returns.
 */
@Injectable()
export class EventPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  isConnected(): boolean {
    return this.connected;
  }

  async publish<T extends EventTopic>(
    topic: T,
    drafts: Array<Draft<TopicMessages[(typeof TOPICS)[T]]>>,
    options: PublishOptions = {},
  ): Promise<void> {
    if (drafts.length === 0) return;
    const { fence } = options;
    const records = drafts.map((draft) => {
      const record = encodeMessage(TOPICS[topic], draft as never);
      return fence === undefined ? record : withFence(record, fence);
    });
    await this.sendRecords(this.topics[topic], records);
  }

  /** Raw records (the dead-letter topic); still acks=all. */
  async publishDeadLetter(record: EncodedRecord): Promise<void> {
    await this.sendRecords(this.topics.deadLetter, [record]);
  }

  /** In order, one send per group that fits the topic's record-batch limit (headers counted). */
  private async sendRecords(topic: string, records: EncodedRecord[]): Promise<void> {
    for (const messages of batchesUnder(records, MAX_MESSAGE_BYTES))
      await this.producer.send({ topic, acks: -1, messages });
  }
}
