import { MongoClient } from 'mongodb';
import type { SyncRequested } from '@regentra/contracts';
import { isolation, services } from '../../../../test/support/test-env';
import { SyncRequestsRepository } from './sync-requests.repository';

/**
 * A holder that paused past its lease (GC pause, SIGSTOP, a stalled VM)
 * resumes and finishes the requests it claimed; meanwhile the next holder
 * requeued and claimed them again. The stale finish must change nothing: only
 * the claim the requests are held by finishes or requeues them.
 */
describe('request claims', () => {
  const iso = isolation('claims');
  let mongo: MongoClient;
  let inbox: SyncRequestsRepository;
  const now = new Date('2031-01-01T00:00:00Z');
  const command = (requestId: string): SyncRequested => ({
    eventId: `event-${requestId}`,
    type: 'SyncRequested',
    schemaVersion: 2,
    orgId: 'org-claims',
    occurredAt: now.toISOString(),
    payload: {
      scope: 'identity',
      requestId,
      requestedAt: now.toISOString(),
      requestedBy: 'schedule',
      mode: 'auto',
    },
  });

  beforeAll(async () => {
    mongo = await new MongoClient(services().mongoUri).connect();
    inbox = new SyncRequestsRepository(mongo.db(iso.collectorDb));
    await inbox.onModuleInit();
  });
  afterAll(async () => {
    await mongo.db(iso.collectorDb).dropDatabase();
    await mongo.close();
  });

  it('lets only the current claim finish or requeue a request', async () => {
    expect(await inbox.enqueue(command('r-1'), now)).toBe(true);
    const old = { holder: 'collector-a', fence: 1 };
    const next = { holder: 'collector-b', fence: 2 };
    expect((await inbox.claimQueued('org-claims', now, old)).map((r) => r._id)).toEqual(['r-1']);
    // collector-a pauses past its lease; collector-b takes over, requeues and claims it again
    expect(await inbox.requeueInterrupted('org-claims', 3, now)).toEqual({
      requeued: 1,
      failed: 0,
    });
    const claimed = await inbox.claimQueued('org-claims', now, next);
    expect(claimed.map((r) => [r._id, r.claim])).toEqual([['r-1', next]]);
    // collector-a resumes: its finish and requeue land on nothing
    await inbox.finish(['r-1'], 'failed', 'stale', ['sync-a'], now, old);
    await inbox.requeue(['r-1'], 'stale requeue', now, old);
    expect(await inbox.findById('r-1')).toEqual(
      expect.objectContaining({ state: 'running', claim: next, pending: ['identity'] }),
    );
    // collector-b's finish lands
    await inbox.finish(['r-1'], 'done', 'completed', ['sync-b'], now, next);
    expect(await inbox.findById('r-1')).toEqual(
      expect.objectContaining({ state: 'done', note: 'completed', syncIds: ['sync-b'] }),
    );
  });
});
