import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { isolation, randomEncryptionKey, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';
import { Secret } from '../okta-client/secret';
import { sealedByV1 } from './token-vault.testing';

/**
 * Key rotation end to end: a token sealed with k1; the collector restarted
 * with "k2,k1" re-seals it in the background; rotate-keys reports nothing left
 * under k1; k1 is removed and the org still syncs.
 */
describe('encryption key rotation', () => {
  const iso = isolation('rotate');
  const k1 = randomEncryptionKey('k1');
  const k2 = randomEncryptionKey('k2');
  let sim: OktaSim;
  /** Another Okta host, also allowed over http here: the database is pointed at it. */
  let evil: OktaSim;
  let mongo: MongoClient;
  let collector: StartedApp | undefined;
  const keyIdOfStoredToken = async () =>
    (
      await mongo
        .db(iso.collectorDb)
        .collection('connections')
        .findOne({ _id: 'org-r' as never })
    )?.token?.keyId as string | undefined;
  const start = async (keys: string) => {
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: `${sim.hostPort},${evil.hostPort}`,
        TOKEN_ENCRYPTION_KEYS: keys,
      }),
    );
    return collectorApi(collector);
  };

  beforeAll(async () => {
    sim = await startOktaSim({ users: 40, seed: 51, rateWindowMs: 1000 });
    evil = await startOktaSim({ users: 1, seed: 52 });
    mongo = await new MongoClient(services().mongoUri).connect();
  });
  afterAll(async () => {
    await collector?.close();
    await sim?.close();
    await evil?.close();
    await mongo?.close();
  });

  it('re-seals k1 tokens with k2, after which k1 can be removed', async () => {
    let api = await start(k1);
    expect((await api.connect('org-r', sim.url, sim.token)).status).toBe(200);
    expect(await keyIdOfStoredToken()).toBe('k1');
    await collector!.close();

    api = await start(`${k2},${k1}`);
    await eventually(
      async () => ((await keyIdOfStoredToken()) === 'k2' ? true : undefined),
      'background re-seal with k2',
      30_000,
      200,
    );
    const status = await api.status('org-r');
    expect((status.json.connection as { tokenKeyId?: string }).tokenKeyId).toBe('k2');
    expect(JSON.stringify(status.json)).not.toContain(sim.token);
    await collector!.close();

    const cli = spawnSync(
      process.execPath,
      [
        resolve(
          __dirname,
          '../../../../dist/apps/okta-collector/src/connections/rotate-keys.cli.js',
        ),
      ],
      {
        env: {
          ...process.env,
          ...collectorConfigEnv(),
          TOKEN_ENCRYPTION_KEYS: `${k2},${k1}`,
        },
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(
      /re-sealed 0 token\(s\) with key k2; tokens per key: k2: 1 \(current\)/,
    );

    api = await start(k2);
    const requestId = String((await api.sync('org-r', 'identity')).json.requestId);
    expect((await waitForRequest(mongo, iso.collectorDb, requestId)).state).toBe('done');
  });

  it('re-seals tokens of the org-only AAD (v1) bound to org and origin, which then only open there', async () => {
    const connections = () => mongo.db(iso.collectorDb).collection('connections');
    await collector?.close(); // the previous test's, still running with k2 alone
    let api = await start(k1);
    expect((await api.connect('org-v1', sim.url, sim.token)).status).toBe(200);
    await collector!.close();
    // what an older release left in the database
    const [id, material] = k1.split(':') as [string, string];
    const old = sealedByV1(
      { id, key: Buffer.from(material, 'base64') },
      'org-v1',
      new Secret(sim.token),
    );
    await connections().updateOne({ _id: 'org-v1' as never }, { $set: { token: old } });

    api = await start(k1);
    await eventually(
      async () => {
        const doc = await connections().findOne({ _id: 'org-v1' as never });
        return doc?.token?.v === 2 ? doc : undefined;
      },
      'background re-seal to AAD v2',
      30_000,
      200,
    );
    const requestId = String((await api.sync('org-v1', 'identity')).json.requestId);
    expect((await waitForRequest(mongo, iso.collectorDb, requestId)).state).toBe('done');

    // someone who can write the database points the org at their own host:
    // the token does not open there, so it is never sent
    await connections().updateOne({ _id: 'org-v1' as never }, { $set: { baseUrl: evil.url } });
    const next = String((await api.sync('org-v1', 'identity')).json.requestId);
    const result = await waitForRequest(mongo, iso.collectorDb, next);
    expect(result.state).not.toBe('done');
    expect(evil.requestLog()).toEqual([]);
    const status = await api.status('org-v1');
    expect(status.json.connection).toMatchObject({ state: 'token_undecryptable' });
  });

  /** The environment the app's config was built from, for the CLI process. */
  function collectorConfigEnv(): Record<string, string> {
    const { kafkaBrokers, mongoUri } = services();
    return {
      KAFKA_BROKERS: kafkaBrokers,
      MONGODB_URI: mongoUri,
      COLLECTOR_DB: iso.collectorDb,
      COLLECTOR_API_TOKEN: 'test-collector-api-token-0123456789',
      KAFKA_TOPIC_PREFIX: iso.topicPrefix,
    };
  }
});
