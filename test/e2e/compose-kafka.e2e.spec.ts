import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafkaJars, newClusterId } from '../../scripts/infra/kafka';
import { ManagedProcess } from '../../scripts/infra/managed-process';
import { freePort } from '../../scripts/infra/ports';
import { requireTool, run, waitFor } from '../../scripts/infra/tools';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '..', '..');

interface ComposeService {
  environment?: Record<string, string | number>;
  ports?: unknown;
  secrets?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}
const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as Compose;

/** What compose does to a value: `$$` is a literal `$` (Kafka's config-provider syntax). */
const interpolated = (value: string | number) => String(value).replaceAll('$$', '$');

/** The apache/kafka image's rule: KAFKA_A_B__C___D → a.b_c-d. */
const propertyOf = (name: string) =>
  name
    .slice('KAFKA_'.length)
    .toLowerCase()
    .replaceAll('___', '\u0002')
    .replaceAll('__', '\u0001')
    .replaceAll('_', '.')
    .replaceAll('\u0001', '_')
    .replaceAll('\u0002', '-');

/**
 * The compose file's safe defaults, checked without a Docker engine: its
 * Kafka service's own settings run a real broker (the jars from Maven
 * Central) with the secrets deploy/make-secrets.sh makes; an app's user gets
 * in over SASL_SSL with the CA, a wrong password and plaintext do not.
 */
describe('docker-compose.yml', () => {
  it('publishes no port and keeps every secret in a file', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, ports: service.ports }).toEqual({ name, ports: undefined });
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        // a Kafka config-provider reference names the file, it holds no secret
        const reference = /^\$\$\{file:\/run\/secrets\//.test(String(value));
        if (/(TOKEN|PASSWORD|KEYS|MONGODB_URI)$/.test(key) && !reference)
          throw new Error(
            `${name}: ${key} is inline (${String(value).length} chars); use ${key}_FILE`,
          );
        if (key.endsWith('_FILE')) expect(String(value)).toMatch(/^\/run\/secrets\//);
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets[secret]).toBeDefined();
    }
    expect(compose.services.mongodb?.environment).toMatchObject({
      MONGO_INITDB_ROOT_PASSWORD_FILE: '/run/secrets/mongo_root_password',
    });
    const mongoUsers = ['okta-collector', 'evidence-projector'].map(
      (app) => compose.services[app]?.environment?.MONGODB_URI_FILE,
    );
    expect(new Set(mongoUsers).size).toBe(2);
    const init = readFileSync(join(ROOT, 'deploy', 'mongo-init', '10-app-users.js'), 'utf8');
    expect(init).toMatch(/\['collector', 'okta_collector'/);
    expect(init).toMatch(/\['projector', 'evidence'/);
    // every role granted is readWrite on the user's own database
    expect([...init.matchAll(/role: '(\w+)'/g)].map((m) => m[1])).toEqual(['readWrite']);
    expect(init).toMatch(/roles: \[\{ role: 'readWrite', db: database \}\]/);
  });

  describe('its Kafka service', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-kafka-'));
    const secrets = join(dir, 'secrets');
    let broker: ManagedProcess | undefined;
    let port = 0;

    beforeAll(async () => {
      requireTool('openssl');
      execFileSync('bash', [join(ROOT, 'deploy', 'make-secrets.sh'), secrets], { stdio: 'pipe' });
      port = await freePort();
      const controllerPort = await freePort();
      const env = compose.services.kafka!.environment!;
      const properties = Object.entries(env)
        .filter(([key]) => key.startsWith('KAFKA_'))
        .map(([key, value]) => {
          const local = interpolated(value)
            .replaceAll('/run/secrets/', `${secrets}/`)
            .replace('SASL_SSL://:9093', `SASL_SSL://:${port}`)
            // the certificate names kafka and localhost
            .replace('SASL_SSL://kafka:9093', `SASL_SSL://localhost:${port}`)
            .replaceAll('localhost:9094', `127.0.0.1:${controllerPort}`);
          return `${propertyOf(key)}=${local.replaceAll('\n', ' ')}`;
        });
      const logDir = join(dir, 'data');
      mkdirSync(logDir);
      const props = join(dir, 'server.properties');
      writeFileSync(
        props,
        [
          ...properties,
          `log.dirs=${logDir}`,
          'group.initial.rebalance.delay.ms=0',
          'offsets.topic.num.partitions=1',
          '',
        ].join('\n'),
      );
      const lib = ensureKafkaJars();
      const java = requireTool('java');
      run(java, [
        '-cp',
        `${lib}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        newClusterId(),
        '-c',
        props,
      ]);
      broker = ManagedProcess.start(
        'compose-kafka',
        java,
        [
          '-Xms128m',
          '-Xmx512m',
          '-XX:TieredStopAtLevel=1',
          `-Dkafka.logs.dir=${dir}`,
          '-cp',
          `${lib}/*`,
          'kafka.Kafka',
          props,
        ],
        join(dir, 'kafka.log'),
      );
      await waitFor(
        'the compose Kafka',
        () => describe_('collector', secret('kafka_collector_password')),
        {
          timeoutMs: 90_000,
          intervalMs: 500,
          isAlive: () => {
            const dead = broker?.deadReason();
            return dead && `${dead}\n${readFileSync(join(dir, 'kafka.log'), 'utf8').slice(-3000)}`;
          },
        },
      );
    });

    afterAll(async () => {
      await broker?.stop();
      if (!process.env.KEEP_COMPOSE_KAFKA) rmSync(dir, { recursive: true, force: true });
    });

    const secret = (name: string) => readFileSync(join(secrets, name), 'utf8').trim();

    const client = (user: string, password: string, tls = true) =>
      new Kafka({
        clientId: `compose-${user}`,
        brokers: [`127.0.0.1:${port}`],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 5_000,
        ssl: tls
          ? { ca: [readFileSync(join(secrets, 'kafka_ca.pem'), 'utf8')], servername: 'kafka' }
          : false,
        sasl: { mechanism: 'plain', username: user, password },
      });

    async function describe_(user: string, password: string, tls = true) {
      const admin = client(user, password, tls).admin();
      await admin.connect();
      try {
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 ? cluster : undefined;
      } finally {
        await admin.disconnect();
      }
    }

    it("lets each app in with its own password and writes a record the projector's user sees", async () => {
      for (const user of ['collector', 'projector'])
        expect(await describe_(user, secret(`kafka_${user}_password`))).toBeDefined();
      const kafka = client('collector', secret('kafka_collector_password'));
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'compose-check', numPartitions: 1 }] });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'compose-check', messages: [{ key: 'org', value: 'hello' }] });
      await producer.disconnect();
      // the projector's user reads it back (by offset: no consumer group needed to prove the path)
      const reader = client('projector', secret('kafka_projector_password')).admin();
      await reader.connect();
      const offsets = await reader.fetchTopicOffsets('compose-check');
      await reader.disconnect();
      expect(offsets.map((o) => o.high)).toEqual(['1']);
    });

    it("refuses a wrong password, another app's password and a plaintext client", async () => {
      await expect(describe_('collector', 'not-the-password')).rejects.toThrow(/SASL|auth/i);
      await expect(describe_('collector', secret('kafka_projector_password'))).rejects.toThrow(
        /SASL|auth/i,
      );
      await expect(
        describe_('collector', secret('kafka_collector_password'), false),
      ).rejects.toThrow();
    });
  });
});
