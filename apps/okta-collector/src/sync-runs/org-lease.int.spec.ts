import { MongoClient } from 'mongodb';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { ORG_LEASES_COLLECTION, OrgLeaseDoc, OrgLeaseRepository } from './org-lease.repository';

/**
 * The lease against the real database, with one instance's clock 60 s ahead:
 * it must not take over a lease that is being renewed, and takes it over only
 * once renewals stopped for a whole ttl by the database's clock.
 */
describe('org lease with skewed instance clocks', () => {
  const iso = isolation('lease');
  let mongo: MongoClient;
  let leases: OrgLeaseRepository;
  const ttl = 2_000;
  const ahead = () => new Date(Date.now() + 60_000);
  const behind = () => new Date(Date.now() - 60_000);

  beforeAll(async () => {
    mongo = await new MongoClient(services().mongoUri).connect();
    leases = new OrgLeaseRepository(mongo.db(iso.collectorDb));
  });
  afterAll(() => mongo.close());

  it('a taker 60 s ahead cannot take a renewed lease; it takes it once renewals stop', async () => {
    const held = await leases.acquire('org-1', 'collector-a', behind(), ttl);
    expect(held).not.toBeNull();
    // A renews (its clock 60 s behind) while B, 60 s ahead, keeps trying for 2 ttl.
    const until = Date.now() + 2 * ttl;
    while (Date.now() < until) {
      expect(await leases.renew(held!, behind(), ttl)).toBe(true);
      expect(await leases.acquire('org-1', 'collector-b', ahead(), ttl)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, ttl / 4));
    }
    // A stops renewing (crashed): B takes over after a ttl, with a higher fence.
    const taken = await eventually(
      () => leases.acquire('org-1', 'collector-b', ahead(), ttl).then((l) => l ?? undefined),
      'take-over after renewals stopped',
      10 * ttl,
      100,
    );
    expect(taken.fence).toBeGreaterThan(held!.fence);
    // A's next renew fails: it must stop publishing.
    expect(await leases.renew(held!, behind(), ttl)).toBe(false);
  });

  it('a holder whose clock runs 60 s ahead keeps its lease against a correct taker', async () => {
    const held = await leases.acquire('org-2', 'collector-b', ahead(), ttl);
    expect(held).not.toBeNull();
    for (let i = 0; i < 4; i += 1) {
      expect(await leases.renew(held!, ahead(), ttl)).toBe(true);
      expect(await leases.acquire('org-2', 'collector-a', new Date(), ttl)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, ttl / 4));
    }
  });

  it('names the live holders of many orgs in one read, and drops one that stopped renewing', async () => {
    const a = await leases.acquire('org-3', 'collector-a', new Date(), ttl);
    const b = await leases.acquire('org-4', 'collector-b', new Date(), ttl);
    expect(a && b).toBeTruthy();
    const both = await leases.liveHolders(ttl);
    expect(both.get('org-3')).toEqual({ holder: 'collector-a', fence: a!.fence });
    expect(both.get('org-4')).toEqual({ holder: 'collector-b', fence: b!.fence });
    // b stops renewing; a keeps on: after a ttl only a is live.
    const lapsed = await eventually(
      async () => {
        expect(await leases.renew(a!, new Date(), ttl)).toBe(true);
        const live = await leases.liveHolders(ttl);
        return live.has('org-4') ? undefined : live;
      },
      'org-4 lapsed',
      10 * ttl,
      ttl / 4,
    );
    expect(lapsed.get('org-3')).toEqual({ holder: 'collector-a', fence: a!.fence });
  });
});

/**
 * Which leases `acquire` takes over, by the database's clock: its filter is
 * the only statement of the rule. Leases are written as a holder left them,
 * relative to the database's time, and a taker tries for each.
 */
describe('which org leases can be taken over', () => {
  const iso = isolation('takeover');
  let mongo: MongoClient;
  let leases: OrgLeaseRepository;
  const ttl = 60_000;

  /** A lease as `holder` left it, renewed `agoMs` before the database's now. */
  async function leftBy(orgId: string, holder: string | null, agoMs: number): Promise<void> {
    const renewedAt = new Date((await leases.databaseNow()).getTime() - agoMs);
    await mongo
      .db(iso.collectorDb)
      .collection<OrgLeaseDoc>(ORG_LEASES_COLLECTION)
      .insertOne({ _id: orgId, holder, fence: 1, renewedAt, acquiredAt: renewedAt });
  }

  /** Whether another instance (its own clock `skewMs` off) takes the lease over. */
  async function takenOver(orgId: string, skewMs = 0): Promise<boolean> {
    const taken = await leases.acquire(orgId, 'collector-b', new Date(Date.now() + skewMs), ttl);
    if (taken) expect(taken.fence).toBe(2);
    return taken !== null;
  }

  beforeAll(async () => {
    mongo = await new MongoClient(services().mongoUri).connect();
    leases = new OrgLeaseRepository(mongo.db(iso.collectorDb));
  });
  afterAll(async () => {
    await mongo.db(iso.collectorDb).dropDatabase();
    await mongo.close();
  });

  it('given a released lease, then another instance may take it', async () => {
    await leftBy('org-released', null, 0);
    expect(await takenOver('org-released')).toBe(true);
  });

  it('given a holder that has not renewed for a whole ttl (database clock), then it is taken over', async () => {
    await leftBy('org-lapsed', 'collector-a', ttl);
    expect(await takenOver('org-lapsed')).toBe(true);
  });

  it('given a holder that renewed within the ttl, then nobody else takes it', async () => {
    // 10 s inside the ttl: the test has that long before the lease would lapse
    await leftBy('org-renewed', 'collector-a', ttl - 10_000);
    expect(await takenOver('org-renewed')).toBe(false);
  });

  it('given a taker whose own clock runs 60 s ahead, then nothing changes: only database times are compared', async () => {
    await leftBy('org-skewed', 'collector-a', 30_000); // renewed 30 s ago by the database's clock
    expect(await takenOver('org-skewed', 60_000)).toBe(false);
  });

  it('given a lease written before renewedAt existed, then its expiry decides', async () => {
    const expiresAt = new Date((await leases.databaseNow()).getTime() - ttl);
    await mongo
      .db(iso.collectorDb)
      .collection(ORG_LEASES_COLLECTION)
      .insertOne({ _id: 'org-legacy' as never, holder: 'collector-a', fence: 1, expiresAt });
    expect(await takenOver('org-legacy')).toBe(true);
  });
});
