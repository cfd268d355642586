import { BSON, Db, MongoClient } from 'mongodb';
import { isolation, services } from '../../../../test/support/test-env';
import { Clock } from '../platform/clock';
import { SnapshotSigner } from '../signing/snapshot-signer';
import type {
  ControlEvidenceDocument,
  EvidenceItemPageDocument,
} from './control-evidence.document';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import {
  CONTROL_EVIDENCE,
  CURRENT_ITEMS_PREFIX,
  EVIDENCE_ITEMS,
  EVIDENCE_SNAPSHOTS,
  EvidenceStore,
} from './evidence.store';
import { CONTROL_IDS, ControlId } from './rules/controls.registry';
import { computeEvidence, EvidenceByControl } from './rules/evidence';
import { app, everyone, group, orgState, user } from './rules/org-state.testing';
import { verifyStoredSnapshot } from './snapshot-verification';

/**
 * Evidence of a large org (users in 10 groups with 10 apps each, Okta-sized
 * ids) against the real MongoDB-wire server: every stored document stays far
 * from the 16 MiB limit, the read API pages exactly the computed items, and a
 * stored snapshot verifies — until one of its item pages is altered.
 *
 * 6,000 users keep the file near a minute on FerretDB (SQLite, shared box:
 * ~0.2 s per MiB written, ~0.2 s per page read). The same org at 20,000 users
 * would be an access-review document over 16 MiB, as the issue measured: the
 * first test checks that arithmetic from the measured size per user, and the
 * page bounds that make the document count, not the document size, grow.
 */
const ORG = 'org-big';
const USERS = 6_000;
const MIB = 1024 * 1024;
jest.setTimeout(180_000);

let client: MongoClient;
let db: Db;
let store: EvidenceStore;
let service: EvidenceService;
let api: EvidenceController;

function bigOrg(syncId: string, asOf: string, users = USERS): EvidenceByControl {
  const groups = Array.from({ length: 100 }, (_, g) => group(`00g${String(g).padStart(17, '0')}`));
  const apps = Array.from({ length: 100 }, (_, a) => app(`0oa${String(a).padStart(17, '0')}`));
  return computeEvidence(
    orgState({
      orgId: ORG,
      syncId,
      asOf,
      groups: [everyone(), ...groups],
      apps,
      users: Array.from({ length: users }, (_, i) =>
        user(`00u${String(i).padStart(17, '0')}`, {
          status: i % 10 === 9 ? 'DEPROVISIONED' : 'ACTIVE',
          groupIds: ['g-everyone', ...groups.slice(i % 90, (i % 90) + 10).map((g) => g.id)],
          appAssignments: apps
            .slice(i % 90, (i % 90) + 10)
            .map((a) => ({ appId: a.id, scope: 'USER', status: null })),
        }),
      ),
    }),
  );
}

/** Every list of a control read through the API, `limit` items a request. */
async function readAll(control: string, limit: number) {
  const all: Record<string, unknown[]> = {};
  for (let offset = 0; ; offset += limit) {
    const body = await api.current(
      { orgId: ORG, control: control as ControlId },
      { offset, limit },
    );
    for (const [name, items] of Object.entries(body.items)) (all[name] ??= []).push(...items);
    if (Object.values(body.page.totals).every((total) => total <= offset + limit))
      return { all, totals: body.page.totals };
  }
}

beforeAll(async () => {
  client = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = client.db(isolation('evidence-pages').projectorDb);
  store = new EvidenceStore(db);
  await store.onModuleInit();
  const clock: Clock = { now: () => new Date('2026-01-01T00:00:00.000Z') } as Clock;
  service = new EvidenceService(
    store,
    clock,
    null as never,
    null as never,
    new SnapshotSigner([]),
    null as never,
  );
  api = new EvidenceController(store);
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

describe('evidence of an org too big for one document', () => {
  const first = bigOrg('sync-1', '2026-01-01T00:00:00.000Z');

  it('stores every document well under 16 MiB and serves exactly the computed items', async () => {
    // Without item pages the access review of 20,000 such users is one document over the limit.
    const perUser = BSON.calculateObjectSize(first['access-review']) / USERS;
    expect(perUser * 20_000).toBeGreaterThan(16 * MIB);
    await service.write(
      { evidence: first, logsThrough: null },
      { syncId: 'sync-1', asOf: '2026-01-01T00:00:00.000Z', evidence: first },
      new Date(),
    );
    for (const name of [CONTROL_EVIDENCE, EVIDENCE_SNAPSHOTS, EVIDENCE_ITEMS]) {
      const sizes = (await db.collection(name).find({}).toArray()).map((d) =>
        BSON.calculateObjectSize(d),
      );
      expect(sizes.length).toBeGreaterThan(0);
      // the bound of item-pages.ts: 256 KiB of items plus a header
      expect({ name, largest: Math.max(...sizes) <= 256 * 1024 + 4096 }).toEqual({
        name,
        largest: true,
      });
    }
    const summaries = await db.collection(CONTROL_EVIDENCE).find({}).toArray();
    const largest = Math.max(...summaries.map((d) => BSON.calculateObjectSize(d)));
    // The summary grows by one page start (≤ 14 bytes) per page: ≤ 1000 items and ≤ 256 KiB each.
    const pages = (users: number) => users / 1000 + (2 * perUser * users) / (256 * 1024) + 1;
    expect(largest).toBeLessThan(4096 + 14 * 4 * pages(USERS));
    expect(4096 + 14 * 4 * pages(250_000)).toBeLessThan(2 * MIB);
    expect(BSON.calculateObjectSize(first['access-review'])).toBeGreaterThan(4 * 256 * 1024);
    const { all, totals } = await readAll('access-review', 1000);
    const computed = first['access-review'].items as Record<string, unknown[]>;
    expect(all).toEqual(computed);
    expect(totals.activeUsers).toBe(5_400);
    // an unaligned page across page boundaries, and one past the end
    const middle = await api.current(
      { orgId: ORG, control: 'access-review' },
      { offset: 345, limit: 777 },
    );
    expect(middle.items.activeUsers).toEqual(computed.activeUsers!.slice(345, 345 + 777));
    expect(middle.items.deactivatedUsers).toEqual(computed.deactivatedUsers!.slice(345, 345 + 777));
    const past = await api.current(
      { orgId: ORG, control: 'access-review' },
      { offset: 6000, limit: 10 },
    );
    expect(Object.values(past.items).every((l) => l.length === 0)).toBe(true);
    for (const control of CONTROL_IDS.filter((c) => c !== 'access-review')) {
      const read = await readAll(control, 1000);
      expect({ control, items: read.all }).toEqual({ control, items: first[control].items });
    }
  });

  it('verifies the stored snapshot, and detects an altered or missing item page', async () => {
    const verdict = await verifyStoredSnapshot(store, ORG, 'access-review', 'sync-1');
    expect(verdict).toMatchObject({ result: 'match' });
    const pages = db.collection<EvidenceItemPageDocument>(EVIDENCE_ITEMS);
    const generation = (await store.snapshotOf(ORG, 'access-review', 'sync-1'))!.itemPages!
      .generation;
    const victim = await pages.findOne({
      _id: `${ORG}|access-review|sync-1|${generation}|activeUsers|3`,
    });
    expect(victim).not.toBeNull();
    const altered = structuredClone(victim!.items) as Array<{ login: string }>;
    altered[17]!.login = 'someone-else@example.com';
    await pages.replaceOne({ _id: victim!._id }, { ...victim!, items: altered });
    const tampered = await verifyStoredSnapshot(store, ORG, 'access-review', 'sync-1');
    expect(tampered).toMatchObject({
      result: 'mismatch',
      stored: verdict.result === 'match' && verdict.stored,
    });
    expect(tampered.result === 'mismatch' && tampered.computed).toMatch(/^sha256:/);
    await pages.deleteOne({ _id: victim!._id });
    expect(await verifyStoredSnapshot(store, ORG, 'access-review', 'sync-1')).toMatchObject({
      result: 'mismatch',
      computed: null,
    });
    expect(await verifyStoredSnapshot(store, ORG, 'authentication', 'sync-1')).toMatchObject({
      result: 'match',
    });
  });

  it('switches the current evidence to a new generation in the one items collection and deletes the old pages', async () => {
    const pages = db.collection(EVIDENCE_ITEMS);
    const generations = async () =>
      ((await pages.distinct('generation', { scope: 'current' })) as string[]).sort();
    const named = async () =>
      (await db.collection<ControlEvidenceDocument>(CONTROL_EVIDENCE).find({}).toArray())
        .map((d) => d.itemPages!.generation)
        .sort();
    const perGenerationCollections = async () =>
      (await db.listCollections({}, { nameOnly: true }).toArray()).filter((c) =>
        c.name.startsWith(CURRENT_ITEMS_PREFIX),
      );
    const before = await generations();
    expect(before).toEqual(await named());
    // redelivered: the same generations, nothing added or lost
    await service.write({ evidence: first, logsThrough: null }, null, new Date());
    expect(await generations()).toEqual(before);
    const second = bigOrg('sync-2', '2026-01-02T00:00:00.000Z', USERS - 1000);
    await service.write({ evidence: second, logsThrough: null }, null, new Date());
    const { all, totals } = await readAll('access-review', 1000);
    expect(all).toEqual(second['access-review'].items);
    expect(totals.activeUsers).toBe(4_500);
    const after = await generations();
    expect(after).toEqual(await named());
    expect(after.filter((name) => before.includes(name))).toEqual([]);
    // no collection per generation: at 1,000 orgs that was 4,000 of them
    expect(await perGenerationCollections()).toEqual([]);
    // the snapshots' pages are untouched by the switch
    expect(await pages.countDocuments({ scope: 'sync-1' })).toBeGreaterThan(0);
  });

  it('reads current evidence whose pages are in a legacy per-generation collection, and drops it when displaced', async () => {
    // what a projector before the single collection left: the same pages under evidence_items_current_<g>
    const doc = await db
      .collection<ControlEvidenceDocument>(CONTROL_EVIDENCE)
      .findOne({ _id: `${ORG}|authentication` });
    const generation = doc!.itemPages!.generation;
    const legacy = db.collection(`${CURRENT_ITEMS_PREFIX}${generation}`);
    await legacy.insertMany(
      await db.collection(EVIDENCE_ITEMS).find({ scope: 'current', generation }).toArray(),
    );
    await db.collection(EVIDENCE_ITEMS).deleteMany({ scope: 'current', generation });
    const { store: _shared, ...legacyRef } = doc!.itemPages!;
    await db
      .collection<ControlEvidenceDocument>(CONTROL_EVIDENCE)
      .updateOne({ _id: doc!._id }, { $set: { itemPages: legacyRef } });
    const served = await api.current(
      { orgId: ORG, control: 'authentication' },
      { offset: 0, limit: 1000 },
    );
    expect(Object.values(served.page.totals).some((total) => total > 0)).toBe(true);
    const third = bigOrg('sync-3', '2026-01-03T00:00:00.000Z', USERS - 2000);
    await service.write({ evidence: third, logsThrough: null }, null, new Date());
    expect(
      (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
    ).not.toContain(`${CURRENT_ITEMS_PREFIX}${generation}`);
    const now = await db
      .collection<ControlEvidenceDocument>(CONTROL_EVIDENCE)
      .findOne({ _id: `${ORG}|authentication` });
    expect(now!.itemPages).toMatchObject({ store: 'shared' });
  });
});
