import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { ProjectorConfig } from '../config/projector.config';
import { FoldedRuns } from '../directory/folded-runs';
import { GroupProgressReader } from '../kafka/group-progress.reader';
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
  /**
   * Publish the replayed syncs' changes to `okta.changes.v1` again (default
   * false: analytics already have them). The ids are the live ones, so a
   * consumer that dedupes by eventId sees nothing new.
   */
  publishChanges?: boolean;
  /**
   * How each org's syncs are applied: `replay` (default) folds each org's
   * run of syncs across batches (every sync's snapshots, the read models
   * once, for the last), staging in memory; `batch` folds only the syncs one
   * batch holds, staging in the database, as a live projector does; `off`
   * writes every sync's read models in turn. The equality test compares them.
   */
  fold?: 'replay' | 'batch' | 'off';
}

/**
 * Rebuilds every read model from offset 0 into a fresh database: the System
 * Log topic first (so snapshots see the sign-ins a live projector had seen),
 * then identity and the log together, until the replay group caught up with
 * the end offsets taken at the start. Publishes no change events unless
 * `publishChanges` says so.
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
      ProjectorModule.register({
        config,
        topics,
        publishChanges: options.publishChanges ?? false,
        replay: (options.fold ?? 'replay') === 'replay',
        foldSyncs: options.fold !== 'off',
      }),
      {
        logger: ['error', 'warn'],
      },
    );
    await app.init();
    const group = await GroupProgressReader.open(app, options.groupId);
    try {
      const ends = await group.endsOf(topics);
      for (;;) {
        // A snapshot written behind the consumer failed: its batch is committed, so stop here.
        const failure = app.get(FoldedRuns).failure;
        if (failure) throw new Error(`replay failed in phase ${phase}: ${failure.message}`);
        const { done, total } = await group.progress(ends);
        options.onProgress?.({ phase, done, total });
        if (done >= total) return total;
        if (Date.now() > deadline)
          throw new Error(`replay timed out in phase ${phase} at ${done}/${total}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await group.close();
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
