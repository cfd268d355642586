import { INestApplicationContext } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { TopicNames } from '@regentra/contracts';
import { KAFKA, TOPIC_NAMES } from './kafka.providers';
import type { ProjectedTopic } from './projection.router';

/** Per topic, partition → high watermark. */
export type EndOffsets = Map<string, Map<number, number>>;

/**
 * How far a consumer group got through topics, as committed offsets against
 * end offsets taken once (what replay waits on). Reads through the Kafka
 * client of a started projector.
 */
export class GroupProgressReader {
  private constructor(
    private readonly admin: Admin,
    private readonly names: TopicNames,
    private readonly groupId: string,
  ) {}

  static async open(app: INestApplicationContext, groupId: string): Promise<GroupProgressReader> {
    const admin = app.get<Kafka>(KAFKA).admin();
    await admin.connect();
    return new GroupProgressReader(admin, app.get<TopicNames>(TOPIC_NAMES), groupId);
  }

  /** The topics' high watermarks now. */
  async endsOf(topics: ProjectedTopic[]): Promise<EndOffsets> {
    const watched = topics.map((t) => this.names[t]);
    return new Map(
      await Promise.all(
        watched.map(async (t) => [t, await highWatermarks(this.admin, t)] as const),
      ),
    );
  }

  /** Sum over topics and partitions of (committed offset, end offset). */
  async progress(ends: EndOffsets): Promise<{ done: number; total: number }> {
    let done = 0;
    let total = 0;
    for (const [topic, partitions] of ends) {
      const p = await progressOf(this.admin, this.groupId, topic, partitions);
      done += p.done;
      total += p.total;
    }
    return { done, total };
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

/** Sum over partitions of (committed offset, high watermark at start). */
async function progressOf(
  admin: Admin,
  groupId: string,
  topic: string,
  ends: Map<number, number>,
): Promise<{ done: number; total: number }> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let done = 0;
  let total = 0;
  for (const [partition, end] of ends) {
    const offset = Number(
      committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1,
    );
    total += end;
    done += Math.min(end, Math.max(0, offset));
  }
  return { done, total };
}

async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}
