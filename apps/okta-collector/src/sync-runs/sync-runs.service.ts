import { Inject, Injectable } from '@nestjs/common';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { OrgLeaseRepository } from './org-lease.repository';
import { SyncRunDoc } from './sync-run.types';

/**
 * Whether a run still has a live collector, from the org's lease. Runners
 * and status read and write the run history through SyncRunsRepository's
 * named operations directly.
 */
@Injectable()
export class SyncRunsService {
  constructor(
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
}
