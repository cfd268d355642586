import { Logger } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { ProjectorMetrics } from '../platform/metrics';

/** How often the probe reads the broker's figures. */
export const LAG_PROBE_MS = 15_000;

/** Pure: a partition's lag, from its committed offset (-1: none yet) and its offsets now. */
export function lagOf(committed: number, low: number, high: number): number {
  return Math.max(0, high - Math.max(committed, low));
}

/**
 * `evidence_projector_consumer_lag` measured at the broker: every
 * LAG_PROBE_MS, for the partitions this instance was assigned, the high
 * watermark minus the group's committed offset. So the gauge keeps moving
 * while a batch is retried (the database down) and nothing is committed,
 * which the figure set after each commit alone never showed
 * (docs/read-models.md, "Poison is quarantined").
 */
export class LagProbe {
  private readonly logger = new Logger(LagProbe.name);
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The reading under way, if any: stop() waits for it before the admin client goes. */
  private reading: Promise<void> | null = null;
  /** Topic (its real name) → logical name and the partitions assigned here. */
  private assigned = new Map<string, { logical: string; partitions: number[] }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly metrics: ProjectorMetrics,
    /** Real topic name → the logical name the gauge is labelled with. */
    private readonly logicalOf: (topic: string) => string,
  ) {}

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.timer = setInterval(() => {
      this.reading ??= this.probe().finally(() => {
        this.reading = null;
      });
    }, LAG_PROBE_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A reading still under way would go on calling the broker after the admin client is
    // closed (and after a test's environment is gone): it ends first.
    await this.reading;
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect();
  }

  /** The group (re)joined: the partitions this instance reads now; the others' figures go. */
  onAssignment(assignment: Record<string, number[]>): void {
    for (const [topic, { logical, partitions }] of this.assigned) {
      const kept = new Set(assignment[topic] ?? []);
      for (const partition of partitions)
        if (!kept.has(partition))
          this.metrics.lag.remove({ topic: logical, partition: String(partition) });
    }
    this.assigned = new Map(
      Object.entries(assignment).map(([topic, partitions]) => [
        topic,
        { logical: this.logicalOf(topic), partitions: [...partitions] },
      ]),
    );
  }

  /** One reading; a broker that does not answer leaves the figures as they are. */
  async probe(): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    try {
      for (const [topic, { logical, partitions }] of this.assigned) {
        if (partitions.length === 0 || this.admin !== admin) continue;
        const [offsets, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: this.groupId, topics: [topic] }),
        ]);
        for (const partition of partitions) {
          const end = offsets.find((o) => o.partition === partition);
          if (!end) continue;
          const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
          this.metrics.lag.set(
            { topic: logical, partition: String(partition) },
            lagOf(Number(at), Number(end.low), Number(end.high)),
          );
        }
      }
    } catch (error) {
      this.logger.debug({ error: String(error), msg: 'lag probe failed; figures kept' });
    }
  }
}
