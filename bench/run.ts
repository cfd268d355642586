import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Document, MongoClient } from 'mongodb';
import { Logger } from '@nestjs/common';
import { MAX_MESSAGE_BYTES, topicNames } from '@regentra/contracts';
import { batchesUnder } from '@regentra/kafka';
import { replay } from '../apps/evidence-projector/src/replay/replay.runner';
import { resolveServices } from '../scripts/infra/services';
import { freePort } from '../scripts/infra/ports';
import { startOktaSim, WORKFORCE_LIMITS, OktaSim } from '../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  startCollector,
  projectorGet,
  startProjector,
  StartedApp,
} from '../test/support/apps';
import { COLLECTOR_TOKEN, collectorApi } from '../test/support/collector-api';
import { isolation, randomEncryptionKey } from '../test/support/test-env';
import { eventually } from '../test/support/wait';
import { collectTopic, testKafka } from '../test/support/kafka-helpers';
import { floorMs, percentile, windowOvershoot } from './floor';
import { phaseBreakdown } from './phases';
import { incrementalCase } from './incremental';
import { fleetCase } from './fleet';
import { scaleCase } from './scale';

/**
 * npm run bench [-- --quick]: identity sync against the rate-limit floor,
 * projector and replay throughput, collector memory growth, freshness.
 * Figures are ratios measured in one run; JSON goes to bench/results/latest.json.
 */
const QUICK = process.argv.includes('--quick');
/**
 * `--only=projector,replay` runs a subset (the identity sync runs with any of
 * them: they read its events). `--only=scale` runs the 100,000-user scale case
 * alone; it is not part of a plain `npm run bench`.
 */
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const CASES = ['projector', 'replay', 'memory', 'freshness', 'incremental'] as const;
const runs = (name: (typeof CASES)[number]) => !ONLY || ONLY.includes(name);
const runsIdentityCases =
  !ONLY || CASES.filter((name) => name !== 'incremental').some((name) => ONLY.includes(name));
const SIZE = QUICK ? 2_000 : 10_000;
const BIG = QUICK ? 10_000 : 50_000;
const SHARE = 0.45;
/** Okta's 60 s rate-limit windows, compressed 10× (20× for --quick); BENCH_WINDOW_MS overrides. */
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? (QUICK ? 3_000 : 6_000));
const OUT = resolve(__dirname, '..', '..', 'bench', 'results', 'latest.json');
const figures: Record<string, unknown> = {
  quick: QUICK,
  users: SIZE,
  windowMs: WINDOW_MS,
  share: SHARE,
};
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function waitRequest(
  mongo: MongoClient,
  db: string,
  requestId: string,
  timeoutMs = 1_800_000,
) {
  return eventually(
    async () => {
      const doc = await mongo
        .db(db)
        .collection('sync_requests')
        .findOne({ _id: requestId as never });
      return doc && !['queued', 'running'].includes(doc.state) ? doc : undefined;
    },
    `request ${requestId}`,
    timeoutMs,
    100,
  );
}

async function identityVsFloor(mongo: MongoClient) {
  const sim = await startOktaSim({
    users: SIZE,
    seed: 99,
    groups: QUICK ? 60 : 300,
    apps: QUICK ? 30 : 150,
    latencyMs: 50,
    rateWindowMs: WINDOW_MS,
  });
  const iso = isolation('bench');
  const collector = await startCollector(
    collectorConfig(iso, {
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      OKTA_CONCURRENCY: '24',
      LOG_LEVEL: 'warn',
      OKTA_RATE_LIMIT_SHARE: String(SHARE),
    }),
  );
  const api = collectorApi(collector);
  await api.connect('bench-org', sim.url, sim.token);
  sim.resetCounters();
  const started = Date.now();
  const requestId = String((await api.sync('bench-org', 'identity')).json.requestId);
  const done = await waitRequest(mongo, iso.collectorDb, requestId);
  const wallMs = Date.now() - started;
  const byBucket: Record<string, number> = {};
  for (const entry of sim.requestLog()) byBucket[entry.bucket] = (byBucket[entry.bucket] ?? 0) + 1;
  const floor = floorMs(byBucket, WORKFORCE_LIMITS, WINDOW_MS, SHARE);
  const tokenCapFloor = floorMs(byBucket, WORKFORCE_LIMITS, WINDOW_MS, 0.5);
  const calls = Object.values(byBucket).reduce((a, b) => a + b, 0);
  const overshoot = windowOvershoot(wallMs, floor.floorMs, WINDOW_MS, 60_000);
  Object.assign(figures, {
    sync_state: done.state,
    sync_wall_ms: wallMs,
    okta_calls_by_endpoint: sim.calls(),
    okta_calls_by_bucket: byBucket,
    okta_calls_total: calls,
    calls_per_user: calls / SIZE,
    okta_429s: sim.statusCounts()['429'] ?? 0,
    sync_floor_ms: Math.round(floor.floorMs),
    sync_floor_bottleneck: floor.bottleneck,
    sync_floor_ratio: wallMs / floor.floorMs,
    sync_floor_ratio_vs_token_cap: wallMs / tokenCapFloor.floorMs,
    // Where the gap goes: a roughly fixed overshoot per window wait (whole-second
    // Reset and Date); extrapolated, not measured, to Okta's real 60 s windows.
    sync_floor_windows: overshoot.windows,
    sync_overshoot_per_window_ms: overshoot.overshootPerWindowMs,
    sync_floor_ratio_at_60s_windows_est: overshoot.ratioAtTarget,
  });
  log(
    `identity sync ${SIZE} users: ${wallMs} ms, floor ${Math.round(floor.floorMs)} ms (${floor.bottleneck}), ratio ${(wallMs / floor.floorMs).toFixed(3)}`,
  );
  return { sim, iso, collector, syncId: (done.syncIds as string[])[0] as string };
}

async function projectorThroughput(
  mongo: MongoClient,
  iso: ReturnType<typeof isolation>,
  syncId: string,
) {
  const target = isolation('benchproj');
  const config = {
    ...projectorConfig(iso),
    PROJECTOR_DB: target.projectorDb,
    PROJECTOR_GROUP_ID: target.groupId,
    LOG_LEVEL: 'warn' as const,
  };
  // The clock starts once the app is up (the raw baseline's client is connected too).
  const projector = await startProjector(config);
  const started = Date.now();
  await eventually(
    async () => {
      const doc = await mongo
        .db(target.projectorDb)
        .collection('identity_syncs')
        .findOne({ syncId, materialized: 'applied' });
      return doc ?? undefined;
    },
    'projected',
    1_800_000,
    200,
  );
  const projectMs = Date.now() - started;
  const phases = await phaseBreakdown(projector.url);
  await projector.close();
  const records = await mongo
    .db(target.projectorDb)
    .collection('identity_syncs')
    .findOne({ syncId });
  const counts = (records?.counts ?? {}) as Record<string, number>;
  // Raw baseline: bulk-insert every document the projection left behind straight with the
  // driver (item pages, log facts, inbox and marks included; read before the clock starts)
  const rawMs = await rawWriteMs(mongo, target.projectorDb);
  const entities = Object.values(counts).reduce((a, b) => a + b, 0);
  Object.assign(figures, {
    projector_ms: projectMs,
    projector_entities_per_s: entities / (projectMs / 1000),
    projector_raw_write_ms: rawMs,
    projector_vs_raw_ratio: projectMs / rawMs,
    projector_phase_ms: phases,
  });
  log(`projection ${projectMs} ms vs raw bulk write ${rawMs} ms; phases ${JSON.stringify(phases)}`);
}

const REPLAY_SYNCS = 20;

/**
 * Fills the identity topic up to `REPLAY_SYNCS` syncs of the org: the events
 * of the measured sync published again under new sync and event ids, each
 * copy an hour later than the one before (so each one supersedes the last and
 * the projector materializes and snapshots every one of them).
 */
async function publishSyncCopies(
  iso: ReturnType<typeof isolation>,
  syncId: string,
  copies: number,
): Promise<number> {
  const kafka = testKafka();
  const topic = topicNames(iso.topicPrefix).identity;
  const reader = await collectTopic(kafka, topic);
  const ofSync = (): Array<Record<string, unknown>> =>
    reader.records
      .map((r) => r.json as Record<string, unknown>)
      .filter((e) => e && e.syncId === syncId);
  await eventually(
    async () => (ofSync().some((e) => e.type === 'IdentitySyncCompleted') ? true : undefined),
    'the measured sync on the topic',
    120_000,
    200,
  );
  const events = ofSync();
  await reader.stop();
  const shift = (value: unknown, hours: number) =>
    typeof value === 'string'
      ? new Date(Date.parse(value) + hours * 3_600_000).toISOString()
      : value;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let copy = 1; copy <= copies; copy += 1) {
      const messages = events.map((event) => {
        const payload = { ...(event.payload as Record<string, unknown>) };
        for (const field of ['startedAt', 'completedAt', 'failedAt'])
          if (field in payload) payload[field] = shift(payload[field], copy);
        if (typeof payload.requestId === 'string')
          payload.requestId = `${payload.requestId}~${copy}`;
        return {
          key: String(event.orgId),
          value: JSON.stringify({
            ...event,
            eventId: randomUUID(),
            syncId: `${syncId}~${copy}`,
            occurredAt: shift(event.occurredAt, copy),
            payload,
          }),
        };
      });
      // Each send is one record batch per partition: under the topic's max.message.bytes.
      for (const batch of batchesUnder(messages, MAX_MESSAGE_BYTES))
        await producer.send({ topic, acks: -1, messages: batch });
    }
  } finally {
    await producer.disconnect();
  }
  return events.length * (copies + 1);
}

async function replayThroughput(
  iso: ReturnType<typeof isolation>,
  syncId: string,
  mongo: MongoClient,
) {
  const published = await publishSyncCopies(iso, syncId, REPLAY_SYNCS - 1);
  log(`identity topic holds ${REPLAY_SYNCS} syncs (${published} records of them)`);
  const target = isolation('benchreplay');
  let records = 0;
  const started = Date.now();
  const result = await replay({
    config: { ...projectorConfig(iso), LOG_LEVEL: 'warn' },
    targetDb: target.projectorDb,
    groupId: target.groupId,
    onProgress: (p) => {
      records = Math.max(records, p.total);
    },
  });
  const ms = Date.now() - started;
  // Every one of the syncs must have been materialized and snapshotted, or the figure means nothing.
  const applied = await mongo
    .db(target.projectorDb)
    .collection('identity_syncs')
    .find({ materialized: 'applied' })
    .toArray();
  const snapshots = await mongo
    .db(target.projectorDb)
    .collection('evidence_snapshots')
    .countDocuments();
  if (applied.length !== REPLAY_SYNCS || snapshots !== REPLAY_SYNCS * 4)
    throw new Error(
      `replay applied ${applied.length} of ${REPLAY_SYNCS} syncs (${snapshots} snapshots)`,
    );
  const entities = applied.reduce(
    (sum, sync) =>
      sum + Object.values((sync.counts ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0),
    0,
  );
  const rawMs = await rawWriteMs(mongo, target.projectorDb);
  Object.assign(figures, {
    replay_syncs: applied.length,
    replay_records: records,
    replay_ms: ms,
    replay_records_per_s: records / (ms / 1000),
    replay_entities_per_s: entities / (ms / 1000),
    replay_phase_ms: result.phaseMs,
    replay_raw_write_ms: rawMs,
    replay_vs_raw_ratio: ms / rawMs,
  });
  log(
    `replay of ${applied.length} syncs: ${records} records, ${entities} entities in ${ms} ms (raw bulk write ${rawMs} ms); phases ${JSON.stringify(result.phaseMs)}`,
  );
}

/**
 * The time to bulk-write with the driver, into a fresh database, every
 * document a projection or replay left in `db`: read models, current
 * evidence and snapshots with their item pages, log facts, inbox and marks.
 * Read before the clock starts.
 */
async function rawWriteMs(mongo: MongoClient, db: string): Promise<number> {
  // every collection the run left behind: a baseline that leaves some out flatters it
  const names = (await mongo.db(db).listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !name.startsWith('system.'));
  const docs = new Map<string, Document[]>();
  for (const name of names) docs.set(name, await mongo.db(db).collection(name).find({}).toArray());
  const raw = mongo.db(`${db}_raw`);
  const started = Date.now();
  for (const [name, all] of docs)
    for (let i = 0; i < all.length; i += 500)
      await raw.collection(name).insertMany(all.slice(i, i + 500), { ordered: false });
  const ms = Date.now() - started;
  await raw.dropDatabase();
  return ms;
}

/** Peak RSS (VmHWM) of a real collector process syncing `users` users. */
async function collectorPeakRss(
  users: number,
  services: { kafkaBrokers: string; mongoUri: string },
  mongo: MongoClient,
): Promise<number> {
  const sim: OktaSim = await startOktaSim({
    users,
    seed: 7,
    groups: 50,
    apps: 20,
    rateWindowMs: 50,
  });
  const iso = isolation(`benchmem${users}`);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [resolve(__dirname, '..', 'apps', 'okta-collector', 'src', 'main.js')],
    {
      env: {
        ...process.env,
        KAFKA_BROKERS: services.kafkaBrokers,
        MONGODB_URI: services.mongoUri,
        COLLECTOR_DB: iso.collectorDb,
        COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
        TOKEN_ENCRYPTION_KEYS: randomEncryptionKey(),
        KAFKA_TOPIC_PREFIX: iso.topicPrefix,
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        SCHEDULER_ENABLED: 'false',
        OKTA_CONCURRENCY: '16',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    },
  );
  try {
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined),
      'collector up',
      60_000,
      250,
    );
    const api = collectorApi({ url } as StartedApp);
    await api.connect('mem-org', sim.url, sim.token);
    const requestId = String((await api.sync('mem-org', 'identity')).json.requestId);
    await waitRequest(mongo, iso.collectorDb, requestId);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb * 1024;
  } finally {
    child.kill('SIGTERM');
    await sim.close();
  }
}

async function freshness(
  api: ReturnType<typeof collectorApi>,
  projectorUrl: string,
  mongo: MongoClient,
  collectorDb: string,
  runs: number,
) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const done = await waitRequest(
      mongo,
      collectorDb,
      String((await api.sync('fresh-org', 'identity')).json.requestId),
    );
    const syncId = (done.syncIds as string[])[0] as string;
    const run = await mongo
      .db(collectorDb)
      .collection('sync_runs')
      .findOne({ _id: syncId as never });
    const completedAt = (run?.finishedAt as Date).getTime();
    await eventually(
      async () => {
        const response = await projectorGet(
          projectorUrl,
          '/v1/orgs/fresh-org/evidence/authentication?limit=1',
        );
        const body = response.ok ? ((await response.json()) as { syncId?: string }) : null;
        return body?.syncId === syncId ? true : undefined;
      },
      'fresh evidence',
      120_000,
      10,
    );
    samples.push(Date.now() - completedAt);
  }
  samples.sort((a, b) => a - b);
  Object.assign(figures, {
    freshness_samples_ms: samples,
    freshness_median_ms: percentile(samples, 50),
    freshness_p99_ms: percentile(samples, 99),
  });
  log(`freshness median ${percentile(samples, 50)} ms, p99 ${percentile(samples, 99)} ms`);
}

async function memoryGrowth(
  services: { kafkaBrokers: string; mongoUri: string },
  mongo: MongoClient,
): Promise<void> {
  const small = await collectorPeakRss(SIZE, services, mongo);
  const big = await collectorPeakRss(BIG, services, mongo);
  Object.assign(figures, {
    rss_small_users: SIZE,
    rss_small_bytes: small,
    rss_big_users: BIG,
    rss_big_bytes: big,
    rss_growth_ratio: big / small,
  });
  log(
    `collector peak RSS ${SIZE} users ${(small / 2 ** 20).toFixed(0)} MiB, ${BIG} users ${(big / 2 ** 20).toFixed(0)} MiB`,
  );
}

async function freshnessCase(mongo: MongoClient): Promise<void> {
  const sim = await startOktaSim({ users: 300, seed: 5, rateWindowMs: 1000 });
  const iso = isolation('benchfresh');
  const collector = await startCollector(
    collectorConfig(iso, {
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      LOG_LEVEL: 'warn',
      // full syncs, as before incremental ones existed: the figure stays comparable
      IDENTITY_SYNC_MODE: 'full',
    }),
  );
  const projector = await startProjector({ ...projectorConfig(iso), LOG_LEVEL: 'warn' });
  try {
    const api = collectorApi(collector);
    await api.connect('fresh-org', sim.url, sim.token);
    await freshness(api, projector.url, mongo, iso.collectorDb, QUICK ? 3 : 7);
  } finally {
    await projector.close();
    await collector.close();
    await sim.close();
  }
}

/** How long the simulator takes to generate and start a 10,000-user org (was a timed unit test). */
async function simStartCase(): Promise<void> {
  const started = process.hrtime.bigint();
  const sim = await startOktaSim({ users: 10_000, seed: 11 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  figures.sim_start_10k_users_ms = ms;
  await sim.close();
  log(`simulator start, 10,000 users: ${ms.toFixed(0)} ms`);
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const began = Date.now();
  const services = await resolveServices();
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  process.env.MONGODB_URI = services.mongoUri;
  const mongo = await new MongoClient(services.mongoUri).connect();
  try {
    if (ONLY?.includes('scale')) await scaleCase({ services, mongo, figures, log, waitRequest });
    if (ONLY?.includes('fleet'))
      await fleetCase({ services, mongo, figures, log, quick: QUICK, share: SHARE });
    if (runs('incremental'))
      await incrementalCase({
        mongo,
        figures,
        log,
        waitRequest,
        users: SIZE,
        windowMs: WINDOW_MS,
        share: SHARE,
      });
    if (runsIdentityCases) {
      await simStartCase();
      const first = await identityVsFloor(mongo);
      if (runs('projector')) await projectorThroughput(mongo, first.iso, first.syncId);
      if (runs('replay')) await replayThroughput(first.iso, first.syncId, mongo);
      await first.collector.close();
      await first.sim.close();
      if (runs('memory')) await memoryGrowth(services, mongo);
      if (runs('freshness')) await freshnessCase(mongo);
    }
  } finally {
    figures.total_bench_ms = Date.now() - began;
    mkdirSync(resolve(OUT, '..'), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(figures, null, 2)}\n`);
    await mongo.close();
    await services.stop();
  }
  const table = Object.entries(figures)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .map(
      ([k, v]) =>
        `${k.padEnd(34)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)}`,
    );
  process.stdout.write(`${table.join('\n')}\nwritten to ${OUT}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
