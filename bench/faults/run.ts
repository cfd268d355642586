import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FaultContext } from './context';
import { FAULTS, FaultSpec, QUICK } from './faults';
import { groupLag, suiteKafka } from './kafka-tools';
import { Judgement, Pipeline } from './pipeline';
import { Cluster, until } from './processes';

/**
 * `npm run faults [-- --quick] [-- --only=name,name]`: breaks real processes
 * (Kafka, FerretDB, the Okta simulator, the collector and the projector, each
 * its own OS process started here) one fault at a time, each in a fresh org
 * with its own topics and databases, and compares what the pipeline serves
 * with the simulator's ground truth and with a clean projector replaying the
 * same topics. Writes bench/results/faults.json and prints a table; exits
 * non-zero when a fault loses, invents or duplicates anything, leaves
 * something stuck, or does not recover within 2 minutes.
 */
export interface FaultResult {
  fault: string;
  when: string;
  recovered: boolean;
  recovery_s: number | null;
  lost: number;
  invented: number;
  duplicates: number;
  stuck: boolean;
  evidence_hash_before: string | null;
  evidence_hash_after: string | null;
  /** A projector started on a fresh database over the same topics serves the same evidence. */
  clean_replay_equal: boolean | null;
  /** A fault's own check that failed (e.g. poison records missing from the dead-letter topic). */
  checks_failed: string | null;
  detail: string[];
}

const RECOVERY_LIMIT_MS = 120_000;
const log = (message: string) => process.stderr.write(`[faults] ${message}\n`);

async function runOne(cluster: Cluster, dir: string, spec: FaultSpec): Promise<FaultResult> {
  const kafka = suiteKafka(cluster.brokers);
  const pipeline = new Pipeline(cluster, dir, {
    users: 600,
    seed: 11,
    latencyMs: 10,
    logEvents: 3000,
    ...spec.org,
  });
  const detail: string[] = [];
  const result: FaultResult = {
    fault: spec.name,
    when: spec.when,
    recovered: false,
    recovery_s: null,
    lost: 0,
    invented: 0,
    duplicates: 0,
    stuck: false,
    evidence_hash_before: null,
    evidence_hash_after: null,
    clean_replay_equal: null,
    checks_failed: null,
    detail,
  };
  const faultAtRef: { at?: number } = {};
  const ctx: FaultContext = { kafka, cluster, log: (m) => log(`${spec.name}: ${m}`), detail };
  const worst = (j: Judgement) => {
    if (
      (j.lost > result.lost || j.invented > result.invented || j.duplicates > result.duplicates) &&
      detail.length < 12
    )
      detail.push(
        `at +${((Date.now() - (faultAtRef.at ?? Date.now())) / 1000).toFixed(1)} s (evidence of ${j.syncId}): ${j.differences.slice(0, 4).join('; ')}`,
      );
    result.lost = Math.max(result.lost, j.lost);
    result.invented = Math.max(result.invented, j.invented);
    result.duplicates = Math.max(result.duplicates, j.duplicates);
  };
  try {
    if (spec.name === 'duplicate-reordered')
      pipeline.opts.projectorTopicPrefix = `${pipeline.prefix}relay.`;
    await pipeline.start();
    await spec.afterStart?.(pipeline, ctx);
    const truth = await pipeline.truth();
    if (spec.baseline !== 'none') {
      const baseline = await pipeline.requestSync(spec.baseline);
      const done = await pipeline.waitRequest(baseline, 300_000);
      if (done.state !== 'done') throw new Error(`clean sync ended ${done.state}: ${done.note}`);
      const before = await until(
        'clean evidence',
        async () => {
          const j = await pipeline.judge(truth, spec.baseline === 'all');
          return j.correct && done.syncIds?.includes(j.syncId ?? '') ? j : undefined;
        },
        120_000,
        500,
      );
      result.evidence_hash_before = before.hash;
      ctx.log(`clean sync correct (evidence ${before.hash})`);
    }
    const injected = await spec.inject(pipeline, ctx);
    const faultAt = injected.faultAt;
    faultAtRef.at = faultAt;
    ctx.log(`fault injected; watching for recovery`);
    // Watch: evidence read during the fault must never be wrong (only stale).
    let settled: Judgement | undefined;
    let background = injected.during ? injected.during() : Promise.resolve();
    let backgroundError: unknown;
    background = background.catch((error: unknown) => {
      backgroundError = error;
    });
    while (Date.now() - faultAt < RECOVERY_LIMIT_MS) {
      const request = await pipeline.request(injected.requestId).catch(() => undefined);
      let judged: Judgement | undefined;
      try {
        judged = await pipeline.judge(truth, spec.logsFinalOnly ? false : spec.expectLogs, false);
      } catch {
        judged = undefined; // the read API or its database is down: stale is not wrong
      }
      if (judged && judged.syncId) worst(judged);
      const finished = request && !['queued', 'running', 'unknown'].includes(request.state);
      if (finished && request.state !== 'done') {
        detail.push(`request ended ${request.state}: ${request.note ?? ''}`);
        break;
      }
      const identitySyncs = (request?.syncIds ?? []).filter((id) => id.startsWith('identity'));
      const newest = identitySyncs[identitySyncs.length - 1];
      if (finished && judged?.correct && (!newest || judged.syncId === newest)) {
        const full = await pipeline.judge(truth, spec.expectLogs, false);
        worst(full);
        if (full.correct) {
          settled = full;
          break;
        }
      }
      await new Promise((done) => setTimeout(done, 500));
    }
    await background;
    if (backgroundError) detail.push(`fault driver failed: ${String(backgroundError)}`);
    if (settled && Date.now() - faultAt <= RECOVERY_LIMIT_MS) {
      result.recovered = true;
      result.recovery_s = Math.round((Date.now() - faultAt) / 100) / 10;
      result.evidence_hash_after = settled.hash;
    } else {
      const last = await pipeline.judge(truth, spec.expectLogs).catch(() => undefined);
      if (last) {
        worst(last);
        result.evidence_hash_after = last.hash;
        detail.push(...last.differences.slice(0, 5));
      }
      const request = await pipeline.request(injected.requestId).catch(() => undefined);
      detail.push(
        `not recovered in 120 s; request ${request?.state ?? '?'}: ${request?.note ?? ''}`,
      );
    }
    // Stuck: the projector must catch up, and the org's inbox must settle.
    const lagged = await until(
      'projector caught up',
      async () =>
        (await pipeline.projectorLag((g, t) => groupLag(kafka, g, t))) === 0 ? 0 : undefined,
      // a projector still folding a 20,000-event poll on a loaded 2-core machine is slow, not stuck
      120_000,
      1000,
    ).catch(() => -1);
    const open = await pipeline
      .mongo()
      .db(pipeline.collectorDb)
      .collection('sync_requests')
      .countDocuments({ orgId: pipeline.orgId, state: { $in: ['queued', 'running'] } });
    result.stuck = lagged !== 0 || open > 0;
    if (result.stuck)
      detail.push(`stuck: projector lag ${lagged === 0 ? 0 : '>0'}, open requests ${open}`);
    // The read models, once the projector has caught up: every user once, nothing else.
    // (Not while it writes: a sync replaces an org's documents with deletes and
    // inserts, no transactions, so a reader mid-write misses some; see README.)
    if (lagged === 0) {
      const final = await pipeline.judge(truth, spec.expectLogs, true).catch(() => undefined);
      if (final) worst(final);
      else detail.push('final read-model check failed to run');
    }
    const problem = spec.checks ? await spec.checks(pipeline, ctx) : undefined;
    if (problem) {
      result.checks_failed = problem;
      detail.push(problem);
    }
    // Compared with a clean run: a projector on a fresh database over the same topics.
    if (result.recovered) result.clean_replay_equal = await cleanReplayEqual(pipeline, truth, spec);
    if (
      result.recovered &&
      spec.evidenceUnchanged &&
      result.evidence_hash_before !== result.evidence_hash_after
    )
      detail.push('evidence hash changed although Okta did not');
  } catch (error) {
    detail.push(`suite error: ${(error as Error).stack ?? String(error)}`.slice(0, 1500));
  } finally {
    await spec.cleanup?.().catch(() => undefined);
    await pipeline.stop();
  }
  return result;
}

/** A second projector, fresh database and group, reads the same topics: same evidence? */
async function cleanReplayEqual(
  pipeline: Pipeline,
  truth: Awaited<ReturnType<Pipeline['truth']>>,
  spec: FaultSpec,
): Promise<boolean> {
  const served = await pipeline.judge(truth, spec.expectLogs);
  const clean = new Pipeline(pipeline.cluster, pipeline.dir, {
    ...pipeline.opts,
    projectorTopicPrefix: pipeline.opts.projectorTopicPrefix ?? pipeline.prefix,
  });
  // Same org and topics, another database and group.
  Object.assign(clean, {
    orgId: pipeline.orgId,
    projectorDb: `${pipeline.projectorDb}_clean`,
    projectorGroup: `${pipeline.projectorGroup}.clean`,
    simUrl: pipeline.simUrl,
  });
  try {
    await clean.startProjector();
    const replayed = await until(
      'clean replay caught up',
      async () => {
        const j = await clean.judge(truth, spec.expectLogs).catch(() => undefined);
        return j && j.hash === served.hash ? j : undefined;
      },
      120_000,
      1000,
    ).catch(() => undefined);
    return replayed !== undefined;
  } finally {
    await Promise.allSettled(clean.projectors.map((p) => p.stop(10_000)));
    await clean
      .mongo()
      .close()
      .catch(() => undefined);
  }
}

function table(results: FaultResult[]): string {
  const head = [
    'fault',
    'recovered',
    'recovery_s',
    'lost',
    'invented',
    'dup',
    'stuck',
    'replay=',
    'hash before→after',
  ];
  const rows = results.map((r) => [
    r.fault,
    String(r.recovered),
    r.recovery_s === null ? '-' : r.recovery_s.toFixed(1),
    String(r.lost),
    String(r.invented),
    String(r.duplicates),
    String(r.stuck),
    String(r.clean_replay_equal),
    `${r.evidence_hash_before ?? '-'}→${r.evidence_hash_after ?? '-'}`,
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function failed(r: FaultResult): boolean {
  return (
    !r.recovered ||
    r.lost > 0 ||
    r.invented > 0 ||
    r.duplicates > 0 ||
    r.stuck ||
    r.clean_replay_equal === false ||
    r.checks_failed !== null ||
    r.detail.some((d) => d.startsWith('suite error') || d.startsWith('evidence hash changed'))
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  let specs = args.includes('--quick') ? FAULTS.filter((f) => QUICK.includes(f.name)) : FAULTS;
  if (only) specs = FAULTS.filter((f) => only.includes(f.name));
  if (specs.length === 0)
    throw new Error(`no fault matches; known: ${FAULTS.map((f) => f.name).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'regentra-faults-'));
  log(`logs and data in ${dir}; starting Kafka and FerretDB`);
  const cluster = await Cluster.start(dir);
  const results: FaultResult[] = [];
  const started = Date.now();
  try {
    for (const spec of specs) {
      log(`── ${spec.name} (${spec.when})`);
      const result = await runOne(cluster, dir, spec);
      results.push(result);
      log(
        `${spec.name}: ${failed(result) ? 'FAIL' : 'ok'} recovered=${result.recovered} recovery_s=${result.recovery_s} lost=${result.lost} invented=${result.invented} duplicates=${result.duplicates} stuck=${result.stuck}${result.detail.length ? `\n    ${result.detail.join('\n    ')}` : ''}`,
      );
    }
  } finally {
    await cluster.stop();
  }
  const out = resolve(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const report = {
    at: new Date().toISOString(),
    suite_s: Math.round((Date.now() - started) / 1000),
    logs: dir,
    faults: results,
  };
  writeFileSync(join(out, 'faults.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${table(results)}\n\nwritten to bench/results/faults.json (${report.suite_s} s)\n`,
  );
  const bad = results.filter(failed);
  if (bad.length) {
    process.stdout.write(`FAILED: ${bad.map((r) => r.fault).join(', ')}\n`);
    process.exit(1);
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`faults: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
