import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { startKafka, RunningKafka } from '../../scripts/infra/kafka';
import { OktaSim, startOktaSim } from '../../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  startCollector,
  startProjector,
  StartedApp,
} from '../support/apps';
import { collectorApi } from '../support/collector-api';
import { waitForEvidenceOfSync } from '../support/evidence-expectations';
import { waitForRequest } from '../support/sync-requests';
import { isolation, randomEncryptionKey, services } from '../support/test-env';

jest.setTimeout(300_000);

/**
 * Managed Kafka needs TLS and SASL: a broker of our own with a SASL_SSL
 * listener (self-signed certificate, SCRAM users added when formatting), both
 * apps through it, and a wrong password ending start-up with one line.
 */
describe('Kafka over SASL/TLS', () => {
  const user = { username: 'regentra-app', password: randomBytes(12).toString('hex') };
  const iso = isolation('sasl');
  let kafka: RunningKafka;
  let sim: OktaSim;
  let collector: StartedApp;
  let projector: StartedApp;
  let mongo: MongoClient;

  const secureEnv = (mechanism: string, password = user.password) => ({
    KAFKA_BROKERS: kafka.secure!.brokers,
    KAFKA_SSL: kafka.secure!.caFile,
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: user.username,
    KAFKA_SASL_PASSWORD: password,
  });

  beforeAll(async () => {
    kafka = await startKafka({ secure: user });
    sim = await startOktaSim({ users: 60, seed: 41, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
  });

  afterAll(async () => {
    await projector?.close();
    await collector?.close();
    await sim?.close();
    await mongo?.close();
    await kafka?.stop();
  });

  it('runs both apps through a SASL_SSL listener (SCRAM-SHA-256 and SCRAM-SHA-512)', async () => {
    collector = await startCollector(
      collectorConfig(iso, {
        ...secureEnv('scram-sha-256'),
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      }),
    );
    projector = await startProjector(projectorConfig(iso, secureEnv('scram-sha-512')));
    const api = collectorApi(collector);
    expect((await api.connect('org-s', sim.url, sim.token)).status).toBe(200);
    const requestId = String((await api.sync('org-s', 'identity')).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    expect(done.state).toBe('done');
    await waitForEvidenceOfSync(projector.url, 'org-s', (done.syncIds ?? [])[0] as string);
    const users = await mongo.db(iso.projectorDb).collection('okta_users').countDocuments({});
    expect(users).toBe(sim.groundTruth().users.length);
  });

  it('stops at start-up with one line naming the setting when the password is wrong', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const child = spawn(
      process.execPath,
      [resolve(__dirname, '..', '..', 'dist', 'apps', 'okta-collector', 'src', 'main.js')],
      {
        env: {
          ...process.env,
          ...secureEnv('scram-sha-256', wrong),
          MONGODB_URI: services().mongoUri,
          COLLECTOR_DB: `${iso.collectorDb}_wrong`,
          COLLECTOR_API_TOKEN: 'test-collector-api-token-0123456789',
          TOKEN_ENCRYPTION_KEYS: randomEncryptionKey(),
          KAFKA_TOPIC_PREFIX: iso.topicPrefix,
          SCHEDULER_ENABLED: 'false',
          PORT: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(78);
    const lines = stderr.split('\n').filter((line) => line.startsWith('okta-collector:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/KAFKA_SASL_PASSWORD/);
    expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(`${stderr}${stdout}`).not.toContain(wrong);
  });
});
