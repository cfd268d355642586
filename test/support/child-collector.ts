import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../../scripts/infra/ports';
import { StartedApp, TEST_PARTITIONS } from './apps';
import { COLLECTOR_TOKEN, collectorApi } from './collector-api';
import { Isolation } from './apps';
import { services } from './test-env';
import { eventually } from './wait';

const MAIN = resolve(__dirname, '../../dist/apps/okta-collector/src/main.js');

/** The compiled collector as its own OS process (crash and shutdown tests), healthy. */
export interface ChildCollector {
  child: ChildProcess;
  api: ReturnType<typeof collectorApi>;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export async function startChildCollector(
  iso: Isolation,
  env: Record<string, string>,
): Promise<ChildCollector> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} missing: run "npm run build" (npm test does it first)`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      KAFKA_BROKERS: services().kafkaBrokers,
      MONGODB_URI: services().mongoUri,
      COLLECTOR_DB: iso.collectorDb,
      COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
      KAFKA_TOPIC_PREFIX: iso.topicPrefix,
      KAFKA_PARTITIONS: TEST_PARTITIONS,
      SCHEDULER_ENABLED: 'false',
      // tests pace against simulators with their own short windows; the fleet tests ask for `shared`
      OKTA_RATE_BUDGET: 'local',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined),
    'child collector healthy',
    60_000,
    250,
  );
  return { child, api: collectorApi({ url } as StartedApp), output: () => output, exited };
}
