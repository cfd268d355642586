import type { IncrementalBasis, RunPart } from '@regentra/contracts';

/** What the mode decision needs to know of an earlier run of the org. */
export interface PastRun {
  _id: string;
  kind: RunPart;
  state: 'running' | 'completed' | 'failed' | 'abandoned';
  startedAt: Date;
  /** The connection generation the run used (absent on runs stored before it was kept). */
  connectionGeneration?: number | undefined;
  outcome: Record<string, unknown> | null;
}

export interface ModeInput {
  now: Date;
  /** `IDENTITY_SYNC_MODE`: `full` turns incremental syncs off. */
  configured: 'incremental' | 'full';
  /** A claimed request asked for `mode: full`. */
  requestedFull: boolean;
  trigger: 'schedule' | 'manual';
  /** UTC hours whose scheduled identity sync is full (`IDENTITY_FULL_SYNC_HOURS_UTC`). */
  fullSyncHoursUtc: readonly number[];
  /** The connection's generation now (it changes when the domain or token is saved again). */
  connectionGeneration: number;
  /** The org's newest identity runs, newest first (the current one excluded). */
  identityRuns: PastRun[];
  /** When the org's newest completed full identity sync started (null: none). */
  lastFullAt: Date | null;
  /** The org's System Log polls that started after the newest identity run began. */
  logRunsSinceBase: PastRun[];
  /** `INCREMENTAL_OVERLAP_MINUTES`. */
  overlapMinutes: number;
  /** A full sync at least this often, whatever the schedule (a missed full slot). */
  maxFullAgeHours: number;
}

export type ModeDecision =
  | { mode: 'full'; reason: string }
  | { mode: 'incremental'; basis: IncrementalBasis; baseRoleHolders: ReadonlySet<string> | null };

const HOUR = 3_600_000;

/**
 * What the run could not read (its coverage's `failed`): an incremental sync
 * re-reads only what changed, so anything left unknown is read again whole.
 */
function unreadIn(run: PastRun): number {
  const coverage = run.outcome?.coverage;
  if (!coverage || typeof coverage !== 'object') return 0;
  return Object.values(coverage as Record<string, { failed?: number }>).reduce(
    (sum, c) => sum + (typeof c?.failed === 'number' ? c.failed : 0),
    0,
  );
}

/**
 * Full or incremental, and why (issue 14, docs/schedules-and-ordering.md "When a full sync runs"):
 * full for the first sync, when asked, at the full-sync hours, when the last
 * full sync is too old, after any identity sync that did not complete or left
 * something unread (coverage `failed`), after
 * the connection's domain or token changed, and after a reset or gap of the
 * System Log cursor. Otherwise incremental on top of the last (completed) sync.
 */
export function decideMode(input: ModeInput): ModeDecision {
  const full = (reason: string): ModeDecision => ({ mode: 'full', reason });
  if (input.configured === 'full')
    return full('incremental syncs are off (IDENTITY_SYNC_MODE=full)');
  if (input.requestedFull) return full('requested (mode full)');
  const base = input.identityRuns[0];
  if (!base) return full('first sync');
  if (base.state !== 'completed')
    return full(`the last identity sync (${base._id}) did not complete (${base.state})`);
  const unread = unreadIn(base);
  if (unread > 0)
    return full(`the last identity sync (${base._id}) could not read ${unread} objects or lists`);
  if (base.connectionGeneration !== input.connectionGeneration)
    return full('the connection was saved again (domain or token) since the last sync');
  if (input.trigger === 'schedule' && input.fullSyncHoursUtc.includes(input.now.getUTCHours()))
    return full(`scheduled full sync (${input.now.getUTCHours()}:00 UTC)`);
  if (
    !input.lastFullAt ||
    input.now.getTime() - input.lastFullAt.getTime() > input.maxFullAgeHours * HOUR
  )
    return full(`no full sync in the last ${input.maxFullAgeHours} hours`);
  const reset = input.logRunsSinceBase.find((run) => {
    const mode = run.outcome?.mode;
    return mode === 'backfill' || mode === 'fallback';
  });
  if (reset) return full(`the System Log cursor was reset since the last sync (${reset._id})`);
  const holders = base.outcome?.roleHolderIds;
  return {
    mode: 'incremental',
    basis: {
      baseSyncId: base._id,
      changedSince: new Date(
        base.startedAt.getTime() - input.overlapMinutes * 60_000,
      ).toISOString(),
    },
    baseRoleHolders: Array.isArray(holders) ? new Set(holders.map(String)) : null,
  };
}
