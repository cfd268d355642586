import type { IncrementalBasis, RunPart } from '@regentra/contracts';
import {
  DATASET_KEYS,
  emptyUnread,
  IDENTITY_DATASETS,
  UNREAD_REREAD_MAX,
  type UnreadIds,
} from './datasets';

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
  | {
      mode: 'incremental';
      basis: IncrementalBasis;
      baseRoleHolders: ReadonlySet<string> | null;
      /** Per dataset, what the base could not read: this sync reads it again by id. */
      reread: UnreadIds;
      /** How many objects that is, over all datasets. */
      rereadCount: number;
    };

const HOUR = 3_600_000;

/** `value[key]` of a stored document; undefined when it is not an object. */
function field(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

type Unread = { full: string } | { reread: UnreadIds; count: number };

/**
 * What the run could not read (its coverage's `failed`) and what the next
 * sync does about it, per dataset's `unread` rule (datasets.ts): re-read by
 * id the objects the run recorded, nothing for a dataset an incremental sync
 * re-lists, and full when the ids were not recorded (runs stored before they
 * were), are more than UNREAD_REREAD_MAX, or belong to a list only a full
 * sync reads again.
 */
function unreadIn(run: PastRun): Unread {
  const coverage = field(run.outcome, 'coverage');
  const recorded = field(run.outcome, 'unread');
  const reread = emptyUnread();
  let count = 0;
  let unrecorded = 0;
  const lists: string[] = [];
  for (const key of DATASET_KEYS) {
    const failed = field(field(coverage, key), 'failed');
    if (typeof failed !== 'number' || failed <= 0) continue;
    if (IDENTITY_DATASETS[key].unread === 'relisted') continue;
    if (IDENTITY_DATASETS[key].unread === 'full') {
      lists.push(key);
      continue;
    }
    const ids = field(recorded, key);
    if (!Array.isArray(ids) || ids.length === 0) unrecorded += failed;
    else reread[key] = ids.map(String);
    count += failed;
  }
  const of = `the last identity sync (${run._id})`;
  if (lists.length > 0) return { full: `${of} could not read the ${lists.join(', ')} list` };
  if (unrecorded > 0)
    return { full: `${of} could not read ${unrecorded} objects or lists and did not record which` };
  if (count > UNREAD_REREAD_MAX)
    return {
      full: `${of} could not read ${count} objects (more than ${UNREAD_REREAD_MAX} to re-read by id)`,
    };
  return { reread, count };
}

/**
 * Full or incremental, and why (issue 14, docs/schedules-and-ordering.md "When a full sync runs"):
 * full for the first sync, when asked, at the full-sync hours, when the last
 * full sync is too old, after any identity sync that did not complete or left
 * something unread that the next sync cannot re-read by id (`unreadIn`), after
 * the connection's domain or token changed, and after a reset or gap of the
 * System Log cursor. Otherwise incremental on top of the last (completed) sync,
 * re-reading what it could not read.
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
  if ('full' in unread) return full(unread.full);
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
    reread: unread.reread,
    rereadCount: unread.count,
  };
}
