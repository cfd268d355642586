import { TokenUndecryptableError } from '../connections/token-vault';
import type { OktaClient } from '../okta-client';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { FailureReason, SyncProvenance } from '@regentra/contracts';
import { codeVersion } from '@regentra/http-api';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { ConnectionsService, domainOf } from '../connections/connections.service';
import { EventPublisher } from '../kafka/event-publisher';
import {
  OktaApiError,
  OktaCredentialsInvalidError,
  OktaForbiddenError,
  OktaRateLimitedError,
} from '../okta-client';
import { CLOCK, Clock } from '../platform/clock';
import { COLLECTOR_METRICS, CollectorMetrics } from '../platform/metrics';
import { LeaseLostError, RunContext, RunOutcome, SyncRunner } from '../sync-runs/run-port';
import { SyncRunsRepository } from '../sync-runs/sync-runs.repository';
import { DatasetCounts, perDataset } from './datasets';
import { IdentitySyncRunner } from './identity-sync.runner';
import { SyncAbortedError } from './read-failures';
import { decideMode, ModeDecision, PastRun } from './sync-mode';
import { SyncEventWriter } from './sync-event-writer';

function classify(error: unknown): {
  reason: FailureReason;
  retryable: boolean;
  message: string;
  oktaRequestId?: string;
} {
  const base = error instanceof SyncAbortedError ? error.failure : error;
  const message = error instanceof Error ? error.message : String(error);
  const oktaRequestId = base instanceof OktaApiError ? base.oktaRequestId : undefined;
  const withId = oktaRequestId ? { oktaRequestId } : {};
  if (base instanceof TokenUndecryptableError)
    return { reason: 'token_undecryptable', retryable: false, message };
  if (base instanceof OktaCredentialsInvalidError)
    return {
      reason: 'credentials_invalid',
      retryable: false,
      message: 'Okta rejected the API token (401)',
      ...withId,
    };
  if (base instanceof OktaForbiddenError)
    return { reason: 'forbidden', retryable: false, message, ...withId };
  if (base instanceof OktaRateLimitedError)
    return { reason: 'rate_limited', retryable: true, message, ...withId };
  if (base instanceof OktaApiError)
    return { reason: 'okta_unavailable', retryable: true, message, ...withId };
  return { reason: 'internal', retryable: true, message };
}

/** Where this sync's data comes from (docs/read-models.md, Provenance); never the token. */
export function provenanceOf(ctx: RunContext): SyncProvenance {
  const { connection } = ctx;
  return {
    oktaDomain: domainOf(connection),
    apiHost: new URL(connection.baseUrl).host,
    oktaOrgId: connection.oktaOrgId ?? null,
    tokenOwnerId: connection.tokenOwner?.id ?? null,
    oauthClientId: null,
    collectorInstance: ctx.collectorInstance,
    collectorVersion: codeVersion(),
  };
}

function sum(perDataset: DatasetCounts): number {
  return Object.values(perDataset).reduce((a, b) => a + b, 0);
}

/**
 * One identity sync of one org: Started, the streamed pages, then exactly one
 * of Completed (counts, coverage) or Failed (reason). A lost lease stops the
 * run silently: the new holder reports this sync as abandoned.
 */
@Injectable()
export class IdentitySyncService implements SyncRunner {
  private readonly logger = new Logger(IdentitySyncService.name);

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COLLECTOR_METRICS) private readonly metrics: CollectorMetrics,
    private readonly publisher: EventPublisher,
    private readonly connections: ConnectionsService,
    private readonly runs: SyncRunsRepository,
  ) {}

  async run(ctx: RunContext): Promise<RunOutcome> {
    const { orgId, syncId } = ctx;
    const writer = new SyncEventWriter(
      this.publisher,
      orgId,
      syncId,
      ctx.fence,
      ctx.leaseStillHeld,
      ctx.stop,
      (n) => this.metrics.published.inc({ topic: 'okta.identity.v1' }, n),
    );
    const baseUrl = new URL(ctx.connection.baseUrl);
    let tokenAccepted = false;
    let client: OktaClient | null = null;
    let unsubscribeStop = (): void => undefined;
    const requestId = ctx.requestIds[0] ?? syncId;
    this.metrics.runningSyncs.inc();
    let decision: ModeDecision | null = null;
    try {
      decision = await this.decideMode(ctx);
      await this.runs.recordMode(syncId, decision.mode, {
        fullReason: decision.mode === 'full' ? decision.reason : null,
        baseSyncId: decision.mode === 'incremental' ? decision.basis.baseSyncId : null,
      });
      const basis = decision.mode === 'incremental' ? decision.basis : null;
      await writer.emit('IdentitySyncStarted', {
        requestId,
        trigger: ctx.trigger,
        startedAt: this.clock.now().toISOString(),
        oktaDomain: baseUrl.host,
        mode: decision.mode,
        fullReason: decision.mode === 'full' ? decision.reason : null,
        basis,
        provenance: provenanceOf(ctx),
      });
      // Inside the bracket: a token no key opens ends in IdentitySyncFailed, not a silent throw.
      const opened = await this.connections.openClient(ctx.connection, () => {
        tokenAccepted = true;
      });
      client = opened;
      // A stop closes the client: in-flight calls are aborted and no further call is made.
      unsubscribeStop = ctx.stop.onStop(() => void opened.close());
      const runner = new IdentitySyncRunner(
        client,
        writer,
        async (phase, done) => {
          await this.runs.progress(syncId, phase, done);
          await writer.emit('IdentitySyncProgress', { phase, done });
        },
        this.config.OKTA_CONCURRENCY,
        decision.mode === 'incremental'
          ? {
              changedSince: decision.basis.changedSince,
              baseRoleHolders: decision.baseRoleHolders,
              unread: decision.reread,
            }
          : null,
      );
      const result = await runner.run();
      await writer.emit('IdentitySyncCompleted', {
        requestId,
        completedAt: this.clock.now().toISOString(),
        counts: result.counts,
        coverage: result.coverage,
        lastSeq: writer.lastSeq,
        mode: decision.mode,
        basis,
        reads: result.reads,
        provenance: provenanceOf(ctx),
      });
      await this.runs.finish(syncId, 'completed', this.clock.now(), {
        ...result,
        mode: decision.mode,
        basis,
      });
      this.metrics.syncs.inc({ scope: 'identity', outcome: 'completed' });
      this.logger.log({
        orgId,
        syncId,
        mode: decision.mode,
        counts: result.counts,
        rereadUnread: sum(result.rereadUnread),
        unread: sum(perDataset((key) => result.unread[key].length)),
        msg: 'identity sync completed',
      });
      return { state: 'completed' };
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.logger.warn({ orgId, syncId, msg: error.message });
        return { state: 'failed', reason: 'lease_lost', message: error.message };
      }
      const stopped = ctx.stop.requested;
      const failure = stopped
        ? {
            reason: stopped.reason,
            retryable: stopped.reason === 'shutdown',
            message: stopped.message,
          }
        : classify(error);
      this.logger.warn({
        orgId,
        syncId,
        reason: failure.reason,
        msg: `identity sync failed: ${failure.message}`,
      });
      if (failure.reason === 'credentials_invalid') {
        await this.connections.markInvalid(
          orgId,
          ctx.connection.generation,
          'Okta rejected the token during a sync (401)',
        );
      }
      try {
        await writer.emit('IdentitySyncFailed', {
          requestId,
          failedAt: this.clock.now().toISOString(),
          ...failure,
        });
      } catch (publishError) {
        // Could not report it: the run stays "running" and the next lease holder reports it abandoned.
        this.logger.error({
          orgId,
          syncId,
          msg: `could not publish IdentitySyncFailed: ${(publishError as Error).message}`,
        });
        return { state: 'failed', reason: failure.reason, message: failure.message };
      }
      await this.runs.finish(syncId, 'failed', this.clock.now(), {
        reason: failure.reason,
        message: failure.message,
        mode: decision?.mode ?? null,
      });
      this.metrics.syncs.inc({ scope: 'identity', outcome: 'failed' });
      return { state: 'failed', reason: failure.reason, message: failure.message };
    } finally {
      unsubscribeStop();
      this.metrics.runningSyncs.dec();
      if (tokenAccepted) await this.connections.touchTokenUsed(orgId, this.clock.now());
      await client?.close();
    }
  }

  /** Full or incremental (sync-mode.ts), from the org's run history. */
  private async decideMode(ctx: RunContext): Promise<ModeDecision> {
    const identityRuns = (await this.runs.recent(
      ctx.orgId,
      'identity',
      ctx.syncId,
      1,
    )) as PastRun[];
    const lastFull = await this.runs.lastCompletedFull(ctx.orgId);
    const base = identityRuns[0];
    const logRunsSinceBase = base
      ? ((await this.runs.startedSince(ctx.orgId, 'system-log', base.startedAt)) as PastRun[])
      : [];
    const decision = decideMode({
      now: this.clock.now(),
      configured: this.config.IDENTITY_SYNC_MODE,
      requestedFull: ctx.requestedFull,
      trigger: ctx.trigger,
      fullSyncHoursUtc: this.config.IDENTITY_FULL_SYNC_HOURS_UTC,
      connectionGeneration: ctx.connection.generation,
      identityRuns,
      lastFullAt: lastFull?.startedAt ?? null,
      logRunsSinceBase,
      overlapMinutes: this.config.INCREMENTAL_OVERLAP_MINUTES,
      maxFullAgeHours: this.config.IDENTITY_FULL_SYNC_MAX_AGE_HOURS,
    });
    this.logger.log({
      orgId: ctx.orgId,
      syncId: ctx.syncId,
      mode: decision.mode,
      ...(decision.mode === 'full'
        ? { fullReason: decision.reason }
        : { baseSyncId: decision.basis.baseSyncId, rereadUnread: decision.rereadCount }),
      msg: 'identity sync mode decided',
    });
    return decision;
  }
}
