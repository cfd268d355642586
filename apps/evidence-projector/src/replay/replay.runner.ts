import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Admin, Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { TopicNames } from '@regentra/contracts';
import { ProjectorConfig } from '../config/projector.config';
import { KAFKA, TOPIC_NAMES } from '../kafka/kafka.providers';
import { METRICS_REGISTRY, PHASE_METRIC } from '../platform/metrics';
import { ProjectorModule } from '../projector.module';

export interface ReplayProgress {
  phase: 'system-log' | 'identity';
  done: number;
  total: number;
}

export interface ReplayOptions {
  config: ProjectorConfig;
  /** Fresh database to build into. */
  targetDb: string;
  /** Consumer group of the replay (never the live one). */
  groupId: string;
  onProgress?: (progress: ReplayProgress) => void;
  timeoutMs?: number;
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

/**
 * Rebuilds every read model from offset 0 into a fresh database: the System
 * Log topic first (so snapshots see the sign-ins a live projector had seen),
 * then identity and the log together, until the replay group caught up with
 * the end offsets taken at the start.
 */
export async function replay(options: ReplayOptions): Promise<{
  identityRecords: number;
  systemLogRecords: number;
  /** Projection time by phase (evidence_projector_phase_seconds_total), in ms. */
  phaseMs: Record<string, number>;
}> {
  const phaseMs: Record<string, number> = {};
  const client = await new MongoClient(options.config.MONGODB_URI).connect();
  try {
    const existing = await client
      .db(options.targetDb)
      .listCollections({}, { nameOnly: true })
      .toArray();
    if (existing.length > 0)
      throw new Error(
        `target database ${options.targetDb} is not empty: replay builds into a fresh one`,
      );
  } finally {
    await client.close();
  }
  const config: ProjectorConfig = {
    ...options.config,
    PROJECTOR_DB: options.targetDb,
    PROJECTOR_GROUP_ID: options.groupId,
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const run = async (
    phase: ReplayProgress['phase'],
    topics: Array<'identity' | 'systemLog'>,
  ): Promise<number> => {
    const app: INestApplicationContext = await NestFactory.createApplicationContext(
      ProjectorModule.register({ config, topics }),
      {
        logger: ['error', 'warn'],
      },
    );
    await app.init();
    const kafka = app.get<Kafka>(KAFKA);
    const names = app.get<TopicNames>(TOPIC_NAMES);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const watched = topics.map((t) => names[t]);
      const ends = new Map(
        await Promise.all(watched.map(async (t) => [t, await highWatermarks(admin, t)] as const)),
      );
      for (;;) {
        let done = 0;
        let total = 0;
        for (const topic of watched) {
          const p = await progressOf(admin, options.groupId, topic, ends.get(topic) ?? new Map());
          done += p.done;
          total += p.total;
        }
        options.onProgress?.({ phase, done, total });
        if (done >= total) return total;
        if (Date.now() > deadline)
          throw new Error(`replay timed out in phase ${phase} at ${done}/${total}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await admin.disconnect();
      const counter = app.get<Registry>(METRICS_REGISTRY).getSingleMetric(PHASE_METRIC);
      for (const value of (await counter?.get())?.values ?? [])
        phaseMs[String(value.labels.phase)] =
          (phaseMs[String(value.labels.phase)] ?? 0) + Math.round(value.value * 1000);
      await app.close();
    }
  };
  const systemLogRecords = await run('system-log', ['systemLog']);
  const both = await run('identity', ['identity', 'systemLog']);
  return { identityRecords: both - systemLogRecords, systemLogRecords, phaseMs };
}
