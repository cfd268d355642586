import { MongoClient } from 'mongodb';
import { topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, randomEncryptionKey, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

/**
 * A stored token that no configured key opens: the sync fails with
 * IdentitySyncFailed { reason: "token_undecryptable" }, the connection state
 * says so, the test endpoint says the same (not "Okta unreachable"), Okta is
 * never called; once the key is back, the org syncs and is connected again.
 */
describe('a token no configured key opens', () => {
  const iso = isolation('undecrypt');
  const topics = topicNames(iso.topicPrefix);
  const k1 = randomEncryptionKey('k1');
  const k2 = randomEncryptionKey('k2');
  let sim: OktaSim;
  let mongo: MongoClient;
  let collector: StartedApp | undefined;
  const start = async (keys: string) => {
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        TOKEN_ENCRYPTION_KEYS: keys,
      }),
    );
    return collectorApi(collector);
  };

  beforeAll(async () => {
    sim = await startOktaSim({ users: 30, seed: 61, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
  });
  afterAll(async () => {
    await collector?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('fails honestly, calls nobody, and recovers once the key is back', async () => {
    let api = await start(k1);
    expect((await api.connect('org-t', sim.url, sim.token)).status).toBe(200);
    await collector!.close();

    const identity = await collectTopic(testKafka(), topics.identity);
    try {
      api = await start(k2); // k1 is gone: the stored token opens with no key
      sim.resetCounters();
      const requestId = String((await api.sync('org-t', 'identity')).json.requestId);
      const done = await waitForRequest(mongo, iso.collectorDb, requestId);
      expect(done.state).toBe('failed');
      const failed = await eventually(
        async () =>
          identity.records.find((r) => (r.json as { type?: string }).type === 'IdentitySyncFailed')
            ?.json as { schemaVersion: number; payload: { reason: string; message: string } },
        'IdentitySyncFailed on the topic',
      );
      expect(failed.schemaVersion).toBe(2);
      expect(failed.payload.reason).toBe('token_undecryptable');
      expect(failed.payload.message).toMatch(/TOKEN_ENCRYPTION_KEYS/);
      expect(Object.values(sim.calls()).reduce((a, b) => a + b, 0)).toBe(0);

      const status = await api.status('org-t');
      expect(status.json.connection).toMatchObject({ state: 'token_undecryptable' });
      const test = await api.test('org-t');
      expect(test.status).toBe(409);
      expect(test.json).toMatchObject({ code: 'token_undecryptable' });
      expect(JSON.stringify(test.json)).not.toMatch(/could not be reached/);
      expect(
        identity.records.some(
          (r) =>
            (r.json as { type?: string; payload?: { state?: string } }).type ===
              'ConnectionStateChanged' &&
            (r.json as { payload: { state: string } }).payload.state === 'token_undecryptable',
        ),
      ).toBe(true);
      await collector!.close();

      api = await start(`${k2},${k1}`); // the key is back
      const again = String((await api.sync('org-t', 'identity')).json.requestId);
      expect((await waitForRequest(mongo, iso.collectorDb, again)).state).toBe('done');
      expect((await api.status('org-t')).json.connection).toMatchObject({ state: 'connected' });
    } finally {
      await identity.stop();
    }
  });
});
