import { startOktaSim } from '../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  projectorGet,
  startCollector,
  startProjector,
} from '../test/support/apps';
import { collectorApi } from '../test/support/collector-api';
import { evidenceOf, firstDifference } from '../test/support/evidence-compare';
import { isolation } from '../test/support/test-env';
import { eventually } from '../test/support/wait';
import type { ScaleInput } from './scale';

export interface IncrementalInput extends Omit<ScaleInput, 'services'> {
  users: number;
  windowMs: number;
  share: number;
}

const ORG = 'incremental-org';

/**
 * `npm run bench -- --only=incremental`: a full identity sync of a 10,000-user
 * org, then 1 % of the users changed (a random mix of every kind of change the
 * simulator logs), then an incremental sync; finally a full sync of the same
 * state, whose evidence the incremental sync's must equal. Calls are counted
 * by the simulator; the sync runs at the usual share of Okta's rate limits.
 */
export async function incrementalCase(input: IncrementalInput): Promise<void> {
  const { mongo, figures, log, users } = input;
  const sim = await startOktaSim({
    users,
    seed: 1414,
    groups: Math.round(users / 33),
    apps: Math.round(users / 66),
    latencyMs: 50,
    rateWindowMs: input.windowMs,
  });
  const iso = isolation('benchinc');
  const collector = await startCollector(
    collectorConfig(iso, {
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      OKTA_CONCURRENCY: '24',
      LOG_LEVEL: 'warn',
      OKTA_RATE_LIMIT_SHARE: String(input.share),
      IDENTITY_SYNC_MODE: 'incremental',
    }),
  );
  const projector = await startProjector(projectorConfig(iso, { LOG_LEVEL: 'warn' }));
  const api = collectorApi(collector);
  try {
    await api.connect(ORG, sim.url, sim.token);
    const run = async (mode: 'auto' | 'full') => {
      sim.resetCounters();
      const started = Date.now();
      const res = await api.call('POST', `/v1/orgs/${ORG}/okta/syncs`, { scope: 'identity', mode });
      const done = await input.waitRequest(mongo, iso.collectorDb, String(res.json.requestId));
      const seconds = (Date.now() - started) / 1000;
      const syncId = (done.syncIds as string[])[0] as string;
      const doc = await mongo
        .db(iso.collectorDb)
        .collection('sync_runs')
        .findOne({ _id: syncId as never });
      const calls = Object.values(sim.calls()).reduce((a, b) => a + b, 0);
      await eventually(
        async () => {
          const ev = await projectorGet(projector.url, `/v1/orgs/${ORG}/evidence/access-review`);
          return ev.ok && ((await ev.json()) as { syncId?: string }).syncId === syncId
            ? true
            : undefined;
        },
        `evidence of ${syncId}`,
        1_800_000,
        500,
      );
      return {
        syncId,
        seconds,
        calls,
        mode: String(doc?.mode),
        reads: doc?.outcome?.reads,
        byEndpoint: sim.calls(),
      };
    };
    const first = await run('full');
    log(`full sync of ${users} users: ${first.calls} calls, ${first.seconds.toFixed(1)} s`);
    const changes = sim.applyRandomChanges(1415, Math.round(users / 100));
    const kinds: Record<string, number> = {};
    for (const change of changes) kinds[change.kind] = (kinds[change.kind] ?? 0) + 1;
    const inc = await run('auto');
    log(
      `incremental sync after ${changes.length} changes: ${inc.calls} calls, ${inc.seconds.toFixed(1)} s (${inc.mode})`,
    );
    const incrementalEvidence = await evidenceOf(projector.url, ORG);
    const second = await run('full');
    const fullEvidence = await evidenceOf(projector.url, ORG);
    const equal = JSON.stringify(incrementalEvidence) === JSON.stringify(fullEvidence);
    if (!equal)
      log(`incremental evidence differs: ${firstDifference(incrementalEvidence, fullEvidence)}`);
    Object.assign(figures, {
      incremental_users: users,
      incremental_changes: changes.length,
      incremental_change_kinds: kinds,
      incremental_mode: inc.mode,
      full_calls: second.calls,
      full_calls_first_sync: first.calls,
      incremental_calls: inc.calls,
      incremental_calls_by_endpoint: inc.byEndpoint,
      incremental_reads: inc.reads,
      steady_state_call_ratio: inc.calls / second.calls,
      full_sync_s: second.seconds,
      incremental_sync_s: inc.seconds,
      incremental_evidence_equals_full: equal && inc.mode === 'incremental',
    });
  } finally {
    await projector.close();
    await collector.close();
    await sim.close();
  }
}
