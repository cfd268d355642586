import type { ConnectionView } from '../connections/connection.types';
import { withLiveness } from '../sync-runs/run-decisions';
import type { SyncRunDoc } from '../sync-runs/sync-run.types';

/** A token Okta has not accepted for this long is flagged: Okta expires it after 30 idle days. */
export const TOKEN_UNUSED_DAYS = 20;
const DAY_MS = 86_400_000;

export interface FleetStatus {
  at: Date;
  orgs: number;
  counts: Record<
    | 'running'
    | 'queued'
    | 'lastFailed'
    | 'credentialsInvalid'
    | 'tokenUndecryptable'
    | 'tokenUnused',
    number
  >;
  running: Array<{ orgId: string; kind: string; syncId: string; startedAt: Date; holder: string }>;
  queued: Array<{ orgId: string; requests: number }>;
  lastFailed: Array<{
    orgId: string;
    kind: string;
    syncId: string;
    state: string;
    finishedAt: Date | null;
    reason: string | null;
    message: string | null;
  }>;
  credentialsInvalid: Array<{ orgId: string; reason: string | null }>;
  tokenUndecryptable: Array<{ orgId: string; reason: string | null }>;
  tokenUnused: Array<{ orgId: string; tokenLastUsedAt: Date | null; unusedDays: number }>;
}

/**
 * The fleet at a glance, from every connection, each org's latest run per
 * kind (checked against the live leases) and its queued requests (pure: the
 * service reads, this sorts). An org
 * may be in several lists (queued while running; a failed log poll and an
 * invalid token); orgs in none are fine.
 */
export function fleetStatus(
  now: Date,
  connections: ConnectionView[],
  stored: SyncRunDoc[],
  queued: Map<string, number>,
  isLive: (run: SyncRunDoc) => boolean,
): FleetStatus {
  // A run whose collector died is listed as abandoned once its lease lapsed, not as running.
  const latestRuns = stored.map((run) => withLiveness(run, isLive(run)) ?? run);
  const known = new Set(connections.map((c) => c.orgId));
  const byOrg = (a: { orgId: string }, b: { orgId: string }) => a.orgId.localeCompare(b.orgId);
  const running = latestRuns
    .filter((run) => run.state === 'running' && known.has(run.orgId))
    .map((run) => ({
      orgId: run.orgId,
      kind: run.kind,
      syncId: run._id,
      startedAt: run.startedAt,
      holder: run.holder,
    }))
    .sort(byOrg);
  const lastFailed = latestRuns
    .filter((run) => (run.state === 'failed' || run.state === 'abandoned') && known.has(run.orgId))
    .map((run) => ({
      orgId: run.orgId,
      kind: run.kind,
      syncId: run._id,
      state: run.state,
      finishedAt: run.finishedAt,
      reason: stringOrNull(run.outcome?.reason),
      message: stringOrNull(run.outcome?.message),
    }))
    .sort(byOrg);
  const queuedList = [...queued]
    .filter(([orgId]) => known.has(orgId))
    .map(([orgId, requests]) => ({ orgId, requests }))
    .sort(byOrg);
  const inState = (state: string) =>
    connections
      .filter((c) => c.state === state)
      .map((c) => ({ orgId: c.orgId, reason: c.stateReason }))
      .sort(byOrg);
  const unusedSince = now.getTime() - TOKEN_UNUSED_DAYS * DAY_MS;
  const tokenUnused = connections
    .filter((c) => (c.tokenLastUsedAt ?? c.savedAt).getTime() < unusedSince)
    .map((c) => ({
      orgId: c.orgId,
      tokenLastUsedAt: c.tokenLastUsedAt,
      unusedDays: Math.floor((now.getTime() - (c.tokenLastUsedAt ?? c.savedAt).getTime()) / DAY_MS),
    }))
    .sort(byOrg);
  const credentialsInvalid = inState('credentials_invalid');
  const tokenUndecryptable = inState('token_undecryptable');
  return {
    at: now,
    orgs: connections.length,
    counts: {
      running: running.length,
      queued: queuedList.length,
      lastFailed: lastFailed.length,
      credentialsInvalid: credentialsInvalid.length,
      tokenUndecryptable: tokenUndecryptable.length,
      tokenUnused: tokenUnused.length,
    },
    running,
    queued: queuedList,
    lastFailed,
    credentialsInvalid,
    tokenUndecryptable,
    tokenUnused,
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
