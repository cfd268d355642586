import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { type RunPart, type SyncScope, topicNames } from '@regentra/contracts';
import { CONTROL_IDS } from '../../apps/evidence-projector/src/evidence/rules/controls.registry';
import { freePort } from '../../scripts/infra/ports';
import {
  differencesFromTruth,
  expectedFrom,
  TruthLike,
} from '../../test/support/evidence-expectations';
import { canonical } from '../../test/support/evidence-compare';
import {
  Cluster,
  COLLECTOR_MAIN,
  PROJECTOR_MAIN,
  Proc,
  SIM_MAIN,
  spawnNode,
  until,
} from './processes';

export const COLLECTOR_TOKEN = 'faults-collector-api-token-0123456789';
export const PROJECTOR_TOKEN = 'faults-projector-api-token-0123456789';
/** The item lists whose members the ground truth determines (control → list). */
const TRUTH_LISTS: Array<[string, string]> = [
  ['authentication', 'withoutMfa'],
  ['access-review', 'exceptions'],
  ['least-privilege', 'superAdmins'],
];

export interface OrgOptions {
  users: number;
  seed: number;
  latencyMs: number;
  logEvents: number;
  /** Extra collector environment. */
  collectorEnv?: Record<string, string>;
  projectorEnv?: Record<string, string>;
  /** The projector reads topics under this prefix (the relay fault); default the collector's. */
  projectorTopicPrefix?: string;
  collectors?: number;
}

/** What the evidence and read models say against the simulator's ground truth, at one moment. */
export interface Judgement {
  syncId: string | null;
  lost: number;
  invented: number;
  duplicates: number;
  differences: string[];
  /** Canonical hash of the four controls' evidence (without sync ids and times). */
  hash: string;
  correct: boolean;
}

type Truth = TruthLike & { logEvents: number };

/**
 * One org under test, in its own topics and databases: the simulator, the
 * collector(s) and the projector(s), each its own OS process, on the shared
 * cluster. Every fault gets a fresh one, so one fault cannot hide another.
 */
export class Pipeline {
  readonly id = `f${randomUUID().slice(0, 8)}`;
  readonly orgId = `org-${this.id}`;
  readonly prefix = `faults.${this.id}.`;
  readonly collectorDb = `fc_${this.id}`;
  readonly projectorDb = `fp_${this.id}`;
  readonly projectorGroup = `faults.${this.id}.projector`;
  readonly encryptionKey = `k1:${randomBytes(32).toString('base64')}`;
  sim!: Proc;
  simUrl = '';
  simToken = '';
  collectors: Proc[] = [];
  collectorUrls: string[] = [];
  projectors: Proc[] = [];
  projectorUrls: string[] = [];
  private mongoClient: MongoClient | undefined;
  private spawned = 0;

  constructor(
    readonly cluster: Cluster,
    readonly dir: string,
    readonly opts: OrgOptions,
  ) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.sim = spawnNode(
      'okta-sim',
      SIM_MAIN,
      [
        `--port=${port}`,
        `--users=${this.opts.users}`,
        `--seed=${this.opts.seed}`,
        `--latency-ms=${this.opts.latencyMs}`,
        `--log-events=${this.opts.logEvents}`,
        '--object-size=realistic',
      ],
      {},
      this.logFile('okta-sim'),
    );
    const line = await until(
      'simulator listening',
      () => /listening on (\S+) .*token=(\S+)/.exec(this.sim.output()) ?? undefined,
      60_000,
    );
    this.simUrl = line[1] as string;
    this.simToken = line[2] as string;
    for (let i = 0; i < (this.opts.collectors ?? 1); i++) await this.startCollector();
    await this.startProjector();
    const connected = await this.collectorCall('PUT', `/v1/orgs/${this.orgId}/okta/connection`, {
      domain: this.simUrl,
      apiToken: this.simToken,
    });
    if (connected.status !== 200)
      throw new Error(`connect: HTTP ${connected.status} ${JSON.stringify(connected.json)}`);
  }

  private logFile(name: string): string {
    return join(this.dir, `${this.id}-${name}-${++this.spawned}.log`);
  }

  get simHostPort(): string {
    return new URL(this.simUrl).host;
  }

  /** An app process on a free port, healthy, with the cluster's addresses; its url is returned. */
  private async startApp(
    name: 'collector' | 'projector',
    env: Record<string, string>,
  ): Promise<{ proc: Proc; url: string }> {
    const port = await freePort();
    const proc = spawnNode(
      name,
      name === 'collector' ? COLLECTOR_MAIN : PROJECTOR_MAIN,
      [],
      {
        KAFKA_BROKERS: this.cluster.brokers,
        MONGODB_URI: this.cluster.mongoUri,
        KAFKA_CLIENT_ID: `${name}-${this.id}`,
        PORT: String(port),
        LOG_LEVEL: 'info',
        ...env,
      },
      this.logFile(name),
    );
    const url = `http://127.0.0.1:${port}`;
    await until(`${name} healthy`, async () => ((await ping(url)) ? true : undefined), 90_000);
    return { proc, url };
  }

  async startCollector(extraEnv: Record<string, string> = {}): Promise<Proc> {
    const { proc, url } = await this.startApp('collector', {
      COLLECTOR_DB: this.collectorDb,
      COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
      TOKEN_ENCRYPTION_KEYS: this.encryptionKey,
      KAFKA_TOPIC_PREFIX: this.prefix,
      SCHEDULER_ENABLED: 'false',
      OKTA_ALLOW_INSECURE_HOSTS: this.simHostPort,
      SYNC_LEASE_MS: '15000',
      OKTA_CONCURRENCY: '4',
      // The simulator's log spans the 7 days before it started; the default
      // 7-day backfill, counted from a later moment, would miss its first minutes.
      LOG_BACKFILL_DAYS: '8',
      ...this.opts.collectorEnv,
      ...extraEnv,
    });
    this.collectors.push(proc);
    this.collectorUrls.push(url);
    return proc;
  }

  async startProjector(extraEnv: Record<string, string> = {}): Promise<Proc> {
    const { proc, url } = await this.startApp('projector', {
      PROJECTOR_DB: this.projectorDb,
      PROJECTOR_API_TOKEN: PROJECTOR_TOKEN,
      KAFKA_TOPIC_PREFIX: this.opts.projectorTopicPrefix ?? this.prefix,
      PROJECTOR_GROUP_ID: this.projectorGroup,
      ...this.opts.projectorEnv,
      ...extraEnv,
    });
    this.projectors.push(proc);
    this.projectorUrls.push(url);
    return proc;
  }

  /** Kills (or stops) one app process and forgets it. */
  async remove(proc: Proc, how: 'kill9' | 'term'): Promise<void> {
    if (how === 'kill9') await proc.kill9();
    else await proc.stop();
    for (const [procs, urls] of [
      [this.collectors, this.collectorUrls],
      [this.projectors, this.projectorUrls],
    ] as const) {
      const index = procs.indexOf(proc);
      if (index >= 0) {
        procs.splice(index, 1);
        urls.splice(index, 1);
      }
    }
  }

  mongo(): MongoClient {
    // Retries for minutes: the database itself is a fault target.
    this.mongoClient ??= new MongoClient(this.cluster.mongoUri, {
      serverSelectionTimeoutMS: 5_000,
    });
    return this.mongoClient;
  }

  async collectorCall(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const url = this.collectorUrls[0];
    if (!url) throw new Error('no collector running');
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${COLLECTOR_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  async simControl(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.simUrl}${path}`, {
      method,
      headers: { 'x-sim-control': '1', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sim ${method} ${path}: HTTP ${response.status}`);
    return response.json();
  }

  setFaults(faults: Record<string, unknown>): Promise<unknown> {
    return this.simControl('POST', '/__sim/faults', faults);
  }

  /** Sync Now; returns the request id. */
  async requestSync(scope: SyncScope, mode?: 'full'): Promise<string> {
    const response = await this.collectorCall('POST', `/v1/orgs/${this.orgId}/okta/syncs`, {
      scope,
      ...(mode ? { mode } : {}),
    });
    if (response.status !== 202) throw new Error(`sync: HTTP ${response.status}`);
    return String(response.json.requestId);
  }

  async request(requestId: string): Promise<{ state: string; syncIds?: string[]; note?: string }> {
    const doc = await this.mongo()
      .db(this.collectorDb)
      .collection<{ _id: string; state: string; syncIds?: string[]; note?: string }>(
        'sync_requests',
      )
      .findOne({ _id: requestId });
    return doc ?? { state: 'unknown' };
  }

  async waitRequest(requestId: string, timeoutMs: number) {
    return until(
      `request ${requestId} finished`,
      async () => {
        const doc = await this.request(requestId);
        return ['queued', 'running', 'unknown'].includes(doc.state) ? undefined : doc;
      },
      timeoutMs,
      250,
    );
  }

  /** The org's running run of `kind`, as the collector database has it. */
  async runningRun(kind: RunPart) {
    return this.mongo()
      .db(this.collectorDb)
      .collection<{
        _id: string;
        phase: string;
        progress: Record<string, number>;
        holder: string;
      }>('sync_runs')
      .findOne({ orgId: this.orgId, kind, state: 'running' });
  }

  async waitRunning(
    kind: RunPart,
    ready: (run: { phase: string; progress: Record<string, number> }) => boolean,
    timeoutMs = 120_000,
  ) {
    return until(
      `${kind} run under way`,
      async () => {
        const run = await this.runningRun(kind);
        return run && ready(run) ? run : undefined;
      },
      timeoutMs,
      50,
    );
  }

  async truth(): Promise<Truth> {
    return (await this.simControl('GET', '/__sim/ground-truth')) as Truth;
  }

  private async projectorGet(path: string): Promise<Response> {
    const url = this.projectorUrls[0];
    if (!url) throw new Error('no projector running');
    return fetch(`${url}${path}`, { headers: { authorization: `Bearer ${PROJECTOR_TOKEN}` } });
  }

  /** Every page of one control's evidence: summary, item lists and sync id. */
  private async evidence(control: string) {
    const items: Record<string, Array<Record<string, unknown>>> = {};
    let summary: Record<string, unknown> = {};
    let syncId: string | null = null;
    for (let offset = 0; ; offset += 1000) {
      const response = await this.projectorGet(
        `/v1/orgs/${this.orgId}/evidence/${control}?offset=${offset}&limit=1000`,
      );
      if (response.status === 404) return null;
      if (response.status !== 200) throw new Error(`evidence ${control}: HTTP ${response.status}`);
      const body = (await response.json()) as {
        summary: Record<string, unknown>;
        items: Record<string, Array<Record<string, unknown>>>;
        page: { totals: Record<string, number> };
        syncId: string;
      };
      summary = body.summary;
      syncId = body.syncId;
      for (const [name, list] of Object.entries(body.items)) (items[name] ??= []).push(...list);
      if (Object.values(body.page.totals).every((total) => total <= offset + 1000)) break;
    }
    return { summary, items, syncId };
  }

  /**
   * The evidence and read models against the ground truth: `lost` counts
   * truth items (a user in the read model, a member of a list the truth
   * determines, a System Log event) missing, `invented` the ones present but
   * not in the truth, `duplicates` any user document or list item counted twice.
   */
  async judge(truth: Truth, expectLogs: boolean, readModels = true): Promise<Judgement> {
    const byControl: Record<string, Awaited<ReturnType<Pipeline['evidence']>>> = {};
    for (const control of CONTROL_IDS) byControl[control] = await this.evidence(control);
    const missing = CONTROL_IDS.filter((c) => !byControl[c]);
    if (missing.length)
      return {
        syncId: null,
        lost: truth.users.length,
        invented: 0,
        duplicates: 0,
        differences: [`no evidence for ${missing.join(', ')}`],
        hash: '',
        correct: false,
      };
    let lost = 0;
    let invented = 0;
    let duplicates = 0;
    const where: string[] = [];
    const count = (what: string, expected: string[], actual: string[]) => {
      const want = new Set(expected);
      const got = new Set(actual);
      const l = [...want].filter((id) => !got.has(id)).length;
      const i = [...got].filter((id) => !want.has(id)).length;
      const d = actual.length - got.size;
      if (l || i || d) where.push(`${what}: lost ${l} invented ${i} duplicates ${d}`);
      lost += l;
      invented += i;
      duplicates += d;
    };
    const idsOf = (control: string, list: string) =>
      (byControl[control]?.items[list] ?? []).map((item) => String(item.userId ?? item.id));
    const differences = await differencesFromTruth(
      truth,
      async (control) => byControl[control]?.summary ?? {},
      async (control, list) => idsOf(control, list).sort(),
    );
    const want = expectedFrom(truth);
    const lists: Record<string, string[]> = {
      'authentication.withoutMfa': want.withoutMfa,
      'access-review.exceptions': want.exceptions,
      'least-privilege.superAdmins': want.superAdmins,
    };
    for (const [control, list] of TRUTH_LISTS)
      count(`${control}.${list}`, lists[`${control}.${list}`] ?? [], idsOf(control, list));
    // The users read model: every user of the truth once, nothing else. Judged
    // once settled: a sync's write replaces its documents chunk by chunk
    // (delete then insert, no transactions), so a reader mid-write can miss a chunk.
    const users = !readModels
      ? null
      : await this.mongo()
          .db(this.projectorDb)
          .collection<{ id: string }>('okta_users')
          .find({ orgId: this.orgId, removed: false }, { projection: { id: 1 } })
          .toArray();
    if (users)
      count(
        'okta_users',
        truth.users.map((u) => u.id),
        users.map((u) => u.id),
      );
    if (expectLogs) {
      const stored = await this.mongo()
        .db(this.projectorDb)
        .collection('okta_log_events')
        .countDocuments({ orgId: this.orgId });
      lost += Math.max(0, truth.logEvents - stored);
      invented += Math.max(0, stored - truth.logEvents);
      if (stored !== truth.logEvents)
        where.push(`okta_log_events: ${stored} stored, ${truth.logEvents} in Okta`);
    }
    const syncIds = new Set(CONTROL_IDS.map((c) => byControl[c]?.syncId));
    const hash = createHash('sha256')
      .update(
        canonical(
          CONTROL_IDS.map((c) => ({
            summary: byControl[c]?.summary,
            items: Object.fromEntries(
              Object.entries(byControl[c]?.items ?? {}).map(([name, list]) => [
                name,
                list.map((item) => canonical(item)).sort(),
              ]),
            ),
          })),
        ),
      )
      .digest('hex')
      .slice(0, 16);
    return {
      syncId: syncIds.size === 1 ? ([...syncIds][0] ?? null) : null,
      lost,
      invented,
      duplicates,
      differences: [...where, ...differences],
      hash,
      correct: lost === 0 && invented === 0 && duplicates === 0 && differences.length === 0,
    };
  }

  /** Committed-offset lag of the projector's group on the topics it reads (0 = caught up). */
  async projectorLag(kafkaLag: (group: string, topics: string[]) => Promise<number>) {
    const prefix = this.opts.projectorTopicPrefix ?? this.prefix;
    const topics = topicNames(prefix);
    return kafkaLag(this.projectorGroup, [topics.identity, topics.systemLog]);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(
      [...this.collectors, ...this.projectors, this.sim].map((p) => p?.stop(10_000)),
    );
    await this.mongoClient?.close().catch(() => undefined);
  }
}

async function ping(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
}
