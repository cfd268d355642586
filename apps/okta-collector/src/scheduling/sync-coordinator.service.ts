import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SyncRequestListener } from '../commands/sync-requests.consumer';
import { SyncRequestDoc, SyncRequestsRepository } from '../commands/sync-requests.repository';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { ConnectionsRepository } from '../connections/connections.repository';
import { IdentitySyncService } from '../identity-sync/identity-sync.service';
import { CLOCK, Clock } from '../platform/clock';
import { EventPublisher } from '../platform/event-publisher';
import { SYSTEM_LOG_RUNNER, SystemLogRunner } from './system-log-runner';
import { HeldLease, OrgLeaseRepository } from './org-lease.repository';
import { SyncRunsRepository } from './sync-runs.repository';

/**
 * Runs queued sync requests, serialized per org across every collector
 * instance: a run holds the org's lease (renewed while it runs, fenced on every
 * publish). Requests queued when a run starts are all satisfied by it; one
 * that arrives during a run waits and gets its own run afterwards. Different
 * orgs run concurrently up to SYNC_CONCURRENCY per instance. The sync never
 * runs inside the Kafka handler, so a long sync cannot cost the partitions.
 */
@Injectable()
export class SyncCoordinator
  implements SyncRequestListener, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(SyncCoordinator.name);
  readonly instanceId = `collector-${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<string, Promise<void>>();
  private readonly wanted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SYSTEM_LOG_RUNNER) private readonly systemLog: SystemLogRunner,
    private readonly inbox: SyncRequestsRepository,
    private readonly leases: OrgLeaseRepository,
    private readonly runs: SyncRunsRepository,
    private readonly connections: ConnectionsRepository,
    private readonly identity: IdentitySyncService,
    private readonly publisher: EventPublisher,
  ) {}

  onApplicationBootstrap(): void {
    // Safety net for wake-ups lost to a crash or held by another instance's lease.
    this.timer = setInterval(
      () => void this.sweep(),
      Math.min(5_000, this.config.SYNC_LEASE_MS / 2),
    );
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.active.values()]);
  }

  requestQueued(orgId: string): void {
    this.kick(orgId);
  }

  /** Wakes the org of every queued request (used by the timer and by tests). */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const orgs = await this.inbox.collection.distinct('orgId', { state: 'queued' });
      for (const orgId of orgs) this.kick(orgId);
    } catch (error) {
      this.logger.warn({ msg: `sweep failed: ${(error as Error).message}` });
    }
  }

  /** Resolves when no run of this instance is active (tests). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  private kick(orgId: string): void {
    if (this.stopping) return;
    if (this.active.has(orgId)) {
      this.wanted.add(orgId); // look again when the current run ends
      return;
    }
    if (this.active.size >= this.config.SYNC_CONCURRENCY) return; // the sweep retries it
    const run = this.runOrg(orgId)
      .catch((error: unknown) =>
        this.logger.error({ orgId, msg: `org run crashed: ${(error as Error).message}` }),
      )
      .finally(() => {
        this.active.delete(orgId);
        if (this.wanted.delete(orgId)) this.kick(orgId);
      });
    this.active.set(orgId, run);
  }

  private async runOrg(orgId: string): Promise<void> {
    const ttl = this.config.SYNC_LEASE_MS;
    const lease = await this.leases.acquire(orgId, this.instanceId, this.clock.now(), ttl);
    if (!lease) return; // another instance holds it; its loop picks our requests up too
    let lost = false;
    const renew = setInterval(
      () => {
        void this.leases.renew(lease, this.clock.now(), ttl).then(
          (ok) => {
            if (!ok) lost = true;
          },
          () => undefined,
        );
      },
      Math.max(250, Math.floor(ttl / 3)),
    );
    // The renew timer keeps lease.expiresAt current (and flags a failed renew), so the
    // fence check before every publish needs no database read: another instance can
    // only take the lease over once that time has passed.
    const stillHeld = async () => !lost && !this.stopping && lease.expiresAt > this.clock.now();
    try {
      await this.reportAbandoned(orgId, lease);
      while (!this.stopping && !lost) {
        const claimed = await this.claimQueued(orgId);
        if (claimed.length === 0) break;
        await this.runClaimed(orgId, lease, claimed, stillHeld);
      }
    } finally {
      clearInterval(renew);
      if (!lost) await this.leases.release(lease);
    }
  }

  /** Every request queued now is satisfied by the run that starts now. */
  private async claimQueued(orgId: string): Promise<SyncRequestDoc[]> {
    const now = this.clock.now();
    const queued = await this.inbox.collection
      .find({ orgId, state: 'queued', receivedAt: { $lte: now } })
      .sort({ requestedAt: 1 })
      .toArray();
    const claimed: SyncRequestDoc[] = [];
    for (const request of queued) {
      const result = await this.inbox.collection.updateOne(
        { _id: request._id, state: 'queued' },
        { $set: { state: 'running', updatedAt: now } },
      );
      if (result.modifiedCount === 1) claimed.push(request);
    }
    return claimed;
  }

  private async runClaimed(
    orgId: string,
    lease: HeldLease,
    claimed: SyncRequestDoc[],
    stillHeld: () => Promise<boolean>,
  ): Promise<void> {
    const requestIds = claimed.map((r) => r._id);
    const trigger = claimed.every((r) => r.requestedBy === 'schedule') ? 'schedule' : 'manual';
    const parts = new Set(claimed.flatMap((r) => r.pending));
    const connection = await this.connections.get(orgId);
    const finish = async (state: SyncRequestDoc['state'], note: string, syncIds: string[] = []) => {
      await this.inbox.collection.updateMany(
        { _id: { $in: requestIds } },
        { $set: { state, note, updatedAt: this.clock.now(), pending: [], syncIds } },
      );
    };
    if (!connection) return finish('skipped', 'org has no Okta connection');
    if (connection.state === 'credentials_invalid') {
      await this.connections.recordScheduleSkip(
        orgId,
        'credentials invalid: save the connection again',
        this.clock.now(),
      );
      return finish(
        'skipped',
        'skipped: Okta rejected the stored token; save the connection again',
      );
    }
    const runStartedAt = this.clock.now();
    const syncIds: string[] = [];
    const notes: string[] = [];
    let failed = false;
    // The log first: the identity sync's evidence snapshot then sees the freshest sign-ins.
    for (const kind of ['system-log', 'identity'] as const) {
      if (!parts.has(kind) || !(await stillHeld())) continue;
      const syncId = `${kind === 'identity' ? 'sync' : 'logpoll'}-${randomUUID()}`;
      syncIds.push(syncId);
      await this.runs.start({
        _id: syncId,
        orgId,
        kind,
        requestIds,
        trigger,
        holder: lease.holder,
        fence: lease.fence,
        startedAt: this.clock.now(),
      });
      const ctx = {
        orgId,
        syncId,
        requestIds,
        trigger,
        connection,
        leaseStillHeld: stillHeld,
      } as const;
      const outcome =
        kind === 'identity' ? await this.identity.run(ctx) : await this.systemLog.run(ctx);
      if (outcome.state !== 'completed') {
        failed = true;
        notes.push(`${kind}: ${outcome.reason}`);
        if (outcome.reason === 'credentials_invalid' || outcome.reason === 'lease_lost') break;
      }
    }
    await finish(failed ? 'failed' : 'done', notes.join('; ') || 'completed', syncIds);
    if (!failed) await this.markSatisfied(orgId, parts, runStartedAt, syncIds);
  }

  /**
   * A request that reached us late (requested before this run started, but
   * queued after the claim) is satisfied by it: recorded, not run twice.
   */
  private async markSatisfied(
    orgId: string,
    parts: Set<string>,
    startedAt: Date,
    syncIds: string[],
  ): Promise<void> {
    const scopes = ['all', 'identity', 'system-log'].filter((scope) =>
      scope === 'all' ? parts.has('identity') && parts.has('system-log') : parts.has(scope),
    );
    await this.inbox.collection.updateMany(
      {
        orgId,
        state: 'queued',
        requestedAt: { $lte: startedAt },
        scope: { $in: scopes as SyncRequestDoc['scope'][] },
      },
      {
        $set: {
          state: 'satisfied',
          note: 'satisfied by a run that started after it was requested',
          pending: [],
          syncIds,
          updatedAt: this.clock.now(),
        },
      },
    );
  }

  /** A run left "running" under an older fence belonged to a dead holder: report it abandoned. */
  private async reportAbandoned(orgId: string, lease: HeldLease): Promise<void> {
    for (const orphan of await this.runs.findOrphans(orgId, lease.fence)) {
      const at = this.clock.now().toISOString();
      const requestId = orphan.requestIds[0] ?? orphan._id;
      const message = `collector ${orphan.holder} stopped during this run; no completed event was published`;
      if (orphan.kind === 'identity') {
        await this.publisher.publish('identity', [
          {
            type: 'IdentitySyncFailed',
            schemaVersion: 1,
            orgId,
            syncId: orphan._id,
            payload: { requestId, failedAt: at, reason: 'abandoned', retryable: true, message },
          },
        ]);
      } else {
        await this.publisher.publish('systemLog', [
          {
            type: 'SystemLogPollFailed',
            schemaVersion: 1,
            orgId,
            syncId: orphan._id,
            payload: { requestId, failedAt: at, reason: 'abandoned', retryable: true, message },
          },
        ]);
      }
      await this.runs.finish(orphan._id, 'abandoned', this.clock.now(), {
        reason: 'abandoned',
        message,
      });
      await this.inbox.collection.updateMany(
        { _id: { $in: orphan.requestIds }, state: 'running' },
        {
          $set: {
            state: 'failed',
            note: 'abandoned: the collector running it stopped',
            updatedAt: this.clock.now(),
            pending: [],
          },
        },
      );
      this.logger.warn({ orgId, syncId: orphan._id, msg: 'reported abandoned run' });
    }
  }
}
