import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
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
import { IntegrationStatusWriter } from '../integration-status/integration-status.writer';
import { CLOCK, Clock } from '../platform/clock';
import { PROJECTOR_METRICS, ProjectorMetrics } from '../platform/metrics';
import { KAFKA, TOPIC_NAMES } from './kafka.providers';
import { LagProbe } from './lag-probe';
import { OrgQuarantine } from './org-quarantine';
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
 * dead-letter topic with the reason and are committed past, and so do an
 * org's records whose writes fail deterministically (OrgQuarantine; live
 * only: a replay stops on them); only transient faults (database, broker)
 * throw, which makes kafkajs retry the batch.
 */
@Injectable()
export class OktaEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OktaEventsConsumer.name);
  private readonly consumer: Consumer;
  private readonly lagProbe: LagProbe;
  private readonly quarantine: OrgQuarantine | null;
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
    status: IntegrationStatusWriter,
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
    this.lagProbe = new LagProbe(kafka, config.PROJECTOR_GROUP_ID, metrics, (topic) =>
      topic === topics.identity ? TOPICS.identity : TOPICS.systemLog,
    );
    // A replay's background writes keep their first failure (FoldedRuns): it fails, not quarantines.
    this.quarantine = replay ? null : new OrgQuarantine(status, metrics, clock);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.router.onAssignmentChanged();
      this.lagProbe.onAssignment(event.payload.memberAssignment);
    });
    await this.lagProbe.start();
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
    await this.lagProbe.stop();
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
    // Before any write: a batch retried (the database down) shows its lag on every attempt.
    this.setLag(
      logical,
      batch.partition,
      batch.highWatermark,
      BigInt(batch.firstOffset() ?? '0') - 1n,
    );
    const identity: Array<Positioned<IdentityEvent>> = [];
    const systemLog: Array<Positioned<SystemLogEvent>> = [];
    const raw = new Map<string, KafkaMessage>();
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
      raw.set(message.offset, message);
      if (isIdentity) identity.push(positioned as Positioned<IdentityEvent>);
      else systemLog.push(positioned as Positioned<SystemLogEvent>);
    }
    const end = batch.messages[batch.messages.length - 1];
    // Caught up: nothing after this batch yet (a replay writes its open run of syncs then).
    const caughtUp = !end || BigInt(end.offset) + 1n >= BigInt(batch.highWatermark);
    const position = { partition: batch.partition, caughtUp };
    const deadLetter = (p: Positioned<unknown>, reason: string) =>
      this.deadLetter(batch.topic, batch.partition, raw.get(p.offset) as KafkaMessage, reason);
    const projected: Array<Positioned<IdentityEvent | SystemLogEvent>> = [];
    const count = <P extends Positioned<IdentityEvent | SystemLogEvent>>(records: P[]) =>
      projected.push(...records);
    if (isIdentity)
      await this.project('identity', identity, deadLetter, async (records) => {
        await this.router.applyIdentity(records, heartbeat, position);
        count(records);
      });
    else
      await this.project('systemLog', systemLog, deadLetter, async (records) => {
        await this.router.applySystemLog(records, heartbeat);
        count(records);
      });
    for (const p of projected) this.metrics.projected.inc({ topic: logical, type: p.message.type });

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
    this.setLag(logical, batch.partition, batch.highWatermark, BigInt(last.offset));
    await heartbeat();
  }

  /** Whole, or org by org when the batch is refused (live); a replay applies it whole. */
  private project<P extends Positioned<IdentityEvent | SystemLogEvent>>(
    topic: 'identity' | 'systemLog',
    records: P[],
    deadLetter: (p: P, reason: string) => Promise<void>,
    apply: (records: P[]) => Promise<void>,
  ): Promise<void> {
    if (!this.quarantine) return apply(records);
    return this.quarantine.project(topic, records, apply, deadLetter);
  }

  /** High watermark minus the offset after `processed` (the last one done), at least 0. */
  private setLag(topic: string, partition: number, highWatermark: string, processed: bigint): void {
    const lag = BigInt(highWatermark) - processed - 1n;
    this.metrics.lag.set({ topic, partition: String(partition) }, Number(lag < 0n ? 0n : lag));
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
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
