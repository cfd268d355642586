import { MongoClient } from 'mongodb';
import type { RunPart, SyncRequested, SyncScope } from '@regentra/contracts';
import { isolation, services } from '../../../../test/support/test-env';
import { satisfiedScopes } from '../sync-runs/run-decisions';
import { SyncRequestsRepository } from './sync-requests.repository';

/**
 * A request queued while a run of its org was going on (a late request) is
 * satisfied by that run when the run was clean, covered its scope and started
 * no earlier than the request was made; otherwise it waits for its own run.
 * The inbox decides this in one conditional write (`markSatisfied`), here
 * against the real database, with the scopes the coordinator passes
 * (`satisfiedScopes` of the parts that ran).
 */
describe('what happens to a late request', () => {
  const iso = isolation('late');
  let mongo: MongoClient;
  let inbox: SyncRequestsRepository;
  const runStartedAt = new Date('2031-01-01T10:00:00Z');
  const now = new Date('2031-01-01T10:30:00Z');
  const both = new Set<RunPart>(['identity', 'system-log']);
  const identity = new Set<RunPart>(['identity']);

  /** Enqueues one request of its own org and returns the org. */
  async function queued(orgId: string, scope: SyncScope, requestedAt: Date): Promise<string> {
    const command: SyncRequested = {
      eventId: `event-${orgId}`,
      type: 'SyncRequested',
      schemaVersion: 2,
      orgId,
      occurredAt: requestedAt.toISOString(),
      payload: {
        scope,
        requestId: `r-${orgId}`,
        requestedAt: requestedAt.toISOString(),
        requestedBy: 'api:test',
        mode: 'auto',
      },
    };
    expect(await inbox.enqueue(command, requestedAt)).toBe(true);
    return orgId;
  }

  /** Whether the clean run of `parts` that started at runStartedAt satisfied the org's request. */
  async function satisfiedBy(orgId: string, parts: Set<RunPart>): Promise<boolean> {
    await inbox.markSatisfied(orgId, satisfiedScopes(parts), runStartedAt, ['sync-1'], now);
    const request = await inbox.findById(`r-${orgId}`);
    if (!request) throw new Error(`request of ${orgId} missing`);
    return request.state === 'satisfied';
  }

  beforeAll(async () => {
    mongo = await new MongoClient(services().mongoUri).connect();
    inbox = new SyncRequestsRepository(mongo.db(iso.collectorDb));
    await inbox.onModuleInit();
  });
  afterAll(async () => {
    await mongo.db(iso.collectorDb).dropDatabase();
    await mongo.close();
  });

  it('given a request made before the run started, then it is satisfied, not run twice', async () => {
    const late = await queued('org-late', 'identity', runStartedAt);
    expect(await satisfiedBy(late, identity)).toBe(true);
    expect(await inbox.findById('r-org-late')).toEqual(
      expect.objectContaining({ pending: [], syncIds: ['sync-1'] }),
    );
  });

  it('given a request made after the run started, then it waits for its own run', async () => {
    const after = await queued('org-after', 'identity', new Date('2031-01-01T10:00:01Z'));
    expect(await satisfiedBy(after, both)).toBe(false);
    expect((await inbox.findById('r-org-after'))?.state).toBe('queued');
  });

  it('given an "all" request after an identity-only run, then it still needs its own run', async () => {
    const all = await queued('org-all', 'all', new Date('2031-01-01T09:00:00Z'));
    expect(await satisfiedBy(all, identity)).toBe(false);
    // and a run of both parts does satisfy it
    expect(await satisfiedBy(all, both)).toBe(true);
  });

  it('given a request that is no longer queued, then it is left as it is', async () => {
    const running = await queued('org-running', 'identity', new Date('2031-01-01T09:00:00Z'));
    const claim = { holder: 'collector-a', fence: 1 };
    expect(await inbox.claimQueued(running, new Date('2031-01-01T09:00:00Z'), claim)).toHaveLength(
      1,
    );
    expect(await satisfiedBy(running, identity)).toBe(false);
    expect((await inbox.findById('r-org-running'))?.state).toBe('running');
  });
});
