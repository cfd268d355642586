import { TokenUndecryptableError } from '../connections/token-vault';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CURRENT_SYSTEM_LOG_VERSIONS,
  emptyRecordBytes,
  jsonBytes,
  OktaLogEvent,
  splitBySize,
  SystemLogEvent,
  trimLogEvent,
} from '@regentra/contracts';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { ConnectionsService } from '../connections/connections.service';
import { EventPublisher } from '../kafka/event-publisher';
import {
  OktaApiError,
  OktaBadRequestError,
  OktaClient,
  OktaCredentialsInvalidError,
  OktaLogPageRequest,
  OktaRateLimitedError,
} from '../okta-client';
import { CLOCK, Clock } from '../platform/clock';
import { COLLECTOR_METRICS, CollectorMetrics } from '../platform/metrics';
import {
  LeaseLostError,
  RunContext,
  RunOutcome,
  SyncRunner,
  throwIfStopped,
} from '../sync-runs/run-port';
import { SyncRunsRepository } from '../sync-runs/sync-runs.repository';
import { LogCursorDoc, LogCursorRepository, LogGapToReread } from './log-cursor.repository';
import { eventTypeFilter, EVIDENCE_EVENT_TYPES } from './log-event-types';

type Mode = 'backfill' | 'polling' | 'fallback';
const DAY = 86_400_000;

interface PollStats {
  published: number;
  duplicatesDropped: number;
  oldest: string | null;
  newest: string | null;
  pages: number;
  /** The earliest `since` the poll's queries covered (null: not known). */
  since: string | null;
}

type Emit = (draft: { type: SystemLogEvent['type']; payload: unknown }) => Promise<void>;

function noteSince(stats: PollStats, since: string | null): void {
  if (since && (!stats.since || since < stats.since)) stats.since = since;
}

function noteRange(stats: PollStats, events: OktaLogEvent[]): void {
  for (const event of events) {
    if (!stats.oldest || event.published < stats.oldest) stats.oldest = event.published;
    if (!stats.newest || event.published > stats.newest) stats.newest = event.published;
  }
}

/**
 * Polls the System Log the way Okta recommends: a polling query (no `until`),
 * following and storing the `next` link as the checkpoint until a page comes
 * back empty. Events that become visible late still arrive after the
 * checkpoint. The checkpoint moves only after Kafka acknowledged the batch:
 * a crash may duplicate (consumers drop by uuid), never skip.
 */
@Injectable()
export class SystemLogPollerService implements SyncRunner {
  private readonly logger = new Logger(SystemLogPollerService.name);

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COLLECTOR_METRICS) private readonly metrics: CollectorMetrics,
    private readonly publisher: EventPublisher,
    private readonly connections: ConnectionsService,
    private readonly cursors: LogCursorRepository,
    private readonly runs: SyncRunsRepository,
  ) {}

  async run(ctx: RunContext): Promise<RunOutcome> {
    const { orgId, syncId } = ctx;
    const requestId = ctx.requestIds[0] ?? syncId;
    let tokenAccepted = false;
    let client: OktaClient | null = null;
    let unsubscribeStop = (): void => undefined;
    const stored = await this.usableCursor(ctx);
    const cursor: Omit<LogCursorDoc, '_id'> = stored ?? {
      nextUrl: null,
      lastPublished: null,
      recentUuids: [],
      updatedAt: this.clock.now(),
      lastFallbackAt: null,
    };
    let mode: Mode = cursor.nextUrl ? 'polling' : 'backfill';
    const gaps = cursor.gaps ?? [];
    const stats: PollStats = {
      published: 0,
      duplicatesDropped: 0,
      oldest: null,
      newest: null,
      pages: 0,
      since: null,
    };
    let seq = 0;
    const emit = async (draft: { type: SystemLogEvent['type']; payload: unknown }) => {
      // a run asked to stop publishes nothing but its outcome event
      if (draft.type !== 'SystemLogPollFailed') throwIfStopped(ctx.stop);
      if (!(await ctx.leaseStillHeld())) throw new LeaseLostError(orgId);
      await this.publisher.publish(
        'systemLog',
        [
          {
            schemaVersion: CURRENT_SYSTEM_LOG_VERSIONS[draft.type],
            orgId,
            syncId,
            seq,
            ...draft,
          } as never,
        ],
        { fence: ctx.fence },
      );
      seq += 1;
    };
    try {
      await emit({
        type: 'SystemLogPollStarted',
        payload: { requestId, startedAt: this.clock.now().toISOString(), mode },
      });
      // Inside the bracket: a token no key opens ends in SystemLogPollFailed.
      const opened = await this.connections.openClient(ctx.connection, () => {
        tokenAccepted = true;
      });
      client = opened;
      // A stop closes the client: in-flight calls are aborted and no further call is made.
      unsubscribeStop = ctx.stop.onStop(() => void opened.close());
      // The gaps first, each a bounded query: then the checkpoint moves on (docs/topics.md, "System Log gaps").
      for (const gap of gaps) await this.reread(client, orgId, gap, stats, emit, syncId, () => seq);
      mode = await this.poll(client, orgId, cursor, mode, stats, emit, syncId, () => seq);
      const completedAt = this.clock.now().toISOString();
      await emit({
        type: 'SystemLogPollCompleted',
        payload: {
          requestId,
          completedAt,
          published: stats.published,
          duplicatesDropped: stats.duplicatesDropped,
          oldestPublished: stats.oldest,
          newestPublished: stats.newest,
          mode,
          window: stats.since ? { since: stats.since, until: completedAt } : null,
          rereads: gaps.map((g) => ({ since: g.since, until: g.until })),
        },
      });
      // Only after Kafka acknowledged the completion that names them.
      if (gaps.length > 0) await this.cursors.removeGaps(orgId, gaps);
      const outcome = {
        ...stats,
        mode,
        checkpoint: cursor.nextUrl ? new URL(cursor.nextUrl).search : null,
      };
      await this.runs.finish(syncId, 'completed', this.clock.now(), outcome);
      this.metrics.syncs.inc({ scope: 'system-log', outcome: 'completed' });
      return { state: 'completed' };
    } catch (error) {
      if (error instanceof LeaseLostError)
        return { state: 'failed', reason: 'lease_lost', message: error.message };
      const stopped = ctx.stop.requested;
      const invalid = !stopped && error instanceof OktaCredentialsInvalidError;
      const reason = stopped
        ? stopped.reason
        : invalid
          ? 'credentials_invalid'
          : error instanceof TokenUndecryptableError
            ? 'token_undecryptable'
            : error instanceof OktaRateLimitedError
              ? 'rate_limited'
              : error instanceof OktaApiError
                ? 'okta_unavailable'
                : 'internal';
      const message = stopped
        ? stopped.message
        : invalid
          ? 'Okta rejected the API token (401)'
          : (error as Error).message;
      if (invalid)
        await this.connections.markInvalid(
          orgId,
          ctx.connection.generation,
          'Okta rejected the token during a log poll (401)',
        );
      await emit({
        type: 'SystemLogPollFailed',
        payload: {
          requestId,
          failedAt: this.clock.now().toISOString(),
          reason,
          retryable: stopped
            ? stopped.reason === 'shutdown'
            : !invalid && !(error instanceof TokenUndecryptableError),
          message,
        },
      }).catch(() => undefined);
      await this.runs.finish(syncId, 'failed', this.clock.now(), { reason, message, ...stats });
      this.metrics.syncs.inc({ scope: 'system-log', outcome: 'failed' });
      return { state: 'failed', reason, message };
    } finally {
      unsubscribeStop();
      if (tokenAccepted) await this.connections.touchTokenUsed(orgId, this.clock.now());
      await client?.close();
    }
  }

  /**
   * The stored checkpoint, unless it points at another origin than the
   * connection's (the domain changed and a stale cursor survived): then it is
   * dropped and the poll starts with a backfill of the new domain.
   */
  private async usableCursor(ctx: RunContext): Promise<LogCursorDoc | null> {
    const stored = await this.cursors.get(ctx.orgId);
    if (!stored?.nextUrl) return stored;
    const origin = new URL(ctx.connection.baseUrl).origin;
    if (new URL(stored.nextUrl, origin).origin === origin) return stored;
    this.logger.warn({
      orgId: ctx.orgId,
      msg: 'System Log checkpoint belongs to another Okta domain; starting over with a backfill',
    });
    await this.cursors.remove(ctx.orgId);
    return null;
  }

  /**
   * A page's events as SystemLogBatch lists sized by encoded bytes. An event
   * too large for any record goes out trimmed to the fields the log facts
   * read (with a `regentraTrimmed` marker), so the checkpoint can move past
   * it and nothing disappears silently.
   */
  private batches(
    events: OktaLogEvent[],
    orgId: string,
    syncId: string,
    seq: number,
  ): OktaLogEvent[][] {
    const overheadBytes = emptyRecordBytes({
      type: 'SystemLogBatch',
      schemaVersion: CURRENT_SYSTEM_LOG_VERSIONS.SystemLogBatch,
      orgId,
      syncId,
      seq,
      payload: { events: [] },
    });
    return splitBySize(events, {
      overheadBytes,
      oversized: ({ item, bytes, maxBytes }) => {
        this.logger.warn({
          orgId,
          uuid: item.uuid,
          eventType: item.eventType,
          bytes,
          msg: `System Log event of ${bytes} bytes exceeds the ${maxBytes}-byte record limit; publishing a trimmed copy`,
        });
        const trimmed = trimLogEvent(item, bytes, maxBytes);
        // even the facts too large (a pathological target list): keep what identifies it
        return jsonBytes(trimmed) < maxBytes - overheadBytes - 1
          ? trimmed
          : trimLogEvent(item, bytes, maxBytes, true);
      },
    });
  }

  /** Where a poll that continues from the checkpoint reads from: the newest event before it, minus the overlap. */
  private checkpointSince(cursor: Omit<LogCursorDoc, '_id'>): string | null {
    if (!cursor.lastPublished) return null;
    const overlap = this.config.LOG_FALLBACK_OVERLAP_MINUTES * 60_000;
    return new Date(Date.parse(cursor.lastPublished) - overlap).toISOString();
  }

  /**
   * Reads a gap again with a bounded query (`since`/`until`) and publishes
   * every event in it, the ones the collector published before included (they
   * are what did not arrive; consumers drop by uuid). The checkpoint stays.
   */
  private async reread(
    client: OktaClient,
    orgId: string,
    gap: LogGapToReread,
    stats: PollStats,
    emit: Emit,
    syncId: string,
    seq: () => number,
  ): Promise<void> {
    const filter = eventTypeFilter(
      this.config.LOG_EVENT_TYPES === 'all' ? 'all' : EVIDENCE_EVENT_TYPES,
    );
    const seen = new Set<string>();
    let request: OktaLogPageRequest = { since: gap.since, until: gap.until, filter, limit: 1000 };
    for (;;) {
      const page = await client.fetchLogPage(request);
      stats.pages += 1;
      const fresh = page.events.filter((e) => !seen.has(e.uuid) && seen.add(e.uuid));
      for (const events of this.batches(fresh, orgId, syncId, seq()))
        await emit({ type: 'SystemLogBatch', payload: { events } });
      noteRange(stats, fresh);
      stats.published += fresh.length;
      this.metrics.published.inc({ topic: 'okta.system-log.v1' }, fresh.length);
      if (page.events.length === 0 || !page.nextUrl) return;
      request = { nextUrl: page.nextUrl };
    }
  }

  private firstRequest(cursor: Omit<LogCursorDoc, '_id'>, mode: Mode) {
    const filter = eventTypeFilter(
      this.config.LOG_EVENT_TYPES === 'all' ? 'all' : EVIDENCE_EVENT_TYPES,
    );
    const now = this.clock.now().getTime();
    const oldest = now - 90 * DAY + 60_000;
    let since = now - this.config.LOG_BACKFILL_DAYS * DAY;
    if (mode === 'fallback' && cursor.lastPublished) {
      since =
        new Date(cursor.lastPublished).getTime() -
        this.config.LOG_FALLBACK_OVERLAP_MINUTES * 60_000;
    }
    return { since: new Date(Math.max(since, oldest)).toISOString(), filter, limit: 1000 };
  }

  private async poll(
    client: OktaClient,
    orgId: string,
    cursor: Omit<LogCursorDoc, '_id'>,
    startMode: Mode,
    stats: PollStats,
    emit: Emit,
    syncId: string,
    seq: () => number,
  ): Promise<Mode> {
    let mode = startMode;
    const seen = new Set(cursor.recentUuids);
    let request: { nextUrl: string } | ReturnType<SystemLogPollerService['firstRequest']> =
      cursor.nextUrl ? { nextUrl: cursor.nextUrl } : this.firstRequest(cursor, mode);
    noteSince(stats, 'since' in request ? request.since : this.checkpointSince(cursor));
    for (;;) {
      let page;
      try {
        page = await client.fetchLogPage(request);
      } catch (error) {
        if (error instanceof OktaBadRequestError && 'nextUrl' in request && mode !== 'fallback') {
          // Okta refused the stored checkpoint (expired, or the retention moved past it).
          this.logger.warn({
            orgId,
            msg: 'System Log checkpoint rejected; falling back to a query from the last published time',
          });
          mode = 'fallback';
          cursor.lastFallbackAt = this.clock.now();
          request = this.firstRequest(cursor, mode);
          noteSince(stats, request.since);
          continue;
        }
        throw error;
      }
      stats.pages += 1;
      const fresh: OktaLogEvent[] = [];
      for (const event of page.events) {
        if (seen.has(event.uuid)) {
          stats.duplicatesDropped += 1;
          continue;
        }
        seen.add(event.uuid);
        fresh.push(event);
      }
      for (const events of this.batches(fresh, orgId, syncId, seq())) {
        await emit({ type: 'SystemLogBatch', payload: { events } });
      }
      noteRange(stats, fresh);
      for (const event of fresh) {
        if (!cursor.lastPublished || event.published > cursor.lastPublished)
          cursor.lastPublished = event.published;
        cursor.recentUuids.push(event.uuid);
      }
      stats.published += fresh.length;
      this.metrics.published.inc({ topic: 'okta.system-log.v1' }, fresh.length);
      if (cursor.recentUuids.length > this.config.LOG_DEDUPE_WINDOW) {
        cursor.recentUuids.splice(0, cursor.recentUuids.length - this.config.LOG_DEDUPE_WINDOW);
      }
      if (seen.size > 2 * this.config.LOG_DEDUPE_WINDOW) {
        // keep memory flat on a long backfill: remember the window only
        seen.clear();
        for (const uuid of cursor.recentUuids) seen.add(uuid);
      }
      // Kafka acknowledged this page's events: only now may the checkpoint move.
      if (page.nextUrl) cursor.nextUrl = page.nextUrl;
      cursor.updatedAt = this.clock.now();
      await this.cursors.save(orgId, cursor);
      await this.runs.progress(syncId, mode, { pages: stats.pages, published: stats.published });
      if (page.events.length === 0 || !page.nextUrl) return mode;
      request = { nextUrl: page.nextUrl };
    }
  }
}
