import { Inject, Injectable } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { EncodedRecord, MAX_MESSAGE_BYTES } from '@regentra/contracts';
import { batchesUnder } from '@regentra/kafka';
import { KAFKA } from './kafka.providers';

/**
 * The projector's one producer (dead letters, change events): idempotent,
 * acks=all, each send split under the topic's record-batch limit. The
 * consumer connects it before it starts consuming and disconnects it after
 * its last batch, so a batch in flight at shutdown can still publish.
 */
@Injectable()
export class ProjectorProducer {
  private readonly producer: Producer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** In order; resolves once the broker acknowledged every record (acks=all). */
  async send(topic: string, records: EncodedRecord[]): Promise<void> {
    for (const messages of batchesUnder(records, MAX_MESSAGE_BYTES))
      await this.producer.send({ topic, acks: -1, messages });
  }
}
