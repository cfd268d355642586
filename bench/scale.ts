import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BSON, MongoClient } from 'mongodb';
import { Kafka, logLevel } from 'kafkajs';
import { topicNames } from '@regentra/contracts';
import { freePort } from '../scripts/infra/ports';
import { BUCKETS, startOktaSim } from '../tools/okta-sim';
import { COLLECTOR_TOKEN, collectorApi } from '../test/support/collector-api';
import { PROJECTOR_TOKEN, projectorGet, StartedApp } from '../test/support/apps';
import { differencesFromTruth } from '../test/support/evidence-expectations';
import { isolation, randomEncryptionKey } from '../test/support/test-env';
import { eventually } from '../test/support/wait';

/**
 * `npm run bench -- --only=scale`: a 100,000-user org in realistic-size mode
 * (custom profile attributes, mapped app profiles, full log context) through
 * simulator, collector, Kafka, projector and the read API, with no rate limits
 * in the simulator. Collector and projector run as their own processes so
 * their peak RSS is their own. SCALE_USERS overrides the size.
 */
export interface ScaleInput {
  services: { kafkaBrokers: string; mongoUri: string };
  mongo: MongoClient;
  figures: Record<string, unknown>;
  log: (message: string) => void;
  waitRequest: (
    mongo: MongoClient,
    db: string,
    requestId: string,
  ) => Promise<Record<string, unknown>>;
}

const USERS = Number(process.env.SCALE_USERS ?? 100_000);
const ORG = 'scale-org';

export function startApp(
  script: string,
  env: Record<string, string>,
): { child: ChildProcess; url: Promise<string>; peakRssBytes(): number } {
  const child = spawn(
    process.execPath,
    [resolve(__dirname, '..', 'apps', script, 'src', 'main.js')],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${env.PORT}`;
  return {
    child,
    url: eventually(
      async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? url : undefined),
      `${script} up`,
      120_000,
      250,
    ),
    peakRssBytes: () =>
      Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) *
      1024,
  };
}

/** The largest record value on a topic, read from offset 0 without keeping the records. */
async function largestRecordBytes(
  brokers: string,
  topic: string,
): Promise<{ bytes: number; records: number }> {
  const kafka = new Kafka({
    clientId: 'bench-scale-reader',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const high = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  const consumer = kafka.consumer({
    groupId: `bench-scale-${Date.now()}`,
    maxBytesPerPartition: 2 * 1024 * 1024,
  });
  let bytes = 0;
  let records = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        bytes = Math.max(bytes, message.value?.length ?? 0);
        records += 1;
      }
    },
  });
  await eventually(async () => (records >= high ? true : undefined), `read ${topic}`, 600_000, 200);
  await consumer.disconnect();
  return { bytes, records };
}

/** The largest stored document of every collection of a database, by BSON size. */
async function largestDocument(
  mongo: MongoClient,
  db: string,
): Promise<{ bytes: number; where: string }> {
  let bytes = 0;
  let where = '';
  for (const { name } of await mongo.db(db).listCollections().toArray()) {
    for await (const doc of mongo.db(db).collection(name).find({})) {
      const size = BSON.calculateObjectSize(doc);
      if (size > bytes) {
        bytes = size;
        where = `${name}/${String(doc._id)}`;
      }
    }
  }
  return { bytes, where };
}

export async function scaleCase({
  services,
  mongo,
  figures,
  log,
  waitRequest,
}: ScaleInput): Promise<void> {
  const rateLimits = Object.fromEntries(BUCKETS.map((bucket) => [bucket, 1_000_000_000]));
  const sim = await startOktaSim({
    users: USERS,
    seed: 100,
    objectSize: 'realistic',
    rateLimits,
    concurrencyLimit: 10_000,
    logEvents: Math.min(USERS, 50_000),
  });
  const iso = isolation('benchscale');
  const common = {
    KAFKA_BROKERS: services.kafkaBrokers,
    MONGODB_URI: services.mongoUri,
    KAFKA_TOPIC_PREFIX: iso.topicPrefix,
  };
  const collector = startApp('okta-collector', {
    ...common,
    COLLECTOR_DB: iso.collectorDb,
    COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
    TOKEN_ENCRYPTION_KEYS: randomEncryptionKey(),
    OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
    SCHEDULER_ENABLED: 'false',
    OKTA_CONCURRENCY: '16',
    PORT: String(await freePort()),
  });
  const projector = startApp('evidence-projector', {
    ...common,
    PROJECTOR_DB: iso.projectorDb,
    PROJECTOR_API_TOKEN: PROJECTOR_TOKEN,
    PROJECTOR_GROUP_ID: `${iso.groupId}.projector`,
    PORT: String(await freePort()),
  });
  try {
    const api = collectorApi({ url: await collector.url } as StartedApp);
    const projectorUrl = await projector.url;
    await api.connect(ORG, sim.url, sim.token);
    log(`scale: ${USERS} realistic-size users; log poll, then identity sync`);
    const poll = await waitRequest(
      mongo,
      iso.collectorDb,
      String((await api.sync(ORG, 'system-log')).json.requestId),
    );
    const started = Date.now();
    const done = await waitRequest(
      mongo,
      iso.collectorDb,
      String((await api.sync(ORG, 'identity')).json.requestId),
    );
    const syncDoneAt = Date.now();
    const syncId = (done.syncIds as string[])[0] as string;
    log(
      `scale: identity sync ${done.state} in ${((syncDoneAt - started) / 1000).toFixed(1)} s (log poll ${String(poll.state)})`,
    );
    Object.assign(figures, {
      scale_users: USERS,
      scale_log_poll_state: poll.state,
      scale_sync_state: done.state,
      scale_sync_s: (syncDoneAt - started) / 1000,
      scale_evidence_matches_truth: false,
    });
    if (done.state !== 'done' || poll.state !== 'done') {
      const runs = await mongo.db(iso.collectorDb).collection('sync_runs').find({}).toArray();
      figures.scale_failures = runs.map(
        (r) => `${String(r.kind)}: ${String(r.outcome?.message ?? r.state)}`,
      );
      throw new Error(`scale: a sync did not complete: ${JSON.stringify(figures.scale_failures)}`);
    }
    const read = async (path: string) => {
      const response = await projectorGet(projectorUrl, `/v1/orgs/${ORG}/evidence/${path}`);
      if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
      return (await response.json()) as {
        syncId: string;
        summary: Record<string, unknown>;
        items: Record<string, Array<{ userId?: string }>>;
        page: { totals: Record<string, number> };
      };
    };
    await eventually(
      async () =>
        (await read('authentication?limit=1').catch(() => null))?.syncId === syncId
          ? true
          : undefined,
      'evidence of the scale sync',
      3_600_000,
      500,
    );
    const projectedAt = Date.now();
    log(
      `scale: evidence readable ${((projectedAt - syncDoneAt) / 1000).toFixed(1)} s after the sync completed`,
    );
    const itemIds = async (control: string, list: string) => {
      const ids: string[] = [];
      for (let offset = 0; ;) {
        const page = await read(`${control}?offset=${offset}&limit=1000`);
        const items = page.items[list] ?? [];
        ids.push(...items.map((i) => String(i.userId)));
        offset += items.length;
        if (items.length === 0 || offset >= (page.page.totals[list] ?? 0)) break;
      }
      return ids.sort();
    };
    const diffs = await differencesFromTruth(
      sim.groundTruth(),
      async (c) => (await read(`${c}?limit=1`)).summary,
      itemIds,
    );
    if (diffs.length)
      log(`scale: evidence differs from the ground truth:\n  ${diffs.join('\n  ')}`);
    const names = topicNames(iso.topicPrefix);
    const identity = await largestRecordBytes(services.kafkaBrokers, names.identity);
    const systemLog = await largestRecordBytes(services.kafkaBrokers, names.systemLog);
    const document = await largestDocument(mongo, iso.projectorDb);
    Object.assign(figures, {
      scale_projection_s: (projectedAt - syncDoneAt) / 1000,
      scale_collector_peak_rss_mb: collector.peakRssBytes() / 2 ** 20,
      scale_projector_peak_rss_mb: projector.peakRssBytes() / 2 ** 20,
      scale_identity_records: identity.records,
      scale_largest_record_bytes: Math.max(identity.bytes, systemLog.bytes),
      scale_largest_document_bytes: document.bytes,
      scale_largest_document: document.where,
      scale_evidence_differences: diffs,
      scale_evidence_matches_truth: diffs.length === 0,
    });
  } finally {
    collector.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');
    await sim.close();
  }
}
