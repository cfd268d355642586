import type { RunPart, SyncScope } from '@regentra/contracts';
import type { RunOutcome } from './run-port';
import type { SyncRunDoc } from './sync-run.types';

/**
 * The coordinator's decisions, free of Mongo, Kafka and timers, so each rule
 * is a unit test. The coordinator only reads, asks these, and writes.
 */

/** What the decisions need of a claimed inbox request. */
export interface ClaimedRequest {
  requestedBy: string;
  pending: RunPart[];
}

/** A run is "schedule" only when every request it satisfies came from the schedule. */
export function runTrigger(claimed: ClaimedRequest[]): 'schedule' | 'manual' {
  return claimed.every((r) => r.requestedBy === 'schedule') ? 'schedule' : 'manual';
}

/** One run covers the union of what the claimed requests still need. */
export function partsToRun(claimed: ClaimedRequest[]): Set<RunPart> {
  return new Set(claimed.flatMap((r) => r.pending));
}

/** The log first: the identity sync's evidence snapshot then sees the freshest sign-ins. */
export function runOrder(parts: Set<RunPart>): RunPart[] {
  return (['system-log', 'identity'] as const).filter((kind) => parts.has(kind));
}

export function syncIdPrefix(kind: RunPart): 'sync' | 'logpoll' {
  return kind === 'identity' ? 'sync' : 'logpoll';
}

export type ConnectionGate<C> =
  { run: true; connection: C } | { run: false; note: string; scheduleSkip: string | null };

/** Whether the org's connection lets the claimed requests run, and what a skip records. */
export function gateConnection<C extends { state: string }>(
  connection: C | null,
): ConnectionGate<C> {
  if (!connection) return { run: false, note: 'org has no Okta connection', scheduleSkip: null };
  if (connection.state === 'credentials_invalid') {
    return {
      run: false,
      note: 'skipped: Okta rejected the stored token; save the connection again',
      scheduleSkip: 'credentials invalid: save the connection again',
    };
  }
  return { run: true, connection };
}

/**
 * A rejected or undecryptable token, a lost lease, a cancellation or a
 * shutdown stops the remaining parts; other failures do not.
 */
export function stopsTheRun(outcome: RunOutcome): boolean {
  return (
    outcome.state === 'failed' &&
    (outcome.reason === 'credentials_invalid' ||
      outcome.reason === 'token_undecryptable' ||
      outcome.reason === 'lease_lost' ||
      outcome.reason === 'cancelled' ||
      outcome.reason === 'shutdown')
  );
}

/** The note a failed part adds to its requests. */
export function failureNote(kind: RunPart, outcome: RunOutcome): string | null {
  return outcome.state === 'completed' ? null : `${kind}: ${outcome.reason}`;
}

export interface RunResult {
  state: 'done' | 'failed';
  note: string;
  /** Late requests (requested before the run started) count as satisfied only by a clean run. */
  satisfiesLateRequests: boolean;
}

/** How the claimed requests end, given the notes of the parts that failed. */
export function runResult(failureNotes: string[]): RunResult {
  const failed = failureNotes.length > 0;
  return {
    state: failed ? 'failed' : 'done',
    note: failureNotes.join('; ') || 'completed',
    satisfiesLateRequests: !failed,
  };
}

/** Claimed requests that end alike: finished with `result`, or queued again. */
export interface RequestGroup {
  requestIds: string[];
  result: RunResult;
  requeue: boolean;
}

/**
 * How each claimed request ends, grouped by result. A request depends only
 * on the parts it still needs (`pending`, from its scope): an identity request is done when the
 * identity sync completed, even if the log poll run beside it (for another
 * request of the org) failed. `partNotes`: each part that ran, with its
 * failure note (null: completed). A part that did not run fails its requests
 * as not run, with `stopNote` (why the run stopped: a stop request, or the
 * failure of the part that stopped it); without one the org's lease was
 * lost. A failed request also carries `stopNote`. With `leaseLost` (a part
 * lost the org's lease, or it is gone now) the failed ones are requeued for
 * the next holder instead: what completed is done, the rest runs again.
 */
export function requestResults(
  claimed: Array<{ _id: string; pending: RunPart[] }>,
  partNotes: Map<RunPart, string | null>,
  stopNote: string | null,
  leaseLost = false,
): RequestGroup[] {
  const groups = new Map<string, RequestGroup>();
  for (const request of claimed) {
    const notes = request.pending.flatMap((part) => {
      if (!partNotes.has(part))
        return [stopNote ? `${part}: not run` : `${part}: not run (the org's lease was lost)`];
      const note = partNotes.get(part);
      return note ? [note] : [];
    });
    if (notes.length > 0 && stopNote && !notes.includes(stopNote)) notes.push(stopNote);
    const result = runResult(notes);
    const key = `${result.state}\u0000${result.note}`;
    const group = groups.get(key) ?? {
      requestIds: [],
      result,
      requeue: leaseLost && result.state === 'failed',
    };
    group.requestIds.push(request._id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The request scopes a run of these parts satisfies: "all" only when both
 * parts ran. A late request (queued after the claim) of one of these scopes,
 * requested no later than the run started, is satisfied by a clean run: the
 * inbox's `markSatisfied` decides that as one conditional write
 * (late-requests.int.spec.ts).
 */
export function satisfiedScopes(parts: Set<RunPart>): SyncScope[] {
  return (['all', 'identity', 'system-log'] as const).filter((scope) =>
    scope === 'all' ? parts.has('identity') && parts.has('system-log') : parts.has(scope),
  );
}

/**
 * Our lease still holds while no renew failed and its expiry (kept current by
 * the renew timer) is in the future: another instance can take the lease over
 * only once that time has passed. (A shutdown is not a lost lease: the run
 * stops through its stop signal and still reports its failure.)
 */
export function leaseStillHeld(state: { lost: boolean; expiresAt: Date }, now: Date): boolean {
  return !state.lost && state.expiresAt > now;
}

/**
 * Renewals older than this (by the DATABASE's clock) mean the holder is gone:
 * `OrgLeaseRepository.acquire` takes over a lease released or renewed no
 * later than this, in one conditional write (org-lease.int.spec.ts).
 * Both sides of the comparison come from the database's clock, so an instance
 * whose own clock is off cannot take over a live lease (nor keep a dead one).
 */
export function takeOverCutoff(databaseNow: Date, ttlMs: number): Date {
  return new Date(databaseNow.getTime() - ttlMs);
}

export function abandonedMessage(holder: string): string {
  return `collector ${holder} stopped during this run; no completed event was published`;
}

/** Renew three times per lease period, never more often than every 250 ms. */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(250, Math.floor(leaseMs / 3));
}

/** The safety-net sweep: every 5 s, or twice per lease period if that is shorter. */
export function sweepEveryMs(leaseMs: number): number {
  return Math.min(5_000, leaseMs / 2);
}

const INTERRUPTED = {
  reason: 'abandoned',
  message:
    'the collector running this sync stopped renewing its lease (it died); the next lease holder reports it abandoned and runs its requests again',
};

/**
 * How status shows a run: one whose collector died shows as abandoned once
 * its lease has lapsed (`live` false), not as running.
 */
export function withLiveness(run: SyncRunDoc | null, live: boolean): SyncRunDoc | null {
  return run && run.state === 'running' && !live
    ? { ...run, state: 'abandoned', outcome: run.outcome ?? INTERRUPTED }
    : run;
}
