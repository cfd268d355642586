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
});
