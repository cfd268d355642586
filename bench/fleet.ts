import { ChildProcess } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { CURRENT_COMMAND_VERSIONS, encodeMessage, topicNames } from '@regentra/contracts';
import { freePort } from '../scripts/infra/ports';
import { startOktaFleet, OktaFleet } from '../tools/okta-sim/fleet';
import { COLLECTOR_TOKEN, collectorApi } from '../test/support/collector-api';
import { PROJECTOR_TOKEN, projectorGet, StartedApp } from '../test/support/apps';
import { differencesFromTruth, waitForEvidenceOfSync } from '../test/support/evidence-expectations';
import { isolation, randomEncryptionKey } from '../test/support/test-env';
import { eventually } from '../test/support/wait';
import { cpuByKind, cpuPerOrgSync as cpuPerOrgSyncOf, ProcessKind } from './proc-cpu';
import { phaseBreakdown } from './phases';
import { startApp } from './scale';

/**
 * `npm run bench -- --only=fleet`: FLEET_ORGS orgs (1,000; 100 with --quick)
 * of FLEET_USERS users (50) in one fleet simulator, every org's identity sync
 * and log poll due at one slot, run by 1, 2 and 3 collector processes
 * (FLEET_INSTANCES) and one projector. Each instance count starts from empty
 * databases and topics. The simulator answers after FLEET_LATENCY_MS (150).
 * Figures: fleet_all_started_s_<n>, fleet_all_done_s_<n>, fleet_evidence_all_s_<n>
 * (slot → every org's four controls served), fleet_cpu_s_per_org_sync_<n>,
 * fleet_scaling_3_vs_1, fleet_max_calls_per_window_vs_share, fleet_evidence_complete.
 */
export interface FleetInput {
  services: { kafkaBrokers: string; mongoUri: string };
  mongo: MongoClient;
  figures: Record<string, unknown>;
  log: (message: string) => void;
  quick: boolean;
  share: number;
}

const SLOT = new Date(Date.UTC(2031, 0, 1, 0, 0, 0));
const FINISHED = ['done', 'failed', 'skipped', 'satisfied'];

interface Pipeline {
  iso: ReturnType<typeof isolation>;
  collectors: Array<{ child: ChildProcess; url: string }>;
  projector: { child: ChildProcess; url: string };
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

async function startPipeline(
  input: FleetInput,
  fleet: OktaFleet,
  instances: number,
  windowMs: number,
): Promise<Pipeline> {
  const iso = isolation(`benchfleet${instances}`);
  const common = {
    KAFKA_BROKERS: input.services.kafkaBrokers,
    MONGODB_URI: input.services.mongoUri,
    KAFKA_TOPIC_PREFIX: iso.topicPrefix,
  };
  const key = randomEncryptionKey();
  const start = async (i: number) => {
    const app = startApp('okta-collector', {
      ...common,
      COLLECTOR_DB: iso.collectorDb,
      COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
      TOKEN_ENCRYPTION_KEYS: key,
      OKTA_ALLOW_INSECURE_HOSTS: fleet.hostPorts().join(','),
      OKTA_RATE_BUDGET: 'shared',
      OKTA_RATE_WINDOW_MS: String(windowMs),
      OKTA_RATE_LIMIT_SHARE: String(input.share),
      // every instance count runs the product's default SYNC_CONCURRENCY unless asked
      ...(process.env.FLEET_SYNC_CONCURRENCY
        ? { SYNC_CONCURRENCY: process.env.FLEET_SYNC_CONCURRENCY }
        : {}),
      SCHEDULER_ENABLED: 'false',
      KAFKA_CLIENT_ID: `collector-${iso.id}-${i}`,
      PORT: String(await freePort()),
    });
    return { child: app.child, url: await app.url };
  };
  // one at a time: each join of the command group is a rebalance
  const collectors = [];
  for (let i = 0; i < instances; i += 1) collectors.push(await start(i));
  const projectorApp = startApp('evidence-projector', {
    ...common,
    PROJECTOR_DB: iso.projectorDb,
    PROJECTOR_API_TOKEN: PROJECTOR_TOKEN,
    PROJECTOR_GROUP_ID: `${iso.groupId}.projector`,
    PORT: String(await freePort()),
  });
  return { iso, collectors, projector: { child: projectorApp.child, url: await projectorApp.url } };
}

async function stopPipeline(pipeline: Pipeline): Promise<void> {
  const exits = [...pipeline.collectors, pipeline.projector].map(
    ({ child }) =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      }),
  );
  await Promise.all(exits);
}

/** What every instance's scheduler publishes at the slot: one request per org and scope. */
async function fireSlot(producer: Producer, topic: string, orgs: string[], copies: number) {
  const records = orgs.flatMap((orgId) =>
    (['system-log', 'identity'] as const).map((scope) =>
      encodeMessage('okta.commands.v1', {
        type: 'SyncRequested',
        schemaVersion: CURRENT_COMMAND_VERSIONS.SyncRequested,
        orgId,
        payload: {
          scope,
          requestId: `schedule:${orgId}:${scope}:${SLOT.toISOString()}`,
          requestedAt: SLOT.toISOString(),
          requestedBy: 'schedule',
          mode: 'auto',
        },
      }),
    ),
  );
  for (let copy = 0; copy < copies; copy += 1)
    for (let i = 0; i < records.length; i += 500)
      await producer.send({ topic, acks: -1, messages: records.slice(i, i + 500) });
}

async function evidenceDifferences(
  fleet: OktaFleet,
  projectorUrl: string,
  syncIdOf: Map<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  await pool(fleet.orgs, 2, async ({ key, sim }) => {
    const syncId = syncIdOf.get(key);
    if (!syncId) return void problems.push(`${key}: no identity sync`);
    try {
      await waitForEvidenceOfSync(projectorUrl, key, syncId, 1_800_000);
    } catch (error) {
      return void problems.push(`${key}: ${(error as Error).message}`);
    }
    const read = async (path: string) => {
      const response = await projectorGet(projectorUrl, `/v1/orgs/${key}/evidence/${path}`);
      if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
      return (await response.json()) as {
        summary: Record<string, unknown>;
        items: Record<string, Array<{ userId?: string }>>;
      };
    };
    const diffs = await differencesFromTruth(
      sim.groundTruth(),
      async (control) => (await read(`${control}?limit=1`)).summary,
      async (control, list) =>
        ((await read(`${control}?limit=1000`)).items[list] ?? [])
          .map((item) => String(item.userId))
          .sort(),
    );
    problems.push(...diffs.map((diff) => `${key}: ${diff}`));
  });
  return problems;
}

async function runWith(
  input: FleetInput,
  fleet: OktaFleet,
  instances: number,
  windowMs: number,
): Promise<{
  startedS: number;
  doneS: number;
  evidenceS: number;
  evidenceAllS: number;
  cpuPerOrgSync: Record<ProcessKind, number>;
  projectorPhaseMs: Record<string, number>;
  problems: string[];
}> {
  const { log, mongo } = input;
  const orgs = fleet.orgs.map((org) => org.key);
  const pipeline = await startPipeline(input, fleet, instances, windowMs);
  const kafka = new Kafka({
    clientId: `bench-fleet-${pipeline.iso.id}`,
    brokers: input.services.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    const first = pipeline.collectors[0];
    if (!first) throw new Error('no collector');
    const api = collectorApi({ url: first.url } as StartedApp);
    await pool(fleet.orgs, 16, async ({ key, sim }) => {
      const answer = await api.connect(key, sim.url, sim.token);
      if (answer.status !== 200) throw new Error(`connect ${key}: ${answer.status}`);
    });
    log(`fleet ×${instances}: ${orgs.length} orgs connected; firing the slot`);
    await producer.connect();
    const db = mongo.db(pipeline.iso.collectorDb);
    const pids = {
      collector: pipeline.collectors.map(({ child }) => child.pid ?? -1),
      projector: [pipeline.projector.child.pid ?? -1],
    };
    const cpuBefore = cpuByKind(pids);
    const began = Date.now();
    await fireSlot(producer, topicNames(pipeline.iso.topicPrefix).commands, orgs, instances);
    const startedS = await eventually(
      async () =>
        (await db.collection('sync_runs').distinct('orgId')).length >= orgs.length
          ? (Date.now() - began) / 1000
          : undefined,
      'every org started',
      3_600_000,
      1_000,
    );
    log(`fleet ×${instances}: every org started after ${startedS.toFixed(1)} s`);
    const doneS = await eventually(
      async () =>
        (await db.collection('sync_requests').countDocuments({ state: { $in: FINISHED } })) >=
        orgs.length * 2
          ? (Date.now() - began) / 1000
          : undefined,
      'every org done',
      3_600_000,
      500,
    );
    const requests = await db.collection('sync_requests').find({}).toArray();
    const problems = requests
      .filter((request) => request.state !== 'done')
      .map((request) => `${String(request._id)}: ${String(request.state)} ${String(request.note)}`);
    const holders = await db
      .collection('sync_runs')
      .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$holder', n: { $sum: 1 } } }])
      .toArray();
    log(
      `fleet ×${instances}: every org done after ${doneS.toFixed(1)} s (${problems.length} not done; runs per instance ${holders.map((h) => h.n).join(', ')})`,
    );
    const syncIdOf = new Map<string, string>();
    for (const request of requests)
      if (String(request._id).includes(':identity:'))
        syncIdOf.set(
          String(request.orgId),
          ((request.syncIds as string[] | undefined) ?? []).find((id) => id.startsWith('sync-')) ??
            '',
        );
    // Wait on one cheap count, not on per-org API polls: eight pollers at 5 Hz each cost the
    // shared FerretDB more than the projector's own writes (measured: 7,129 evidence reads
    // while the projector wrote 60 orgs' evidence).
    const projectorDb = mongo.db(pipeline.iso.projectorDb);
    const snapshots = projectorDb.collection('evidence_snapshots');
    const current = projectorDb.collection('control_evidence');
    const evidenceAllS = await eventually(
      async () =>
        (await snapshots.estimatedDocumentCount()) >= orgs.length * 4 &&
        (await current.estimatedDocumentCount()) >= orgs.length * 4
          ? (Date.now() - began) / 1000
          : undefined,
      "every org's four controls served",
      3_600_000,
      5_000,
    );
    // the CPU the slot cost, before the bench's own evidence reads below
    const cpuPerOrgSync = cpuPerOrgSyncOf(cpuBefore, cpuByKind(pids), orgs.length);
    const projectorPhaseMs = await phaseBreakdown(pipeline.projector.url);
    log(
      `fleet ×${instances}: every org's evidence served ${evidenceAllS.toFixed(1)} s after the slot; CPU s per org sync ${JSON.stringify(cpuPerOrgSync)}; projector phases (ms) ${JSON.stringify(projectorPhaseMs)}`,
    );
    problems.push(...(await evidenceDifferences(fleet, pipeline.projector.url, syncIdOf)));
    const evidenceS = (Date.now() - began) / 1000;
    log(
      `fleet ×${instances}: evidence checked ${evidenceS.toFixed(1)} s after the slot (${problems.length} problems)`,
    );
    return { startedS, doneS, evidenceS, evidenceAllS, cpuPerOrgSync, projectorPhaseMs, problems };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await stopPipeline(pipeline);
  }
}

export async function fleetCase(input: FleetInput): Promise<void> {
  const { figures, log, quick, share } = input;
  const orgs = Number(process.env.FLEET_ORGS ?? (quick ? 100 : 1_000));
  const users = Number(process.env.FLEET_USERS ?? 50);
  const instanceCounts = (process.env.FLEET_INSTANCES ?? '1,2,3').split(',').map(Number);
  /** Okta's 60 s windows compressed 10× (FLEET_WINDOW_MS overrides), as in the other cases. */
  const windowMs = Number(process.env.FLEET_WINDOW_MS ?? 6_000);
  const started = Date.now();
  /** Okta answers list calls in 100–300 ms: with real latency an instance adds its concurrency. */
  const latencyMs = Number(process.env.FLEET_LATENCY_MS ?? 150);
  const fleet = await startOktaFleet({ orgs, users, rateWindowMs: windowMs, latencyMs });
  log(`fleet: ${orgs} simulated orgs of ${users} users up in ${Date.now() - started} ms`);
  Object.assign(figures, {
    fleet_orgs: orgs,
    fleet_users_per_org: users,
    fleet_window_ms: windowMs,
    fleet_latency_ms: latencyMs,
    fleet_evidence_complete: false,
  });
  const problems: string[] = [];
  try {
    for (const instances of instanceCounts) {
      const result = await runWith(input, fleet, instances, windowMs);
      figures[`fleet_all_started_s_${instances}`] = result.startedS;
      figures[`fleet_all_done_s_${instances}`] = result.doneS;
      figures[`fleet_evidence_checked_s_${instances}`] = result.evidenceS;
      figures[`fleet_evidence_all_s_${instances}`] = result.evidenceAllS;
      figures[`fleet_cpu_s_per_org_sync_${instances}`] = result.cpuPerOrgSync;
      figures[`fleet_projector_phase_ms_${instances}`] = result.projectorPhaseMs;
      problems.push(...result.problems.map((problem) => `×${instances} ${problem}`));
    }
    const one = figures.fleet_all_done_s_1;
    const three = figures.fleet_all_done_s_3;
    if (typeof one === 'number' && typeof three === 'number')
      figures.fleet_scaling_3_vs_1 = one / three;
    const worst = fleet.worstWindow(share);
    figures.fleet_max_calls_per_window_vs_share = worst?.ratio ?? 0;
    figures.fleet_worst_window = worst;
    figures.fleet_problems = problems.slice(0, 50);
    figures.fleet_problem_count = problems.length;
    figures.fleet_evidence_complete = problems.length === 0;
  } finally {
    await fleet.close();
  }
}
