import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { RunPart } from '@regentra/contracts';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { ConnectionDoc } from '../connections/connection.types';
import {
  ConnectionEvents,
  ConnectionListener,
  ConnectionReplaced,
} from '../connections/connection-events';
import { ConnectionsService } from '../connections/connections.service';
import { CLOCK, Clock } from '../platform/clock';
import { CommandPartitions } from '../platform/command-partitions';
import { SyncRequestListener } from '../sync-requests/sync-request.listener';
import { SyncRequestDoc } from '../sync-requests/sync-request.types';
import { SyncRequestsRepository } from '../sync-requests/sync-requests.repository';
import { AbandonedRunPublisher } from './abandoned-run.publisher';
import { HeldLease, OrgLeaseRepository } from './org-lease.repository';
import {
  abandonedMessage,
  failureNote,
  gateConnection,
  leaseStillHeld,
  partsToRun,
  renewEveryMs,
  runOrder,
  requestResults,
  runTrigger,
  satisfiedScopes,
  stopsTheRun,
  sweepEveryMs,
  syncIdPrefix,
} from './run-decisions';
import { IDENTITY_SYNC_RUNNER, SYSTEM_LOG_RUNNER, SyncRunner } from './run-port';
import { RunStopSignal } from './run-stop';
import { SyncRunsRepository } from './sync-runs.repository';

/**
 * Runs queued sync requests, serialized per org across every collector
 * instance: a run holds the org's lease (renewed while it runs, fenced on every
 * publish). Requests queued when a run starts are all satisfied by it; one
 * that arrives during a run waits and gets its own run afterwards. Different
 * orgs run concurrently up to SYNC_CONCURRENCY per instance. The sync never
 * runs inside the Kafka handler, so a long sync cannot cost the partitions.
 * The rules themselves live in run-decisions.ts.
 *
 * A run stops early when its connection is deleted or replaced (`cancelled`:
 * at once on this instance, within SYNC_CANCEL_CHECK_MS on another) or when
 * the instance shuts down (`shutdown`: the failed event is published, the
 * requests go back to the inbox, the lease is released, all before the
 * database and Kafka clients close).
 */
@Injectable()
export class SyncCoordinator
  implements
    SyncRequestListener,
    ConnectionListener,
    OnModuleInit,
    OnApplicationBootstrap,
    BeforeApplicationShutdown
{
  private readonly logger = new Logger(SyncCoordinator.name);
  readonly instanceId = `collector-${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<string, Promise<void>>();
  private readonly wanted = new Set<string>();
  /** Orgs with queued work waiting for a free run slot (SYNC_CONCURRENCY), oldest first. */
  private readonly waiting = new Set<string>();
  /** The stop signal of each org's current run on this instance. */
  private readonly stops = new Map<string, RunStopSignal>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(IDENTITY_SYNC_RUNNER) private readonly identity: SyncRunner,
    @Inject(SYSTEM_LOG_RUNNER) private readonly systemLog: SyncRunner,
    private readonly inbox: SyncRequestsRepository,
    private readonly leases: OrgLeaseRepository,
    private readonly runs: SyncRunsRepository,
    private readonly connections: ConnectionsService,
    private readonly abandoned: AbandonedRunPublisher,
    private readonly connectionEvents: ConnectionEvents,
    private readonly partitions: CommandPartitions,
  ) {}

  onModuleInit(): void {
    this.connectionEvents.subscribe(this);
  }

  onApplicationBootstrap(): void {
    this.logger.log({ instanceId: this.instanceId, msg: `collector instance ${this.instanceId}` });
    // Safety net for wake-ups lost to a crash or held by another instance's lease.
    this.timer = setInterval(() => void this.sweep(), sweepEveryMs(this.config.SYNC_LEASE_MS));
    this.timer.unref();
    void this.sweep();
  }

  /**
   * SIGTERM: Nest runs every before-shutdown hook before any shutdown hook,
   * so the runs stop, report and re-queue while MongoDB and Kafka are still
   * open (they close in onApplicationShutdown).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const stop of this.stops.values())
      stop.stop(
        'shutdown',
        `collector ${this.instanceId} shut down during this run; the request is queued again`,
      );
    const runs = Promise.allSettled([...this.active.values()]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), this.config.SHUTDOWN_GRACE_MS);
    });
    const ended = await Promise.race([runs.then(() => 'ended' as const), grace]);
    clearTimeout(timer);
    if (ended === 'timeout')
      this.logger.error({
        orgs: [...this.active.keys()],
        msg: `runs did not stop within SHUTDOWN_GRACE_MS (${this.config.SHUTDOWN_GRACE_MS} ms); the next lease holder reports them abandoned`,
      });
  }

  /** DELETE of the connection (on this instance): the org's run stops at once. */
  connectionRemoved(orgId: string): void {
    this.stops.get(orgId)?.stop('cancelled', 'the Okta connection was deleted during this run');
  }

  /** Saved again with another domain or token: the run using the old one stops. */
  connectionReplaced(orgId: string, change: ConnectionReplaced): void {
    this.stops
      .get(orgId)
      ?.stop(
        'cancelled',
        `the Okta connection was saved again with another ${change.domainChanged ? 'domain' : 'token'} during this run`,
      );
  }

  requestQueued(orgId: string): void {
    this.kick(orgId);
  }

  /**
   * Wakes the org of every queued request of the command partitions this
   * instance owns (after a rebalance the new owner finds the requests the old
   * one had queued), and every org whose run or claimed request lost its
   * collector (no live lease, any partition): the new holder reports the run
   * abandoned and runs the request again. Used by the timer and by tests.
   */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const queued = await this.inbox.orgsWithQueued(this.partitions.current());
      for (const orgId of queued) this.kick(orgId);
      const [runningRequests, runningRuns] = await Promise.all([
        this.inbox.orgsWithRunning(),
        this.runs.orgsWithRunning(),
      ]);
      const claimed = new Set([...runningRequests, ...runningRuns]);
      for (const orgId of queued) claimed.delete(orgId);
      for (const orgId of this.active.keys()) claimed.delete(orgId);
      if (claimed.size === 0) return;
      const live = await this.leases.liveOrgs(this.config.SYNC_LEASE_MS);
      for (const orgId of claimed) if (!live.has(orgId)) this.kick(orgId);
    } catch (error) {
      this.logger.warn({ msg: `sweep failed: ${(error as Error).message}` });
    }
  }

  /** What this instance is doing: orgs running here, and orgs waiting for a run slot. */
  load(): { instanceId: string; running: string[]; waiting: string[]; partitions: number[] } {
    return {
      instanceId: this.instanceId,
      running: [...this.active.keys()],
      waiting: [...this.waiting],
      partitions: [...this.partitions.current()],
    };
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
    if (this.active.size >= this.config.SYNC_CONCURRENCY) {
      this.waiting.add(orgId); // runs when a slot frees (the sweep also retries it)
      return;
    }
    this.waiting.delete(orgId);
    const run = this.runOrg(orgId)
      .catch((error: unknown) =>
        this.logger.error({ orgId, msg: `org run crashed: ${(error as Error).message}` }),
      )
      .finally(() => {
        this.active.delete(orgId);
        if (this.wanted.delete(orgId)) this.kick(orgId);
        this.startWaiting();
      });
    this.active.set(orgId, run);
  }

  /** A run slot freed: the longest-waiting orgs take it at once, not at the next sweep. */
  private startWaiting(): void {
    for (const orgId of this.waiting) {
      if (this.stopping || this.active.size >= this.config.SYNC_CONCURRENCY) return;
      this.waiting.delete(orgId);
      if (!this.active.has(orgId)) this.kick(orgId);
    }
  }

  private async runOrg(orgId: string): Promise<void> {
    const ttl = this.config.SYNC_LEASE_MS;
    const lease = await this.leases.acquire(orgId, this.instanceId, this.clock.now(), ttl);
    if (!lease) return; // another instance holds it; its loop picks our requests up too
    let lost = false;
    const renew = setInterval(() => {
      void this.leases.renew(lease, this.clock.now(), ttl).then(
        (ok) => {
          if (!ok) lost = true;
        },
        () => undefined,
      );
    }, renewEveryMs(ttl));
    // The renew timer keeps lease.expiresAt current (and flags a failed renew), so the
    // fence check before every publish needs no database read.
    const stillHeld = async () =>
      leaseStillHeld({ lost, expiresAt: lease.expiresAt }, this.clock.now());
    try {
      await this.reportAbandoned(orgId, lease);
      while (!this.stopping && !lost) {
        // Every request queued now is satisfied by the run that starts now.
        const claimed = await this.inbox.claimQueued(orgId, this.clock.now(), {
          holder: lease.holder,
          fence: lease.fence,
        });
        if (claimed.length === 0) break;
        await this.runClaimed(orgId, lease, claimed, stillHeld);
      }
    } finally {
      clearInterval(renew);
      if (!lost) await this.leases.release(lease);
    }
  }

  private async runClaimed(
    orgId: string,
    lease: HeldLease,
    claimed: SyncRequestDoc[],
    stillHeld: () => Promise<boolean>,
  ): Promise<void> {
    const requestIds = claimed.map((r) => r._id);
    const claim = { holder: lease.holder, fence: lease.fence };
    const trigger = runTrigger(claimed);
    const parts = partsToRun(claimed);
    const gate = gateConnection(await this.connections.get(orgId));
    if (!gate.run) {
      if (gate.scheduleSkip)
        await this.connections.recordScheduleSkip(orgId, gate.scheduleSkip, this.clock.now());
      return this.inbox.finish(requestIds, 'skipped', gate.note, [], this.clock.now(), claim);
    }
    const { connection } = gate;
    const runStartedAt = this.clock.now();
    const syncIds: string[] = [];
    const partNotes = new Map<RunPart, string | null>();
    /** The note of the part whose failure stopped the run (stopsTheRun). */
    let haltedBy: string | null = null;
    let runLostLease = false;
    const stop = new RunStopSignal();
    if (this.stopping) stop.stop('shutdown', 'the collector is shutting down');
    this.stops.set(orgId, stop);
    const unwatch = this.watchConnection(connection, stop);
    try {
      for (const kind of runOrder(parts)) {
        if (!(await stillHeld()) || stop.requested) continue;
        const syncId = `${syncIdPrefix(kind)}-${randomUUID()}`;
        syncIds.push(syncId);
        await this.runs.start({
          _id: syncId,
          orgId,
          kind,
          requestIds,
          trigger,
          holder: lease.holder,
          fence: lease.fence,
          connectionGeneration: connection.generation,
          startedAt: this.clock.now(),
        });
        const ctx = {
          orgId,
          syncId,
          requestIds,
          trigger,
          requestedFull: claimed.some((request) => request.mode === 'full'),
          connection,
          collectorInstance: this.instanceId,
          fence: lease.fence,
          leaseStillHeld: stillHeld,
          stop,
        };
        const runner = kind === 'identity' ? this.identity : this.systemLog;
        const outcome = await runner.run(ctx);
        const note = failureNote(kind, outcome);
        partNotes.set(kind, note);
        if (outcome.state === 'failed' && outcome.reason === 'lease_lost') runLostLease = true;
        if (stopsTheRun(outcome)) {
          haltedBy = note;
          break;
        }
      }
      const stopped = stop.requested;
      if (stopped?.reason === 'shutdown') {
        // Not failed, not done: another instance (or the next start) runs them again.
        const note = `queued again: ${stopped.message}`;
        return await this.inbox.requeue(requestIds, note, this.clock.now(), claim);
      }
      // A part that lost the lease (renewals failed past its expiry) counts even if a later
      // renewal got it back: its requests must run again, not end failed.
      const leaseLost = runLostLease || !(await stillHeld());
      const stopNote = stopped ? `${stopped.reason}: ${stopped.message}` : haltedBy;
      const groups = requestResults(claimed, partNotes, stopNote, leaseLost);
      for (const { requestIds: ids, result, requeue } of groups) {
        // The claim makes either land only if the next holder has not requeued them already.
        if (requeue)
          await this.inbox.requeue(
            ids,
            `queued again: the org's lease was lost (${result.note})`,
            this.clock.now(),
            claim,
          );
        else
          await this.inbox.finish(ids, result.state, result.note, syncIds, this.clock.now(), claim);
      }
      const clean = !leaseLost && groups.every((group) => group.result.satisfiesLateRequests);
      if (clean) {
        // A request that reached us late (requested before this run started, but
        // queued after the claim) is satisfied by it: recorded, not run twice.
        await this.inbox.markSatisfied(
          orgId,
          satisfiedScopes(parts),
          runStartedAt,
          syncIds,
          this.clock.now(),
        );
      }
    } finally {
      unwatch();
      this.stops.delete(orgId);
    }
  }

  /**
   * Stops the run when the connection it uses was deleted or replaced by
   * another instance (checked every SYNC_CANCEL_CHECK_MS). Returns the unwatch.
   */
  private watchConnection(connection: ConnectionDoc, stop: RunStopSignal): () => void {
    let checking = false;
    const timer = setInterval(() => {
      if (checking || stop.requested) return;
      checking = true;
      this.connections
        .replacedSince(connection)
        .then((message) => {
          if (message) stop.stop('cancelled', message);
        })
        .catch((error: unknown) =>
          this.logger.warn({
            orgId: connection._id,
            msg: `connection check failed: ${(error as Error).message}`,
          }),
        )
        .finally(() => {
          checking = false;
        });
    }, this.config.SYNC_CANCEL_CHECK_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * A run left "running" under an older fence belonged to a dead holder:
   * report it abandoned. Then every request of the org still marked running
   * (its run's, or one claimed just before a crash) is queued again, so the
   * interrupted request completes without anyone asking again.
   */
  private async reportAbandoned(orgId: string, lease: HeldLease): Promise<void> {
    for (const orphan of await this.runs.findOrphans(orgId, lease.fence)) {
      const message = abandonedMessage(orphan.holder);
      await this.abandoned.publish(orphan, this.clock.now(), message, lease.fence);
      await this.runs.finish(orphan._id, 'abandoned', this.clock.now(), {
        reason: 'abandoned',
        message,
      });
      this.logger.warn({ orgId, syncId: orphan._id, msg: 'reported abandoned run' });
    }
    const { requeued, failed } = await this.inbox.requeueInterrupted(
      orgId,
      this.config.SYNC_MAX_INTERRUPTIONS,
      this.clock.now(),
    );
    if (requeued || failed)
      this.logger.warn({
        orgId,
        requeued,
        failed,
        msg: 'requests of an abandoned run queued again (failed after SYNC_MAX_INTERRUPTIONS)',
      });
  }
}
