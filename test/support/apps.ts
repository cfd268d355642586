import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { strictHttpAdapter } from '@regentra/http-auth';
import { CollectorModule } from '../../apps/okta-collector/src/collector.module';
import {
  CollectorConfig,
  loadCollectorConfig,
} from '../../apps/okta-collector/src/config/collector.config';
import { Clock } from '../../apps/okta-collector/src/platform/clock';
import {
  loadProjectorConfig,
  ProjectorConfig,
} from '../../apps/evidence-projector/src/config/projector.config';
import { ProjectorModule } from '../../apps/evidence-projector/src/projector.module';
import { CapturedLogs, isolation, randomEncryptionKey, services } from './test-env';

export type Isolation = ReturnType<typeof isolation>;

/** The projector read API's bearer token in tests. */
export const PROJECTOR_TOKEN = 'test-projector-api-token-0123456789';

/** GET on the projector's read API with the bearer token (`token: null` sends none). */
export function projectorGet(
  baseUrl: string,
  path: string,
  token: string | null = PROJECTOR_TOKEN,
): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

/** Partitions of the topics tests create (the product's default is 24; topics.int.spec.ts checks it). */
export const TEST_PARTITIONS = '6';

export function collectorConfig(
  iso: Isolation,
  overrides: Record<string, string> = {},
): CollectorConfig {
  const { kafkaBrokers, mongoUri } = services();
  return loadCollectorConfig({
    KAFKA_BROKERS: kafkaBrokers,
    MONGODB_URI: mongoUri,
    COLLECTOR_DB: iso.collectorDb,
    COLLECTOR_API_TOKEN: 'test-collector-api-token-0123456789',
    TOKEN_ENCRYPTION_KEYS: randomEncryptionKey(),
    KAFKA_TOPIC_PREFIX: iso.topicPrefix,
    // a hundred isolated topic sets share one test broker: 6 partitions each, not the fleet's 24
    KAFKA_PARTITIONS: TEST_PARTITIONS,
    KAFKA_CLIENT_ID: `collector-${iso.id}`,
    SCHEDULER_ENABLED: 'false',
    // tests pace against simulators with their own short windows; the fleet tests ask for `shared`
    OKTA_RATE_BUDGET: 'local',
    OKTA_ALLOW_INSECURE_HOSTS: '',
    LOG_LEVEL: 'info',
    PORT: '0',
    ...overrides,
  });
}

/** The snapshot signing key of test projectors (a test value, never a deployment's). */
export const TEST_SNAPSHOT_SIGNING_KEY = `test:${Buffer.alloc(32, 7).toString('base64')}`;

export function projectorConfig(
  iso: Isolation,
  overrides: Record<string, string> = {},
): ProjectorConfig {
  const { kafkaBrokers, mongoUri } = services();
  return loadProjectorConfig({
    KAFKA_BROKERS: kafkaBrokers,
    MONGODB_URI: mongoUri,
    PROJECTOR_DB: iso.projectorDb,
    PROJECTOR_API_TOKEN: PROJECTOR_TOKEN,
    KAFKA_TOPIC_PREFIX: iso.topicPrefix,
    KAFKA_PARTITIONS: TEST_PARTITIONS,
    KAFKA_CLIENT_ID: `projector-${iso.id}`,
    PROJECTOR_GROUP_ID: `${iso.groupId}.projector`,
    // One fixed key: projections compared across runs (replays) sign alike.
    SNAPSHOT_SIGNING_KEYS: TEST_SNAPSHOT_SIGNING_KEY,
    LOG_LEVEL: 'info',
    PORT: '0',
    ...overrides,
  });
}

export interface StartedApp {
  app: INestApplication;
  logs: CapturedLogs;
  url: string;
  close(): Promise<void>;
}

async function listen(app: INestApplication, logs: CapturedLogs): Promise<StartedApp> {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, logs, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export async function startCollector(config: CollectorConfig, clock?: Clock): Promise<StartedApp> {
  const logs = new CapturedLogs();
  const moduleRef = await Test.createTestingModule({
    imports: [CollectorModule.register({ config, clock, logDestination: logs })],
  }).compile();
  return listen(moduleRef.createNestApplication(strictHttpAdapter(), { bufferLogs: true }), logs);
}

export async function startProjector(config: ProjectorConfig): Promise<StartedApp> {
  const logs = new CapturedLogs();
  const moduleRef = await Test.createTestingModule({
    imports: [ProjectorModule.register({ config, logDestination: logs })],
  }).compile();
  return listen(moduleRef.createNestApplication(strictHttpAdapter(), { bufferLogs: true }), logs);
}
