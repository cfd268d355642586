import {
  Inject,
  Injectable,
  Logger,
  BeforeApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import {
  deadLetterRecord,
  decodeMessage,
  SyncRequested,
  SystemLogRereadRequested,
  TOPICS,
} from '@regentra/contracts';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { CLOCK, Clock } from '../platform/clock';
import { CommandPartitions } from '../platform/command-partitions';
import { EventPublisher } from './event-publisher';
import { KAFKA, TOPIC_NAMES, TopicNames } from './kafka.providers';

/**
 * Whoever takes a valid command off the topic (the sync-requests slice writes
 * it to its inbox). Resolves once that write was acknowledged.
 */
export const SYNC_COMMAND_HANDLER = Symbol('SYNC_COMMAND_HANDLER');
export interface SyncCommandHandler {
  /** `partition`: where the command arrived; its org's work runs on that partition's owner. */
  handle(command: SyncRequested, origin: { partition: number }): Promise<void>;
}

/** Whoever records a System Log gap the projector reported and queues its re-read (system-log/). */
export const LOG_REREAD_HANDLER = Symbol('LOG_REREAD_HANDLER');
export interface LogRereadCommandHandler {
  handle(command: SystemLogRereadRequested, origin: { partition: number }): Promise<void>;
}

/**
 * Consumes `okta.commands.v1`. A valid SyncRequested goes to the handler
 * (the inbox write, deduped by requestId), a SystemLogRereadRequested to the
 * System Log's, and its offset is committed after that write; an invalid one goes to the dead-letter topic with the reason.
 * The sync itself never runs inside this handler, so a long sync cannot cost
 * the partitions.
 */
@Injectable()
export class SyncCommandsConsumer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncCommandsConsumer.name);
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(COLLECTOR_CONFIG) config: CollectorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SYNC_COMMAND_HANDLER) private readonly handler: SyncCommandHandler,
    @Inject(LOG_REREAD_HANDLER) private readonly rereads: LogRereadCommandHandler,
    private readonly publisher: EventPublisher,
    private readonly partitions: CommandPartitions,
  ) {
    this.consumer = kafka.consumer({
      groupId: `${config.KAFKA_TOPIC_PREFIX}okta-collector.commands`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    const { GROUP_JOIN, STOP, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      const owned = payload.memberAssignment[this.topics.commands] ?? [];
      this.partitions.assigned(owned);
      this.logger.log({ partitions: owned, msg: 'owns command partitions' });
    });
    this.consumer.on(STOP, () => this.partitions.revoked());
    this.consumer.on(CRASH, () => this.partitions.revoked());
  }

  async onModuleInit(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.commands, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachMessage: (payload) => this.handle(payload) });
    this.running = true;
  }

  /** Before the runs stop and the database closes: no new command is handled meanwhile. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  isRunning(): boolean {
    return this.running;
  }

  private async handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const decoded = decodeMessage(TOPICS.commands, message.value, message.key);
    if (decoded.ok) {
      const command = decoded.message;
      if (command.type === 'SyncRequested') await this.handler.handle(command, { partition });
      else await this.rereads.handle(command, { partition });
    } else {
      this.logger.warn({
        topic,
        partition,
        offset: message.offset,
        reason: decoded.reason,
        msg: 'invalid command dead-lettered',
      });
      await this.publisher.publishDeadLetter(
        deadLetterRecord({
          reason: decoded.reason,
          rejectedBy: 'okta-collector',
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          now: this.clock.now(),
        }),
      );
    }
    // Commit only after the inbox write (or the dead letter) was acknowledged.
    await this.consumer.commitOffsets([
      { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
    ]);
  }
}
