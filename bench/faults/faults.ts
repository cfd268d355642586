import { topicNames } from '@regentra/contracts';
import { readAll, Relay } from './kafka-tools';
import { OrgOptions, Pipeline } from './pipeline';
import { until } from './processes';
import type { FaultContext } from './context';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export interface Injected {
  /** When the fault hit (recovery_s counts from here). */
  faultAt: number;
  /** The request whose completion (with correct evidence) means recovered. */
  requestId: string;
  /** Runs while the suite watches (a restart after a pause, the end of a storm). */
  during?: () => Promise<void>;
}

export interface FaultSpec {
  name: string;
  when: string;
  org?: Partial<OrgOptions>;
  /** The clean sync before the fault (its evidence is the "before" hash). */
  baseline: 'all' | 'identity' | 'none';
  /** Judge the System Log events stored too. */
  expectLogs: boolean;
  /** Log events arrive during the fault: count them only once recovered. */
  logsFinalOnly?: boolean;
  /** Okta does not change: the evidence after must hash as before. */
  evidenceUnchanged: boolean;
  afterStart?(p: Pipeline, ctx: FaultContext): Promise<void>;
  inject(p: Pipeline, ctx: FaultContext): Promise<Injected>;
  /** Extra checks after recovery; a message returned is a failure. */
  checks?(p: Pipeline, ctx: FaultContext): Promise<string | undefined>;
  cleanup?(): Promise<void>;
}

/** Past the users listing and its factor reads (the run reports progress from then on). */
const midUsers = (run: { phase: string }) => run.phase !== 'started';

async function fullSyncUnderWay(
  p: Pipeline,
  ready: (run: { phase: string; progress: Record<string, number> }) => boolean = midUsers,
) {
  const requestId = await p.requestSync('identity', 'full');
  const run = await p.waitRunning('identity', ready);
  return { requestId, run };
}

/** The fault hit now; `then` (a restart, the end of a storm) runs `afterMs` later. */
function faultThen(requestId: string, afterMs: number, then: () => Promise<unknown>): Injected {
  return {
    faultAt: Date.now(),
    requestId,
    during: async () => {
      await sleep(afterMs);
      await then();
    },
  };
}

/** The collector process holding the run (its log names its instance id). */
function holderOf(p: Pipeline, holder: string) {
  const proc = p.collectors.find((c) => c.output().includes(holder));
  if (!proc) throw new Error(`no collector process logged instance ${holder}`);
  return proc;
}

/** A failpoint-paused projector, announced on its stderr. */
async function projectorAtFailpoint(p: Pipeline, point: string, pauseMs: number) {
  const first = p.projectors[0];
  if (first) await p.remove(first, 'term');
  const paused = await p.startProjector({ REGENTRA_FAILPOINTS: `${point}=pause:${pauseMs}` });
  const requestId = await p.requestSync('identity', 'full');
  await until(
    `failpoint ${point}`,
    () => (paused.output().includes(`failpoint ${point} reached`) ? true : undefined),
    180_000,
    50,
  );
  return { requestId, paused };
}

let relay: Relay | undefined;

export const FAULTS: FaultSpec[] = [
  {
    name: 'collector-kill-identity',
    when: 'collector kill -9 mid identity sync (groups phase), restarted 1 s later',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId, run } = await fullSyncUnderWay(p, (r) => r.phase === 'groups');
      await p.remove(holderOf(p, run.holder), 'kill9');
      return faultThen(requestId, 1000, () => p.startCollector());
    },
  },
  {
    name: 'collector-kill-log-poll',
    when: 'collector kill -9 mid System Log poll (first poll, 20,000 events), restarted 1 s later',
    org: { logEvents: 20_000 },
    baseline: 'identity',
    expectLogs: true,
    logsFinalOnly: true,
    evidenceUnchanged: false,
    async inject(p) {
      const requestId = await p.requestSync('system-log');
      const run = await p.waitRunning('system-log', (r) => (r.progress.pages ?? 0) >= 3);
      await p.remove(holderOf(p, run.holder), 'kill9');
      return faultThen(requestId, 1000, () => p.startCollector());
    },
  },
  {
    name: 'projector-kill-mid-batch',
    when: "projector kill -9 while it consumes a sync's pages, restarted 1 s later",
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId } = await fullSyncUnderWay(
        p,
        (r) => r.phase === 'groups' || r.phase === 'apps',
      );
      const projector = p.projectors[0];
      if (!projector) throw new Error('no projector');
      await p.remove(projector, 'kill9');
      return faultThen(requestId, 1000, () => p.startProjector());
    },
  },
  {
    name: 'projector-kill-before-evidence',
    when: "projector kill -9 between a sync's completion (read models written) and its evidence write",
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId, paused } = await projectorAtFailpoint(
        p,
        'projector.beforeEvidence',
        60_000,
      );
      await p.remove(paused, 'kill9');
      return faultThen(requestId, 1000, () => p.startProjector());
    },
  },
  {
    name: 'kafka-kill-restart',
    when: 'Kafka broker kill -9 mid sync (collector publishing), restarted 3 s later',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p, ctx) {
      const { requestId } = await fullSyncUnderWay(p);
      await ctx.cluster.killKafka();
      return faultThen(requestId, 3000, () => ctx.cluster.restartKafka());
    },
  },
  {
    name: 'db-kill-mid-projection',
    when: 'database kill -9 while the projector applies a completed sync, restarted 5 s later',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p, ctx) {
      const { requestId } = await projectorAtFailpoint(p, 'projector.beforeEvidence', 2_000);
      await ctx.cluster.killMongo();
      return faultThen(requestId, 5000, () => ctx.cluster.restartMongo());
    },
  },
  {
    name: 'db-kill-mid-lease',
    when: 'database kill -9 mid sync for longer than the lease (20 s > SYNC_LEASE_MS 15 s), then restarted',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p, ctx) {
      const { requestId } = await fullSyncUnderWay(p);
      await ctx.cluster.killMongo();
      return faultThen(requestId, 20_000, () => ctx.cluster.restartMongo());
    },
  },
  {
    name: 'okta-429-storm',
    when: '30 s of 429 on every call mid sync',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId } = await fullSyncUnderWay(p);
      await p.setFaults({ storm429: 1_000_000_000 });
      return faultThen(requestId, 30_000, () => p.setFaults({ storm429: 0 }));
    },
  },
  {
    name: 'okta-5xx-burst',
    when: '20 % of calls answer 500 for 30 s mid sync',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId } = await fullSyncUnderWay(p);
      await p.setFaults({ errorRate: 0.2 });
      return faultThen(requestId, 30_000, () => p.setFaults({ errorRate: 0 }));
    },
  },
  {
    name: 'okta-hangs',
    when: 'three responses never finish and three bodies drip one byte per 200 ms, mid sync (OKTA_CALL_DEADLINE_MS 10 s)',
    org: { collectorEnv: { OKTA_CALL_DEADLINE_MS: '10000' } },
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId } = await fullSyncUnderWay(p);
      await p.setFaults({ hangNext: 3, dripBodyNext: 3, dripIntervalMs: 200 });
      return { faultAt: Date.now(), requestId };
    },
  },
  {
    name: 'okta-malformed-json',
    when: 'one page of the users listing answers 200 with a truncated JSON body',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      await p.setFaults({ malformedJsonNext: 1, pathFilter: '^/api/v1/users$' });
      const requestId = await p.requestSync('identity', 'full');
      return { faultAt: Date.now(), requestId };
    },
  },
  {
    name: 'poison-records',
    when: 'an invalid record on each consumed topic (commands, identity, System Log) before a sync',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p, ctx) {
      const topics = topicNames(p.prefix);
      const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      for (const topic of [topics.commands, topics.identity, topics.systemLog])
        await producer.send({
          topic,
          messages: [
            { key: p.orgId, value: '{"type":"IdentitySyncStarted","not":"valid' },
            { key: p.orgId, value: JSON.stringify({ type: 'NoSuchEvent', orgId: p.orgId }) },
          ],
        });
      await producer.disconnect();
      const requestId = await p.requestSync('all', 'full');
      return { faultAt: Date.now(), requestId };
    },
    async checks(p, ctx) {
      const topics = topicNames(p.prefix);
      const letters = await readAll(ctx.kafka, topics.deadLetter, 8_000);
      for (const topic of [topics.commands, topics.identity, topics.systemLog]) {
        const mine = letters.filter(
          (l) =>
            (l.source as { topic?: string } | undefined)?.topic === topic &&
            typeof l.reason === 'string',
        );
        if (mine.length < 2)
          return `dead-letter topic holds ${mine.length} of 2 poison records of ${topic}`;
      }
      return undefined;
    },
  },
  {
    name: 'duplicate-reordered',
    when: "every record of a sync delivered twice, the sync's pages shuffled (started first, completed last)",
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    org: {},
    async afterStart(p, ctx) {
      relay = new Relay(ctx.kafka, topicNames(p.prefix), topicNames(p.opts.projectorTopicPrefix));
      await relay.start();
    },
    async inject(p) {
      if (!relay) throw new Error('relay not started');
      relay.mode = 'twisted';
      const requestId = await p.requestSync('all', 'full');
      return { faultAt: Date.now(), requestId };
    },
    async cleanup() {
      await relay?.stop();
      relay = undefined;
    },
  },
  {
    name: 'two-collectors',
    when: 'two collectors running; the one holding the sync killed -9 mid sync, the other takes over',
    org: { collectors: 2 },
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId, run } = await fullSyncUnderWay(p);
      await p.remove(holderOf(p, run.holder), 'kill9');
      return { faultAt: Date.now(), requestId };
    },
  },
  {
    name: 'projector-rebalance',
    when: 'a second projector joins the group mid sync, then the first leaves (SIGTERM)',
    baseline: 'all',
    expectLogs: true,
    evidenceUnchanged: true,
    async inject(p) {
      const { requestId } = await fullSyncUnderWay(p);
      const first = p.projectors[0];
      await p.startProjector();
      const faultAt = Date.now();
      return {
        faultAt,
        requestId,
        during: async () => {
          await sleep(3000);
          if (first) await p.remove(first, 'term');
        },
      };
    },
  },
];

/** `--quick`: one fault of each kind of process. */
export const QUICK = [
  'collector-kill-identity',
  'projector-kill-before-evidence',
  'kafka-kill-restart',
  'okta-5xx-burst',
];
