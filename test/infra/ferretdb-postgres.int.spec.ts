import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { chooseBackend, startFerretdb, RunningMongo } from '../../scripts/infra/ferretdb';

jest.setTimeout(120_000);

/**
 * The local MongoDB-wire server is FerretDB on a PostgreSQL cluster the
 * project starts itself. The fault suite kills both with kill -9 and starts
 * them again in place: what was acknowledged before is there after.
 * (A database whose name starts with "pg" is not found again after a
 * FerretDB restart on this backend: README, FerretDB differences.)
 */
describe('FerretDB on PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferret-pg-'));
  let mongo: RunningMongo | undefined;
  afterAll(async () => {
    await mongo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the default where PostgreSQL is installed, and SQLite only when asked', () => {
    expect(chooseBackend({}).backend).toBe('postgresql');
    expect(chooseBackend({ REGENTRA_FERRETDB_BACKEND: 'sqlite' }).backend).toBe('sqlite');
    expect(() => chooseBackend({ REGENTRA_FERRETDB_BACKEND: 'mysql' })).toThrow(
      /must be postgresql or sqlite/,
    );
  });

  it('keeps acknowledged writes across kill -9 of FerretDB and PostgreSQL, restarted in place', async () => {
    mongo = await startFerretdb({ dataDir: dir, durable: true, env: {} });
    expect(mongo.backend).toBe('postgresql');
    let client = await new MongoClient(mongo.uri).connect();
    const docs = Array.from({ length: 200 }, (_, i) => ({ _id: `u${i}`, orgId: `o${i % 7}` }));
    await client
      .db('restart_check')
      .collection('users')
      .insertMany(docs as never[]);
    await client.close();
    const { port, backendPort } = mongo;
    await mongo.kill();
    mongo = await startFerretdb({ dataDir: dir, port, backendPort, durable: true, env: {} });
    expect([mongo.port, mongo.backendPort]).toEqual([port, backendPort]);
    client = await new MongoClient(mongo.uri).connect();
    try {
      const users = client.db('restart_check').collection('users');
      expect(await users.countDocuments({})).toBe(200);
      expect(await users.countDocuments({ orgId: 'o3' })).toBe(
        docs.filter((d) => d.orgId === 'o3').length,
      );
    } finally {
      await client.close();
    }
  });

  it("serves a per-org filter from an index, as MongoDB would (the GIN index beside FerretDB's btree)", async () => {
    mongo ??= await startFerretdb({ dataDir: dir, durable: true, env: {} });
    const client = await new MongoClient(mongo.uri).connect();
    try {
      const users = client.db('gin_check').collection<{ _id: string; orgId: unknown }>('users');
      await users.createIndex({ orgId: 1, status: 1 });
      const docs = Array.from({ length: 3_000 }, (_, i) => ({
        _id: `u${i}`,
        orgId: `o${i % 300}`,
      }));
      // MongoDB's equality also matches an array that holds the value: so must the index
      await users.insertMany([...docs, { _id: 'in-array', orgId: ['o7', 'x'] }]);
      const explained = await client.db('gin_check').command({
        explain: { find: 'users', filter: { orgId: 'o7' } },
      });
      const plan = JSON.stringify(explained);
      expect(plan).toMatch(/Bitmap Index Scan/);
      expect(plan).toMatch(/_gin/);
      expect(plan).not.toMatch(/Seq Scan/);
      // a find by _id is pushed down as @> too: FerretDB's own unique btree cannot serve it
      const byId = JSON.stringify(
        await client.db('gin_check').command({ explain: { find: 'users', filter: { _id: 'u5' } } }),
      );
      expect(byId).toMatch(/Bitmap Index Scan/);
      expect(byId).not.toMatch(/Seq Scan/);
      const found = await users.find({ orgId: 'o7' }).toArray();
      expect(found.map((d) => d._id).sort()).toEqual(
        [...docs.filter((d) => d.orgId === 'o7').map((d) => d._id), 'in-array'].sort(),
      );
      // FerretDB lists its own indexes only
      expect((await users.indexes()).map((i) => i.name).sort()).toEqual([
        '_id_',
        'orgId_1_status_1',
      ]);
    } finally {
      await client.close();
    }
  });
});
