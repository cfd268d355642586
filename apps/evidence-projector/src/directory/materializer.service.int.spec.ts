import { Db, MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { isolation, services } from '../../../../test/support/test-env';
import { createProjectorMetrics } from '../platform/metrics';
import { DirectoryStore } from './directory.store';
import { MaterializerService } from './materializer.service';
import { assembleDirectory } from './org-assembly';
import { StagedRecord } from './staged-records';
import { pageOfEvent, StagedPage, StagingRepository } from './staging.repository';

/**
 * The materializer against the real MongoDB-wire server: a completed sync
 * becomes the org's current documents, what it did not see is marked removed
 * (never deleted), and a completion redelivered after a crash half way
 * through the writes ends in the same documents.
 */
const ORG = 'org-m';
let client: MongoClient;
let db: Db;
let staging: StagingRepository;
let store: DirectoryStore;
let materializer: MaterializerService;

const user = (id: string, status = 'ACTIVE'): StagedRecord => ({
  kind: 'user',
  entityId: id,
  data: {
    id,
    login: `${id}@example.com`,
    email: `${id}@example.com`,
    status,
    created: '2026-01-01T00:00:00.000Z',
    activated: '2026-01-01T00:00:00.000Z',
    statusChanged: '2026-01-01T00:00:00.000Z',
    lastLogin: null,
    lastUpdated: '2026-01-01T00:00:00.000Z',
  },
});
const factors = (id: string, active: boolean): StagedRecord => ({
  kind: 'factors',
  entityId: id,
  data: {
    status: 'read',
    items: active
      ? [{ id: `f-${id}`, factorType: 'push', status: 'ACTIVE', provider: 'OKTA' }]
      : [],
  },
});
const group = (id: string, members: string[]): StagedRecord[] => [
  { kind: 'group', entityId: id, data: { id, name: id, type: 'OKTA_GROUP' } },
  {
    kind: 'groupMembers',
    entityId: id,
    part: 0,
    data: { status: 'read', lastPart: true, memberIds: members, reason: null },
  },
];

let nextSeq = 1;
/** Records as the pages of events would leave them: ten to a page, each page a new position. */
const pages = (records: StagedRecord[]): StagedPage[] => {
  const out: StagedPage[] = [];
  for (let i = 0; i < records.length; i += 10) {
    const seq = nextSeq++;
    out.push({ key: `page|${seq}`, seq, records: records.slice(i, i + 10) });
  }
  return out;
};

async function stageSync(syncId: string, userIds: string[], groups: Record<string, string[]>) {
  await staging.stage(
    ORG,
    syncId,
    pages([
      ...userIds.flatMap((id, i) => [user(id), factors(id, i % 2 === 0)]),
      ...Object.entries(groups).flatMap(([id, members]) => group(id, members)),
    ]),
  );
}

const materialize = async (syncId: string, completedAt: string) => {
  const { staged } = await materializer.loadStaged(ORG, syncId);
  const written = assembleDirectory(ORG, syncId, staged, true);
  await materializer.write(ORG, syncId, staged, written, completedAt, async () => undefined);
  return written;
};

const usersById = async () =>
  new Map((await store.users.find({ orgId: ORG }).toArray()).map((d) => [d.id, d]));

beforeAll(async () => {
  client = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = client.db(isolation('materializer').projectorDb);
  staging = new StagingRepository(db);
  store = new DirectoryStore(db);
  materializer = new MaterializerService(store, staging, createProjectorMetrics(new Registry()));
  await materializer.ensureIndexes();
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

describe('materializer (real MongoDB-wire server)', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);

  it('writes one document per user of a completed sync, with factors and groups', async () => {
    await stageSync('s1', ids(30), { g1: ids(10), g2: ids(5, 20) });
    const result = await materialize('s1', '2026-11-01T00:00:00.000Z');
    expect(result.users).toHaveLength(30);
    const docs = await usersById();
    expect(docs.size).toBe(30);
    expect(docs.get('u0')).toMatchObject({
      _id: `${ORG}|u0`,
      lastSeenSyncId: 's1',
      removed: false,
      activeFactorTypes: ['push'],
      groupIds: ['g1'],
    });
    expect(docs.get('u1')?.activeFactorTypes).toEqual([]);
    expect(docs.get('u21')?.groupIds).toEqual(['g2']);
    const g1 = await store.groups.findOne({ _id: `${ORG}|g1` });
    expect(g1?.memberCount).toBe(10);
  });

  it('marks what the next completed sync did not see as removed, and keeps it', async () => {
    // u25..u29 and group g2 are gone from Okta; u30 is new.
    await stageSync('s2', [...ids(25), 'u30'], { g1: ids(10) });
    await materialize('s2', '2026-11-02T00:00:00.000Z');
    const docs = await usersById();
    expect(docs.size).toBe(31);
    for (const id of ids(5, 25))
      expect(docs.get(id)).toMatchObject({
        removed: true,
        removedAt: '2026-11-02T00:00:00.000Z',
        removedBySyncId: 's2',
        lastSeenSyncId: 's1',
      });
    expect(docs.get('u30')).toMatchObject({ removed: false, lastSeenSyncId: 's2' });
    expect(docs.get('u0')).toMatchObject({ removed: false, lastSeenSyncId: 's2' });
    const g2 = await store.groups.findOne({ _id: `${ORG}|g2` });
    expect(g2).toMatchObject({ removed: true, removedBySyncId: 's2' });
    expect(await store.users.countDocuments({ orgId: ORG, removed: false })).toBe(26);
  });

  it('brings a removed user back when a later sync sees it again', async () => {
    await stageSync('s3', [...ids(26), 'u30'], { g1: ids(10) });
    await materialize('s3', '2026-11-03T00:00:00.000Z');
    const docs = await usersById();
    expect(docs.get('u25')).toMatchObject({
      removed: false,
      removedAt: null,
      lastSeenSyncId: 's3',
    });
    expect(docs.get('u26')).toMatchObject({ removed: true, removedBySyncId: 's2' });
    expect(docs.size).toBe(31);
  });

  it('ends in the same documents when a completion is redelivered after a crash mid-write', async () => {
    await stageSync('s4', ids(20), { g1: ids(10) }); // u20..u25 and u30 disappear
    await materialize('s4', '2026-11-04T00:00:00.000Z');
    const expected = await usersById();
    // The crash: the removed versions were staged, the old documents deleted, nothing inserted yet.
    await store.users.deleteMany({
      _id: { $in: ['u20', 'u21', 'u30', 'u3'].map((id) => `${ORG}|${id}`) },
    });
    await materialize('s4', '2026-11-04T00:00:00.000Z');
    const after = await usersById();
    expect(after.size).toBe(expected.size);
    for (const [id, doc] of expected) expect(after.get(id)).toEqual(doc);
    expect(after.get('u30')).toMatchObject({ removed: true, removedBySyncId: 's4' });
  });

  it('materializes from the in-memory copy exactly what the database copy gives', async () => {
    staging.beginCache(ORG, 's5');
    await stageSync('s5', ids(40), { g1: ids(15) });
    const fromMemory = await materialize('s5', '2026-11-05T00:00:00.000Z');
    const docsFromMemory = await usersById();
    staging.clearCache();
    const fromDb = await materialize('s5', '2026-11-05T00:00:00.000Z');
    expect(fromDb).toEqual(fromMemory);
    expect(await usersById()).toEqual(docsFromMemory);
    expect(fromMemory.users).toHaveLength(40);
  });

  it('reads the database copy once partitions moved, so pages another instance staged count', async () => {
    const other = new StagingRepository(db); // the instance that owned the partition for a while
    staging.beginCache(ORG, 's6');
    await staging.stage(ORG, 's6', pages(ids(10).map((id) => user(id))));
    await other.stage(ORG, 's6', pages(ids(10, 10).map((id) => user(id))));
    staging.clearCache(); // what the consumer does on every group join
    const result = await materialize('s6', '2026-11-06T00:00:00.000Z');
    expect(result.users.map((u) => u.id).sort()).toEqual(ids(20).sort());
  });

  it('falls back to the database copy when the in-memory copy outgrows its cap', async () => {
    staging.cacheLimit = 10;
    try {
      staging.beginCache(ORG, 's7');
      await stageSync('s7', ids(25), {});
      // staged past this instance's cache: only a read of the database copy sees these
      await new StagingRepository(db).stage(ORG, 's7', pages(ids(5, 25).map((id) => user(id))));
      const result = await materialize('s7', '2026-11-07T00:00:00.000Z');
      expect(result.users).toHaveLength(30);
      expect(result.users.filter((u) => u.factors.status === 'read')).toHaveLength(25);
    } finally {
      staging.cacheLimit = 400_000;
    }
  });

  it('ignores a redelivered page and counts a user on two pages once, the later page winning', async () => {
    const first = pages([user('u0'), user('u1'), factors('u0', true), factors('u1', true)]);
    const later = pages([user('u1', 'SUSPENDED')]);
    for (const cache of [true, false]) {
      const syncId = cache ? 's8' : 's9';
      if (cache) staging.beginCache(ORG, syncId);
      await staging.stage(ORG, syncId, first);
      await staging.stage(ORG, syncId, later);
      await staging.stage(ORG, syncId, first); // redelivered
      const result = await materialize(syncId, '2026-11-08T00:00:00.000Z');
      expect(result.users.map((u) => [u.id, u.status])).toEqual([
        ['u0', 'ACTIVE'],
        ['u1', 'SUSPENDED'],
      ]);
    }
  });

  it('reads the seqs of the staged pages with their records, the same from memory and the database', async () => {
    const event = (seq?: number) => ({ seq, eventId: `e-${seq ?? 'none'}` });
    staging.beginCache(ORG, 's10');
    await staging.stage(ORG, 's10', [
      pageOfEvent(event(0), []), // the start event: no records, still a position
      pageOfEvent(event(1), [user('u0')]),
      pageOfEvent(event(3), [user('u1')]), // seq 2 never arrived
      pageOfEvent(event(4), []),
      pageOfEvent(event(), [user('u2')]), // no seq: counts for none
    ]);
    await staging.stageSweep(ORG, 's10', 'okta_users', [{ _id: `${ORG}|u9` }]);
    const fromMemory = await materializer.loadStaged(ORG, 's10');
    staging.clearCache();
    const fromDb = await materializer.loadStaged(ORG, 's10');
    for (const loaded of [fromMemory, fromDb]) {
      expect(loaded.seqs).toEqual([0, 1, 3, 4]);
      expect([...loaded.staged.users.keys()]).toEqual(['u0', 'u1', 'u2']);
      expect(loaded.staged.sweep.size).toBe(1);
    }
  });
});
