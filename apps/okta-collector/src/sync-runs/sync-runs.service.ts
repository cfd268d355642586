import type { RunPart } from '@regentra/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { OrgLeaseRepository } from './org-lease.repository';
import { RunState, SyncRunDoc } from './sync-run.types';
import { SyncRunsRepository } from './sync-runs.repository';

/** The run history as other slices reach it: runners report progress and outcome, status reads. */
@Injectable()
export class SyncRunsService {
  constructor(
    private readonly runs: SyncRunsRepository,
    private readonly leases: OrgLeaseRepository,
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
  ) {}

  /**
   * Whether a run in state `running` still has a live collector: its holder
   * keeps renewing the org's lease under the run's fence. A run whose
   * collector died is not shown as running longer than the lease; the next
   * holder reports it abandoned and runs its requests again.
   */
  isLive(run: SyncRunDoc): Promise<boolean> {
    return this.leases.isLive(run.orgId, run.holder, run.fence, this.config.SYNC_LEASE_MS);
  }

  /** `isLive` for many runs at once: one read of the live leases, then a lookup per run. */
  async liveness(): Promise<(run: SyncRunDoc) => boolean> {
    const live = await this.leases.liveHolders(this.config.SYNC_LEASE_MS);
    return (run) => {
      const lease = live.get(run.orgId);
      return lease !== undefined && lease.holder === run.holder && lease.fence === run.fence;
    };
  }

  progress(syncId: string, phase: string, progress: Record<string, number>): Promise<void> {
    return this.runs.progress(syncId, phase, progress);
  }

  finish(
    syncId: string,
    state: Exclude<RunState, 'running'>,
    at: Date,
    outcome: Record<string, unknown>,
  ): Promise<void> {
    return this.runs.finish(syncId, state, at, outcome);
  }

  latest(orgId: string, kind: RunPart): Promise<SyncRunDoc | null> {
    return this.runs.latest(orgId, kind);
  }

  recordMode(
    syncId: string,
    mode: 'full' | 'incremental',
    why: { fullReason: string | null; baseSyncId: string | null },
  ): Promise<void> {
    return this.runs.recordMode(syncId, mode, why);
  }

  lastCompletedFull(orgId: string): Promise<SyncRunDoc | null> {
    return this.runs.lastCompletedFull(orgId);
  }

  recent(orgId: string, kind: RunPart, except: string, limit: number): Promise<SyncRunDoc[]> {
    return this.runs.recent(orgId, kind, except, limit);
  }

  startedSince(orgId: string, kind: RunPart, since: Date): Promise<SyncRunDoc[]> {
    return this.runs.startedSince(orgId, kind, since);
  }

  lastFinished(orgId: string, kind: RunPart, state: RunState): Promise<SyncRunDoc | null> {
    return this.runs.lastFinished(orgId, kind, state);
  }

  latestPerOrgAndKind(): Promise<SyncRunDoc[]> {
    return this.runs.latestPerOrgAndKind();
  }
}
