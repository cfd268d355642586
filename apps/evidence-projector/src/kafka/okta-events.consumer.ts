import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import {
  deadLetterRecord,
  decodeMessage,
  FENCE_HEADER,
  IdentityEvent,
  readFenceHeader,
  SystemLogEvent,
  TOPICS,
  TopicNames,
} from '@regentra/contracts';
import { PROJECTOR_CONFIG, ProjectorConfig } from '../config/projector.config';
import { FOLD_MODE, FoldMode } from '../directory/fold-mode';
import { CLOCK, Clock } from '../platform/clock';
import { PROJECTOR_METRICS, ProjectorMetrics } from '../platform/metrics';
import { KAFKA, TOPIC_NAMES } from './kafka.providers';
import {
  Positioned,
  PROJECTED_TOPICS,
  ProjectedTopic,
  ProjectionRouter,
} from './projection.router';
import { ProjectorProducer } from './projector-producer';

/**
 * Batch consumer of the identity and system-log topics: bytes → contract →
 * router (bulk, idempotent writes) → commit. Poison messages go to the
 * dead-letter topic with the reason and are committed past; only transient
 * faults (database, broker) throw, which makes kafkajs retry the batch.
 */
@Injectable()
export class OktaEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OktaEventsConsumer.name);
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(PROJECTOR_CONFIG) config: ProjectorConfig,
    private readonly router: ProjectionRouter,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROJECTED_TOPICS) private readonly projected: ProjectedTopic[],
    private readonly producer: ProjectorProducer,
    @Optional() @Inject(FOLD_MODE) mode?: FoldMode,
  ) {
    // A replay reads the whole history: bigger fetches, fewer batches (each costs a few
    // database round trips: fences, status, commit). Live batches stay small.
    const replay = mode?.replay ?? false;
    this.consumer = kafka.consumer({
      groupId: config.PROJECTOR_GROUP_ID,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: (replay ? 16 : 4) * 1024 * 1024,
      ...(replay ? { maxBytes: 48 * 1024 * 1024 } : {}),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.router.onAssignmentChanged());
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.projected.map((topic) => this.topics[topic]),
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.running = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    // disconnect() waits for the batch in flight, so its writes, change events and commit finish.
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  isRunning(): boolean {
    return this.running;
  }

  private async handleBatch({
    batch,
    heartbeat,
    resolveOffset,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const isIdentity = batch.topic === this.topics.identity;
    const logical = isIdentity ? TOPICS.identity : TOPICS.systemLog;
    const identity: Array<Positioned<IdentityEvent>> = [];
    const systemLog: Array<Positioned<SystemLogEvent>> = [];
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      const decoded = decodeMessage(logical, message.value, message.key);
      if (!decoded.ok) {
        await this.deadLetter(batch.topic, batch.partition, message, decoded.reason);
        continue;
      }
      // Identity records only: the router drops a superseded lease holder's (see applySystemLog).
      const header = isIdentity ? readFenceHeader(message.headers?.[FENCE_HEADER]) : null;
      if (header && !header.ok) {
        await this.deadLetter(batch.topic, batch.partition, message, header.reason);
        continue;
      }
      const positioned = {
        message: decoded.message,
        partition: batch.partition,
        offset: message.offset,
        fence: header?.fence ?? null,
      };
      if (isIdentity) identity.push(positioned as Positioned<IdentityEvent>);
      else systemLog.push(positioned as Positioned<SystemLogEvent>);
    }
    const end = batch.messages[batch.messages.length - 1];
    // Caught up: nothing after this batch yet (a replay writes its open run of syncs then).
    const caughtUp = !end || BigInt(end.offset) + 1n >= BigInt(batch.highWatermark);
    if (isIdentity)
      await this.router.applyIdentity(identity, heartbeat, {
        partition: batch.partition,
        caughtUp,
      });
    else await this.router.applySystemLog(systemLog, heartbeat);
    for (const p of [...identity, ...systemLog])
      this.metrics.projected.inc({ topic: logical, type: p.message.type });

    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    // Commit only now: every write of this batch was acknowledged by the database.
    await this.consumer.commitOffsets([
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: (BigInt(last.offset) + 1n).toString(),
      },
    ]);
    resolveOffset(last.offset);
    const lag = BigInt(batch.highWatermark) - BigInt(last.offset) - 1n;
    this.metrics.lag.set(
      { topic: logical, partition: String(batch.partition) },
      Number(lag < 0n ? 0n : lag),
    );
    await heartbeat();
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: EachBatchPayload['batch']['messages'][number],
    reason: string,
  ): Promise<void> {
    this.logger.warn({
      topic,
      partition,
      offset: message.offset,
      reason,
      msg: 'message dead-lettered',
    });
    this.metrics.deadLettered.inc({ topic });
    const record = deadLetterRecord({
      reason,
      rejectedBy: 'evidence-projector',
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      now: this.clock.now(),
    });
    await this.producer.send(this.topics.deadLetter, [record]);
  }
}
