import { Inject, Injectable } from '@nestjs/common';
import { DirectoryReader } from '../directory/directory.reader';
import type { DirectoryDocuments } from '../directory/org-assembly';
import { LogFactsReader } from '../log-facts/log-facts.reader';
import { CLOCK, Clock } from '../platform/clock';
import { EvidenceStore } from './evidence.store';
import { CONTROL_IDS } from './rules/controls.registry';
import { computeEvidence } from './rules/evidence';
import { SIGN_IN_WINDOW_DAYS } from './rules/evidence-rules';
import { ORG_APP_FIELDS, ORG_GROUP_FIELDS, ORG_USER_FIELDS, OrgState } from './rules/org-state';
import { snapshotHash } from './rules/snapshot-hash';

/** Log facts older than this before asOf feed no control (provisioning reads 90 days). */
const LOG_LOOKBACK_DAYS = 91;

/**
 * Computes every control's evidence (pure rules in rules/) from the directory
 * and log facts and writes `control_evidence` (current) and, for a completed
 * identity sync, immutable `evidence_snapshots` with a SHA-256 hash.
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly store: EvidenceStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly logs: LogFactsReader,
    private readonly directory: DirectoryReader,
  ) {}

  async recompute(
    orgId: string,
    input: {
      syncId: string;
      asOf: string;
      coverage: OrgState['coverage'];
      /** The documents the completing sync just wrote; read back when absent. */
      directory?: DirectoryDocuments;
      snapshot: boolean;
    },
  ): Promise<void> {
    const lastPoll = await this.store.lastLogPollCompletedAt(orgId);
    // The current evidence reflects the newest of the identity sync and the last log poll.
    const currentAsOf = lastPoll && lastPoll > input.asOf ? lastPoll : input.asOf;
    const base = stateOf(input.directory ?? (await this.directory.currentOf(orgId)));
    const build = async (
      asOf: string,
    ): Promise<{ state: OrgState; logsThrough: string | null }> => {
      // Folded a day at a time: memory grows with the actors, not with the window.
      const logs = await this.logs.foldedAsOf(orgId, asOf, {
        lookbackDays: LOG_LOOKBACK_DAYS,
        signInDays: SIGN_IN_WINDOW_DAYS,
      });
      const state: OrgState = {
        orgId,
        syncId: input.syncId,
        asOf,
        ...base,
        logs: { events: [], figures: logs.figures },
        coverage: input.coverage,
      };
      return { state, logsThrough: logs.logsThrough };
    };
    const now = this.clock.now();
    const live = await build(currentAsOf);
    const evidence = computeEvidence(live.state);
    const atSync = !input.snapshot
      ? null
      : currentAsOf === input.asOf
        ? evidence
        : computeEvidence((await build(input.asOf)).state);
    // The eight documents are independent (each write idempotent), so they go out
    // together: the server works on one while the driver serializes the next.
    const writes: Array<Promise<unknown>> = CONTROL_IDS.map((control) =>
      this.store.replaceCurrent({
        ...evidence[control],
        logsThrough: live.logsThrough,
        projectedAt: now,
      }),
    );
    if (atSync)
      for (const control of CONTROL_IDS)
        writes.push(
          this.store.insertSnapshot({
            _id: `${orgId}|${control}|${input.syncId}`,
            orgId,
            control,
            syncId: input.syncId,
            asOf: input.asOf,
            evidence: atSync[control],
            hash: snapshotHash(atSync[control]),
            projectedAt: now,
          }),
        );
    // Every write settles before an error is raised, so none is left running.
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** A completed log poll refreshes the current evidence (sign-ins), never the snapshots. */
  async refreshAfterLogPoll(orgId: string, completedAt: string): Promise<void> {
    await this.store.markLogPollCompleted(orgId, completedAt);
    const applied = await this.directory.latestAppliedSync(orgId);
    if (!applied?.completedAt) return; // no identity data yet: nothing to evidence
    await this.recompute(orgId, {
      syncId: applied.syncId,
      asOf: applied.completedAt,
      coverage: applied.coverage ?? {},
      snapshot: false,
    });
  }
}

/** Only the listed fields of `doc`, in that order. */
function pick<T extends object, K extends keyof T>(doc: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = doc[key];
  return picked;
}

/**
 * Read-model documents → the evidence rules' input (the fields the rules
 * read), whether the documents were just written by a completing sync or read
 * back later.
 */
function stateOf(docs: DirectoryDocuments): Pick<OrgState, 'users' | 'groups' | 'apps'> {
  return {
    users: docs.users.map((d) => pick(d, ORG_USER_FIELDS)),
    groups: docs.groups.map((d) => pick(d, ORG_GROUP_FIELDS)),
    apps: docs.apps.map((d) => pick(d, ORG_APP_FIELDS)),
  };
}
