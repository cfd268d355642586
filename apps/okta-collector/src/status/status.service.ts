import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ConnectionsService } from '../connections/connections.service';
import { CLOCK, Clock } from '../platform/clock';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import {
  nextFullIdentitySync,
  nextIdentitySlot,
  nextSystemLogSlot,
} from '../schedules/schedule-slots';
import { SyncRequestsRepository } from '../sync-requests/sync-requests.repository';
import { SyncRunDoc } from '../sync-runs/sync-run.types';
import { SyncRunsRepository } from '../sync-runs/sync-runs.repository';
import { SyncRunsService } from '../sync-runs/sync-runs.service';
import { withLiveness } from '../sync-runs/run-decisions';

const runView = (run: SyncRunDoc | null) =>
  run && {
    syncId: run._id,
    state: run.state,
    trigger: run.trigger,
    ...(run.kind === 'identity'
      ? {
          mode: run.mode ?? 'full',
          fullReason: run.fullReason ?? null,
          baseSyncId: run.baseSyncId ?? null,
        }
      : {}),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    phase: run.phase,
    progress: run.progress,
    outcome: run.outcome,
  };

/** ★ GET /v1/orgs/:orgId/okta/status — never carries the token. */
@Injectable()
export class StatusService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly connections: ConnectionsService,
    private readonly runs: SyncRunsRepository,
    private readonly liveness: SyncRunsService,
    private readonly inbox: SyncRequestsRepository,
  ) {}

  async status(orgId: string) {
    const connection = await this.connections.getWithoutToken(orgId);
    if (!connection)
      throw new NotFoundException({
        statusCode: 404,
        code: 'no_connection',
        message: `org ${orgId} has no Okta connection`,
      });
    const now = this.clock.now();
    const [identityStored, identityOk, logStored, logOk, queued, lastFull] = await Promise.all([
      this.runs.latest(orgId, 'identity'),
      this.runs.lastFinished(orgId, 'identity', 'completed'),
      this.runs.latest(orgId, 'system-log'),
      this.runs.lastFinished(orgId, 'system-log', 'completed'),
      this.inbox.countQueued(orgId),
      this.runs.lastCompletedFull(orgId),
    ]);
    const shown = async (run: SyncRunDoc | null) =>
      withLiveness(run, run?.state === 'running' ? await this.liveness.isLive(run) : true);
    const [identityLatest, logLatest] = await Promise.all([
      shown(identityStored),
      shown(logStored),
    ]);
    const lastError =
      [identityLatest, logLatest]
        .filter(
          (run): run is SyncRunDoc =>
            !!run && (run.state === 'failed' || run.state === 'abandoned'),
        )
        .map((run) => ({
          syncId: run._id,
          kind: run.kind,
          at: run.finishedAt,
          ...(run.outcome ?? {}),
        }))[0] ?? null;
    const connected = connection.state === 'connected';
    return {
      orgId,
      connection: {
        state: connection.state,
        stateReason: connection.stateReason,
        domain: new URL(connection.baseUrl).host,
        tokenOwner: connection.tokenOwner,
        roles: connection.roles,
        readOnly: connection.readOnly,
        warnings: connection.warnings,
        savedAt: connection.savedAt,
        lastTestedAt: connection.lastTestedAt,
        tokenLastUsedAt: connection.tokenLastUsedAt,
        /** The encryption key id that seals the stored token (rotation: should be the first key). */
        tokenKeyId: connection.token.keyId,
        lastScheduleSkip: connection.lastScheduleSkip,
      },
      identity: {
        running: identityLatest?.state === 'running' ? runView(identityLatest) : null,
        last: identityLatest?.state === 'running' ? null : runView(identityLatest),
        lastSuccessfulAt: identityOk?.finishedAt ?? null,
        nextScheduledAt: connected ? nextIdentitySlot(now) : null,
        /** When the next identity sync that reads everything is due (incremental ones run in between). */
        nextFullSyncDueAt: !connected
          ? null
          : this.config.IDENTITY_SYNC_MODE === 'full'
            ? nextIdentitySlot(now)
            : nextFullIdentitySync(
                now,
                this.config.IDENTITY_FULL_SYNC_HOURS_UTC,
                lastFull?.startedAt ?? null,
                this.config.IDENTITY_FULL_SYNC_MAX_AGE_HOURS,
              ),
      },
      systemLog: {
        running: logLatest?.state === 'running' ? runView(logLatest) : null,
        last: logLatest?.state === 'running' ? null : runView(logLatest),
        lastSuccessfulAt: logOk?.finishedAt ?? null,
        nextScheduledAt: connected ? nextSystemLogSlot(now) : null,
      },
      queuedRequests: queued,
      lastError,
    };
  }
}
