import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { topicNames } from '@regentra/contracts';
import type { CollectorConfig } from '../config/collector.config';
import type { ConnectionDoc } from '../connections/connection.types';
import type { ConnectionsService } from '../connections/connections.service';
import { EventPublisher } from '../kafka/event-publisher';
import type { OktaClient, OktaLogPageRequest } from '../okta-client';
import { createCollectorMetrics } from '../platform/metrics';
import { RunStopSignal } from '../sync-runs/run-stop';
import type { SyncRunsRepository } from '../sync-runs/sync-runs.repository';
import type { LogCursorDoc, LogCursorRepository, LogGapToReread } from './log-cursor.repository';
import { SystemLogPollerService } from './system-log-poller.service';

/**
 * A gap the projector reported (docs/topics.md, "System Log gaps"): the next
 * poll reads it again with a bounded query, publishes its events although the
 * collector published them before, names it in the completion, and forgets it
 * only after that completion; then it polls on from the checkpoint.
 */
type Sent = { type: string; seq?: number; payload: Record<string, unknown> };

const NOW = new Date('2026-03-01T12:00:00.000Z');
const GAP: LogGapToReread = {
  pollId: 'poll-1',
  since: '2026-03-01T09:00:00.000Z',
  until: '2026-03-01T10:30:00.000Z',
};
const event = (uuid: string, published: string) => ({
  uuid,
  published,
  eventType: 'user.session.start',
});

it('given a recorded gap, when the next poll runs, then it re-reads the window before polling on', async () => {
  const sent: Sent[] = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (request: { messages: Array<{ value: string }> }) => {
      for (const m of request.messages) sent.push(JSON.parse(m.value) as Sent);
      return [];
    },
  };
  const publisher = new EventPublisher(
    { producer: () => producer } as unknown as Kafka,
    topicNames(),
  );
  const requests: OktaLogPageRequest[] = [];
  const client = {
    fetchLogPage: async (request: OktaLogPageRequest) => {
      requests.push(request);
      if ('since' in request)
        return { events: [event('lost', '2026-03-01T10:00:00.000Z')], nextUrl: null };
      return request.nextUrl.endsWith('b=2')
        ? { events: [], nextUrl: 'https://acme.okta.com/api/v1/logs?b=2' }
        : {
            events: [event('new', '2026-03-01T11:50:00.000Z')],
            nextUrl: 'https://acme.okta.com/api/v1/logs?b=2',
          };
    },
    close: async () => undefined,
  } as unknown as OktaClient;
  const stored: LogCursorDoc = {
    _id: 'org-g',
    nextUrl: 'https://acme.okta.com/api/v1/logs?b=1',
    lastPublished: '2026-03-01T11:00:00.000Z',
    // the lost event was published before: the collector's own dedupe must not drop it
    recentUuids: ['lost'],
    updatedAt: NOW,
    lastFallbackAt: null,
    gaps: [GAP],
  };
  const removed: Array<{ gaps: LogGapToReread[]; afterCompletion: boolean }> = [];
  const cursors = {
    get: async () => stored,
    save: async () => undefined,
    removeGaps: async (_org: string, gaps: LogGapToReread[]) => {
      removed.push({
        gaps,
        afterCompletion: sent.some((s) => s.type === 'SystemLogPollCompleted'),
      });
    },
  } as unknown as LogCursorRepository;
  const connections = {
    openClient: async (_c: ConnectionDoc, onAccepted?: () => void) => {
      onAccepted?.();
      return client;
    },
    touchTokenUsed: async () => undefined,
  } as unknown as ConnectionsService;
  const runs = {
    progress: async () => undefined,
    finish: async () => undefined,
  } as unknown as SyncRunsRepository;
  const config = {
    LOG_EVENT_TYPES: 'evidence',
    LOG_BACKFILL_DAYS: 7,
    LOG_DEDUPE_WINDOW: 1000,
    LOG_FALLBACK_OVERLAP_MINUTES: 15,
  } as CollectorConfig;
  const poller = new SystemLogPollerService(
    config,
    { now: () => NOW },
    createCollectorMetrics(new Registry()),
    publisher,
    connections,
    cursors,
    runs,
  );

  const outcome = await poller.run({
    orgId: 'org-g',
    syncId: 'poll-2',
    requestIds: ['reread:org-g:poll-1'],
    trigger: 'manual',
    requestedFull: false,
    connection: { baseUrl: 'https://acme.okta.com', generation: 1 } as ConnectionDoc,
    fence: 1,
    collectorInstance: 'collector-test',
    leaseStillHeld: async () => true,
    stop: new RunStopSignal(),
  });

  expect(outcome).toEqual({ state: 'completed' });
  expect(requests[0]).toMatchObject({ since: GAP.since, until: GAP.until });
  expect(requests.slice(1)).toEqual([
    { nextUrl: 'https://acme.okta.com/api/v1/logs?b=1' },
    { nextUrl: 'https://acme.okta.com/api/v1/logs?b=2' },
  ]);
  const batches = sent.filter((s) => s.type === 'SystemLogBatch');
  expect(
    batches.map((b) => (b.payload.events as Array<{ uuid: string }>).map((e) => e.uuid)),
  ).toEqual([['lost'], ['new']]);
  const completed = sent.find((s) => s.type === 'SystemLogPollCompleted');
  expect(completed?.seq).toBe(3);
  expect(completed?.payload).toMatchObject({
    rereads: [{ since: GAP.since, until: GAP.until }],
    // from the checkpoint: the newest event before the poll minus the overlap, to the completion
    window: { since: '2026-03-01T10:45:00.000Z', until: NOW.toISOString() },
  });
  expect(removed).toEqual([{ gaps: [GAP], afterCompletion: true }]);
});
