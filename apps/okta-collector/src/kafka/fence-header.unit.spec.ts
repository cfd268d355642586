import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { FENCE_HEADER, OktaUser, topicNames } from '@regentra/contracts';
import type { CollectorConfig } from '../config/collector.config';
import type { ConnectionDoc } from '../connections/connection.types';
import type { ConnectionsService } from '../connections/connections.service';
import { IdentitySyncService } from '../identity-sync/identity-sync.service';
import type { OktaDirectory } from '../identity-sync/okta-directory';
import { SyncEventWriter } from '../identity-sync/sync-event-writer';
import type { OktaClient } from '../okta-client';
import { createCollectorMetrics } from '../platform/metrics';
import { AbandonedRunPublisher } from '../sync-runs/abandoned-run.publisher';
import type { RunContext } from '../sync-runs/run-port';
import type { SyncRunDoc } from '../sync-runs/sync-run.types';
import type { SyncRunsRepository } from '../sync-runs/sync-runs.repository';
import type { LogCursorRepository } from '../system-log/log-cursor.repository';
import { SystemLogPollerService } from '../system-log/system-log-poller.service';
import { EventPublisher } from './event-publisher';
import { RunStopSignal } from '../sync-runs/run-stop';

/**
 * The lease fence travels as the `regentra-fence` header on every record of a
 * sync, through the real EventPublisher (encoding, header, batching) into a
 * producer that keeps what it was given: the identity sync's bracket and
 * pages, the System Log poll's, the outcome events, and the `abandoned`
 * failure a new holder reports with ITS fence. Events outside a sync carry none.
 */

interface SentRecord {
  topic: string;
  key: string;
  type: string;
  syncId?: string;
  headers: Record<string, string>;
}

function recordingPublisher(): { publisher: EventPublisher; sent: SentRecord[] } {
  const sent: SentRecord[] = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (request: {
      topic: string;
      messages: Array<{ key: string; value: string; headers: Record<string, string> }>;
    }) => {
      for (const m of request.messages) {
        const { type, syncId } = JSON.parse(m.value) as { type: string; syncId?: string };
        sent.push({ topic: request.topic, key: m.key, type, syncId, headers: m.headers });
      }
      return [];
    },
  };
  const kafka = { producer: () => producer } as unknown as Kafka;
  return { publisher: new EventPublisher(kafka, topicNames()), sent };
}

const fenceOf = (r: SentRecord) => r.headers[FENCE_HEADER];
const now = () => new Date('2026-03-01T12:00:00.000Z');
const config = {
  OKTA_CONCURRENCY: 2,
  LOG_EVENT_TYPES: 'evidence',
  LOG_BACKFILL_DAYS: 7,
  LOG_DEDUPE_WINDOW: 1000,
  LOG_FALLBACK_OVERLAP_MINUTES: 15,
} as CollectorConfig;
const runs = {
  progress: async () => undefined,
  finish: async () => undefined,
  recent: async () => [],
  lastCompletedFull: async () => null,
  recordMode: async () => undefined,
  startedSince: async () => [],
} as unknown as SyncRunsRepository;

function connectionsOpening(client: () => Promise<unknown>): ConnectionsService {
  return {
    openClient: async (_c: ConnectionDoc, onAccepted?: () => void) => {
      const opened = await client();
      onAccepted?.();
      return opened;
    },
    touchTokenUsed: async () => undefined,
    markInvalid: async () => undefined,
  } as unknown as ConnectionsService;
}

function context(syncId: string, fence: number): RunContext {
  return {
    orgId: 'org-f',
    syncId,
    requestIds: [`req-${syncId}`],
    trigger: 'manual',
    requestedFull: false,
    connection: { baseUrl: 'https://acme.okta.com', generation: 1 } as ConnectionDoc,
    collectorInstance: 'collector-test',
    fence,
    leaseStillHeld: async () => true,
    stop: new RunStopSignal(),
  };
}

async function* pages<T>(...lists: T[][]): AsyncIterable<T[]> {
  for (const list of lists) yield list;
}

const user = (id: string): OktaUser => ({
  id,
  status: 'ACTIVE',
  created: '2025-01-01T00:00:00.000Z',
  lastLogin: null,
  profile: { login: `${id}@x.test`, email: `${id}@x.test` },
});

/** A tiny org: two users, one group with both, one app with both. */
const directory: OktaDirectory & { close(): Promise<void> } = {
  listUsers: () => pages([user('u1')], [user('u2')]),
  listUsersUpdatedSince: () => pages(),
  getUser: async () => null,
  listLogEventsSince: () => pages(),
  listById: async () => [],
  listRoleAssigneeUsers: () => pages<string>([]),
  listGroups: () => pages([{ id: '00g1', type: 'OKTA_GROUP', profile: { name: 'g' } }]),
  listGroupMembers: () => pages([user('u1'), user('u2')]),
  listGroupRoles: async () => [],
  listApps: () => pages([{ id: '0oa1', name: 'app', label: 'App', status: 'ACTIVE' }]),
  listAppUsers: () => pages([{ id: 'u1', scope: 'USER' as const, status: 'ACTIVE' }]),
  listAppGroups: () => pages([]),
  close: async () => undefined,
};

describe('the regentra-fence header on every record of a sync', () => {
  it('identity sync: Started, every page, progress and Completed carry the run fence', async () => {
    const { publisher, sent } = recordingPublisher();
    const metrics = createCollectorMetrics(new Registry());
    const service = new IdentitySyncService(
      config,
      { now },
      metrics,
      publisher,
      connectionsOpening(async () => directory),
      runs,
    );
    expect(await service.run(context('sync-ok', 7))).toEqual({ state: 'completed' });

    expect(sent.length).toBeGreaterThan(5);
    expect(sent[0]?.type).toBe('IdentitySyncStarted');
    expect(sent.at(-1)?.type).toBe('IdentitySyncCompleted');
    const types = sent.map((r) => r.type);
    for (const type of [
      'UsersPage',
      'GroupsPage',
      'GroupMembers',
      'AppsPage',
      'AppUserAssignments',
    ])
      expect(types).toContain(type);
    for (const record of sent) {
      expect(record).toMatchObject({ topic: 'okta.identity.v1', key: 'org-f', syncId: 'sync-ok' });
      expect(fenceOf(record)).toBe('7');
      expect(record.headers['event-type']).toBe(record.type); // the codec's headers stay
    }
  });

  it('identity sync that fails: its IdentitySyncFailed carries the fence too', async () => {
    const { publisher, sent } = recordingPublisher();
    const service = new IdentitySyncService(
      config,
      { now },
      createCollectorMetrics(new Registry()),
      publisher,
      connectionsOpening(async () => {
        throw new Error('boom');
      }),
      runs,
    );
    expect(await service.run(context('sync-bad', 12))).toMatchObject({ state: 'failed' });
    expect(sent.map((r) => [r.type, fenceOf(r)])).toEqual([
      ['IdentitySyncStarted', '12'],
      ['IdentitySyncFailed', '12'],
    ]);
  });

  it('SyncEventWriter: split lists go out one record per part, each with the fence', async () => {
    const { publisher, sent } = recordingPublisher();
    const writer = new SyncEventWriter(
      publisher,
      'org-f',
      'sync-w',
      3,
      async () => true,
      new RunStopSignal(),
    );
    const big = Array.from({ length: 400 }, (_, i) => ({
      ...user(`u${i}`),
      profile: { login: `u${i}@x.test`, custom: 'x'.repeat(3000) },
    }));
    const parts = await writer.emitSplit(
      'UsersPage',
      big,
      (users) => ({ users }),
      () => {
        throw new Error('no user is that large');
      },
    );
    expect(parts).toBeGreaterThan(1);
    expect(sent).toHaveLength(parts);
    expect(sent.map(fenceOf)).toEqual(sent.map(() => '3'));
  });

  it('System Log poll: Started, every batch and Completed carry the run fence', async () => {
    const { publisher, sent } = recordingPublisher();
    const event = (uuid: string) => ({
      uuid,
      published: '2026-03-01T11:00:00.000Z',
      eventType: 'user.session.start',
    });
    let calls = 0;
    const client = {
      fetchLogPage: async () =>
        calls++ === 0
          ? { events: [event('e1'), event('e2')], nextUrl: 'https://acme.okta.com/api/v1/logs?a=1' }
          : { events: [], nextUrl: 'https://acme.okta.com/api/v1/logs?a=1' },
      close: async () => undefined,
    } as unknown as OktaClient;
    const cursors = {
      get: async () => null,
      save: async () => undefined,
    } as unknown as LogCursorRepository;
    const poller = new SystemLogPollerService(
      config,
      { now },
      createCollectorMetrics(new Registry()),
      publisher,
      connectionsOpening(async () => client),
      cursors,
      runs,
    );
    expect(await poller.run(context('poll-1', 9))).toEqual({ state: 'completed' });
    expect(sent.map((r) => [r.topic, r.type, fenceOf(r)])).toEqual([
      ['okta.system-log.v1', 'SystemLogPollStarted', '9'],
      ['okta.system-log.v1', 'SystemLogBatch', '9'],
      ['okta.system-log.v1', 'SystemLogPollCompleted', '9'],
    ]);
  });

  it.each([
    ['identity', 'okta.identity.v1', 'IdentitySyncFailed'],
    ['system-log', 'okta.system-log.v1', 'SystemLogPollFailed'],
  ] as const)(
    'abandoned %s run: the new holder reports it with its own fence, not the dead one',
    async (kind, topic, type) => {
      const { publisher, sent } = recordingPublisher();
      const orphan = {
        _id: 'sync-dead',
        orgId: 'org-f',
        kind,
        requestIds: ['req-dead'],
        holder: 'collector-dead',
        fence: 5,
      } as SyncRunDoc;
      await new AbandonedRunPublisher(publisher).publish(orphan, now(), 'holder died', 6);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ topic, type, syncId: 'sync-dead' });
      expect(fenceOf(sent[0] as SentRecord)).toBe('6');
    },
  );

  it('events outside a sync carry no fence', async () => {
    const { publisher, sent } = recordingPublisher();
    await publisher.publish('identity', [
      {
        type: 'ConnectionStateChanged',
        schemaVersion: 1,
        orgId: 'org-f',
        payload: { state: 'connected', changedAt: now().toISOString() },
      },
    ]);
    await publisher.publish('commands', [
      {
        type: 'SyncRequested',
        schemaVersion: 2,
        orgId: 'org-f',
        payload: {
          scope: 'identity',
          requestId: 'r1',
          requestedAt: now().toISOString(),
          requestedBy: 'test',
          mode: 'auto',
        },
      },
    ]);
    expect(sent).toHaveLength(2);
    for (const record of sent) expect(record.headers).not.toHaveProperty(FENCE_HEADER);
  });
});
